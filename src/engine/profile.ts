/**
 * Kernel-level profile of jax-js's wasm backend: jax-js's profiler marks every kernel dispatch with a
 * `performance.measure` (label `Kernel[size]`, its expression, size and reduction); this collects them and
 * sums the time per kind of kernel. Meaningful with 1 thread only (with a worker pool the marks time the
 * hand-off, not the work).
 */
import { jx } from './runtime.js';

export interface KernelTime {
  /** matmul-like (a sum-of-products reduction), reduction, elementwise, or a routine's name */
  kind: string;
  /** a short description: size, reduction, the expression's head */
  what: string;
  ms: number;
  calls: number;
}

/** Runs `f` with kernel tracing on; returns its result and the kernels it ran, slowest group first (expressions cut at `expChars`). */
export async function profileKernels<T>(f: () => Promise<T>, expChars = 60): Promise<{ result: T; kernels: KernelTime[]; totalMs: number }> {
  performance.clearMeasures();
  jx().profiler.startTrace();
  let result: T;
  try {
    result = await f();
  } finally {
    jx().profiler.stopTrace();
  }
  const groups = new Map<string, KernelTime>();
  let totalMs = 0;
  for (const e of performance.getEntriesByType('measure')) {
    const detail = (e as PerformanceEntry & { detail?: { devtools?: { properties?: [string, string][] } } }).detail;
    const props: Record<string, string> = Object.fromEntries(detail?.devtools?.properties ?? []);
    if (!e.name.startsWith('Kernel') && !props.inputShapes) continue;
    const red = props.reduction as string | undefined;
    const exp = String(props.exp ?? '');
    const kind = props.inputShapes ? e.name : red ? (/^Add:/.test(red) && /\*/.test(exp) ? 'matmul-like' : 'reduction') : 'elementwise';
    const what = props.inputShapes
      ? `${props.inputShapes} → ${props.outputShapes}`
      : `size ${props.size}${red ? `, reduce ${red}` : ''}, ${exp.slice(0, expChars)}`;
    const key = `${kind}|${what}`;
    const g = groups.get(key) ?? { kind, what, ms: 0, calls: 0 };
    g.ms += e.duration;
    g.calls++;
    totalMs += e.duration;
    groups.set(key, g);
  }
  performance.clearMeasures();
  return { result: result!, kernels: [...groups.values()].sort((a, b) => b.ms - a.ms), totalMs };
}
