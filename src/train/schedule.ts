/** Learning-rate schedule: linear warm-up to `lr`, then cosine decay to `lr·minLrFraction` at `steps`. */
export interface LrSchedule {
  lr: number;
  warmupSteps: number;
  steps: number;
  minLrFraction: number;
}

export function lrAt(step: number, s: LrSchedule): number {
  if (step <= s.warmupSteps) return (s.lr * step) / Math.max(1, s.warmupSteps);
  const p = Math.min(1, (step - s.warmupSteps) / Math.max(1, s.steps - s.warmupSteps));
  return s.lr * (s.minLrFraction + (1 - s.minLrFraction) * 0.5 * (1 + Math.cos(Math.PI * p)));
}
