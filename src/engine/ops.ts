/**
 * The op set avdit relies on: a curated, typed subset of jax-js plus our workarounds (im2col
 * convolutions on wasm, one-hot gathers). Model, codec and training code call only these.
 * conformance.ts checks every export here on every available device.
 *
 * Ownership (jax-js rule): every Tensor passed to an op is consumed. Use `x.ref` to keep using `x`.
 */
import { currentDevice, jx, type Tensor } from './runtime.js';

export type { Tensor };
type Num = Tensor | number;
export type Pair = [number, number];

// ---- creation and host transfer -------------------------------------------------------------

/** A float32 tensor holding `data` (copied) with the given shape. */
export function tensor(data: ArrayLike<number> | Float32Array, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`tensor: ${data.length} values do not fill shape [${shape.join(', ')}] (${n})`);
  const f = data instanceof Float32Array ? data : Float32Array.from(data);
  return jx().numpy.array(f).reshape(shape);
}
export const zeros = (shape: number[]): Tensor => jx().numpy.zeros(shape);
export const ones = (shape: number[]): Tensor => jx().numpy.ones(shape);
export const full = (shape: number[], value: number): Tensor => jx().numpy.full(shape, value);
/** Reads a tensor back to the host as float32 (consumes it). The only async op. */
export async function read(x: Tensor): Promise<Float32Array> {
  const d = await x.data();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

// ---- elementwise ----------------------------------------------------------------------------

export const add = (a: Num, b: Num): Tensor => jx().numpy.add(a, b);
export const sub = (a: Num, b: Num): Tensor => jx().numpy.subtract(a, b);
export const mul = (a: Num, b: Num): Tensor => jx().numpy.multiply(a, b);
export const div = (a: Num, b: Num): Tensor => jx().numpy.trueDivide(a, b);
export const neg = (a: Tensor): Tensor => jx().numpy.negative(a);
export const exp = (a: Tensor): Tensor => jx().numpy.exp(a);
export const log = (a: Tensor): Tensor => jx().numpy.log(a);
export const sqrt = (a: Tensor): Tensor => jx().numpy.sqrt(a);
export const square = (a: Tensor): Tensor => jx().numpy.square(a);
export const abs = (a: Tensor): Tensor => jx().numpy.absolute(a);
export const tanh = (a: Tensor): Tensor => jx().numpy.tanh(a);
export const sin = (a: Tensor): Tensor => jx().numpy.sin(a);
export const cos = (a: Tensor): Tensor => jx().numpy.cos(a);
export const maximum = (a: Num, b: Num): Tensor => jx().numpy.maximum(a, b);
export const minimum = (a: Num, b: Num): Tensor => jx().numpy.minimum(a, b);
export const clip = (a: Tensor, lo: number, hi: number): Tensor => jx().numpy.clip(a, lo, hi);
/** `cond ? a : b` with cond a boolean (or 0/1) tensor. */
export const where = (cond: Tensor, a: Num, b: Num): Tensor => jx().numpy.where(cond, a, b);
export const greater = (a: Num, b: Num): Tensor => jx().numpy.greater(a, b);
export const erf = (a: Tensor): Tensor => jx().lax.erf(a);
export const sigmoid = (a: Tensor): Tensor => jx().nn.sigmoid(a);
export const silu = (a: Tensor): Tensor => jx().nn.silu(a);
export const relu = (a: Tensor): Tensor => jx().nn.relu(a);
/** GELU; `approximate` = tanh form (PyTorch's gelu(approximate='tanh')). */
export const gelu = (a: Tensor, approximate = true): Tensor => jx().nn.gelu(a, { approximate });
export const stopGradient = (a: Tensor): Tensor => jx().lax.stopGradient(a);

// ---- reductions -----------------------------------------------------------------------------

/**
 * Sum over `axis` (all axes when omitted). jax-js accumulates a reduction in one float32 running sum
 * (a mean over 5·10^5 values is off by ~2·10^-4 relative), so long reductions are done in two stages
 * of about √n terms each, which brings the error back to float32 rounding.
 */
export function sum(a: Tensor, axis?: number | number[], keepdims = false): Tensor {
  const nd = a.ndim;
  const axes = (axis === undefined ? [...Array(nd).keys()] : Array.isArray(axis) ? axis : [axis]).map((x) => (x < 0 ? x + nd : x));
  const n = axes.reduce((p, x) => p * a.shape[x], 1);
  if (n <= 4096) return jx().numpy.sum(a, axes, { keepdims });
  const kept = [...Array(nd).keys()].filter((x) => !axes.includes(x));
  const keptShape = kept.map((x) => a.shape[x]);
  const c = Math.ceil(Math.sqrt(n));
  let v = reshape(axes.every((x, i) => x === nd - axes.length + i) && kept.every((x, i) => x === i) ? a : transpose(a, [...kept, ...axes]), [
    ...keptShape,
    n,
  ]);
  if (c * c !== n && n % c !== 0) v = pad(v, [...keptShape.map((): Pair => [0, 0]), [0, c * Math.ceil(n / c) - n]]);
  v = reshape(v, [...keptShape, Math.ceil(n / c), c]);
  const r = jx().numpy.sum(jx().numpy.sum(v, -1), -1);
  return keepdims
    ? reshape(
        r,
        a.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
      )
    : r;
}
/** Mean over `axis` (all axes when omitted), with the same two-stage accumulation as sum. */
export function mean(a: Tensor, axis?: number | number[], keepdims = false): Tensor {
  const nd = a.ndim;
  const axes = (axis === undefined ? [...Array(nd).keys()] : Array.isArray(axis) ? axis : [axis]).map((x) => (x < 0 ? x + nd : x));
  const n = axes.reduce((p, x) => p * a.shape[x], 1);
  return mul(sum(a, axes, keepdims), 1 / n);
}
export const max = (a: Tensor, axis?: number | number[], keepdims = false): Tensor => jx().numpy.max(a, axis ?? null, { keepdims });
export const softmax = (a: Tensor, axis = -1): Tensor => jx().nn.softmax(a, axis);
export const logSoftmax = (a: Tensor, axis = -1): Tensor => jx().nn.logSoftmax(a, axis);
/** Tensors of at least this many elements get their LayerNorm statistics in kernels of their own (`layerNorm`). */
export const LAYER_NORM_STATS_KERNEL_MIN = 1 << 19;

/**
 * (x - mean) / sqrt(var + eps) over the last axis, no affine parameters: jax-js's `standardize`, step for step (the same
 * bits). jax-js fuses the statistics into their consumer, so every element recomputed its row's mean, variance, square
 * root and reciprocal; from LAYER_NORM_STATS_KERNEL_MIN elements up the row statistics are materialised first (two
 * small kernels), and the per-element kernel only loads them: the video codec's encode and decode 5–6% faster
 * (docs/performance.md, session 25). Below it the two extra kernels cost more than they save on 2 threads.
 */
export function layerNorm(a: Tensor, eps = 1e-6): Tensor {
  if (a.size < LAYER_NORM_STATS_KERNEL_MIN) return jx().nn.standardize(a, -1, { epsilon: eps });
  const mu = mean(a.ref, -1, true);
  const rstd = materialize(div(1, sqrt(add(sub(mean(square(a.ref), -1, true), square(mu.ref)), eps))));
  return mul(sub(a, materialize(mu)), rstd);
}

// ---- shape ----------------------------------------------------------------------------------

export const reshape = (a: Tensor, shape: number[]): Tensor => jx().numpy.reshape(a, shape);
export const transpose = (a: Tensor, perm: number[]): Tensor => jx().numpy.transpose(a, perm);
export const concat = (xs: Tensor[], axis: number): Tensor => jx().numpy.concatenate(xs, axis);
export const broadcastTo = (a: Tensor, shape: number[]): Tensor => jx().numpy.broadcastTo(a, shape);
export const expandDims = (a: Tensor, axis: number): Tensor => jx().numpy.expandDims(a, axis);
/** Repeats each element `n` times along `axis` (nearest-neighbour upsampling). */
export const repeat = (a: Tensor, n: number, axis: number): Tensor => jx().numpy.repeat(a, n, axis);
/** Zero padding with one [before, after] pair per axis. */
export const pad = (a: Tensor, widths: Pair[]): Tensor => jx().numpy.pad(a, widths);

/**
 * The same values, computed by a kernel of their own inside a jit program instead of fused into their consumers.
 * jax-js has no optimisation barrier; its jit materialises the producer behind a pad's input, looking through views,
 * so the values pass a max with −∞ first (an exact identity that tracing keeps, fused into the producer's kernel) and
 * then a pad that the slice undoes. For consumers that would otherwise read them through a layout change or a
 * padded view, which costs the fused kernel its SIMD path or a chain of index divisions per element.
 */
export function materialize(a: Tensor): Tensor {
  const nd = a.ndim;
  const widths: Pair[] = a.shape.map((_, i) => (i === nd - 1 ? [0, 1] : [0, 0]));
  return sliceAxis(pad(maximum(a, -Infinity), widths), nd - 1, 0, a.shape[nd - 1]);
}

/** Slices `[start, end)` along one axis. */
export function sliceAxis(a: Tensor, axis: number, start: number, end: number): Tensor {
  const nd = a.ndim;
  const ax = axis < 0 ? axis + nd : axis;
  const idx: ([] | Pair)[] = [];
  for (let i = 0; i < nd; i++) idx.push(i === ax ? [start, end] : []);
  return a.slice(...idx);
}

// ---- linear algebra -------------------------------------------------------------------------

/**
 * Batched matrix product over the last two axes, broadcasting leading axes (numpy.matmul semantics).
 * jax-js 0.1.25 follows numpy.dot instead when the ranks differ ([N,K]·[B,K,F] → [N,B,F]), so leading
 * axes are made explicit here first.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim > 2 && b.ndim === 2) {
    // [..., M, K]·[K, N]: one 2-D product over the flattened leading axes (no broadcast copies)
    const lead = a.shape.slice(0, -1);
    const k = a.shape[a.ndim - 1];
    return reshape(jx().numpy.matmul(reshape(a, [lead.reduce((x, y) => x * y, 1), k]), b), [...lead, b.shape[1]]);
  }
  if (a.ndim === 2 && b.ndim > 2) {
    // [M, K]·[..., K, N] = ([..., K, N]ᵀ·[M, K]ᵀ)ᵀ, through the case above
    const nd = b.ndim;
    const swap = (n: number) => [...Array(n - 2).keys(), n - 1, n - 2];
    return transpose(matmul(transpose(b, swap(nd)), transpose(a, [1, 0])), swap(nd));
  }
  if (a.ndim !== b.ndim && a.ndim >= 2 && b.ndim >= 2) {
    const lead = (t: Tensor) => t.shape.slice(0, -2);
    const la = lead(a),
      lb = lead(b);
    const n = Math.max(la.length, lb.length);
    const pa = [...Array(n - la.length).fill(1), ...la],
      pb = [...Array(n - lb.length).fill(1), ...lb];
    const common = pa.map((d, i) => Math.max(d, pb[i]));
    const expand = (t: Tensor, padded: number[]) => {
      const r = reshape(t, [...padded, ...t.shape.slice(-2)]);
      return padded.every((d, i) => d === common[i]) ? r : broadcastTo(r, [...common, ...t.shape.slice(-2)]);
    };
    return jx().numpy.matmul(expand(a, pa), expand(b, pb));
  }
  return jx().numpy.matmul(a, b);
}
export const einsum = (spec: string, ...xs: Tensor[]): Tensor => jx().numpy.einsum(spec, ...xs);

/**
 * Row gather as a one-hot matmul: `table[indices]` for integer indices, differentiable w.r.t. the
 * table under jit (jax-js 0.1.25's gather gradient fails under jit).
 */
export function gatherRows(table: Tensor, indices: ArrayLike<number>): Tensor {
  const [rows] = table.shape;
  const oh = new Float32Array(indices.length * rows);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= rows) throw new Error(`gatherRows: index ${j} outside [0, ${rows})`);
    oh[i * rows + j] = 1;
  }
  return matmul(tensor(oh, [indices.length, rows]), table);
}

// ---- convolution ----------------------------------------------------------------------------

export interface ConvOptions {
  /** stride per spatial axis (default 1). */
  stride?: number[];
  /** zero padding per spatial axis as [before, after] (default none). */
  padding?: Pair[];
  /** how the conv is lowered on wasm (default: the process-wide setting, see setConvLowering). */
  lowering?: ConvLowering;
}

/**
 * wasm lowering of a convolution: 'im2col' (patches [.., K·Cin] as a concat of K shifted views, then one matmul);
 * 'taps' (x·W_j for every kernel tap j as one batched matmul on the unpadded input, then the sum of K shifted slices
 * of the products: the fastest forward); 'taps-split' (the same with one matmul per tap: a little slower forward, but
 * its gradient has no K-way masked sums, the fastest to train); 'winograd' (F(2×2, 3×3) for 2-d 3×3 'same' convs on even
 * sizes: 16 products of a quarter of the rows instead of 9, 2.25× fewer multiply-adds, plus two transforms; F(2, 3)
 * for 1-d 3-tap ones, 1.5× fewer; other convs take 'taps'); 'auto' / 'auto-train' (winograd for 2-d such convs with
 * Cin and Cout ≥ 128 in 'auto' (in 1-d it measured no faster on 2 threads), then taps / taps-split for stride-1 convs
 * with Cin ≥ 32, where they measured faster, else im2col). docs/performance.md has the measurements.
 */
export type ConvLowering = 'auto' | 'auto-train' | 'im2col' | 'taps' | 'taps-split' | 'winograd';
let convLowering: ConvLowering = 'auto';
/** Sets the process-wide default conv lowering (Node: AVDIT_CONV); returns the previous one. */
export function setConvLowering(mode: ConvLowering): ConvLowering {
  if (!['auto', 'auto-train', 'im2col', 'taps', 'taps-split', 'winograd'].includes(mode))
    throw new Error(`conv lowering "${mode}": expected auto, auto-train, im2col, taps, taps-split or winograd`);
  const prev = convLowering;
  convLowering = mode;
  return prev;
}

/** Runs `f` with `mode` as the process-wide conv lowering, then puts the previous one back. */
export async function withConvLowering<T>(mode: ConvLowering, f: () => Promise<T>): Promise<T> {
  const prev = setConvLowering(mode);
  try {
    return await f();
  } finally {
    setConvLowering(prev);
  }
}

/**
 * N-d convolution, channels-last: x [B, ...S, Cin], w [...K, Cin, Cout] → [B, ...S', Cout].
 * On wasm it is lowered to matmuls (about 20× faster than jax-js's native conv there, see docs/engine-findings;
 * im2col or per-tap products, see ConvLowering and docs/performance.md); on WebGPU the native conv is the faster one.
 */
export function conv(x: Tensor, w: Tensor, opts: ConvOptions = {}): Tensor {
  const nsp = x.ndim - 2;
  const k = w.shape.slice(0, nsp);
  const [cin, cout] = w.shape.slice(nsp);
  if (w.ndim !== nsp + 2 || x.shape[x.ndim - 1] !== cin) {
    throw new Error(`conv: input [${x.shape}] and kernel [${w.shape}] do not match (channels-last, kernel [...K, Cin, Cout])`);
  }
  const stride = opts.stride ?? k.map(() => 1);
  const padding = opts.padding ?? k.map((): Pair => [0, 0]);
  if (currentDevice() === 'webgpu') return convNative(x, w, stride, padding);
  const mode = opts.lowering ?? convLowering;
  const sameThree =
    (k.length === 1 || k.length === 2) && k.every((n) => n === 3) && stride.every((n) => n === 1) && padding.every(([a, b]) => a === 1 && b === 1);
  const even = x.shape.slice(1, 1 + k.length).every((n) => n % 2 === 0);
  if (sameThree && even && (mode === 'winograd' || (mode === 'auto' && k.length === 2 && cin >= 128 && cout >= 128))) return convWinograd(x, w);
  const taps = mode === 'taps' || mode === 'taps-split' || mode === 'winograd' || (mode.startsWith('auto') && cin >= 32);
  const split = mode === 'taps-split' || mode === 'auto-train';
  if (taps && k.some((n) => n > 1) && stride.every((s) => s === 1)) return convTaps(x, w, k, padding, cin, cout, split);
  return convIm2col(x, w, k, stride, padding, cin, cout);
}

function convNative(x: Tensor, w: Tensor, stride: number[], padding: Pair[]): Tensor {
  const nd = x.ndim;
  const toFirst = [0, nd - 1, ...Array.from({ length: nd - 2 }, (_, i) => i + 1)];
  const xc = transpose(x, toFirst); // [B, Cin, ...S]
  const wc = transpose(w, [nd - 1, nd - 2, ...Array.from({ length: nd - 2 }, (_, i) => i)]); // [Cout, Cin, ...K]
  const y = jx().lax.convGeneralDilated(xc, wc, stride, padding);
  const toLast = [0, ...Array.from({ length: nd - 2 }, (_, i) => i + 2), 1];
  return transpose(y, toLast);
}

function convIm2col(x: Tensor, w: Tensor, k: number[], stride: number[], padding: Pair[], cin: number, cout: number): Tensor {
  const nsp = k.length;
  const inSize = x.shape.slice(1, 1 + nsp);
  const outSize = inSize.map((n, i) => Math.floor((n + padding[i][0] + padding[i][1] - k[i]) / stride[i]) + 1);
  // Pad so that every window start s·o + j (o < out) has s full elements after it: reshape-based striding.
  const widths: Pair[] = [[0, 0]];
  for (let i = 0; i < nsp; i++) {
    const need = stride[i] * (outSize[i] - 1) + k[i] + (stride[i] - 1);
    const have = inSize[i] + padding[i][0] + padding[i][1];
    widths.push([padding[i][0], padding[i][1] + Math.max(0, need - have)]);
  }
  widths.push([0, 0]);
  const xp = widths.some(([a, b]) => a > 0 || b > 0) ? pad(x, widths) : x;
  const offsets = cartesian(k);
  const cols: Tensor[] = [];
  for (let oi = 0; oi < offsets.length; oi++) {
    const off = offsets[oi];
    let v = oi === offsets.length - 1 ? xp : xp.ref;
    for (let i = 0; i < nsp; i++) {
      const s = stride[i];
      v = sliceAxis(v, 1 + i, off[i], off[i] + s * outSize[i]);
      if (s > 1) {
        const sh = v.shape.slice();
        sh.splice(1 + i, 1, outSize[i], s);
        v = sliceAxis(reshape(v, sh), 2 + i, 0, 1);
        v = reshape(
          v,
          v.shape.filter((_, j) => j !== 2 + i),
        );
      }
    }
    cols.push(v);
  }
  const patches = cols.length === 1 ? cols[0] : concat(cols, -1); // [B, ...S', K·Cin]
  const wm = reshape(w, [offsets.length * cin, cout]);
  return matmul(patches, wm);
}

function convTaps(x: Tensor, w: Tensor, k: number[], padding: Pair[], cin: number, cout: number, split: boolean): Tensor {
  // y[o] = Σ_j (x · W_j)[o + j − pad]: the unpadded input times the K kernel taps (one batched matmul with W as
  // [K, Cin, Cout], or one matmul per tap when `split`), then a sum of K shifted (zero-padded at the borders) slices.
  const nsp = k.length;
  const S = x.shape.slice(1, 1 + nsp);
  const B = x.shape[0];
  const offsets = cartesian(k);
  const K = offsets.length;
  const M = S.reduce((a, n) => a * n, B);
  const x2 = reshape(x, [M, cin]);
  const wk = reshape(w, [K, cin, cout]);
  const z = split ? null : matmul(broadcastTo(reshape(x2.ref, [1, M, cin]), [K, M, cin]), wk.ref); // [K, M, Cout]
  // x · W_j; W_j as a 2-D [Cin, Cout] (a [1, Cin, Cout] operand takes matmul's transposed route: two transposes per tap)
  const product = (j: number) => (z ? sliceAxis(z.ref, 0, j, j + 1) : matmul(x2.ref, reshape(sliceAxis(wk.ref, 0, j, j + 1), [cin, cout])));
  const outSize = S.map((n, i) => n + padding[i][0] + padding[i][1] - k[i] + 1);
  let y: Tensor | null = null;
  offsets.forEach((off, oi) => {
    let v = reshape(product(oi), [B, ...S, cout]);
    const widths: Pair[] = [[0, 0]];
    for (let i = 0; i < nsp; i++) {
      const shift = off[i] - padding[i][0]; // output o reads input o + shift
      const lo = Math.max(0, shift),
        hi = Math.min(S[i], outSize[i] + shift);
      v = sliceAxis(v, 1 + i, lo, hi);
      widths.push([lo - shift, outSize[i] - (hi - shift)]);
    }
    widths.push([0, 0]);
    if (widths.some(([p, q]) => p > 0 || q > 0)) v = pad(v, widths);
    y = y ? add(y, v) : v;
  });
  x2.dispose();
  wk.dispose();
  z?.dispose();
  return y!;
}

// Winograd F(2×2, 3×3) (Lavin & Gray 2016): Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A per 2×2 output tile, d its 4×4 input tile
// (in 1-d, F(2, 3): Y = Aᵀ[(G g) ⊙ (Bᵀ d)] per 2 outputs from 4 inputs).
const WINO_BT = [
  [1, 0, -1, 0],
  [0, 1, 1, 0],
  [0, -1, 1, 0],
  [0, 1, 0, -1],
];
const WINO_G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];
const WINO_AT = [
  [1, 1, 1, 0],
  [0, 1, -1, -1],
];

/** Indices start, start + 2, … (n / 2 of them) along `axis`. */
function everyOther(t: Tensor, axis: number, start: number, n: number): Tensor {
  const v = sliceAxis(t, axis, start, start + n);
  const split = v.shape.slice();
  split.splice(axis, 1, n / 2, 2);
  return reshape(
    sliceAxis(reshape(v, split), axis + 1, 0, 1),
    split.filter((_, j) => j !== axis + 1),
  );
}

/** Σ_k where(part = k, parts[k], 0) over a leading axis of `parts.length`: one fused kernel that evaluates one part per element. */
function byPart(parts: Tensor[], shape: number[]): Tensor {
  let out: Tensor | null = null;
  parts.forEach((part, k) => {
    const onehot = new Float32Array(parts.length);
    onehot[k] = 1;
    const mask = greater(tensor(onehot, [parts.length, ...shape.map(() => 1)]), 0.5);
    const term = where(mask, broadcastTo(part, [parts.length, ...shape]), 0);
    out = out ? add(out, term) : term;
  });
  return out!;
}

/** Σ_i coef[i] · terms[i] over the non-zero coefficients (±1 as an add or a subtract), or null where all are zero. */
function signedSum(coef: number[], terms: Tensor[]): Tensor | null {
  let acc: Tensor | null = null;
  coef.forEach((c, i) => {
    if (c === 0) return;
    const t = c === 1 || c === -1 ? terms[i].ref : mul(terms[i].ref, Math.abs(c));
    acc = acc === null ? (c > 0 ? t : neg(t)) : c > 0 ? add(acc, t) : sub(acc, t);
  });
  return acc;
}

/**
 * The separable transform over `nd` axes (1 or 2): part k = (ξ, ν) of r^nd from terms l = (a, b) of c^nd (row-major),
 * P[k] = Σ_l Π_axes M[ξ][a] · terms[l] (M is r × c), as one fused kernel [r^nd, ...shape]; consumes the terms.
 */
function transformParts(M: number[][], nd: number, terms: Tensor[], shape: number[]): Tensor {
  const r = M.length,
    c = M[0].length;
  const coef = (k: number, l: number) => (nd === 1 ? M[k][l] : M[Math.floor(k / r)][Math.floor(l / c)] * M[k % r][l % c]);
  const parts = Array.from({ length: r ** nd }, (_, k) =>
    signedSum(
      terms.map((_, l) => coef(k, l)),
      terms,
    )!,
  );
  terms.forEach((t) => t.dispose());
  return byPart(parts, shape);
}

/** Winograd F(2, 3) per spatial axis of a 1-d or 2-d 3-tap 'same' conv on even sizes: x [N, ...S, C], w [...3, C, O]. */
function convWinograd(x: Tensor, w: Tensor): Tensor {
  const nd = x.ndim - 2;
  const S = x.shape.slice(1, 1 + nd);
  const [N, C, O] = [x.shape[0], x.shape[1 + nd], w.shape[1 + nd]];
  const half = S.map((n) => n / 2);
  const T = half.reduce((a, n) => a * n, N);
  // the padded input in a kernel of its own, so that every tile view below is a plain strided read
  const xp = materialize(pad(x, [[0, 0], ...S.map((): Pair => [1, 2]), [0, 0]]));
  // d[a·4 + b][n, i, j] = xp[n, 2i + a, 2j + b] (2-d); d[a][n, i] = xp[n, 2i + a] (1-d)
  const d = cartesian(S.map(() => 4)).map((o) => o.reduce((t, a, i) => everyOther(t, 1 + i, a, S[i]), xp.ref));
  xp.dispose();
  const V = reshape(transformParts(WINO_BT, nd, d, [N, ...half, C]), [4 ** nd, T, C]); // Bᵀ d B
  const g = cartesian(S.map(() => 3)).map((o) =>
    reshape(
      o.reduce((t, a, i) => sliceAxis(t, i, a, a + 1), w.ref),
      [C, O],
    ),
  );
  w.dispose();
  const U = transformParts(WINO_G, nd, g, [C, O]); // G g Gᵀ
  const M = matmul(V, U); // [4^nd, T, O]
  const m = Array.from({ length: 4 ** nd }, (_, k) => reshape(sliceAxis(M.ref, 0, k, k + 1), [N, ...half, O]));
  M.dispose();
  // Aᵀ M A: part a·2 + b at [n, i, j] is Y[n, 2i + a, 2j + b]
  const Y = reshape(transformParts(WINO_AT, nd, m, [N, ...half, O]), [...S.map(() => 2), N, ...half, O]);
  const perm = nd === 1 ? [1, 2, 0, 3] : [2, 3, 0, 4, 1, 5];
  return reshape(transpose(Y, perm), [N, ...S, O]);
}

function cartesian(dims: number[]): number[][] {
  let out: number[][] = [[]];
  for (const d of dims) out = out.flatMap((p) => Array.from({ length: d }, (_, j) => [...p, j]));
  return out;
}

/** Space-to-depth: [B, ...S, C] with each S_i divisible by f_i → [B, ...S/f, (∏f)·C]. */
export function spaceToDepth(x: Tensor, f: number[]): Tensor {
  const nsp = f.length;
  const b = x.shape[0];
  const s = x.shape.slice(1, 1 + nsp);
  const c = x.shape[x.ndim - 1];
  s.forEach((n, i) => {
    if (n % f[i] !== 0) throw new Error(`spaceToDepth: axis ${i + 1} (${n}) is not divisible by ${f[i]}`);
  });
  const split = [b, ...s.flatMap((n, i) => [n / f[i], f[i]]), c];
  const perm = [0, ...s.map((_, i) => 1 + 2 * i), ...s.map((_, i) => 2 + 2 * i), 1 + 2 * nsp];
  return reshape(transpose(reshape(x, split), perm), [b, ...s.map((n, i) => n / f[i]), f.reduce((a, v) => a * v, 1) * c]);
}

/** Depth-to-space, the inverse of spaceToDepth: [B, ...S, (∏f)·C] → [B, ...S·f, C]. */
export function depthToSpace(x: Tensor, f: number[]): Tensor {
  const nsp = f.length;
  const b = x.shape[0];
  const s = x.shape.slice(1, 1 + nsp);
  const prod = f.reduce((a, v) => a * v, 1);
  const cf = x.shape[x.ndim - 1];
  if (cf % prod !== 0) throw new Error(`depthToSpace: ${cf} channels are not divisible by ${prod}`);
  const c = cf / prod;
  const split = [b, ...s, ...f, c];
  const perm = [0, ...s.flatMap((_, i) => [1 + i, 1 + nsp + i]), 1 + 2 * nsp];
  return reshape(transpose(reshape(x, split), perm), [b, ...s.map((n, i) => n * f[i]), c]);
}
