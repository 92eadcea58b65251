/** Timing for the benchmarks: median and minimum of `reps` calls after two warm-ups (this kind of VM is noisy). */
export async function timeIt(f: () => Promise<unknown>, reps = Number(process.env.BENCH_REPS ?? 5)): Promise<{ median: number; min: number }> {
  await f();
  await f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)], min: ts[0] };
}

/** One row of `npm run bench`'s table: ours and the PyTorch twin's time on the same work (ms). */
export interface BenchRow {
  name: string;
  ours: number;
  torch?: number;
  unit?: string;
}

/** Hands a bench's rows and peak memory to `npm run bench` (bench/all.ts reads the BENCH_ROWS line). */
export function reportRows(rows: BenchRow[], torchMaxRssKb?: number): void {
  if (!process.env.BENCH_JSON) return;
  console.log(`BENCH_ROWS ${JSON.stringify({ rows, oursMaxRssKb: process.resourceUsage().maxRSS, torchMaxRssKb })}`);
}
