/** Shared by the AVDiT parity test and benchmark: one MoNL batch and constants as named host tensors for the twin. */
import type { AvditConfig } from '../src/model/avdit.js';
import { avditConstsHost } from '../src/model/avdit.js';
import type { TokenLayout } from '../src/monl/layout.js';
import { makeMonlBatch } from '../src/train/monl-loss.js';
import { linearSchedule } from '../src/diffusion/schedule.js';
import { MIXTURES } from '../src/monl/strategies.js';
import { normal } from '../src/util/rng.js';

export const TWIN_INPUTS = ['xtV', 'xtA', 'epsV', 'epsA', 'sigV', 'noiV', 'sigA', 'noiA', 'tc', 'use', 'pe', 'cellOH', 'tokenModOH', 'cellModOH'];

export function twinBatch(c: AvditConfig, l: TokenLayout, B: number, seed: number, useSC: number) {
  const { L, h, w, C } = l.video;
  const { La, C: Ca } = l.audio;
  const x0v = normal(seed, B * L * h * w * C),
    x0a = normal(seed + 1, B * La * Ca);
  const bt = makeMonlBatch(seed + 2, l, linearSchedule(), MIXTURES.monl, x0v, x0a, B);
  const k = avditConstsHost(c, l);
  const MS = 2 * l.numSegments,
    N = l.numTokens;
  const host: Record<string, { data: Float32Array; shape: number[] }> = {
    xtV: { data: bt.xtVideo, shape: [B, L, h, w, C] },
    xtA: { data: bt.xtAudio, shape: [B, La, Ca] },
    epsV: { data: bt.epsVideo, shape: [B, L, h, w, C] },
    epsA: { data: bt.epsAudio, shape: [B, La, Ca] },
    sigV: { data: bt.sigVideo, shape: [B, L, 1, 1, 1] },
    noiV: { data: bt.noiVideo, shape: [B, L, 1, 1, 1] },
    sigA: { data: bt.sigAudio, shape: [B, La, 1] },
    noiA: { data: bt.noiAudio, shape: [B, La, 1] },
    tc: { data: bt.tCells, shape: [B, MS] },
    use: { data: new Float32Array([useSC]), shape: [] },
    pe: { data: k.pe, shape: [N, c.width] },
    cellOH: { data: k.cellOH, shape: [N, MS] },
    tokenModOH: { data: k.tokenModOH, shape: [N, 2] },
    cellModOH: { data: k.cellModOH, shape: [MS, 2] },
  };
  return { bt, host, twinConfig: { model: c, lay: { video: [L, h, w, C], nv: l.video.tokens } } };
}
