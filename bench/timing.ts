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
