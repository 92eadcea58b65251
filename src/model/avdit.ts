/**
 * AVDiT (paper-notes §7): one transformer over the concatenated video + audio latent tokens, full
 * self-attention, pre-LN blocks whose scale/shift/gate come from each token's *own* timestep (adaLN-Zero
 * per token). Read top to bottom: embedders, conditioning, block, final layer, forward, presets.
 *
 * Axis legend: B batch · M modalities (2) · S segments · MS = M·S cells · N = Nv + Na tokens ·
 *              D width · H heads · Pv/Pa patch features per video/audio token
 *
 * Per-token conditioning is computed per *cell* (all tokens of a (modality, segment) cell share their
 * timestep) and broadcast to tokens with a one-hot [N, MS] matmul: identical to computing it per token,
 * at 1/20 of the cost. `forwardScalarT` is the DiT path (one t per example) used to test that.
 */
import { ops, type Params, type Tensor } from '../engine/index.js';
import { linear, linearSpecs } from '../nn/layers.js';
import type { ParamSpecs } from '../nn/params.js';
import { cellOneHot, type TokenLayout } from '../monl/layout.js';

export interface AvditConfig {
  width: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  /** video latent patch size (1×p×p over h, w). */
  patch: number;
  /** frequencies of the sinusoidal timestep embedding (its size is 2× this). */
  timeFreqs: number;
  /** feed the previous x̂0 estimate as extra input features (W.A.L.T-style self-conditioning). */
  selfCondition: boolean;
  /** aligned audio context: every video token also gets a projection of the 2K + 1 audio latent frames around its
   * latent frame's centre time (K = this; 0 or absent: off). A direct, time-aligned audio → video path next to
   * attention, zero-initialised (issue 14: the lips' audio dependence is what full attention was slow to learn). */
  audioContext?: number;
  /** the V2A counterpart: every audio token also gets a zero-initialised projection of its segment's whole video
   * latent frame (h·w·C values); false or absent: off */
  videoContext?: boolean;
  /** the V2A path at pixel-frame resolution: every audio token also gets a zero-initialised projection of its segment's
   * video latent frame made for the pixel frame its centre falls in (R = 4 projections per latent frame, one per
   * pixel frame), so the context says *when* within the 0.5 s latent frame the mouth moves; false or absent: off */
  videoFrameContext?: boolean;
}

export const AVDIT_PRESETS = {
  tiny: { width: 32, depth: 2, heads: 2, mlpRatio: 2, patch: 2, timeFreqs: 16, selfCondition: false },
  small: { width: 192, depth: 4, heads: 4, mlpRatio: 4, patch: 2, timeFreqs: 64, selfCondition: false },
  base: { width: 384, depth: 8, heads: 6, mlpRatio: 4, patch: 2, timeFreqs: 128, selfCondition: true },
  paper: { width: 1024, depth: 24, heads: 16, mlpRatio: 4, patch: 2, timeFreqs: 128, selfCondition: true },
} as const satisfies Record<string, AvditConfig>;
export type AvditPreset = keyof typeof AVDIT_PRESETS;

export function validateAvdit(c: AvditConfig): AvditConfig {
  if (c.width % c.heads) throw new Error(`avdit: width ${c.width} is not divisible by ${c.heads} heads`);
  if (c.width % 4) throw new Error(`avdit: width ${c.width} must be a multiple of 4 (sinusoidal position encodings)`);
  if (c.videoContext !== undefined && typeof c.videoContext !== 'boolean')
    throw new Error(`avdit: videoContext ${c.videoContext} must be true or false`);
  if (c.videoFrameContext !== undefined && typeof c.videoFrameContext !== 'boolean')
    throw new Error(`avdit: videoFrameContext ${c.videoFrameContext} must be true or false`);
  const K = c.audioContext ?? 0;
  if (!(Number.isInteger(K) && K >= 0 && K <= 64)) throw new Error(`avdit: audioContext ${K} must be a whole number in 0..64`);
  return c;
}

// ---- parameters ---------------------------------------------------------------------------------

export function avditSpecs(c: AvditConfig, l: TokenLayout): ParamSpecs {
  validateAvdit(c);
  const D = c.width,
    F = c.mlpRatio * D,
    k = c.selfCondition ? 2 : 1;
  const s: ParamSpecs = {
    ...linearSpecs('embed.video', k * l.video.features, D),
    ...linearSpecs('embed.audio', k * l.audio.features, D),
    'embed.modality': { shape: [2, D], init: { normal: 0.02 } },
    ...linearSpecs('time.fc1', 2 * c.timeFreqs, D),
    ...linearSpecs('time.fc2', D, D),
    'time.modality': { shape: [2, D], init: { normal: 0.02 } },
    ...linearSpecs('final.adaLN', D, 2 * D, true),
    ...linearSpecs('head.video', D, l.video.features, true),
    ...linearSpecs('head.audio', D, l.audio.features, true),
    ...(c.audioContext ? linearSpecs('embed.audioContext', (2 * c.audioContext + 1) * l.audio.features, D, true) : {}),
    ...(c.videoContext ? linearSpecs('embed.videoContext', l.video.h * l.video.w * l.video.C, D, true) : {}),
    ...(c.videoFrameContext ? linearSpecs('embed.videoFrames', l.video.h * l.video.w * l.video.C, l.subFrames * D, true) : {}),
  };
  for (let i = 0; i < c.depth; i++) {
    Object.assign(
      s,
      linearSpecs(`blocks.${i}.adaLN`, D, 6 * D, true),
      linearSpecs(`blocks.${i}.attn.qkv`, D, 3 * D),
      linearSpecs(`blocks.${i}.attn.proj`, D, D),
      linearSpecs(`blocks.${i}.mlp.fc1`, D, F),
      linearSpecs(`blocks.${i}.mlp.fc2`, F, D),
    );
  }
  return s;
}

// ---- constants built on the host from the layout ---------------------------------------------

/** Host arrays the forward pass needs besides parameters (uploaded once, passed into jit). */
export interface AvditConsts {
  pe: Tensor; // [Np, D] positional encoding: temporal (in audio-frame units) + 2-D spatial for video
  tokenModOH: Tensor; // [Np, 2] token → modality
  cellModOH: Tensor; // [MS, 2] cell → modality
  keyBias: Tensor; // [Np] 0 for real tokens, −1e9 for padding: padded keys get no attention
  audioGather?: Tensor; // [L·(2K + 1), La] 0/1: the audio frames of each video latent frame's context (audioContext K)
  audioSegOH?: Tensor; // [La, L] 0/1: the video latent frame (segment) of each audio latent frame (videoContext)
  audioFrameOH?: Tensor; // [La, L·R] 0/1: the pixel frame (latent frame · R + sub-frame) of each audio latent frame (videoFrameContext)
}

/**
 * The sequence is padded to a multiple of 16 tokens: jax-js's wasm kernels run 2× slower in the
 * backward pass at lengths like 186 than at 192 (measured). Padding tokens are masked out as keys,
 * so real tokens never see them; their own outputs are dropped.
 */
export function paddedLength(n: number): number {
  return Math.ceil(n / 16) * 16;
}

function sincos(pos: number, dim: number, out: Float32Array, offset: number): void {
  for (let k = 0; k < dim / 2; k++) {
    const f = pos / 10000 ** ((2 * k) / dim);
    out[offset + k] += Math.sin(f);
    out[offset + dim / 2 + k] += Math.cos(f);
  }
}

export function avditConstsHost(
  c: AvditConfig,
  l: TokenLayout,
): { pe: Float32Array; cellOH: Float32Array; tokenModOH: Float32Array; cellModOH: Float32Array } {
  const D = c.width,
    N = l.numTokens,
    S = l.numSegments;
  const pe = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    sincos(l.time[i], D, pe, i * D);
    if (l.modality[i] === 0) {
      sincos(l.row[i], D / 2, pe, i * D); // rows in the first half, columns in the second
      sincos(l.col[i], D / 2, pe, i * D + D / 2);
    }
  }
  const tokenModOH = new Float32Array(N * 2);
  for (let i = 0; i < N; i++) tokenModOH[i * 2 + l.modality[i]] = 1;
  const cellModOH = new Float32Array(2 * S * 2);
  for (let m = 0; m < 2; m++) for (let s = 0; s < S; s++) cellModOH[(m * S + s) * 2 + m] = 1;
  return { pe, cellOH: cellOneHot(l), tokenModOH, cellModOH };
}

/** [La, L] one-hot: audio latent frame j → its segment, i.e. video latent frame (the video context's map). */
export function audioSegmentOneHot(l: TokenLayout): Float32Array {
  const { L } = l.video,
    La = l.audio.La,
    oh = new Float32Array(La * L);
  for (let j = 0; j < La; j++) oh[j * L + l.segment[l.video.tokens + j]] = 1;
  return oh;
}

/** [La, L·R] one-hot: audio latent frame j → its pixel frame, R = subFrames per video latent frame (the frame context's map). */
export function audioFrameOneHot(l: TokenLayout): Float32Array {
  const { L } = l.video,
    La = l.audio.La,
    R = l.subFrames,
    oh = new Float32Array(La * L * R);
  for (let j = 0; j < La; j++) oh[j * L * R + l.segment[l.video.tokens + j] * R + l.audioSubFrame[j]] = 1;
  return oh;
}

/**
 * The audio context's gather matrix G [L·W, La] (W = 2K + 1): row i·W + d selects audio frame j = ⌊τ_i + ½⌋ + d − K
 * of video latent frame i (τ_i its centre time in audio frames); rows outside the clip stay 0.
 */
export function audioGatherHost(l: TokenLayout, K: number): Float32Array {
  const { L } = l.video,
    La = l.audio.La,
    W = 2 * K + 1,
    perFrame = l.video.tokens / L;
  const g = new Float32Array(L * W * La);
  for (let i = 0; i < L; i++) {
    const j0 = Math.floor(l.time[i * perFrame] + 0.5) - K;
    for (let d = 0; d < W; d++) if (j0 + d >= 0 && j0 + d < La) g[(i * W + d) * La + j0 + d] = 1;
  }
  return g;
}

export function avditConsts(c: AvditConfig, l: TokenLayout): AvditConsts {
  const h = avditConstsHost(c, l);
  const N = l.numTokens,
    MS = 2 * l.numSegments,
    Np = paddedLength(N);
  const pad = (a: Float32Array, w: number) => {
    const out = new Float32Array(Np * w);
    out.set(a);
    return out;
  };
  const keyBias = new Float32Array(Np).fill(-1e9);
  keyBias.fill(0, 0, N);
  return {
    pe: ops.tensor(pad(h.pe, c.width), [Np, c.width]),
    tokenModOH: ops.tensor(pad(h.tokenModOH, 2), [Np, 2]),
    cellModOH: ops.tensor(h.cellModOH, [MS, 2]),
    keyBias: ops.tensor(keyBias, [Np]),
    ...(c.audioContext ? { audioGather: ops.tensor(audioGatherHost(l, c.audioContext), [l.video.L * (2 * c.audioContext + 1), l.audio.La]) } : {}),
    ...(c.videoContext ? { audioSegOH: ops.tensor(audioSegmentOneHot(l), [l.audio.La, l.video.L]) } : {}),
    ...(c.videoFrameContext ? { audioFrameOH: ops.tensor(audioFrameOneHot(l), [l.audio.La, l.video.L * l.subFrames]) } : {}),
  };
}

// ---- embedders ------------------------------------------------------------------------------

/** video latents [B, L, h, w, C] → tokens [B, Nv, p·p·C] (feature order p_y, p_x, C). */
export function patchify(x: Tensor, p: number): Tensor {
  const [B, L, h, w, C] = x.shape;
  const y = ops.reshape(x, [B, L, h / p, p, w / p, p, C]);
  return ops.reshape(ops.transpose(y, [0, 1, 2, 4, 3, 5, 6]), [B, L * (h / p) * (w / p), p * p * C]);
}

/** tokens [B, Nv, p·p·C] → video latents [B, L, h, w, C]. */
export function unpatchify(t: Tensor, p: number, L: number, h: number, w: number, C: number): Tensor {
  const B = t.shape[0];
  const y = ops.reshape(t, [B, L, h / p, w / p, p, p, C]);
  return ops.reshape(ops.transpose(y, [0, 1, 2, 4, 3, 5, 6]), [B, L, h, w, C]);
}

/** Sinusoidal embedding of timesteps t (any shape [..]) → [.., 2F] (DiT's TimestepEmbedder). */
function timestepFeatures(t: Tensor, freqs: number): Tensor {
  const f = Float32Array.from({ length: freqs }, (_, k) => Math.exp((-Math.log(10000) * k) / freqs));
  const args = ops.mul(ops.expandDims(t, -1), ops.tensor(f, [freqs])); // [.., F]
  return ops.concat([ops.cos(args.ref), ops.sin(args)], -1);
}

/** Conditioning vectors for timesteps t [.., ] plus a modality term [.., D]: MLP(sinusoid(t)) + mod. */
function conditioning(p: Params, c: AvditConfig, t: Tensor, modTerm: Tensor): Tensor {
  const e = linear(p, 'time.fc2', ops.silu(linear(p, 'time.fc1', timestepFeatures(t, c.timeFreqs))));
  return ops.add(e, modTerm);
}

// ---- the block ------------------------------------------------------------------------------

/** x·(1 + scale) + shift */
const modulate = (x: Tensor, shift: Tensor, scale: Tensor) => ops.add(ops.mul(x, ops.add(scale, 1)), shift);

function attention(p: Params, name: string, x: Tensor, heads: number, keyBias: Tensor): Tensor {
  const [B, N, D] = x.shape;
  const dh = D / heads;
  const qkv = ops.reshape(linear(p, `${name}.qkv`, x), [B, N, 3, heads, dh]);
  const part = (i: number) => ops.transpose(ops.reshape(ops.sliceAxis(qkv.ref, 2, i, i + 1), [B, N, heads, dh]), [0, 2, 1, 3]); // [B,H,N,dh]
  const q = part(0),
    k = part(1),
    v = part(2);
  qkv.dispose();
  const scores = ops.add(ops.mul(ops.matmul(q, ops.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(dh)), keyBias); // [B,H,N,N]
  const att = ops.softmax(scores, -1);
  const o = ops.reshape(ops.transpose(ops.matmul(att, v), [0, 2, 1, 3]), [B, N, D]);
  return linear(p, `${name}.proj`, o);
}

/** One pre-LN block; `mod` holds each token's [shift, scale, gate] for attention and for the MLP, each [B, N, D]. */
function block(p: Params, c: AvditConfig, i: number, x: Tensor, mod: Tensor[], keyBias: Tensor): Tensor {
  const [sh1, sc1, g1, sh2, sc2, g2] = mod;
  x = ops.add(x.ref, ops.mul(g1, attention(p, `blocks.${i}.attn`, modulate(ops.layerNorm(x), sh1, sc1), c.heads, keyBias)));
  const h = linear(p, `blocks.${i}.mlp.fc2`, ops.gelu(linear(p, `blocks.${i}.mlp.fc1`, modulate(ops.layerNorm(x.ref), sh2, sc2))));
  return ops.add(x, ops.mul(g2, h));
}

/** Splits [B, X, n·D] into n tensors [B, X, D]. */
function chunks(t: Tensor, n: number): Tensor[] {
  const D = t.shape[2] / n;
  const out = Array.from({ length: n }, (_, j) => ops.sliceAxis(t.ref, 2, j * D, (j + 1) * D));
  t.dispose();
  return out;
}

// ---- forward --------------------------------------------------------------------------------

export interface AvditInputs {
  /** noisy video latents [B, L, h, w, Cv] */
  video: Tensor;
  /** noisy audio latents [B, La, Ca] */
  audio: Tensor;
  /** self-conditioning estimates of x0 (same shapes), when the model uses them */
  selfCond?: { video: Tensor; audio: Tensor };
}

/** The audio context of every video token [B, Nv, D]: each latent frame's 2K + 1 audio frames, projected. */
function audioContextTokens(p: Params, c: AvditConfig, l: TokenLayout, k: AvditConsts, audio: Tensor): Tensor {
  const B = audio.shape[0],
    { L } = l.video,
    D = c.width,
    perFrame = l.video.tokens / L;
  const g = ops.matmul(k.audioGather!.ref, audio); // [B, L·W, Ca]
  const f = linear(p, 'embed.audioContext', ops.reshape(g, [B, L, (2 * c.audioContext! + 1) * l.audio.features])); // [B, L, D]
  return ops.reshape(ops.broadcastTo(ops.reshape(f, [B, L, 1, D]), [B, L, perFrame, D]), [B, L * perFrame, D]);
}

/** The video context of every audio token [B, La, D]: its segment's video latent frame, projected. */
function videoContextTokens(p: Params, l: TokenLayout, k: AvditConsts, video: Tensor): Tensor {
  const { L, h, w, C } = l.video;
  const f = linear(p, 'embed.videoContext', ops.reshape(video, [video.shape[0], L, h * w * C])); // [B, L, D]
  return ops.matmul(k.audioSegOH!.ref, f); // [La, L]·[B, L, D] → [B, La, D]
}

/**
 * The frame context's output is scaled by this: a path grown at zero into a trained model must catch up with weights
 * trained for thousands of steps, and with Adam (steps ≈ lr whatever the gradient's size) a constant gain g moves its
 * output g× faster, as a g× learning rate for it alone would (measured at lr 5e-5: at gain 1 its weights' rms was 2e-4
 * after 250 steps, its output ~1% of a token's; at gain 16 the audio ε-loss rose 0.061 → 0.096 in 150 steps while the
 * control's stayed at 0.063: Adam's early steps are mostly noise, and 16× noise on every audio token hurt).
 */
export const VIDEO_FRAME_GAIN = 4;

/** The pixel-frame video context of every audio token [B, La, D]: its latent frame's projection made for its pixel frame. */
function videoFrameTokens(p: Params, c: AvditConfig, l: TokenLayout, k: AvditConsts, video: Tensor): Tensor {
  const { L, h, w, C } = l.video,
    B = video.shape[0];
  const f = linear(p, 'embed.videoFrames', ops.reshape(video, [B, L, h * w * C])); // [B, L, R·D]
  const g = ops.mul(ops.reshape(f, [B, L * l.subFrames, c.width]), VIDEO_FRAME_GAIN);
  return ops.matmul(k.audioFrameOH!.ref, g); // [La, L·R]·[B, L·R, D] → [B, La, D]
}

function embed(p: Params, c: AvditConfig, l: TokenLayout, k: AvditConsts, x: AvditInputs): Tensor {
  let vctx = c.videoContext ? videoContextTokens(p, l, k, x.video.ref) : null;
  if (c.videoFrameContext) {
    const fctx = videoFrameTokens(p, c, l, k, x.video.ref);
    vctx = vctx ? ops.add(vctx, fctx) : fctx;
  }
  let v = patchify(x.video, c.patch); // [B, Nv, Pv]
  let a = x.audio; // [B, Na, Pa]
  const ctx = c.audioContext ? audioContextTokens(p, c, l, k, a.ref) : null;
  if (c.selfCondition) {
    if (!x.selfCond) throw new Error('avdit: this model is self-conditioned; pass selfCond (zeros when there is no estimate)');
    v = ops.concat([v, patchify(x.selfCond.video, c.patch)], -1);
    a = ops.concat([a, x.selfCond.audio], -1);
  }
  const B = v.shape[0],
    Np = paddedLength(l.numTokens);
  const ev = linear(p, 'embed.video', v);
  const ea = linear(p, 'embed.audio', a);
  const parts = [ctx ? ops.add(ev, ctx) : ev, vctx ? ops.add(ea, vctx) : ea];
  if (Np > l.numTokens) parts.push(ops.zeros([B, Np - l.numTokens, c.width]));
  const tokens = ops.concat(parts, 1); // [B, Np, D]
  return ops.add(ops.add(tokens, k.pe.ref), ops.matmul(k.tokenModOH.ref, p['embed.modality'].ref));
}

function headOut(p: Params, c: AvditConfig, l: TokenLayout, x: Tensor, mod: Tensor[], B: number): { video: Tensor; audio: Tensor } {
  const h = modulate(ops.layerNorm(x), mod[0], mod[1]);
  const nv = l.video.tokens;
  const ev = linear(p, 'head.video', ops.sliceAxis(h.ref, 1, 0, nv));
  const ea = linear(p, 'head.audio', ops.sliceAxis(h, 1, nv, l.numTokens));
  const { L, h: hh, w, C } = l.video;
  return { video: unpatchify(ev, c.patch, L, hh, w, C), audio: ea };
}

/**
 * ε-prediction with one timestep per (modality, segment) cell: tCells [B, MS] (float, 0..T; cell
 * index m·S + s). Returns ε̂ for the video [B, L, h, w, Cv] and audio [B, La, Ca] latents.
 * Consumes params, inputs and tCells; borrows the constants `k` (they are never disposed here).
 */
export function avditForward(
  p: Params,
  c: AvditConfig,
  l: TokenLayout,
  k: AvditConsts,
  x: AvditInputs,
  tCells: Tensor,
): { video: Tensor; audio: Tensor } {
  const B = x.video.shape[0];
  let h = embed(p, c, l, k, x); // [B, N, D]
  const cond = ops.silu(conditioning(p, c, tCells, ops.matmul(k.cellModOH.ref, p['time.modality'].ref))); // [B, MS, D]
  for (let i = 0; i < c.depth; i++) {
    // per-cell modulation [B, MS, 6D], split per cell and then broadcast to the tokens: 6 × [B, N, D]. Splitting the
    // wide per-token tensor instead costs a 6-way sum of padded cotangents over [B, N, 6D] in the backward pass; with
    // runs grouped (cellsToTokens) this order took 877–883 ms per bench:avdit step against 966–1012 (session 21)
    const mod = chunks(linear(p, `blocks.${i}.adaLN`, cond.ref), 6).map((m) => cellsToTokens(m, l));
    h = block(p, c, i, h, mod, k.keyBias.ref);
  }
  const fin = chunks(linear(p, 'final.adaLN', cond), 2).map((m) => cellsToTokens(m, l));
  return headOut(p, c, l, h, fin, B);
}

/** Runs of consecutive tokens that share a cell: [cell, first token, count]. */
function cellRuns(l: TokenLayout): [number, number, number][] {
  const runs: [number, number, number][] = [];
  for (let i = 0; i < l.numTokens; i++) {
    const last = runs[runs.length - 1];
    if (last && last[0] === l.cell[i] && last[1] + last[2] === i) last[2]++;
    else runs.push([l.cell[i], i, 1]);
  }
  return runs;
}

/**
 * Per-cell values [B, MS, F] → per-token values [B, N, F] (what the one-hot [N, MS] matmul computes):
 * tokens come in runs of one cell, so each run is one broadcast slice, and their concatenation is
 * the token sequence. Far cheaper than a matmul with an inner dimension of MS on wasm.
 */
function cellsToTokens(cells: Tensor, l: TokenLayout): Tensor {
  const [B, , F] = cells.shape;
  const runs = cellRuns(l);
  const pad = paddedLength(l.numTokens) - l.numTokens;
  runs[runs.length - 1][2] += pad; // padding tokens reuse the last cell
  // one broadcast per group of equal runs over consecutive cells (the video's frames; most audio segments): jax-js
  // concatenates by summing padded parts, so every part costs a masked read per output element
  const parts = runGroups(runs).map(([cell, count, n]) => {
    const g = ops.sliceAxis(cells.ref, 1, cell, cell + count); // [B, count, F]
    return ops.reshape(ops.broadcastTo(ops.reshape(g, [B, count, 1, F]), [B, count, n, F]), [B, count * n, F]);
  });
  cells.dispose();
  return parts.length === 1 ? parts[0] : ops.concat(parts, 1);
}

/** Consecutive runs of equal length over consecutive cells, merged: [first cell, cells, tokens per cell]. */
function runGroups(runs: [number, number, number][]): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const [cell, , n] of runs) {
    const last = out[out.length - 1];
    if (last && last[2] === n && last[0] + last[1] === cell) last[1]++;
    else out.push([cell, 1, n]);
  }
  return out;
}

/** DiT's path: one timestep per example, t [B], conditioning computed per token. Tests only. */
export function avditForwardScalarT(
  p: Params,
  c: AvditConfig,
  l: TokenLayout,
  k: AvditConsts,
  x: AvditInputs,
  t: Tensor,
): { video: Tensor; audio: Tensor } {
  const B = x.video.shape[0];
  let h = embed(p, c, l, k, x);
  const tTok = ops.broadcastTo(ops.expandDims(t, 1), [B, paddedLength(l.numTokens)]); // [B, Np]
  const cond = ops.silu(conditioning(p, c, tTok, ops.matmul(k.tokenModOH.ref, p['time.modality'].ref))); // [B, Np, D]
  for (let i = 0; i < c.depth; i++) h = block(p, c, i, h, chunks(linear(p, `blocks.${i}.adaLN`, cond.ref), 6), k.keyBias.ref);
  return headOut(p, c, l, h, chunks(linear(p, 'final.adaLN', cond), 2), B);
}
