/** Sampling defaults, one object for the CLI, the library and the studio (browser-safe). */
export const SAMPLER_DEFAULTS = {
  /** DDIM steps */
  steps: 50,
  /**
   * classifier-free guidance weight (0 = none; the unconditional pass feeds given cells as noise at t = T) where the
   * condition is not cross-modal (continuation, inpainting, mixes). 2: on the bundled model it raised lip sync,
   * condition influence and V2A quality over 0, 4 and 8 (docs/evaluation.md, "Guidance"), and 3 made continued and
   * inpainted video worse (FVD-pix80 0.003 → 0.007, ID-dist 0.016 → 0.026; "Guidance per condition"). Guidance doubles
   * a conditional task's step cost (joint generation hides nothing and runs one pass). `defaultGuidance` picks.
   */
  guidance: 2,
  /**
   * the guidance where one whole modality is given and none of the other (a2v, v2a). 3: on the bundled model it kept
   * or raised A2V lip sync, V2A SAA and both influences over 2 on two sets of windows, and it is the setting where the
   * second set's lip sync clears its shuffled-audio control (docs/evaluation.md, "Guidance per condition").
   */
  crossModalGuidance: 3,
  /**
   * the guidance of `avdit long`'s windows after the first (they continue the previous window's decoded frames, which go
   * through the video codec again). 1: with 2 each window's guidance compounds on the last one's and the face drifts to
   * orange with artifacts within 5 s; at 1 it stays put over 10 s (docs/evaluation.md, "Long-form guidance").
   */
  chainedGuidance: 1,
  /** DDIM η (0 = deterministic) */
  eta: 0,
  /** scale of the starting noise of the generated elements (1: N(0, I), what the model was trained from), for every
   * condition but a2v. `defaultTemperature` picks. */
  temperature: 1,
  /**
   * the same where the whole audio is given and the whole video generated (a2v). 0.5: on the bundled model (set C, the
   * tuning windows) it gave the best A2V FVD-pix80 and lip sync of 1, 0.5, 0.4, 0.3; on sets A and B it raised lip sync
   * (SyncCorr 0.40 / 0.21 → 0.47 / 0.36) and condition influence (0.66 / 0.56 → 0.82 / 1.44) and cost FVD-pix80
   * (0.21 / 0.04 → 0.28 / 0.08): less variety in pose and light between seeds. V2A kept 1: at 0.5 its FAD rose, its SAA
   * did not (docs/evaluation.md, "Starting-noise temperature").
   */
  audioToVideoTemperature: 0.5,
  seed: 0,
} as const;

/** The default guidance for a condition mask [video cells, audio cells]: `crossModalGuidance` when one modality is
 * wholly given and the other wholly generated, else `guidance`. */
export function defaultGuidance(mask: readonly (readonly boolean[])[]): number {
  return crossModal(mask) ? SAMPLER_DEFAULTS.crossModalGuidance : SAMPLER_DEFAULTS.guidance;
}

/** The default starting-noise temperature for a condition mask: `audioToVideoTemperature` when the whole audio is given
 * and the whole video generated, else `temperature`. */
export function defaultTemperature([v, a]: readonly (readonly boolean[])[]): number {
  return a.every(Boolean) && !v.some(Boolean) ? SAMPLER_DEFAULTS.audioToVideoTemperature : SAMPLER_DEFAULTS.temperature;
}

/** One modality wholly given and the other wholly generated (a2v, v2a). */
function crossModal([v, a]: readonly (readonly boolean[])[]): boolean {
  const all = (r: readonly boolean[]) => r.every(Boolean),
    none = (r: readonly boolean[]) => !r.some(Boolean);
  return (all(v) && none(a)) || (all(a) && none(v));
}

/** How help texts state the default. */
export const GUIDANCE_HELP = `G (default ${SAMPLER_DEFAULTS.crossModalGuidance} for a2v/v2a, ${SAMPLER_DEFAULTS.guidance} otherwise)`;

/** How help texts state the default temperature. */
export const TEMPERATURE_HELP = `T (scale of the starting noise; default ${SAMPLER_DEFAULTS.audioToVideoTemperature} for a2v, ${SAMPLER_DEFAULTS.temperature} otherwise)`;

/** Bounds the CLI and the studio accept (more steps than this is a typo; guidance this large overflows). */
export const MAX_STEPS = 1000;
export const MAX_GUIDANCE = 100;
export const MAX_TEMPERATURE = 2;

/** One-line errors for sampler options out of range (the library's check; the CLI checks its flags first). */
export function checkSamplerOptions(o: { steps?: number; guidance?: number; eta?: number; temperature?: number; seed?: number }): void {
  const bad = (what: string, v: unknown, want: string) => {
    throw new Error(`generate: ${what} = ${v} must be ${want}`);
  };
  if (o.steps !== undefined && !(Number.isInteger(o.steps) && o.steps >= 1 && o.steps <= MAX_STEPS))
    bad('steps', o.steps, `a whole number in [1, ${MAX_STEPS}]`);
  if (o.guidance !== undefined && !(Number.isFinite(o.guidance) && o.guidance >= 0 && o.guidance <= MAX_GUIDANCE))
    bad('guidance', o.guidance, `in [0, ${MAX_GUIDANCE}]`);
  if (o.eta !== undefined && !(Number.isFinite(o.eta) && o.eta >= 0 && o.eta <= 1)) bad('eta', o.eta, 'in [0, 1]');
  if (o.temperature !== undefined && !(Number.isFinite(o.temperature) && o.temperature > 0 && o.temperature <= MAX_TEMPERATURE))
    bad('temperature', o.temperature, `in (0, ${MAX_TEMPERATURE}]`);
  if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0 && o.seed < 2 ** 32)) bad('seed', o.seed, 'a whole number in [0, 2^32)');
}
