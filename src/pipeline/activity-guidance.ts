/**
 * Activity guidance: V2A timing from the activity net's reading of the given video (src/model/activity.ts). The
 * AVDiT's V2A audio knows roughly where the sentence is but leaves sound in the pauses between words and is
 * sometimes too weak where the lips move (issue 14: SAA-silence 0.57 against 0.92 for real audio). Each step
 * edits the model's clean estimate of the generated audio and goes on from it (the x̂0 edit of reconstruction
 * guidance, Chung et al. 2022; a speech-activity track read off the video, as SyncFusion's onset track,
 * Comunità et al. 2024). Per audio latent frame f, with q = P(quiet) of the video frame holding f's centre:
 *   x̂0_f ← x̂0_f + w·q·(z_quiet − x̂0_f)                         quiet frames pulled toward the quiet latent
 *   x̂0_f ← x̂0_f + w·(1 − q)·max(0, L_speech − ℓ_f)·a/|a|²       speech frames lifted to the speech level
 * ℓ_f: the level map's estimate of f's decoded level (linear in frames f−1, f, f+1), a: its weights on frame f;
 * z_quiet, the map and L_speech come with the activity net (fitted on the training windows). w ∈ [0, 1].
 */
import type { Latents } from './generate.js';
import { levelEstimate, type ActivityNet } from '../model/activity.js';
import type { AvditCheckpointConfig } from '../model/load.js';
import type { TokenLayout } from '../monl/layout.js';
import type { ConditionMask } from '../monl/tasks.js';

export interface ActivityGuide {
  /** [B, T] P(speech) per pixel frame of each sample's given video (ActivityNet.speech) */
  speech: Float32Array;
  /** pixel frames per window, and their rate */
  frames: number;
  fps: number;
  /** seconds per audio latent frame */
  hopSec: number;
  /** [Ca] */
  quietLatent: Float32Array;
  /** [3·Ca + 1] */
  level: Float32Array;
  speechLevel: number;
  /** w ∈ [0, 1] */
  strength: number;
}

export const ACTIVITY_STRENGTH = 1;

/** Whether activity guidance applies to a condition: the whole video given (the net reads it), some audio generated. */
export const activityApplies = (mask: ConditionMask): boolean => mask[0].every(Boolean) && mask[1].some((g) => !g);

/** Quiet (1) or not (0) per audio latent frame [B, La] from P(speech) per pixel frame [B, T]. */
export function quietPerLatentFrame(g: Pick<ActivityGuide, 'speech' | 'frames' | 'fps' | 'hopSec'>, La: number): Float32Array {
  const T = g.frames,
    B = g.speech.length / T;
  return Float32Array.from({ length: B * La }, (_, i) => {
    const b = Math.floor(i / La),
      f = i % La;
    return g.speech[b * T + Math.min(T - 1, Math.floor((f + 0.5) * g.hopSec * g.fps))] > 0.5 ? 0 : 1;
  });
}

/** The x̂0 edit (GenerateOptions.editX0) for audio latents [B, La, Ca]; video passes through. */
export function activityEdit(g: ActivityGuide, La: number, Ca: number): (x0: Latents) => Latents {
  if (!(g.strength >= 0 && g.strength <= 1)) throw new Error(`activity guidance: strength must be in [0, 1], got ${g.strength}`);
  if (g.quietLatent.length !== Ca || g.level.length !== 3 * Ca + 1)
    throw new Error(`activity guidance: the activity net was fitted for ${g.quietLatent.length} audio latent channels, the model has ${Ca}`);
  const q = quietPerLatentFrame(g, La),
    w = g.strength,
    a = g.level.subarray(Ca, 2 * Ca),
    aa = a.reduce((s, x) => s + x * x, 0);
  return (x0) => {
    const x = x0.audio,
      z = x.slice();
    if (x.length !== q.length * Ca) throw new Error(`activity guidance: ${x.length / (La * Ca)} audio samples, the video gave ${q.length / La}`);
    for (let f = 0; f < q.length; f++) {
      const lift = q[f] ? 0 : Math.max(0, g.speechLevel - levelEstimate(g.level, x, f, La, Ca));
      for (let c = 0; c < Ca; c++) z[f * Ca + c] += w * (q[f] * (g.quietLatent[c] - x[f * Ca + c]) + (lift * a[c]) / aa);
    }
    return { video: x0.video, audio: z };
  };
}

/**
 * The x̂0 edit for `model` sampling `mask` with `net`, the given video latents [B, …] read by the activity net; null
 * when the mask generates no audio. Activity guidance reads the whole window's video, so every video cell must be given.
 */
export async function activityGuidanceFor(
  net: ActivityNet,
  strength: number,
  model: { layout: TokenLayout; checkpoint: AvditCheckpointConfig },
  mask: ConditionMask,
  givenVideo: Float32Array | undefined,
  B: number,
): Promise<((x0: Latents) => Latents) | null> {
  if (!mask[1].some((g) => !g)) return null;
  if (!activityApplies(mask) || !givenVideo)
    throw new Error('activity guidance: reads the speech off the given video, so every video cell must be given (v2a-like tasks)');
  const { latents: lat } = model.checkpoint;
  const { L, h, w, C } = model.layout.video;
  if (net.config.latentShape.join() !== [L, h, w, C].join())
    throw new Error(`activity guidance: the activity net reads video latents [${net.config.latentShape}], the model's are [${[L, h, w, C]}]`);
  const per = L * h * w * C;
  const video = givenVideo.length === per && B > 1 ? tileTo(givenVideo, B) : givenVideo;
  const speech = await net.speech(video, B);
  return activityEdit(
    {
      speech,
      frames: lat.data.windowFrames,
      fps: lat.data.fps,
      hopSec: lat.audioHopSec,
      quietLatent: net.quietLatent,
      level: net.level,
      speechLevel: net.config.speechLevel,
      strength,
    },
    model.layout.audio.La,
    model.layout.audio.C,
  );
}

function tileTo(x: Float32Array, B: number): Float32Array {
  const out = new Float32Array(B * x.length);
  for (let b = 0; b < B; b++) out.set(x, b * x.length);
  return out;
}
