/**
 * One conformance body for every engine configuration (tfjs's describeWithFlags idea): each case runs
 * an op of ops.ts, or a gradient, on the current device and compares it with a float64 host reference
 * or a known value. Test files (engine-*.test.ts) start the engine in one configuration and run all cases.
 * `OP_COVERAGE` maps every export of ops.ts to the case that checks it; a test asserts it is complete.
 */
import * as ops from './ops.js';
import { jit, valueAndGrad, grad } from './transforms.js';
import { adamwInit, adamwUpdate, adamwScalars, type AdamWConfig } from './adamw.js';
import { jx, type Tensor } from './runtime.js';
import type { ConvLowering, ConvOptions } from './ops.js';

export interface ConformanceCase {
  name: string;
  run: () => Promise<void>;
}

// ---- host helpers ---------------------------------------------------------------------------

let seed = 12345;
function rand(n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    a[i] = ((seed / 2 ** 32) * 2 - 1) * scale;
  }
  return a;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if ((Number.isNaN(e) && Number.isNaN(a)) || a === e) continue; // (a === e: equal infinities)
    const err = Math.abs(a - e);
    if (!(err <= tol * (1 + Math.abs(e)))) throw new Error(`${what}: element ${i} is ${a}, expected ${e} (tol ${tol})`);
  }
}

const t = ops.tensor;
const get = ops.read;

/** host float64 matmul: a [m,k] · b [k,n] */
function hostMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a[i * k + l] * b[l * n + j];
      c[i * n + j] = s;
    }
  return c;
}

/** host float64 channels-last 2-D conv: x [H,W,C] (batch 1), w [kh,kw,C,O] */
function hostConv2d(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  H: number,
  W: number,
  C: number,
  kh: number,
  kw: number,
  O: number,
  s: number,
  p: number,
): { y: Float64Array; ho: number; wo: number } {
  const ho = Math.floor((H + 2 * p - kh) / s) + 1;
  const wo = Math.floor((W + 2 * p - kw) / s) + 1;
  const y = new Float64Array(ho * wo * O);
  for (let i = 0; i < ho; i++)
    for (let j = 0; j < wo; j++)
      for (let o = 0; o < O; o++) {
        let acc = 0;
        for (let a = 0; a < kh; a++)
          for (let b = 0; b < kw; b++) {
            const yy = i * s + a - p;
            const xx = j * s + b - p;
            if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
            for (let c = 0; c < C; c++) acc += x[(yy * W + xx) * C + c] * w[((a * kw + b) * C + c) * O + o];
          }
        y[(i * wo + j) * O + o] = acc;
      }
  return { y, ho, wo };
}

const gelutanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
function erfHost(x: number): number {
  // Abramowitz–Stegun 7.1.26 is only 1e-7 accurate; use a series/continued fraction to 1e-12 instead.
  const sgn = Math.sign(x);
  const ax = Math.abs(x);
  if (ax < 3) {
    let sum = 0;
    let term = ax;
    for (let n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= (-ax * ax) / (n + 1);
    }
    return (sgn * 2 * sum) / Math.sqrt(Math.PI);
  }
  return sgn * (1 - (Math.exp(-ax * ax) / (ax * Math.sqrt(Math.PI))) * (1 - 1 / (2 * ax * ax)));
}

// ---- cases ----------------------------------------------------------------------------------

/** jax-js's wasm e^x (wasm_exp in its builtins), step by step in float32: round(x/ln2) = k, r = x − k·ln2, 2^k·P(r). */
function wasmExp(x: number): number {
  const f = Math.fround;
  const v = f(x * f(1 / Math.LN2));
  const fl = Math.floor(v),
    d = v - fl;
  const kf = Number.isNaN(v) ? NaN : !Number.isFinite(v) ? v : d < 0.5 ? fl : d > 0.5 ? fl + 1 : fl % 2 === 0 ? fl : fl + 1; // f32.nearest
  const k = Number.isNaN(kf) ? 0 : Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, kf)); // i32.trunc_sat
  if (k > 127) return Infinity;
  if (k < -126) return 0;
  const r = f(x - f(kf * f(Math.LN2)));
  const as = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720].map(f);
  let p = as[as.length - 1];
  for (let i = as.length - 2; i >= 0; i--) p = f(f(p * r) + as[i]);
  return f(p * 2 ** k);
}

function unaryCase(name: string, f: (x: Tensor) => Tensor, ref: (x: number) => number, xs: Float32Array, tol = 1e-5): ConformanceCase {
  return { name, run: async () => assertClose(await get(f(t(xs, [xs.length]))), Array.from(xs, ref), tol, name) };
}

/** conv 1-d/2-d/3-d, strided and causal, against the host reference, with one wasm lowering. */
async function convForward(lowering: ConvLowering): Promise<void> {
  const conv = (x: Tensor, w: Tensor, o: ConvOptions = {}): Tensor => ops.conv(x, w, { ...o, lowering });
  const H = 7,
    W = 6,
    C = 3,
    O = 4;
  for (const [k, s, p] of [
    [3, 1, 1],
    [3, 2, 1],
    [4, 2, 1],
    [1, 1, 0],
  ] as const) {
    const x = rand(H * W * C);
    const w = rand(k * k * C * O, 0.5);
    const ref = hostConv2d(x, w, H, W, C, k, k, O, s, p);
    const y = conv(t(x, [1, H, W, C]), t(w, [k, k, C, O]), {
      stride: [s, s],
      padding: [
        [p, p],
        [p, p],
      ],
    });
    if (y.shape.join() !== [1, ref.ho, ref.wo, O].join()) throw new Error(`conv2d k${k}s${s}p${p}: shape ${y.shape}`);
    assertClose(await get(y), ref.y, 1e-4, `conv2d k${k} s${s} p${p}`);
  }
  // 1-d conv is a 2-d conv with H = 1; 3-d with a depth-1 kernel equals a per-frame 2-d conv.
  const x1 = rand(9 * 2);
  const w1 = rand(3 * 2 * 5);
  const r1 = hostConv2d(x1, w1, 1, 9, 2, 1, 3, 5, 1, 0);
  assertClose(await get(conv(t(x1, [1, 9, 2]), t(w1, [3, 2, 5]))), r1.y, 1e-4, 'conv1d');
  const x3 = rand(2 * 5 * 5 * 2);
  const w3 = rand(3 * 3 * 2 * 3);
  const y3 = await get(
    conv(t(x3, [1, 2, 5, 5, 2]), t(w3, [1, 3, 3, 2, 3]), {
      padding: [
        [0, 0],
        [1, 1],
        [1, 1],
      ],
    }),
  );
  const r3 = [0, 1].flatMap((f) => Array.from(hostConv2d(x3.subarray(f * 50, f * 50 + 50), w3, 5, 5, 2, 3, 3, 3, 1, 1).y));
  assertClose(y3, r3, 1e-4, 'conv3d');
  // a causal temporal kernel: output frame f sees frames f-2..f only
  const xt = rand(4 * 2 * 2 * 1);
  const wt = rand(3 * 1 * 1 * 1 * 1);
  const yt = await get(
    conv(t(xt, [1, 4, 2, 2, 1]), t(wt, [3, 1, 1, 1, 1]), {
      padding: [
        [2, 0],
        [0, 0],
        [0, 0],
      ],
    }),
  );
  const rt = Array.from({ length: 16 }, (_, i) => {
    const f = Math.floor(i / 4),
      pix = i % 4;
    let acc = 0;
    for (let j = 0; j < 3; j++) if (f - 2 + j >= 0) acc += wt[j] * xt[(f - 2 + j) * 4 + pix];
    return acc;
  });
  assertClose(yt, rt, 1e-5, 'causal conv3d');
}

export function conformanceCases(): ConformanceCase[] {
  const xs = rand(64, 3);
  const pos = Float32Array.from(xs, (v) => Math.abs(v) + 0.1);
  const cases: ConformanceCase[] = [
    {
      name: 'tensor/read/zeros/ones/full',
      run: async () => {
        assertClose(await get(t([1, 2, 3, 4, 5, 6], [2, 3])), [1, 2, 3, 4, 5, 6], 0, 'roundtrip');
        assertClose(await get(ops.zeros([2, 2])), [0, 0, 0, 0], 0, 'zeros');
        assertClose(await get(ops.ones([3])), [1, 1, 1], 0, 'ones');
        assertClose(await get(ops.full([2], 2.5)), [2.5, 2.5], 0, 'full');
        let threw = false;
        try {
          t([1, 2, 3], [2, 2]);
        } catch {
          threw = true;
        }
        if (!threw) throw new Error('tensor() accepted data that does not fill its shape');
      },
    },
    {
      name: 'binary ops with broadcasting and NaN propagation',
      run: async () => {
        const a = [1, -2, 3, 4, -5, 6];
        const b = [0.5, 2, -4];
        const A = () => t(a, [2, 3]);
        const B = () => t(b, [3]);
        const bb = (i: number) => b[i % 3];
        assertClose(
          await get(ops.add(A(), B())),
          a.map((v, i) => v + bb(i)),
          1e-6,
          'add',
        );
        assertClose(
          await get(ops.sub(A(), B())),
          a.map((v, i) => v - bb(i)),
          1e-6,
          'sub',
        );
        assertClose(
          await get(ops.mul(A(), B())),
          a.map((v, i) => v * bb(i)),
          1e-6,
          'mul',
        );
        assertClose(
          await get(ops.div(A(), B())),
          a.map((v, i) => v / bb(i)),
          1e-6,
          'div',
        );
        assertClose(
          await get(ops.maximum(A(), B())),
          a.map((v, i) => Math.max(v, bb(i))),
          0,
          'maximum',
        );
        assertClose(
          await get(ops.minimum(A(), 0)),
          a.map((v) => Math.min(v, 0)),
          0,
          'minimum scalar',
        );
        assertClose(
          await get(ops.where(ops.greater(A(), 0), A(), 0)),
          a.map((v) => (v > 0 ? v : 0)),
          0,
          'where/greater',
        );
        assertClose(
          await get(ops.clip(A(), -1, 2)),
          a.map((v) => Math.min(2, Math.max(-1, v))),
          0,
          'clip',
        );
        assertClose(await get(ops.add(t([NaN, 1], [2]), 1)), [NaN, 2], 0, 'NaN propagates');
      },
    },
    unaryCase('neg', ops.neg, (v) => -v, xs, 0),
    unaryCase('exp', ops.exp, Math.exp, xs),
    {
      // patches/ (scripts/patch-jax.mjs): kernels of ≥ 4 elements run e^x, 1/x and comparisons on 4 SIMD lanes; every
      // lane must give the bits of jax-js's scalar algorithm (emulated here in float32), extremes and tails included
      name: 'SIMD lanes = jax-js scalar algorithm, bit for bit: exp, 1/x, where(x > 0) on lengths 4k and 4k + 3, extremes',
      run: async () => {
        const special = [-1000, -104, -88, -87.5, -1e-30, 0, 1e-30, 0.3466, 87.5, 88.7, 89, 1000, -Infinity, Infinity, NaN];
        const v = Float32Array.from([...special, ...Array.from(rand(49, 7), (x) => 12 * x)]);
        const cases: [string, (x: Tensor) => Tensor, (x: number) => number][] = [
          ['exp', ops.exp, wasmExp],
          ['1/x', (x) => ops.div(1, x), (x) => Math.fround(1 / x)],
          ['where(x > 0, x, x/2)', (x) => ops.where(ops.greater(x.ref, 0), x.ref, ops.mul(x, 0.5)), (x) => (x > 0 ? x : Math.fround(x * 0.5))],
        ];
        for (const [name, f, ref] of cases)
          for (const n of [64, 63]) {
            const got = await get(f(t(v.subarray(0, n), [n])));
            for (let i = 0; i < n; i++)
              if (!Object.is(got[i], ref(v[i])) && !(Number.isNaN(got[i]) && Number.isNaN(ref(v[i]))))
                throw new Error(`${name}(${v[i]}) = ${got[i]} in a ${n}-element kernel; jax-js's algorithm gives ${ref(v[i])}`);
          }
      },
    },
    unaryCase('log', ops.log, Math.log, pos),
    unaryCase('sqrt', ops.sqrt, Math.sqrt, pos),
    unaryCase('square', ops.square, (v) => v * v, xs),
    unaryCase('abs', ops.abs, Math.abs, xs, 0),
    unaryCase('tanh', ops.tanh, Math.tanh, xs),
    unaryCase('sin', ops.sin, Math.sin, xs),
    unaryCase('cos', ops.cos, Math.cos, xs),
    unaryCase('erf', ops.erf, erfHost, xs, 2e-6),
    unaryCase('sigmoid', ops.sigmoid, (v) => 1 / (1 + Math.exp(-v)), xs),
    unaryCase('silu', ops.silu, (v) => v / (1 + Math.exp(-v)), xs),
    unaryCase('relu', ops.relu, (v) => Math.max(0, v), xs, 0),
    unaryCase('gelu (tanh)', (x) => ops.gelu(x, true), gelutanh, xs),
    unaryCase(
      'gelu (exact)',
      (x) => ops.gelu(x, false),
      (v) => 0.5 * v * (1 + erfHost(v / Math.SQRT2)),
      xs,
      2e-6,
    ),
    {
      name: 'reductions, softmax, layerNorm',
      run: async () => {
        const a = Array.from(rand(12, 2));
        const A = () => t(a, [3, 4]);
        const rows = [0, 1, 2].map((r) => a.slice(r * 4, r * 4 + 4));
        assertClose(await get(ops.sum(A())), [a.reduce((s, v) => s + v, 0)], 1e-5, 'sum all');
        assertClose(
          await get(ops.sum(A(), 1)),
          rows.map((r) => r.reduce((s, v) => s + v, 0)),
          1e-5,
          'sum axis 1',
        );
        assertClose(
          await get(ops.mean(A(), 0)),
          [0, 1, 2, 3].map((j) => (a[j] + a[4 + j] + a[8 + j]) / 3),
          1e-5,
          'mean axis 0',
        );
        // a long reduction stays at float32 rounding error (jax-js alone drifts by ~1e-4 here)
        const big = rand(3 * 512 * 347, 1).map((v) => v * v + 0.5);
        let ref = 0;
        for (const v of big) ref += v;
        assertClose(await get(ops.sum(t(big, [3, 512, 347]))), [ref], 2e-6, 'sum of 5e5 values');
        assertClose(
          await get(ops.mean(t(big, [3, 512, 347]), [0, 2])),
          Array.from({ length: 512 }, (_, j) => {
            let s = 0;
            for (let i = 0; i < 3; i++) for (let k = 0; k < 347; k++) s += big[(i * 512 + j) * 347 + k];
            return s / (3 * 347);
          }),
          2e-6,
          'mean over non-trailing axes',
        );
        const mk = ops.max(A(), 1, true);
        if (mk.shape.join() !== '3,1') throw new Error(`max keepdims shape ${mk.shape}`);
        assertClose(
          await get(mk),
          rows.map((r) => Math.max(...r)),
          0,
          'max keepdims',
        );
        // rows of 192 (a multiple of 4: jax-js patch 12's vector path), one of them all -∞ and one with its maximum
        // in the last lane group, one with a NaN; and a fused input (the max of a product, as softmax's scores)
        const R = 40,
          K = 192;
        const wide = rand(R * K, 3);
        wide.fill(-Infinity, 5 * K, 6 * K);
        wide[7 * K + K - 1] = 50;
        wide[9 * K + 17] = NaN;
        const rowMax = (x: ArrayLike<number>, r: number) => {
          let m = -Infinity;
          for (let k = 0; k < K; k++) m = Number.isNaN(x[r * K + k]) || Number.isNaN(m) ? NaN : Math.max(m, x[r * K + k]);
          return m;
        };
        const maxes = Array.from({ length: R }, (_, r) => rowMax(wide, r));
        assertClose(await get(ops.max(t(wide, [2, R / 2, K]), -1)), maxes, 0, 'max over rows of 192');
        const scaled = jit((x: Tensor) => ops.max(ops.mul(x, 0.5), -1, true));
        assertClose(
          await get(scaled(t(wide, [R, K]))),
          maxes.map((m) => m * 0.5),
          0,
          'max of a fused product over rows of 192',
        );
        const sm = rows.flatMap((r) => {
          const m = Math.max(...r);
          const e = r.map((v) => Math.exp(v - m));
          const z = e.reduce((s, v) => s + v, 0);
          return e.map((v) => v / z);
        });
        assertClose(await get(ops.softmax(A(), -1)), sm, 1e-5, 'softmax');
        assertClose(await get(ops.logSoftmax(A(), -1)), sm.map(Math.log), 1e-5, 'logSoftmax');
        const ln = rows.flatMap((r) => {
          const mu = r.reduce((s, v) => s + v, 0) / 4;
          const vr = r.reduce((s, v) => s + (v - mu) ** 2, 0) / 4;
          return r.map((v) => (v - mu) / Math.sqrt(vr + 1e-6));
        });
        assertClose(await get(ops.layerNorm(A())), ln, 1e-4, 'layerNorm');
      },
    },
    {
      name: 'layerNorm with its statistics in kernels of their own (large tensors)',
      run: async () => {
        // at LAYER_NORM_STATS_KERNEL_MIN elements and above: jax-js's standardize bit for bit, with and without jit, and
        // the same gradient
        const R = ops.LAYER_NORM_STATS_KERNEL_MIN / 64;
        const x = rand(R * 64, 3).map((v, i) => v + (i % 7)); // rows with a mean away from 0
        const w = rand(R * 64, 1);
        const fused = (v: Tensor) => jx().nn.standardize(v, -1, { epsilon: 1e-6 }) as Tensor;
        const want = await get(fused(t(x, [R, 64])));
        assertClose(await get(ops.layerNorm(t(x, [R, 64]))), want, 0, 'layerNorm = standardize');
        const wantJit = await get(jit(fused)(t(x, [R, 64])));
        assertClose(await get(jit((v: Tensor) => ops.layerNorm(v))(t(x, [R, 64]))), wantJit, 0, 'layerNorm = standardize (jit)');
        const loss = (f: (v: Tensor) => Tensor) => (v: Tensor, ww: Tensor) => ops.sum(ops.mul(f(v), ww));
        const gWant = await get(grad(loss(fused))(t(x, [R, 64]), t(w, [R, 64])));
        assertClose(await get(grad(loss(ops.layerNorm))(t(x, [R, 64]), t(w, [R, 64]))), gWant, 1e-5, 'layerNorm gradient');
      },
    },
    {
      name: 'shape ops: reshape, transpose, concat, sliceAxis, pad, broadcastTo, expandDims, repeat, materialize',
      run: async () => {
        const a = [0, 1, 2, 3, 4, 5];
        const A = () => t(a, [2, 3]);
        assertClose(await get(ops.reshape(A(), [3, 2])), a, 0, 'reshape');
        assertClose(await get(ops.transpose(A(), [1, 0])), [0, 3, 1, 4, 2, 5], 0, 'transpose');
        assertClose(await get(ops.concat([A(), A()], 0)), [...a, ...a], 0, 'concat axis 0');
        assertClose(await get(ops.concat([A(), A()], 1)), [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5], 0, 'concat axis 1');
        assertClose(await get(ops.sliceAxis(A(), 1, 1, 3)), [1, 2, 4, 5], 0, 'sliceAxis');
        assertClose(await get(ops.sliceAxis(A(), -2, 1, 2)), [3, 4, 5], 0, 'sliceAxis negative axis');
        assertClose(
          await get(
            ops.pad(A(), [
              [0, 1],
              [1, 0],
            ]),
          ),
          [0, 0, 1, 2, 0, 3, 4, 5, 0, 0, 0, 0],
          0,
          'pad',
        );
        assertClose(await get(ops.broadcastTo(t([1, 2, 3], [3]), [2, 3])), [1, 2, 3, 1, 2, 3], 0, 'broadcastTo');
        const e = ops.expandDims(A(), 1);
        if (e.shape.join() !== '2,1,3') throw new Error(`expandDims shape ${e.shape}`);
        e.dispose();
        assertClose(await get(ops.repeat(A(), 2, 1)), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5], 0, 'repeat');
        // materialize: the same values, inside jit and outside, read back through a transpose; its gradient is the identity
        const m = jit((x: Tensor) => ops.add(ops.transpose(ops.materialize(ops.mul(x, 2)), [1, 0]), 1));
        assertClose(await get(m(A())), [1, 7, 3, 9, 5, 11], 0, 'materialize (jit)');
        assertClose(await get(ops.materialize(A())), a, 0, 'materialize');
        const g = grad((x: Tensor) => ops.sum(ops.mul(ops.materialize(ops.mul(x.ref, x)), t([1, 2, 3, 4, 5, 6], [2, 3]))));
        assertClose(await get(g(A())), [0, 4, 12, 24, 40, 60], 0, 'materialize gradient');
      },
    },
    {
      // one fused kernel per concatenation (a sum of zero-padded parts); jax-js patch 11 reads the masks once per 4
      // elements where they cannot change inside the 4, and loads the parts as vectors: each layout here is one it
      // must handle (vector parts, a transposed part, broadcast runs at an offset, widths that are not multiples of 4)
      name: 'concat of masked parts, fused (jit)',
      run: async () => {
        const B = 3;
        const host = (x: Float32Array, shape: number[]) => ({ x, shape, at: (...i: number[]) => x[i.reduce((o, v, d) => o * shape[d] + v, 0)] });
        const check = async (what: string, widths: number[]) => {
          // last axis: parts [B, 9, w] and one part given transposed ([B, w, 9] read as [B, 9, w])
          const parts = widths.map((w) => host(rand(B * 9 * w), [B, 9, w]));
          const tw = 12,
            tp = host(rand(B * tw * 9), [B, tw, 9]);
          const f = jit((...xs: Tensor[]) => {
            const last = ops.transpose(xs.pop()!, [0, 2, 1]);
            return ops.mul(ops.concat([...xs, last], 2), 2);
          });
          const y = await get(f(...parts.map((p) => t(p.x, p.shape)), t(tp.x, tp.shape)));
          const W = widths.reduce((a, b) => a + b, 0) + tw;
          const want = new Float32Array(B * 9 * W);
          for (let b = 0; b < B; b++)
            for (let r = 0; r < 9; r++) {
              let c = 0;
              for (const p of parts) for (let k = 0; k < p.shape[2]; k++) want[(b * 9 + r) * W + c++] = 2 * p.at(b, r, k);
              for (let k = 0; k < tw; k++) want[(b * 9 + r) * W + c++] = 2 * tp.at(b, k, r);
            }
          assertClose(y, want, 0, what);
        };
        await check('concat of vector parts and a transposed part', [8, 16, 4]);
        await check('concat with widths that are not multiples of 4', [7, 5, 9]);
        await check('concat with splits that are not multiples of 4 in rows that are', [6, 10, 4]);
        // per-cell rows broadcast to runs of tokens, as AVDiT's adaLN modulation (cells 0-4 × 4, 5-7 × 6, 8 × 9 + 3)
        const F = 12,
          cells = host(rand(B * 9 * F), [B, 9, F]);
        const runs: [number, number, number][] = [
          [0, 5, 4],
          [5, 3, 6],
          [8, 1, 12],
        ];
        const g = jit((c: Tensor) => {
          const out = runs.map(([first, n, len]) => {
            const s = ops.reshape(ops.sliceAxis(c.ref, 1, first, first + n), [B, n, 1, F]);
            return ops.reshape(ops.broadcastTo(s, [B, n, len, F]), [B, n * len, F]);
          });
          c.dispose();
          return ops.add(ops.concat(out, 1), 1);
        });
        const N = runs.reduce((a, [, n, len]) => a + n * len, 0);
        const want = new Float32Array(B * N * F);
        for (let b = 0; b < B; b++) {
          let tok = 0;
          for (const [first, n, len] of runs)
            for (let j = 0; j < n; j++)
              for (let k = 0; k < len; k++, tok++) for (let f = 0; f < F; f++) want[(b * N + tok) * F + f] = cells.at(b, first + j, f) + 1;
        }
        assertClose(await get(g(t(cells.x, cells.shape))), want, 0, 'broadcast runs at offsets');
      },
    },
    {
      name: 'matmul (batched, broadcast) and einsum against float64',
      run: async () => {
        const a = rand(2 * 5 * 7);
        const b = rand(7 * 3);
        const c = await get(ops.matmul(t(a, [2, 5, 7]), t(b, [7, 3])));
        const ref = [...hostMatmul(a.subarray(0, 35), b, 5, 7, 3), ...hostMatmul(a.subarray(35), b, 5, 7, 3)];
        assertClose(c, ref, 1e-5, 'matmul');
        // numpy.matmul broadcasting when ranks differ: [3,7]·[2,7,3] → [2,3,3]
        const c2 = await get(
          ops.matmul(
            t(
              b.subarray(0, 21).map((v, i) => a[i]),
              [3, 7],
            ),
            t(
              Float32Array.from({ length: 42 }, (_, i) => b[i % 21]),
              [2, 7, 3],
            ),
          ),
        );
        const r2 = hostMatmul(a.subarray(0, 21), b.subarray(0, 21), 3, 7, 3);
        assertClose(c2, [...r2, ...r2], 1e-5, 'matmul 2-D · 3-D (numpy broadcasting)');
        assertClose(await get(ops.einsum('ij,jk->ik', t(a.subarray(0, 35), [5, 7]), t(b, [7, 3]))), ref.slice(0, 15), 1e-5, 'einsum');
      },
    },
    {
      // scripts/patch-jax.mjs, patch 2: the rows of a register micro-block share the right operand's loads when the
      // batch term cannot change inside the block. Shapes where a batch boundary falls inside a block (M = 5, 3) or
      // not (M = 6, 8, 12), plain and transposed right operands (the tiled and the K-SIMD paths), 3-D and 4-D.
      name: 'batched matmul on the SIMD tile paths: batch boundaries inside and outside a micro-block, transposed operands',
      run: async () => {
        for (const [lead, M, K, N] of [
          [[3], 6, 8, 16],
          [[4], 5, 8, 16],
          [[2], 12, 48, 48],
          [[3], 8, 12, 12],
          [[5], 3, 16, 20],
          [[2, 3], 8, 16, 8],
          [[2, 2], 5, 12, 24],
          [[1], 7, 24, 36], // patch 5's 2-row × 4-vector micro-tile: an odd row count and a 1-vector column tail
          [[2], 9, 40, 52],
          // patch 9's K-SIMD micro-tile (the transposed cases): the full 2 × 4 and the smaller divisors jax-js falls back to (2 × 1, 1 × 4, 1 × 1)
          [[1], 7, 24, 37],
          [[3], 5, 20, 6],
          [[1], 3, 4, 5],
          // patch 16: N ≤ 16 in one column tile of N / 4 vectors (3 for N = 12), over several row tiles
          [[1], 300, 32, 12],
          [[1], 130, 16, 4],
          [[2], 66, 8, 8],
          [[1], 258, 20, 16],
          // patch 17: a right operand 1024 floats wide (4 KB per k) takes K tiles of 8; K = 36 gives tiles of 6
          [[1], 40, 36, 1024],
          // patch 14: on 2 workers each gets 96 of 192 rows (3 row tiles of 64): a range that ends inside a row tile;
          // 160 rows are 2.5 row tiles of 64
          [[1], 192, 256, 64],
          [[1], 160, 32, 144],
        ] as [number[], number, number, number][]) {
          const nb = lead.reduce((x, y) => x * y, 1);
          const a = rand(nb * M * K);
          const b = rand(nb * K * N);
          const bT = new Float32Array(nb * N * K); // b with its last two axes swapped, laid out [..., N, K]
          for (let i = 0; i < nb; i++) for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) bT[i * N * K + n * K + k] = b[i * K * N + k * N + n];
          const ref: number[] = [];
          for (let i = 0; i < nb; i++)
            ref.push(...hostMatmul(a.subarray(i * M * K, (i + 1) * M * K), b.subarray(i * K * N, (i + 1) * K * N), M, K, N));
          const nd = lead.length + 2;
          const swap = [...Array(nd - 2).keys(), nd - 1, nd - 2];
          const what = `[${lead}, ${M}, ${K}]·[${lead}, ${K}, ${N}]`;
          assertClose(await get(ops.matmul(t(a, [...lead, M, K]), t(b, [...lead, K, N]))), ref, 1e-5, `matmul ${what}`);
          assertClose(
            await get(ops.matmul(t(a, [...lead, M, K]), ops.transpose(t(bT, [...lead, N, K]), swap))),
            ref,
            1e-5,
            `matmul ${what}, right operand a transposed view`,
          );
          const mm = jit((x: Tensor, y: Tensor) => ops.matmul(x, ops.transpose(y, swap)));
          assertClose(await get(mm(t(a, [...lead, M, K]), t(bT, [...lead, N, K]))), ref, 1e-5, `jit matmul ${what}, transposed view`);
        }
      },
    },
    {
      // scripts/patch-jax.mjs, the weight-gradient form xᵀ·dy: patch 17's x [K, 1024] (4 KB per k), K tiles of 8 or a
      // smaller divisor of K; patch 14's 192 output rows split inside a row tile on 2 workers. Eager and under jit.
      name: 'matmul xᵀ·y, the weight-gradient form (x 1024 floats wide: short K tiles; 192 rows over the workers)',
      run: async () => {
        for (const [K, M, N] of [
          [64, 1024, 20],
          [36, 1024, 20],
          [13, 1024, 20],
          [512, 192, 768],
        ]) {
          const x = rand(K * M),
            y = rand(K * N);
          const xT = new Float32Array(M * K);
          for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) xT[m * K + k] = x[k * M + m];
          const ref = hostMatmul(xT, y, M, K, N);
          const f = (a: Tensor, b: Tensor) => ops.matmul(ops.transpose(a, [1, 0]), b);
          const tol = K > 64 ? 1e-4 : 1e-5; // float32 sums of K products
          assertClose(await get(f(t(x, [K, M]), t(y, [K, N]))), ref, tol, `[${K}, ${M}]ᵀ·[${K}, ${N}]`);
          assertClose(await get(jit(f)(t(x, [K, M]), t(y, [K, N]))), ref, tol, `[${K}, ${M}]ᵀ·[${K}, ${N}] (jit)`);
        }
      },
    },
    {
      // scripts/patch-jax.mjs, patch 4: a left operand whose index is affine in k only inside K tiles (k / dh, k % dh),
      // attention's head merge, walks with a pointer restarted at every tile; tiles and head widths that do and do not
      // line up (dh = 64, 48, 32, 20, 12), eager and under jit.
      name: 'matmul with a head-merge view as the left operand ([B, H, N, dh] read as [B·N, H·dh]), several head widths',
      run: async () => {
        for (const [B, H, N, dh, E] of [
          [2, 4, 8, 64, 16],
          [2, 4, 6, 48, 12],
          [1, 3, 5, 32, 8],
          [2, 2, 4, 20, 8],
          [3, 2, 5, 12, 4],
        ]) {
          const D = H * dh;
          const o = rand(B * H * N * dh);
          const w = rand(D * E, 0.2);
          const ref: number[] = [];
          for (let b = 0; b < B; b++)
            for (let n = 0; n < N; n++)
              for (let e = 0; e < E; e++) {
                let acc = 0;
                for (let h = 0; h < H; h++) for (let d = 0; d < dh; d++) acc += o[((b * H + h) * N + n) * dh + d] * w[(h * dh + d) * E + e];
                ref.push(acc);
              }
          const merge = (x: Tensor) => ops.reshape(ops.transpose(x, [0, 2, 1, 3]), [B * N, D]);
          assertClose(await get(ops.matmul(merge(t(o, [B, H, N, dh])), t(w, [D, E]))), ref, 1e-4, `head merge dh=${dh}`);
          const f = jit((x: Tensor, y: Tensor) => ops.matmul(merge(x), y));
          assertClose(await get(f(t(o, [B, H, N, dh]), t(w, [D, E]))), ref, 1e-4, `head merge dh=${dh} (jit)`);
        }
      },
    },
    {
      name: 'gatherRows forward and gradient under jit',
      run: async () => {
        const table = [1, 2, 3, 4, 5, 6];
        assertClose(await get(ops.gatherRows(t(table, [3, 2]), [2, 0, 2])), [5, 6, 1, 2, 5, 6], 0, 'gather');
        const g = jit((tb: Tensor) => grad((x: Tensor) => ops.sum(ops.gatherRows(x, [2, 0, 2])))(tb));
        assertClose(await get(g(t(table, [3, 2]))), [1, 1, 0, 0, 2, 2], 0, 'gather grad (jit)');
      },
    },
    {
      name: 'conv 1-d/2-d/3-d with stride and padding against a float64 direct conv, every wasm lowering (im2col, taps, taps-split)',
      run: async () => {
        for (const lowering of ['im2col', 'taps', 'taps-split'] as const) await convForward(lowering);
      },
    },
    {
      name: 'conv, taps lowering at Cin ≥ 32 (the automatic choice), batch 2, asymmetric padding',
      run: async () => {
        const [B, H, W, C, O, k] = [2, 5, 4, 32, 8, 3];
        const padding: ops.Pair[] = [
          [2, 0],
          [1, 1],
        ];
        const x = rand(B * H * W * C);
        const w = rand(k * k * C * O, 0.2);
        const ref = [0, 1].flatMap((b) => {
          // pad [2, 0] × [1, 1] = the host conv with pad 1 on a frame shifted down by one row of zeros
          const xs = new Float32Array((H + 1) * W * C);
          xs.set(x.subarray(b * H * W * C, (b + 1) * H * W * C), W * C);
          return Array.from(hostConv2d(xs, w, H + 1, W, C, k, k, O, 1, 1).y.subarray(0, H * W * O));
        });
        for (const lowering of ['auto', 'auto-train', 'im2col', 'taps', 'taps-split'] as const) {
          const y = ops.conv(t(x, [B, H, W, C]), t(w, [k, k, C, O]), { padding, lowering });
          if (y.shape.join() !== [B, H, W, O].join()) throw new Error(`conv ${lowering}: shape ${y.shape}`);
          assertClose(await get(y), ref, 1e-4, `conv ${lowering}, causal rows`);
        }
        // the process-wide default
        await ops.withConvLowering('im2col', async () =>
          assertClose(await get(ops.conv(t(x, [B, H, W, C]), t(w, [k, k, C, O]), { padding })), ref, 1e-4, 'conv, default set to im2col'),
        );
      },
    },
    {
      name: 'conv gradients (weights and input) against float64 finite differences, stride 2 and stride 1 with every lowering',
      run: async () => {
        const H = 5,
          W = 5,
          C = 2,
          O = 3,
          k = 3;
        for (const [s, lowering] of [
          [2, 'im2col'],
          [1, 'im2col'],
          [1, 'taps'],
          [1, 'taps-split'],
        ] as [number, ConvLowering][]) {
          const ho = Math.floor((H + 2 - k) / s) + 1;
          const x = rand(H * W * C);
          const w = rand(k * k * C * O, 0.5);
          const r = rand(ho * ho * O); // loss = sum(r · conv(x, w; stride s, pad 1))
          const loss = (wx: { w: Tensor; x: Tensor }, rt: Tensor) =>
            ops.sum(
              ops.mul(
                ops.conv(wx.x, wx.w, {
                  stride: [s, s],
                  padding: [
                    [1, 1],
                    [1, 1],
                  ],
                  lowering,
                }),
                rt,
              ),
            );
          const f = jit((wt: Tensor, xt: Tensor, rt: Tensor) => grad(loss)({ w: wt, x: xt }, rt));
          const { w: gw, x: gx } = f(t(w, [k, k, C, O]), t(x, [1, H, W, C]), t(r, [ho, ho, O]));
          const host = (xv: ArrayLike<number>, wv: ArrayLike<number>) => {
            const { y } = hostConv2d(xv, wv, H, W, C, k, k, O, s, 1);
            return y.reduce((acc, v, i) => acc + v * r[i], 0);
          };
          const fd = (v: Float32Array, at: (p: Float64Array) => number) =>
            Array.from(v, (_, i) => {
              const h = 1e-6;
              const vp = Float64Array.from(v);
              const vm = Float64Array.from(v);
              vp[i] += h;
              vm[i] -= h;
              return (at(vp) - at(vm)) / (2 * h);
            });
          assertClose(
            await get(gw),
            fd(w, (wv) => host(x, wv)),
            1e-4,
            `dL/dw, stride ${s}, ${lowering}`,
          );
          assertClose(
            await get(gx),
            fd(x, (xv) => host(xv, w)),
            1e-4,
            `dL/dx, stride ${s}, ${lowering}`,
          );
        }
      },
    },
    {
      name: 'conv, Winograd F(2, 3) in 1-d and F(2×2, 3×3) in 2-d: forward against a float64 direct conv (eager, jit, odd sizes falling back, the automatic choice at 128 channels), gradients against taps',
      run: async () => {
        const same: ops.Pair[] = [
          [1, 1],
          [1, 1],
        ];
        const check = async (B: number, H: number, W: number, C: number, O: number, lowering: ConvLowering, tol: number) => {
          const x = rand(B * H * W * C);
          const w = rand(9 * C * O, 1 / Math.sqrt(9 * C));
          const ref = Array.from({ length: B }, (_, b) =>
            Array.from(hostConv2d(x.subarray(b * H * W * C, (b + 1) * H * W * C), w, H, W, C, 3, 3, O, 1, 1).y),
          ).flat();
          const what = `conv ${lowering} [${B}, ${H}, ${W}, ${C}] → ${O}`;
          assertClose(await get(ops.conv(t(x, [B, H, W, C]), t(w, [3, 3, C, O]), { padding: same, lowering })), ref, tol, what);
          const f = jit((xt: Tensor, wt: Tensor) => ops.conv(xt, wt, { padding: same, lowering }));
          assertClose(await get(f(t(x, [B, H, W, C]), t(w, [3, 3, C, O]))), ref, tol, `${what} (jit)`);
        };
        await check(2, 6, 4, 8, 12, 'winograd', 1e-4);
        await check(1, 2, 2, 3, 5, 'winograd', 1e-4);
        await check(1, 5, 4, 4, 4, 'winograd', 1e-4); // odd height: the taps lowering
        await check(1, 4, 2, 128, 128, 'auto', 1e-4);
        // 1-d: y[t] = Σ_j x[t + j − 1] · w[j], zero outside
        const check1d = async (B: number, T: number, C: number, O: number, lowering: ConvLowering) => {
          const x = rand(B * T * C);
          const w = rand(3 * C * O, 1 / Math.sqrt(3 * C));
          const ref = new Float64Array(B * T * O);
          for (let b = 0; b < B; b++)
            for (let t0 = 0; t0 < T; t0++)
              for (let j = 0; j < 3; j++) {
                const ti = t0 + j - 1;
                if (ti < 0 || ti >= T) continue;
                for (let c = 0; c < C; c++) for (let o = 0; o < O; o++) ref[(b * T + t0) * O + o] += x[(b * T + ti) * C + c] * w[(j * C + c) * O + o];
              }
          const f = jit((xt: Tensor, wt: Tensor) => ops.conv(xt, wt, { padding: [[1, 1]], lowering }));
          assertClose(await get(f(t(x, [B, T, C]), t(w, [3, C, O]))), ref, 1e-4, `conv1d ${lowering} [${B}, ${T}, ${C}] → ${O} (jit)`);
        };
        await check1d(2, 10, 8, 12, 'winograd');
        await check1d(1, 7, 4, 4, 'winograd'); // odd length: the taps lowering
        // gradients: loss = Σ r · conv(x, w), winograd against taps, in 2-d [2, 4, 6, 4] → 8 and 1-d [2, 8, 4] → 8
        const C = 4,
          O = 8;
        for (const S of [[4, 6], [8]]) {
          const px = S.reduce((a, n) => a * n, 2);
          const [xs, ws, rs] = [
            [2, ...S, C],
            [...S.map(() => 3), C, O],
            [2, ...S, O],
          ];
          const [x, w, r] = [rand(px * C), rand(3 ** S.length * C * O, 0.3), rand(px * O)];
          const grads = async (lowering: ConvLowering) => {
            const padding = S.map((): ops.Pair => [1, 1]);
            const loss = (wx: { w: Tensor; x: Tensor }, rt: Tensor) => ops.sum(ops.mul(ops.conv(wx.x, wx.w, { padding, lowering }), rt));
            const { w: gw, x: gx } = jit((wt: Tensor, xt: Tensor, rt: Tensor) => grad(loss)({ w: wt, x: xt }, rt))(t(w, ws), t(x, xs), t(r, rs));
            return { gw: await get(gw), gx: await get(gx) };
          };
          const [a, b] = [await grads('winograd'), await grads('taps')];
          assertClose(a.gw, b.gw, 1e-4, `winograd ${S.length}-d dL/dw against taps`);
          assertClose(a.gx, b.gx, 1e-4, `winograd ${S.length}-d dL/dx against taps`);
        }
      },
    },
    {
      name: 'gradients of elementwise ops, matmul and softmax against analytic / finite-difference values',
      run: async () => {
        const x = rand(8);
        const X = () => t(x, [8]);
        const check = async (name: string, f: (v: Tensor) => Tensor, d: (v: number) => number) => {
          const [, g] = valueAndGrad((v: Tensor) => ops.sum(f(v)))(X());
          assertClose(await get(g), Array.from(x, d), 1e-4, `d ${name}`);
        };
        await check('tanh', ops.tanh, (v) => 1 - Math.tanh(v) ** 2);
        await check('exp', ops.exp, Math.exp);
        await check('sigmoid', ops.sigmoid, (v) => Math.exp(-v) / (1 + Math.exp(-v)) ** 2);
        await check(
          'gelu',
          (v) => ops.gelu(v),
          (v) => (gelutanh(v + 1e-5) - gelutanh(v - 1e-5)) / 2e-5,
        );
        await check('sin', ops.sin, Math.cos);
        const a = rand(3 * 4);
        const b = rand(4 * 2);
        const gA = await get(grad((m: Tensor, n: Tensor) => ops.sum(ops.matmul(m, n)))(t(a, [3, 4]), t(b, [4, 2])));
        const rowSum = [0, 1, 2, 3].map((l) => b[l * 2] + b[l * 2 + 1]);
        assertClose(
          gA,
          Array.from({ length: 12 }, (_, i) => rowSum[i % 4]),
          1e-5,
          'd matmul',
        );
        // softmax: d/dx sum(softmax(x) · r) = s ⊙ (r − s·r)
        const r = rand(4);
        const sx = rand(4);
        const gS = await get(grad((v: Tensor, rr: Tensor) => ops.sum(ops.mul(ops.softmax(v), rr)))(t(sx, [4]), t(r, [4])));
        const e = Array.from(sx, Math.exp);
        const z = e.reduce((s, v) => s + v, 0);
        const s = e.map((v) => v / z);
        const sr = s.reduce((acc, v, i) => acc + v * r[i], 0);
        assertClose(
          gS,
          s.map((v, i) => v * (r[i] - sr)),
          1e-5,
          'd softmax',
        );
        // layerNorm gradient sums to zero over the normalised axis
        const gL = await get(grad((v: Tensor, rr: Tensor) => ops.sum(ops.mul(ops.layerNorm(v), rr)))(t(sx, [4]), t(r, [4])));
        assertClose([gL.reduce((acc, v) => acc + v, 0)], [0], 1e-4, 'd layerNorm sums to 0');
      },
    },
    {
      name: 'stopGradient blocks the gradient; jit equals eager',
      run: async () => {
        const g = await get(grad((v: Tensor) => ops.sum(ops.mul(v.ref, ops.stopGradient(v))))(t([1, 2, 3], [3])));
        assertClose(g, [1, 2, 3], 1e-6, 'stopGradient');
        const f = (v: Tensor) => ops.sum(ops.tanh(ops.matmul(v.ref, ops.transpose(v, [1, 0]))));
        const a = rand(20);
        const eager = await get(f(t(a, [4, 5])));
        const jf = jit(f);
        assertClose(await get(jf(t(a, [4, 5]))), eager, 1e-5, 'jit vs eager');
        assertClose(await get(jf(t(a, [4, 5]))), eager, 1e-5, 'jit second call (cached)');
      },
    },
    {
      name: 'spaceToDepth / depthToSpace round trip',
      run: async () => {
        const a = rand(2 * 4 * 6 * 3);
        const s = ops.spaceToDepth(t(a, [2, 4, 6, 3]), [2, 3]);
        if (s.shape.join() !== '2,2,2,18') throw new Error(`spaceToDepth shape ${s.shape}`);
        assertClose(await get(ops.depthToSpace(s, [2, 3])), a, 0, 'round trip');
        // element [0, 1, 0, c] of the 2x2-blocked image is pixel (0, 1)
        const img = Float32Array.from({ length: 16 }, (_, i) => i); // [1,4,4,1]
        const sd = await get(ops.spaceToDepth(t(img, [1, 4, 4, 1]), [2, 2]));
        assertClose(sd.subarray(0, 4), [0, 1, 4, 5], 0, 'block order');
      },
    },
    {
      name: 'AdamW step equals a hand-computed step (and is jit-compatible)',
      run: async () => {
        const cfg: AdamWConfig = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };
        const p0 = { w: [1, -2, 3, 0.5], b: [0.25, -0.5] };
        const g0 = { w: [0.1, 0.2, -0.3, 0], b: [1, -1] };
        const mk = (o: { w: number[]; b: number[] }) => ({ w: t(o.w, [2, 2]), b: t(o.b, [2]) });
        const lr = 0.01;
        const step = jit((p: any, g: any, st: any, sc: Tensor[]) => adamwUpdate(p, g, st, sc, cfg));
        let params: any = mk(p0);
        let state = adamwInit(params);
        for (let s = 1; s <= 2; s++) {
          const out = step(params, mk(g0), state, adamwScalars(lr, s, cfg));
          params = out.params;
          state = out.state;
        }
        // by hand, two steps with the same gradient
        const hand = (p: number, g: number, decay: boolean) => {
          let m = 0,
            v = 0;
          for (let s = 1; s <= 2; s++) {
            if (decay) p -= lr * cfg.weightDecay * p;
            m = cfg.beta1 * m + (1 - cfg.beta1) * g;
            v = cfg.beta2 * v + (1 - cfg.beta2) * g * g;
            p -= (lr * (m / (1 - cfg.beta1 ** s))) / (Math.sqrt(v / (1 - cfg.beta2 ** s)) + cfg.eps);
          }
          return p;
        };
        assertClose(
          await get(params.w),
          p0.w.map((p, i) => hand(p, g0.w[i], true)),
          1e-6,
          'adamw matrix (decayed)',
        );
        assertClose(
          await get(params.b),
          p0.b.map((p, i) => hand(p, g0.b[i], false)),
          1e-6,
          'adamw bias (not decayed)',
        );
      },
    },
  ];
  return cases;
}

/** Which case checks each export of ops.ts (kept complete by a unit test). */
export const OP_COVERAGE: Record<keyof typeof ops, string> = {
  tensor: 'tensor/read/zeros/ones/full',
  read: 'tensor/read/zeros/ones/full',
  zeros: 'tensor/read/zeros/ones/full',
  ones: 'tensor/read/zeros/ones/full',
  full: 'tensor/read/zeros/ones/full',
  add: 'binary',
  sub: 'binary',
  mul: 'binary',
  div: 'binary',
  maximum: 'binary',
  minimum: 'binary',
  where: 'binary',
  greater: 'binary',
  clip: 'binary',
  neg: 'neg',
  exp: 'exp',
  log: 'log',
  sqrt: 'sqrt',
  square: 'square',
  abs: 'abs',
  tanh: 'tanh',
  sin: 'sin',
  cos: 'cos',
  erf: 'erf',
  sigmoid: 'sigmoid',
  silu: 'silu',
  relu: 'relu',
  gelu: 'gelu',
  stopGradient: 'stopGradient',
  sum: 'reductions',
  mean: 'reductions',
  max: 'reductions',
  softmax: 'reductions',
  logSoftmax: 'reductions',
  layerNorm: 'reductions',
  LAYER_NORM_STATS_KERNEL_MIN: 'layerNorm with its statistics',
  reshape: 'shape ops',
  transpose: 'shape ops',
  concat: 'shape ops',
  broadcastTo: 'shape ops',
  expandDims: 'shape ops',
  repeat: 'shape ops',
  pad: 'shape ops',
  sliceAxis: 'shape ops',
  materialize: 'shape ops',
  matmul: 'matmul',
  einsum: 'matmul',
  gatherRows: 'gatherRows',
  conv: 'conv',
  setConvLowering: 'conv, taps lowering',
  withConvLowering: 'conv, taps lowering',
  spaceToDepth: 'spaceToDepth',
  depthToSpace: 'spaceToDepth',
};
