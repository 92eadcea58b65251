/**
 * The activity net: which video frames of a window have speech, read off the video latents alone. It exists for
 * activity guidance (src/pipeline/activity-guidance.ts): the AVDiT's V2A audio knows roughly where the sentence
 * is but not when each word stops (issue 14), while this small net, trained on the training windows' own audio
 * (the latent cache's quiet masks, no transcripts), gets the pauses right about as often as the real audio does.
 *
 *   z [B, L, h, w, C] → per latent frame: flatten → dropout → linear(hidden) → GELU      [B, L, D]
 *                     → + conv3(GELU(conv3(·))) over latent frames, GELU                 [B, L, D]
 *                     → linear(span) → the span's pixel frames of each latent frame     [B, T] logits
 * Latent frame k covers pixel frames frames[k][0]..frames[k][1] (the layout's; span = the longest).
 *
 * The checkpoint also carries what the guidance needs from the audio side, fitted at training time:
 *   guide.quietLatent [Ca]      the mean normalised audio latent of quiet frames (where quiet frames are pulled)
 *   guide.level [3·Ca + 1]      a linear map of latent frames f−1, f, f+1 (+ bias) to the decoded level of frame f (dB)
 *   config.speechLevel          the level speech frames are pushed up to (a quantile of the training speech frames)
 */
import { ops, jit, refTree, type Params, type Tensor } from '../engine/index.js';
import { linear, linearSpecs, convSpecs, conv } from '../nn/layers.js';
import { checkAgainstSpecs, toDevice, type ParamSpecs } from '../nn/params.js';
import type { HostParams } from '../util/safetensors.js';

export interface ActivityConfig {
  /** video latent shape of one window [L, h, w, C] */
  latentShape: [number, number, number, number];
  /** pixel frames [first, last] of each latent frame */
  frames: [number, number][];
  hidden: number;
  /** the decoded level (dB, the level map's units) speech frames are pushed up to */
  speechLevel: number;
}

export const ACTIVITY_DEFAULTS = { hidden: 128, dropout: 0.3 } as const;

export const span = (c: Pick<ActivityConfig, 'frames'>): number => Math.max(...c.frames.map(([a, b]) => b - a + 1));
export const activityFrames = (c: Pick<ActivityConfig, 'frames'>): number => c.frames[c.frames.length - 1][1] + 1;

export function checkActivityConfig(c: ActivityConfig, source = 'activity net'): void {
  const [L, h, w, C] = c.latentShape ?? [];
  if (![L, h, w, C].every((n) => Number.isInteger(n) && n > 0))
    throw new Error(`${source}: latentShape must be [L, h, w, C], got ${JSON.stringify(c.latentShape)}`);
  if (!Array.isArray(c.frames) || c.frames.length !== L)
    throw new Error(`${source}: frames must give the pixel frames of each of the ${L} latent frames`);
  c.frames.forEach(([a, b], k) => {
    if (!(Number.isInteger(a) && Number.isInteger(b) && a <= b && a === (k === 0 ? 0 : c.frames[k - 1][1] + 1)))
      throw new Error(`${source}: frames[${k}] = [${a}, ${b}] does not follow on from the previous latent frame`);
  });
  if (!(Number.isInteger(c.hidden) && c.hidden > 0)) throw new Error(`${source}: hidden must be a positive whole number, got ${c.hidden}`);
  if (!Number.isFinite(c.speechLevel)) throw new Error(`${source}: speechLevel must be a number, got ${c.speechLevel}`);
}

export function activitySpecs(c: ActivityConfig, audioChannels: number): ParamSpecs {
  const [, h, w, C] = c.latentShape,
    D = c.hidden;
  return {
    ...linearSpecs('in', h * w * C, D),
    ...convSpecs('tc1', [3], D, D),
    ...convSpecs('tc2', [3], D, D),
    ...linearSpecs('out', D, span(c)),
    'guide.quietLatent': { shape: [audioChannels], init: 'zeros' },
    'guide.level': { shape: [3 * audioChannels + 1], init: 'zeros' },
  };
}

/** Names of the parameters training updates (the guide.* tensors are fitted, not learnt). */
export const isTrained = (name: string): boolean => !name.startsWith('guide.');

/**
 * Speech logits per pixel frame [B, T] of normalised video latents [B, L, h, w, C]. `keep`, when given, is the
 * training dropout mask on the flattened latents [B, L, h·w·C] (already scaled by 1/(1 − p)).
 */
export function activityForward(p: Params, c: ActivityConfig, z: Tensor, keep?: Tensor): Tensor {
  const [B, L, h, w, C] = z.shape;
  let x = ops.reshape(z, [B, L, h * w * C]);
  if (keep) x = ops.mul(x, keep);
  const e = ops.gelu(linear(p, 'in', x)); // [B, L, D]
  const t = ops.gelu(conv(p, 'tc2', ops.gelu(conv(p, 'tc1', e.ref))));
  const o = linear(p, 'out', ops.add(e, t)); // [B, L, span]
  // pixel frames in order: latent frame k contributes its first (frames[k][1] − frames[k][0] + 1) outputs
  const parts = c.frames.map(([a, b], k) => ops.sliceAxis(ops.sliceAxis(o.ref, 1, k, k + 1), 2, 0, b - a + 1));
  o.dispose();
  return ops.reshape(
    ops.concat(
      parts.map((q) => ops.reshape(q, [B, -1])),
      1,
    ),
    [B, activityFrames(c)],
  );
}

/** The three taps (f−1, f, f+1, clamped at the window's ends) + 1 of audio latent frame f: the level map's input. */
export function levelFeatures(z: Float32Array, f: number, La: number, Ca: number): Float64Array {
  const x = new Float64Array(3 * Ca + 1),
    fl = f % La;
  for (let d = -1; d <= 1; d++) {
    const src = f - fl + Math.min(La - 1, Math.max(0, fl + d));
    for (let c = 0; c < Ca; c++) x[(d + 1) * Ca + c] = z[src * Ca + c];
  }
  x[3 * Ca] = 1;
  return x;
}

/** The level map's estimate of audio latent frame f's decoded level (dB). */
export function levelEstimate(level: Float32Array, z: Float32Array, f: number, La: number, Ca: number): number {
  return levelFeatures(z, f, La, Ca).reduce((s, x, k) => s + x * level[k], 0);
}

/** A loaded activity net (weights on the device, the guide tensors on the host). */
export class ActivityNet {
  readonly params: Params;
  readonly quietLatent: Float32Array;
  readonly level: Float32Array;
  #fwd = jit((p: Params, z: Tensor) => ops.sigmoid(activityForward(p, this.config, z)));

  constructor(
    readonly config: ActivityConfig,
    weights: HostParams,
    source = 'activity net',
  ) {
    checkActivityConfig(config, source);
    const Ca = (weights['guide.quietLatent']?.shape ?? [0])[0];
    checkAgainstSpecs(weights, activitySpecs(config, Ca), source);
    this.quietLatent = weights['guide.quietLatent'].data;
    this.level = weights['guide.level'].data;
    this.params = toDevice(Object.fromEntries(Object.entries(weights).filter(([k]) => isTrained(k))));
  }

  static fromCheckpoint(ck: { config: unknown; params: HostParams }, source = 'checkpoint'): ActivityNet {
    const c = ck.config as { kind?: string; activity?: ActivityConfig };
    if (c.kind !== 'activity-net' || !c.activity) throw new Error(`${source}: not an activity net (config.kind is ${JSON.stringify(c.kind)})`);
    return new ActivityNet(c.activity, ck.params, source);
  }

  /** P(speech) per pixel frame [B, T] of normalised video latents [B, L, h, w, C]. */
  async speech(videoLatents: Float32Array, batch: number): Promise<Float32Array> {
    const [L, h, w, C] = this.config.latentShape;
    if (videoLatents.length !== batch * L * h * w * C)
      throw new Error(`activity net: ${videoLatents.length} video latent values, expected ${batch} × [${this.config.latentShape}]`);
    return ops.read(this.#fwd(refTree(this.params), ops.tensor(videoLatents, [batch, L, h, w, C])));
  }
}
