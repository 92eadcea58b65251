import { ops } from '../src/engine/index.js';

/** The median (the upper one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
  return { median: median(ts), min: Math.min(...ts) };
}

/** Medians of paired timings and the median of the pairs' ratios (ours / theirs); NaN for theirs when there was no twin. */
export interface PairedTiming {
  ours: number;
  theirs: number;
  ratio: number;
}

/**
 * `reps` pairs of a call of ours and a call of theirs (a live twin's step), which side goes first alternating. Each
 * side's turn is two calls and the second is timed, so that each is timed warm (its caches and threads as in a loop of
 * its own steps) and not right after the other side's. On these shared VMs the speed drifts by ±30% within minutes
 * (docs/performance.md, session 23): a pair's two timed calls see the same minute, so the median of the pairs' ratios
 * is steadier than the ratio of two medians taken minutes apart. Without a twin (`theirs` null: no PyTorch here), ours
 * alone as timeIt times it.
 */
export async function timePaired(
  ours: () => Promise<unknown>,
  theirs: (() => Promise<number>) | null,
  reps = Number(process.env.BENCH_REPS ?? 5),
): Promise<PairedTiming> {
  if (!theirs) return { ours: (await timeIt(ours, reps)).median, theirs: NaN, ratio: NaN };
  await ours();
  const a: number[] = [],
    b: number[] = [];
  const turnOurs = async () => {
    await ours();
    const t0 = performance.now();
    await ours();
    a.push(performance.now() - t0);
  };
  const turnTheirs = async () => {
    await theirs();
    b.push(await theirs());
  };
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) await turnOurs();
    await turnTheirs();
    if (i % 2 === 1) await turnOurs();
  }
  return { ours: median(a), theirs: median(b), ratio: median(a.map((t, i) => t / b[i])) };
}

/**
 * One row of `npm run bench`'s table: ours and the PyTorch twin's time on the same work (ms), and, where they were
 * timed in pairs, the median of the pairs' ratios.
 */
export interface BenchRow {
  name: string;
  ours: number;
  torch?: number;
  ratio?: number;
  unit?: string;
}

/** Hands a bench's rows and peak memory to `npm run bench` (bench/all.ts reads the BENCH_ROWS line). */
export function reportRows(rows: BenchRow[], torchMaxRssKb?: number): void {
  if (!process.env.BENCH_JSON) return;
  console.log(`BENCH_ROWS ${JSON.stringify({ rows, oursMaxRssKb: process.resourceUsage().maxRSS, torchMaxRssKb })}`);
}

/** Runs `f` with the conv lowering `avdit codec train` uses for training (unless AVDIT_CONV is set). */
export const withTrainLowering = <T>(f: () => Promise<T>): Promise<T> => (process.env.AVDIT_CONV ? f() : ops.withConvLowering('auto-train', f));
