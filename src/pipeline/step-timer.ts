/**
 * Step timing the same way everywhere (the studio's worker, the Node reference in the browser test):
 * the first step apart (it includes encoding the given cells and compiling the forward), then the mean
 * of the others.
 */
export function stepTimer(now: () => number = () => performance.now()) {
  let last = now(),
    first = 0,
    rest = 0,
    n = 0;
  return {
    /** call after each step */
    lap(step: number): void {
      const t = now();
      if (step === 1) first = t - last;
      else {
        rest += t - last;
        n++;
      }
      last = t;
    },
    get firstMs(): number {
      return first;
    },
    /** mean time of steps 2…; the first step's when there was only one */
    get msPerStep(): number {
      return n > 0 ? rest / n : first;
    },
  };
}
