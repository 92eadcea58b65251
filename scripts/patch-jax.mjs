// Applies avdit's patches to jax-js's wasm code generator (installed at postinstall; docs/performance.md).
// Each patch is a list of exact-text edits with anchors that must occur exactly once; a jax-js version the
// patches were not written for is left untouched (with a warning): avdit then runs on plain jax-js, slower.
// Idempotent: a patch whose marker a file carries is skipped there. `node scripts/patch-jax.mjs --check`
// exits 1 when the installed jax-js lacks one of them.
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const VERSION = '0.1.25';

// Patch 1: SIMD e^x, 1/x and comparisons.
const MARKER = '/* avdit-patch: simd-exp-reciprocal-cmp */';
const EDITS = [
  // 1. Exp and Reciprocal (x⁻¹) may appear in SIMD kernels; comparisons (bool intermediates) too
  [
    'simdSupportedOps.set("float32", /* @__PURE__ */ new Set([',
    `${MARKER}\nsimdSupportedOps.set("float32", /* @__PURE__ */ new Set([\n\t"Reciprocal",\n\t"Exp",`,
  ],
  [
    'simdSupportedOps.set("int32", /* @__PURE__ */ new Set([',
    'simdSupportedOps.set("bool", /* @__PURE__ */ new Set([\n\t"Cmplt",\n\t"Cmpne",\n\t"Add",\n\t"Mul",\n\t"Const",\n\t"Where"\n]));\nsimdSupportedOps.set("int32", /* @__PURE__ */ new Set([',
  ],
  // 2. a kernel whose result is bool keeps the scalar path (bool arrays are not stored as 32-bit lanes)
  [
    'function isSimdEligible(tunedExp, kernel) {\n\tif (kernel.size < 4) return false;',
    'function isSimdEligible(tunedExp, kernel) {\n\tif (kernel.size < 4) return false;\n\tif (tunedExp.dtype === "bool") return false;',
  ],
  // 3. their SIMD code: 1 / x lane-wise, and e^x through a v128 version of the scalar polynomial (same steps, same bits)
  [
    '\t\t} else if (op === "Ceil") {\n\t\t\tgen(src[0]);\n\t\t\tcg.f32x4.ceil();\n\t\t} else if (op === "Const") if (isInt) {',
    '\t\t} else if (op === "Ceil") {\n\t\t\tgen(src[0]);\n\t\t\tcg.f32x4.ceil();\n\t\t} else if (op === "Reciprocal") {\n\t\t\tcg.f32.const(1);\n\t\t\tcg.f32x4.splat();\n\t\t\tgen(src[0]);\n\t\t\tcg.f32x4.div();\n\t\t} else if (op === "Exp") {\n\t\t\tgen(src[0]);\n\t\t\tcg.call(funcs.expSimd);\n\t\t} else if (op === "Const") if (isInt) {',
  ],
  [
    'if (distinctOps.has("Exp") || distinctOps.has("Erf") || distinctOps.has("Erfc")) funcs.exp = wasm_exp(cg);',
    'if (distinctOps.has("Exp") || distinctOps.has("Erf") || distinctOps.has("Erfc")) funcs.exp = wasm_exp(cg);\n\tif (distinctOps.has("Exp")) funcs.expSimd = wasm_exp_simd(cg);',
  ],
  [
    'function wasm_log(cg) {',
    `/** e^x on four lanes: wasm_exp's range reduction and polynomial, lane-wise (bit-identical results). */
function wasm_exp_simd(cg) {
	return cg.function([cg.v128], [cg.v128], () => {
		const kf = cg.local.declare(cg.v128);
		const k = cg.local.declare(cg.v128);
		const r = cg.local.declare(cg.v128);
		const res = cg.local.declare(cg.v128);
		const splatF = (v) => (cg.f32.const(v), cg.f32x4.splat());
		const splatI = (v) => (cg.i32.const(v), cg.i32x4.splat());
		cg.local.get(0);
		splatF(1 / Math.LN2);
		cg.f32x4.mul();
		cg.f32x4.nearest();
		cg.local.tee(kf);
		cg.i32x4.trunc_sat_f32x4_s();
		cg.local.set(k);
		cg.local.get(0);
		cg.local.get(kf);
		splatF(Math.LN2);
		cg.f32x4.mul();
		cg.f32x4.sub();
		cg.local.set(r);
		const as = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720];
		splatF(as[as.length - 1]);
		for (let i = as.length - 2; i >= 0; i--) {
			cg.local.get(r);
			cg.f32x4.mul();
			if (as[i] !== 0) (splatF(as[i]), cg.f32x4.add());
		}
		cg.local.get(k);
		splatI(-126);
		cg.i32x4.max_s();
		splatI(127);
		cg.i32x4.min_s();
		splatI(127);
		cg.i32x4.add();
		cg.i32.const(23);
		cg.i32x4.shl();
		cg.f32x4.mul();
		cg.local.set(res);
		splatF(Infinity);
		cg.local.get(res);
		cg.local.get(k);
		splatI(127);
		cg.i32x4.gt_s();
		cg.v128.bitselect();
		cg.local.set(res);
		splatF(0);
		cg.local.get(res);
		cg.local.get(k);
		splatI(-126);
		cg.i32x4.lt_s();
		cg.v128.bitselect();
	});
}
function wasm_log(cg) {`,
  ],
];

// Patch 2: a batched matmul ([..., M, K]·[..., K, N]) reuses each loaded vector of its right operand across the rows
// of a register micro-block, as a 2-D matmul does. jax-js shares a pointer between the rows of a micro-block only
// when the index expression is unchanged by gidx → gidx + tileSize symbolically, which a batch term (gidx / (M·N))
// never is, so every row loaded its own copy: 4× the loads, ~2.4× slower (14 vs 36 GFLOP/s on one EPYC thread).
// The micro-blocks start at multiples of microRows·tileSize (the fast paths are guarded on that alignment), so a
// term gidx / P with P a multiple of that block, or gidx % D with D dividing tileSize, is the same for all its rows.
const MARKER_BATCHED = '/* avdit-patch: batched-matmul-operand-reuse */';
const EDITS_BATCHED = [
  [
    'function pointerShareKey(candidate, row, vector, groupIndex) {',
    `${MARKER_BATCHED}
/** The index expression has the same value on every row of a micro-block of block gidx values aligned to
 * block (rows tileSize apart): each gidx term is gidx / P with P a multiple of block, or gidx % D with D
 * dividing tileSize. Conservative: any other use of gidx answers false. */
function invariantAcrossBlockRows(exp, tileSize, block) {
	if (!isFinite(tileSize) || !(block > tileSize) || block % tileSize !== 0) return false;
	const isGidx = (e) => e.op === "Special" && e.arg[0] === "gidx";
	const walk = (e) => {
		if (!referencesGidx(e)) return true;
		if (isGidx(e)) return false;
		if ((e.op === "Idiv" || e.op === "Mod") && isGidx(e.src[0]) && e.src[1].op === "Const") {
			const c = e.src[1].arg;
			return c > 0 && (e.op === "Idiv" ? c % block === 0 : tileSize % c === 0);
		}
		return e.src.every(walk);
	};
	return walk(exp);
}
function pointerShareKey(candidate, row, vector, groupIndex, block = 0) {`,
  ],
  [
    'return repeatsAcrossGidxTile(candidate.baseIndex, stride.tileSize) ? `${hash}:vec${vector}` : `${hash}:row${row}:vec${vector}`;',
    'return repeatsAcrossGidxTile(candidate.baseIndex, stride.tileSize) || invariantAcrossBlockRows(candidate.baseIndex, stride.tileSize, block) ? `${hash}:vec${vector}` : `${hash}:row${row}:vec${vector}`;',
  ],
  [
    'function kReductionPointerShareKey(candidate, outputStride, tileSize, row, col, groupIndex) {',
    'function kReductionPointerShareKey(candidate, outputStride, tileSize, row, col, groupIndex, block = 0) {',
  ],
  [
    'if (repeatsAcrossGidxTile(candidate.baseIndex, tileSize)) return `${hash}:col${col}`;',
    'if (repeatsAcrossGidxTile(candidate.baseIndex, tileSize) || invariantAcrossBlockRows(candidate.baseIndex, tileSize, block)) return `${hash}:col${col}`;',
  ],
  ['kSimdTilePlan.tileSize, group.row, group.col, i)', 'kSimdTilePlan.tileSize, group.row, group.col, i, plan.microRows * plan.tileSize)'],
  [
    '(candidate, group, i) => pointerShareKey(candidate, group.row, group.vector, i)',
    '(candidate, group, i) => pointerShareKey(candidate, group.row, group.vector, i, plan.microRows * plan.tileSize)',
  ],
];

// Patch 3: a masked load costs only when its mask holds. jax-js writes a concatenation, a pad and their gradients
// (im2col patches, the adaLN split's gradient, a shifted slice) as a sum of masked views, Where(inside, load, 0) per
// part, and its scalar code computes every part's index and load and then selects: K parts cost K loads per element.
// Here a Where whose "then" side loads memory and whose "else" side is a constant becomes a wasm if/else, so only the
// part whose mask holds computes its index and loads. Values first computed inside a branch are not reused outside it.
/**
 * The branch patches 3 and 11 emit for a Where with a load on its "then" side (the mask's i32 on the wasm stack): only
 * the part whose mask holds computes its loads; values first computed inside the branch are forgotten after it.
 */
const maskedBranch = (type) => `\t\t\tcg.if(${type});
\t\t\tconst outside = new Set(expContext.keys());
\t\t\tgen(src[1]);
\t\t\tfor (const key of [...expContext.keys()]) if (!outside.has(key)) expContext.delete(key);
\t\t\tcg.else();
\t\t\tgen(src[2]);
\t\t\tcg.end();`;
const MARKER_WHERE = '/* avdit-patch: branch-on-masked-loads */';
const EDITS_WHERE = [
  [
    '\t\t} else if (op === "Where") {\n\t\t\tgen(src[1]);\n\t\t\tgen(src[2]);\n\t\t\tgen(src[0]);\n\t\t\tcg.select();\n\t\t} else if (op === "Threefry2x32") {',
    `\t\t} else if (op === "Where" && src[2].op === "Const" && src[0].dtype === "bool" && src[1].collect((node) => node.op === "GlobalIndex").length > 0) {
\t\t\t${MARKER_WHERE}
\t\t\tgen(src[0]);
${maskedBranch('dty(cg, op, dtype)')}
\t\t} else if (op === "Where") {\n\t\t\tgen(src[1]);\n\t\t\tgen(src[2]);\n\t\t\tgen(src[0]);\n\t\t\tcg.select();\n\t\t} else if (op === "Threefry2x32") {`,
  ],
];

// Patch 4: a matmul operand that is a head-merge view (attention's output [B, H, N, dh] read as [B·N, H·dh]) keeps the
// SIMD pointer path. jax-js walks a reduction operand with a pointer only when its index is affine in the reduced
// index k; k = h·dh + d is affine only piecewise (k / dh, k % dh), so such an operand was re-indexed with a division
// and a modulo for every k of every row: the attention projection ran at 7 GFLOP/s instead of 36. The tiled path
// already restarts its pointers at every K tile (tileK = a divisor of K, ≤ 64); where each k / P and k % P has P a
// multiple of tileK, the index is affine inside every tile, and the pointer is set from the full index at the tile's
// first k. Only indexes that are a sum of a gidx part and a k part qualify.
const MARKER_TILE_AFFINE = '/* avdit-patch: tile-affine-reduction-pointers */';
const EDITS_TILE_AFFINE = [
  [
    'function rewriteSymbol(exp, name, rewrite) {',
    `${MARKER_TILE_AFFINE}
/** The coefficient c with exp(k) = exp(t) + c·(k − t) for every k in each aligned tile [t, t + tileK), or null. */
function tileAffineCoefficient(exp, name, tileK) {
	if (!referencesSymbol(exp, name)) return 0;
	if (isSymbol(exp, name)) return 1;
	if ((exp.op === "Idiv" || exp.op === "Mod") && isSymbol(exp.src[0], name)) {
		const P = constInt(exp.src[1]);
		if (P === null || P <= 0 || P % tileK !== 0) return null;
		return exp.op === "Idiv" ? 0 : 1;
	}
	if (exp.op === "Add" || exp.op === "Sub") {
		const a = tileAffineCoefficient(exp.src[0], name, tileK);
		const b = tileAffineCoefficient(exp.src[1], name, tileK);
		if (a === null || b === null) return null;
		return exp.op === "Add" ? a + b : a - b;
	}
	if (exp.op === "Mul") for (let i = 0; i < 2; i++) {
		const c = constInt(exp.src[i]);
		if (c === null) continue;
		const inner = tileAffineCoefficient(exp.src[1 - i], name, tileK);
		return inner === null ? null : c * inner;
	}
	const children = exp.src.map((src) => tileAffineCoefficient(src, name, tileK));
	return children.every((c) => c === 0) ? 0 : null;
}
/** (c·Y + R) / P → Y / (P / c) where P is a multiple of c and 0 ≤ R < c (jax-js's simplifier keeps the first form). */
function splitQuotients(exp) {
	return exp.rewrite((node) => {
		if (node.op !== "Idiv" || node.src[0].op !== "Add") return void 0;
		const P = constInt(node.src[1]);
		if (P === null || P <= 0) return void 0;
		for (let i = 0; i < 2; i++) {
			const m = node.src[0].src[i], R = node.src[0].src[1 - i];
			if (m.op !== "Mul") continue;
			for (let j = 0; j < 2; j++) {
				const c = constInt(m.src[j]), Y = m.src[1 - j];
				if (c !== null && c > 0 && P % c === 0 && Y.min >= 0 && R.min >= 0 && R.max < c) return AluExp.idiv(Y, AluExp.const(Y.dtype, P / c));
			}
		}
		return void 0;
	});
}
/** The tiled path's K tile: jax-js's (the largest divisor of K up to TILED_SIMD_K), made a divisor of every period P of a
 * k / P or k % P in an operand's index, so that such operands are affine inside each tile (not below 16). */
function tileKForReduction(exp, K, canStorePartial) {
	if (!canStorePartial) return K;
	let g = K;
	for (const gi of exp.collect((node) => node.op === "GlobalIndex")) {
		const index = gi.src[0];
		if (coefficientOfSymbol(index, "ridx") !== null) continue;
		const split = splitQuotients(index);
		if (!separatesGidxRidx(split)) continue;
		const periods = split.collect((node) => (node.op === "Idiv" || node.op === "Mod") && isSymbol(node.src[0], "ridx") && constInt(node.src[1]) > 0).map((node) => constInt(node.src[1]));
		const next = gcd(g, ...periods);
		if (next >= 16) g = next;
	}
	return divisorAtMost(g, TILED_SIMD_K);
}
/** exp is a sum of terms that each reference gidx or ridx, not both. */
function separatesGidxRidx(exp) {
	if (exp.op === "Add") return separatesGidxRidx(exp.src[0]) && separatesGidxRidx(exp.src[1]);
	return !(referencesSymbol(exp, "gidx") && referencesSymbol(exp, "ridx"));
}
function rewriteSymbol(exp, name, rewrite) {`,
  ],
  ['function reductionPointerCandidates(exp, strideMap) {', 'function reductionPointerCandidates(exp, strideMap, tileK) {'],
  [
    'function reductionTilePlan(kernel, strideMap, canStorePartial = true) {',
    'function reductionTilePlan(kernel, strideMap, canStorePartial = true, tileKOverride = 0) {',
  ],
  [
    '\t\ttileK: canStorePartial ? divisorAtMost(kernel.reduction.size, TILED_SIMD_K) : kernel.reduction.size,',
    '\t\ttileK: tileKOverride || (canStorePartial ? divisorAtMost(kernel.reduction.size, TILED_SIMD_K) : kernel.reduction.size),',
  ],
  [
    '\tconst simdTilePlan = useSimd && re ? reductionTilePlan(kernel, expStrides, canStoreSimdPartials) : null;',
    '\tconst simdTilePlan = useSimd && re ? reductionTilePlan(kernel, expStrides, canStoreSimdPartials, simdTileK) : null;',
  ],
  [
    '\t\tconst strideElems = coefficientOfSymbol(index, "ridx");\n\t\tif (strideElems === null || !Number.isInteger(strideElems)) continue;',
    '\t\tlet strideElems = coefficientOfSymbol(index, "ridx");\n\t\tconst split = strideElems === null && tileK > 1 ? splitQuotients(index) : null;\n\t\tconst tileAffine = split !== null && separatesGidxRidx(split);\n\t\tif (tileAffine) strideElems = tileAffineCoefficient(split, "ridx", tileK);\n\t\tif (strideElems === null || !Number.isInteger(strideElems)) continue;',
  ],
  [
    '\t\t\tbaseIndex: rewriteSymbol(index, "ridx", () => AluExp.i32(0)),\n\t\t\tstrideBytes: strideElems * byteWidth(gi.dtype)\n\t\t});',
    '\t\t\tbaseIndex: rewriteSymbol(tileAffine ? split : index, "ridx", () => AluExp.i32(0)),\n\t\t\tstrideBytes: strideElems * byteWidth(gi.dtype),\n\t\t\ttileAffine,\n\t\t\tindex: tileAffine ? split : index\n\t\t});',
  ],
  [
    '\tconst simdReductionPointerCandidates = useSimd && re ? reductionPointerCandidates(tune.exp, expStrides) : [];',
    '\tconst simdTileK = re ? tileKForReduction(tune.exp, re.size, hasIdentityEpilogue || kernel.dtype === re.dtype && byteWidth(kernel.dtype) === 4) : 0;\n\tconst simdReductionPointerCandidates = useSimd && re ? reductionPointerCandidates(tune.exp, expStrides, simdTileK) : [];',
  ],
  [
    '\tconst ptr = cg.local.declare(cg.i32);\n\ttranslateExp(cg, funcs, candidate.baseIndex, ctx);',
    '\tconst ptr = cg.local.declare(cg.i32);\n\tif (candidate.tileAffine && ridxOffset === void 0) throw new Error("internal: a tile-affine pointer outside a K tile");\n\tif (candidate.tileAffine) translateExp(cg, funcs, candidate.index, { ...ctx, ridx: ridxOffset });\n\telse translateExp(cg, funcs, candidate.baseIndex, ctx);',
  ],
  [
    '\tif (ridxOffset !== void 0 && candidate.strideBytes !== 0) {',
    '\tif (ridxOffset !== void 0 && candidate.strideBytes !== 0 && !candidate.tileAffine) {',
  ],
];

// Patch 5: the tiled SIMD matmul's micro-tile holds 2 rows × 4 vectors of the output (8 v128 accumulators), not 4 × 4.
// V8's wasm code on x64 has 16 vector registers; 16 accumulators plus the 4 loaded right-operand vectors and the
// broadcast left value (21 live v128) spill on every step of k. 8 accumulators + 4 + 1 = 13 fit. Measured on an Intel
// Xeon (2 cores, Node 20, relaxed SIMD): the MLP's [3072,192]·[192,768] on 1 thread 22.6 → 32.4 GFLOP/s (a hand-written
// wasm loop of independent relaxed_madd reaches 47 here); 4 × 2 was as fast on that shape but slower on the codec's.
const MARKER_MICRO_TILE = '/* avdit-patch: micro-tile-fits-registers */';
const EDITS_MICRO_TILE = [['const TILED_SIMD_MICRO_ROWS = 4;', `${MARKER_MICRO_TILE}\nconst TILED_SIMD_MICRO_ROWS = 2;`]];

// Patch 9: the K-SIMD matmul (a right operand whose reduced axis is the contiguous one, e.g. x·Wᵀ: every layer's input
// gradient) holds a 2-row × 4-column micro-tile of v128 accumulators with k not unrolled, not 4 × 4 unrolled 4×. Its
// 16 accumulators plus the 4 + 4 loaded vectors (24 live v128, more when unrolled) spilled on every step of k, as the
// tiled path did before patch 5; 8 + 2 + 4 = 14 fit V8's 16 registers. Measured on an Intel Xeon (family 6 model 167,
// 2 cores, Node 20.20.2), one thread, the [1536, 128]·[128, 128]ᵀ product of a 3×3 conv's input gradient ×9:
// 11.8 → 9.2 ms (2 × 4 unrolled 2: 11.6; 4 × 2 × 1: 9.4; 2 × 2 × 1: 12.3); docs/performance.md, session 20.
const MARKER_K_MICRO_TILE = '/* avdit-patch: k-simd-micro-tile-fits-registers */';
const EDITS_K_MICRO_TILE = [
  [
    'const K_SIMD_MICRO_ROWS = 4;\nconst K_SIMD_MICRO_COLS = 4;\nconst K_SIMD_MAX_UNROLL = 4;',
    `${MARKER_K_MICRO_TILE}\nconst K_SIMD_MICRO_ROWS = 2;\nconst K_SIMD_MICRO_COLS = 4;\nconst K_SIMD_MAX_UNROLL = 1;`,
  ],
];

// Patch 6: each worker keeps every kernel instance and gets each module once. jax-js's workers cache instances in a
// 256-entry LRU and every dispatch posts the WebAssembly.Module again; a video codec training step runs 369 distinct
// kernels in a fixed order, so the LRU missed on every call and each worker built a new instance per kernel call.
// The pool now remembers which kernels each worker holds and posts a module only the first time (the main thread
// keeps every compiled module too: compiledProgramCache is unbounded).
const MARKER_WORKER_CACHE = '/* avdit-patch: worker-kernel-cache */';
const EDITS_WORKER_CACHE = [
  [
    '  kernelLru.set(kernelHash, func);\n  if (kernelLru.size > 256) {\n    kernelLru.delete(kernelLru.keys().next().value);\n  }\n  return func;',
    '  kernelLru.set(kernelHash, func); // every instance stays: the pool posts each module to a worker only once\n  return func;',
  ],
  [
    '\t#hooks = /* @__PURE__ */ new Map();\n',
    `\t#hooks = /* @__PURE__ */ new Map();
\t${MARKER_WORKER_CACHE}
\t#held = [];
\t/** The module to post with a kernel to worker i: only the first time that worker sees the kernel. */
\t#moduleFor(i, kernelHash, module) {
\t\tconst held = this.#held[i] ??= /* @__PURE__ */ new Set();
\t\tif (held.has(kernelHash)) return void 0;
\t\theld.add(kernelHash);
\t\treturn module;
\t}
`,
  ],
  [
    '\t\t\t\t\tkernelHash,\n\t\t\t\t\tmodule,\n\t\t\t\t\tptrs,\n',
    '\t\t\t\t\tkernelHash,\n\t\t\t\t\tmodule: this.#moduleFor(i, kernelHash, module),\n\t\t\t\t\tptrs,\n',
  ],
];

// Patch 7: batched dispatch. jax-js posts every kernel to its workers and waits for their replies before it posts the
// next one: one postMessage round trip (≈ 100 µs here, docs/performance.md session 12) per kernel, 1380 of them in a
// video codec training step, while the main thread has long queued the kernels that follow. Now the kernels queued
// while a batch runs go out together as the next batch, one message per worker; between two kernels the workers meet
// at a barrier in shared memory (Atomics; skipped when both kernels run on worker 0 alone), and each worker replies
// once per batch. A CPU routine still goes alone and closes the open batch, so the order of work is jax-js's.
const MARKER_BATCH = '/* avdit-patch: batched-dispatch */';
const EDITS_BATCH = [
  [
    '\nself.onmessage = (e) => {\n  const msg = e.data;\n',
    `
let barrier = null; // Int32Array [arrived, generation] shared by the pool's workers
function barrierWait(n) {
  const gen = Atomics.load(barrier, 1);
  if (Atomics.add(barrier, 0, 1) === n - 1) {
    Atomics.store(barrier, 0, 0);
    Atomics.add(barrier, 1, 1);
    Atomics.notify(barrier, 1);
  } else {
    for (let spin = 0; Atomics.load(barrier, 1) === gen; spin++) if (spin > 4096) Atomics.wait(barrier, 1, gen);
  }
}

self.onmessage = (e) => {
  const msg = e.data;
`,
  ],
  [
    '    memory = msg.memory;\n    postMessage({ type: "ready" });\n',
    '    memory = msg.memory;\n    barrier = msg.barrier ? new Int32Array(msg.barrier) : null;\n    postMessage({ type: "ready" });\n',
  ],
  [
    '    if (msg.type === "kernel") {\n',
    `    if (msg.type === "batch") {
      // every worker walks the whole batch and meets the others between two kernels unless both ran on worker 0 alone;
      // after an error it keeps meeting them (so none waits forever) and reports the first error at the end
      let error = null;
      for (let j = 0; j < msg.kernels.length; j++) {
        const k = msg.kernels[j];
        if (j > 0 && (k.n > 1 || msg.kernels[j - 1].n > 1)) barrierWait(msg.workers);
        if (error === null && k.begin < k.end) {
          try {
            kernelFunc(k.kernelHash, k.module)(...k.ptrs, k.begin, k.end);
          } catch (err) {
            error = String(err);
          }
        }
      }
      postMessage(error === null ? { type: "done", ok: true } : { type: "done", ok: false, error });
      return;
    }
    if (msg.type === "kernel") {
`,
  ],
  [
    '\t\t\tworker.postMessage({\n\t\t\t\ttype: "init",\n\t\t\t\tmemory: this.#memory\n\t\t\t});\n',
    '\t\t\tworker.postMessage({\n\t\t\t\ttype: "init",\n\t\t\t\tmemory: this.#memory,\n\t\t\t\tbarrier: this.#barrier\n\t\t\t});\n',
  ],
  [
    '\tdispatch(kernelHash, module, ptrs, size, chunkAlignment = 16, minWorkPerWorker = MIN_ELEMS_PER_THREAD) {\n\t\treturn this.#enqueue(() => this.#dispatchNow(kernelHash, module, ptrs, size, chunkAlignment, minWorkPerWorker));\n\t}\n',
    `\t${MARKER_BATCH}
\t#barrier = new SharedArrayBuffer(8);
\t/** the batch that kernels dispatched now join (null: the next kernel opens one) */
\t#open = null;
\tdispatch(kernelHash, module, ptrs, size, chunkAlignment = 16, minWorkPerWorker = MIN_ELEMS_PER_THREAD) {
\t\tthis.#ensureInit();
\t\tconst item = { kernelHash, module, ptrs, size, chunkAlignment, minWorkPerWorker };
\t\tif (this.#open) {
\t\t\tthis.#open.push(item);
\t\t\treturn ++this.#epochEnd;
\t\t}
\t\tconst batch = this.#open = [item];
\t\tconst end = ++this.#epochEnd;
\t\tconst result = this.#queue.then(() => {
\t\t\tif (this.#open === batch) this.#open = null;
\t\t\treturn this.#runBatch(batch);
\t\t});
\t\tthis.#queue = result.then(() => {}, () => {}).then(() => this.#advance(batch.length));
\t\treturn end;
\t}
\t/** Marks \`count\` more dispatches done, in order, and runs the hooks waiting for them. */
\t#advance(count) {
\t\tfor (let i = 0; i < count; i++) {
\t\t\tthis.#epoch++;
\t\t\tconst hooks = this.#hooks.get(this.#epoch);
\t\t\tif (hooks) {
\t\t\t\tfor (const hook of hooks) hook();
\t\t\t\tthis.#hooks.delete(this.#epoch);
\t\t\t}
\t\t}
\t}
\t/** One message per worker: its range of every kernel of the batch (the split #dispatchNow makes), in order. */
\tasync #runBatch(batch) {
\t\tconst W = this.#workers.length;
\t\tconst per = Array.from({ length: W }, () => []);
\t\tfor (const it of batch) {
\t\t\tconst n = it.size === 0 ? 0 : Math.min(W, Math.ceil(it.size / it.minWorkPerWorker));
\t\t\tconst chunk = n ? Math.ceil(it.size / n / it.chunkAlignment) * it.chunkAlignment : 0;
\t\t\tfor (let i = 0; i < W; i++) {
\t\t\t\tconst begin = Math.min(i * chunk, it.size);
\t\t\t\tconst end = i < n ? Math.min(begin + chunk, it.size) : begin;
\t\t\t\tper[i].push({ kernelHash: it.kernelHash, module: this.#moduleFor(i, it.kernelHash, it.module), ptrs: it.ptrs, begin, end, n: Math.max(n, 1) });
\t\t\t}
\t\t}
\t\tawait Promise.all(this.#workers.map((worker, i) => new Promise((resolve, reject) => {
\t\t\tworker.onmessage = (e) => {
\t\t\t\tif (e.data.ok) resolve();
\t\t\t\telse reject(/* @__PURE__ */ new Error(\`Worker error: \${e.data.error}\`));
\t\t\t};
\t\t\tworker.postMessage({ type: "batch", workers: W, kernels: per[i] });
\t\t})));
\t}
`,
  ],
  [
    '\t#enqueue(job) {\n\t\tthis.#ensureInit();\n\t\tthis.#epochEnd++;\n\t\tconst result = this.#queue.then(job);\n\t\tthis.#queue = result.then(() => {}, () => {}).then(() => {\n\t\t\tthis.#epoch++;\n\t\t\tconst hooks = this.#hooks.get(this.#epoch);\n\t\t\tif (hooks) {\n\t\t\t\tfor (const hook of hooks) hook();\n\t\t\t\tthis.#hooks.delete(this.#epoch);\n\t\t\t}\n\t\t});\n',
    '\t#enqueue(job) {\n\t\tthis.#ensureInit();\n\t\tthis.#open = null; // a routine closes the open batch: kernels after it go in a later one\n\t\tthis.#epochEnd++;\n\t\tconst result = this.#queue.then(job);\n\t\tthis.#queue = result.then(() => {}, () => {}).then(() => this.#advance(1));\n',
  ],
];

// Patch 8: a jitted program's kernels are prepared once. jax-js's jit reuses its Kernel objects on every call, but each
// call still prepared every pending kernel through an async function (a promise or two per kernel, ≈ 1500 per video
// codec step) and hashed it again to find its compiled program: ≈ 30 ms per step plus the garbage, on the main thread,
// before the first kernel reached a worker. The wasm backend now remembers the executable made for each Kernel object
// (a WeakMap) and PendingExecute.prepare takes it synchronously when there is one. Two files: the backend (the cache)
// and index (prepare).
const MARKER_PREPARED = '/* avdit-patch: prepared-kernel-cache */';
const EDITS_PREPARED_BACKEND = [
  [
    '\tasync prepareKernel(kernel) {\n\t\tconst kernelHash = FpHash.hash(kernel).toString();\n\t\treturn new Executable(kernel, {\n\t\t\tprogram: await runWithCacheAsync(compiledProgramCache',
    `\t${MARKER_PREPARED}
\t#avditPrepared = /* @__PURE__ */ new WeakMap();
\t/** The executable already made for this kernel object, if any (a jitted program reuses its kernels on every call). */
\tpreparedFor(source) {
\t\treturn this.#avditPrepared.get(source);
\t}
\tasync prepareKernel(kernel) {
\t\tconst exe = await this.#prepareKernelUncached(kernel);
\t\tthis.#avditPrepared.set(kernel, exe);
\t\treturn exe;
\t}
\tasync #prepareKernelUncached(kernel) {
\t\tconst kernelHash = FpHash.hash(kernel).toString();
\t\treturn new Executable(kernel, {
\t\t\tprogram: await runWithCacheAsync(compiledProgramCache`,
  ],
];
const EDITS_PREPARED_INDEX = [
  [
    '\tasync prepare() {\n\t\tif (this.prepared) return;\n\t\tif (this.#promise) {\n',
    `\t${MARKER_PREPARED}
\tprepare() {
\t\tif (this.prepared) return;
\t\tconst known = this.backend.preparedFor?.(this.source);
\t\tif (known) {
\t\t\tthis.prepared = known;
\t\t\treturn;
\t\t}
\t\treturn this.#prepareAsync();
\t}
\tasync #prepareAsync() {
\t\tif (this.#promise) {
`,
  ],
];

// Patch 10: reading a buffer back copies it once. On shared wasm memory (2+ threads) jax-js returned
// `new Uint8Array(view.slice(…))`: TypedArray#slice already copies into a fresh, unshared ArrayBuffer, and the wrapper
// copied that again. Each copy is a fresh allocation that the OS must fault in page by page, which costs ≈ 25 ms per
// 7 MB on the Firecracker VMs (the audio decoder's [16, 212, 512] output: #readData took 40–57 ms per call there).
const MARKER_READ_ONCE = '/* avdit-patch: read-copies-once */';
const EDITS_READ_ONCE = [
  [
    '\t\tif (hasSharedArrayBuffer() && buffer.buffer instanceof SharedArrayBuffer) return new Uint8Array(buffer.slice(start, start + count));\n',
    `\t\t${MARKER_READ_ONCE}\n\t\tif (hasSharedArrayBuffer() && buffer.buffer instanceof SharedArrayBuffer) return buffer.slice(start, start + count);\n`,
  ],
];

// Patch 11: SIMD for elementwise kernels whose masks are equal on 4 neighbouring elements. jax-js concatenates by
// summing zero-padded parts, Where((gidx % 192) < 64, load, 0) + …, and its SIMD path has no int32 division or
// modulo, so every such kernel (a concatenation, the backward of a split, a padded part) fell back to scalar code:
// the qkv cotangent's 3-way sum took 11 ms per call on [16, 192, 576], 6 ns per element. Here a bool sub-expression
// whose value is provably the same on the 4 lanes of an aligned group (gidx / P and gidx % P with P a multiple of 4,
// compared with multiples of 4) is computed once per group in scalar code and splatted; a Where on such a mask with a
// load on its "then" side becomes an if/else (only the part whose mask holds loads), and a load used only under such
// a mask keeps the contiguous v128 path even when its index leaves the buffer outside the mask (the lanes that hold
// are in range, the others are discarded). Elementwise kernels only (no reduction).
const MARKER_UNIFORM = '/* avdit-patch: lane-uniform-masks */';
const EDITS_UNIFORM = [
  [
    'function collectSimdStrides(exp) {',
    `${MARKER_UNIFORM}
const laneUniformCache = /* @__PURE__ */ new WeakMap();
/**
* How an integer or bool expression varies over the 4 lanes of a SIMD group (gidx = 4q + lane, q ≥ 0): kind "u" (the
* same on all 4), "u4" (the same, and a multiple of 4), "lane" (v + lane, v the same on all 4), "lane4" (v + lane with v
* a multiple of 4), or null (not known). \`assume\` lists the numerators of divisions and remainders that the kind needs
* to be ≥ 0 but whose range reaches below 0 (an index shifted by a concatenation's offset, negative outside its part):
* the kind holds on a group where each of them is ≥ 0 on its first lane (being lane4, then on all four).
*/
function laneInfo(exp) {
	let info = laneUniformCache.get(exp);
	if (info === void 0) {
		info = laneInfoOf(exp);
		laneUniformCache.set(exp, info);
	}
	return info;
}
/** The kind of an expression that needs no assumption (null where it needs one). */
const laneUniform = (exp) => {
	const { kind, assume } = laneInfo(exp);
	return assume.length === 0 ? kind : null;
};
const isUniformKind = (k) => k === "u" || k === "u4";
const isLaneKind = (k) => k === "lane" || k === "lane4";
function laneInfoOf(exp) {
	if (!referencesGidx(exp)) return { kind: constInt(exp) !== null && exp.arg % 4 === 0 ? "u4" : "u", assume: [] };
	const { op, src } = exp;
	if (op === "Special") return { kind: exp.arg[0] === "gidx" ? "lane4" : null, assume: [] };
	if (op === "Variable") return { kind: null, assume: [] };
	const infos = src.map(laneInfo), k = infos.map((i) => i.kind), c = src.map(constInt);
	const assume = [...new Set(infos.flatMap((i) => i.assume))];
	const is = (kind) => ({ kind, assume: kind === null ? [] : assume });
	const uniform = k.every(isUniformKind), m4 = (i) => c[i] !== null && c[i] > 0 && c[i] % 4 === 0;
	const nonneg = () => {
		if (src[0].min < 0 && !assume.includes(src[0])) assume.push(src[0]);
	};
	if (op === "Add" || op === "Sub") {
		if (uniform) return is(k[0] === "u4" && k[1] === "u4" ? "u4" : "u");
		for (const i of op === "Add" ? [0, 1] : [0]) if (isLaneKind(k[i]) && isUniformKind(k[1 - i])) return is(k[i] === "lane4" && k[1 - i] === "u4" ? "lane4" : "lane");
		return is(null);
	}
	if (op === "Mul") return is(uniform ? (k[0] === "u4" || k[1] === "u4") && exp.dtype !== "bool" ? "u4" : "u" : null);
	if (op === "Idiv" || op === "Mod") {
		if (uniform) return is(op === "Mod" && k[0] === "u4" && m4(1) ? "u4" : "u");
		if (k[0] !== "lane4" || !m4(1)) return is(null);
		nonneg();
		return is(op === "Idiv" ? "u" : "lane4");
	}
	if (op === "Cmplt") return is(uniform || k[0] === "lane4" && k[1] === "u4" || k[1] === "lane4" && c[0] !== null && (c[0] + 1) % 4 === 0 ? "u" : null);
	return is(uniform ? "u" : null);
}
/** A Where whose mask is lane-uniform and whose "then" side loads memory: emitted as a branch per SIMD group. */
function isUniformMaskedLoad(exp) {
	return exp.op === "Where" && exp.src[2].op === "Const" && exp.src[0].dtype === "bool" && isUniformKind(laneUniform(exp.src[0])) && exp.src[1].collect((node) => node.op === "GlobalIndex").length > 0;
}
/**
* Loads that the stride analysis left to per-lane gathers: one scalar load where the index is lane-uniform, one
* contiguous vector where it is v + lane and in range (or read only under a lane-uniform mask, whose lanes that hold are
* in range; the others are discarded). Loads clamp their index, so memory outside the buffer is never touched. A kind
* that rests on assumptions is checked per group, with the gather as the fallback (translateExpSimd).
*/
function laneStrides(exp, strides) {
	const guarded = /* @__PURE__ */ new Set(), open = /* @__PURE__ */ new Set(), seen = /* @__PURE__ */ new Map();
	const visit = (e, underMask) => {
		const bit = underMask ? 2 : 1, s = seen.get(e) ?? 0;
		if (s & bit) return;
		seen.set(e, s | bit);
		if (e.op === "GlobalIndex") (underMask ? guarded : open).add(e);
		if (isUniformMaskedLoad(e)) {
			visit(e.src[0], underMask), visit(e.src[1], true), visit(e.src[2], underMask);
		} else for (const child of e.src) visit(child, underMask);
	};
	visit(exp, false);
	for (const [gi, stride] of strides) {
		if (stride.kind !== "gather") continue;
		const index = gi.src[0], { kind: k, assume } = laneInfo(index), inRange = index.min >= 0 && index.max < gi.arg[1];
		if (isUniformKind(k)) strides.set(gi, { kind: "broadcast", tileSize: Infinity, assume });
		else if (isLaneKind(k) && (inRange || !open.has(gi))) strides.set(gi, { kind: "contiguous", tileSize: Infinity, assume });
		else if (!open.has(gi)) {
			const r = analyzeStride(index);
			if (r.kind !== "gather" && r.tileSize >= 4 && (!isFinite(r.tileSize) || r.tileSize % 4 === 0)) strides.set(gi, r);
		}
	}
}
function collectSimdStrides(exp) {`,
  ],
  [
    '\t\tif (exp.op === "GlobalIndex") return true;',
    '\t\tif (!kernel.reduction && exp.dtype === "bool" && isUniformKind(laneUniform(exp))) return true;\n\t\tif (exp.op === "GlobalIndex") return true;',
  ],
  [
    '\t\tconst isSigned = dtype === "int32";\n\t\tif (op === "Add") {',
    `\t\tconst isSigned = dtype === "int32";
\t\tif (ctx.uniformLanes && dtype === "bool" && op !== "Const" && isUniformKind(laneUniform(exp))) {
\t\t\ttranslateExp(cg, funcs, exp, ctx);
\t\t\tcg.i32x4.splat();
\t\t} else if (ctx.uniformLanes && isUniformMaskedLoad(exp)) {
\t\t\ttranslateExp(cg, funcs, src[0], ctx);
${maskedBranch('cg.v128')}
\t\t} else if (op === "Add") {`,
  ],
  ['{ gidx }, expStrides);', '{ gidx, uniformLanes: true }, expStrides);'],
  [
    '\t\telse if (op === "GlobalIndex") {\n\t\t\tconst [gid, len] = arg;\n\t\t\tconst indexSubtree = src[0];',
    `\t\telse if (op === "GlobalIndex" && !pointerMap.get(exp) && strideMap.get(exp)?.assume?.length) {
\t\t\tconst stride = strideMap.get(exp);
\t\t\tstride.assume.forEach((n, i) => {
\t\t\t\ttranslateExp(cg, funcs, n, ctx);
\t\t\t\tcg.i32.const(0);
\t\t\t\tcg.i32.ge_s();
\t\t\t\tif (i > 0) cg.i32.and();
\t\t\t});
\t\t\tconst outside = new Set(expContext.keys());
\t\t\tconst branch = (kind) => {
\t\t\t\tstrideMap.set(exp, { kind, tileSize: Infinity });
\t\t\t\tgen(exp);
\t\t\t\tfor (const key of [...expContext.keys()]) if (!outside.has(key)) expContext.delete(key);
\t\t\t};
\t\t\tcg.if(cg.v128);
\t\t\tbranch(stride.kind);
\t\t\tcg.else();
\t\t\tbranch("gather");
\t\t\tcg.end();
\t\t\tstrideMap.set(exp, stride);
\t\t} else if (op === "GlobalIndex") {\n\t\t\tconst [gid, len] = arg;\n\t\t\tconst indexSubtree = src[0];`,
  ],
  [
    'const expStrides = simdEligible ? collectSimdStrides(tune.exp) : /* @__PURE__ */ new Map();',
    'const expStrides = simdEligible ? collectSimdStrides(tune.exp) : /* @__PURE__ */ new Map();\n\tif (simdEligible && !re) laneStrides(tune.exp, expStrides);',
  ],
];

// Patch 12: max reductions along a contiguous axis take the K-SIMD path that sums already take (4 elements of the
// reduced axis per vector, f32x4.max, then a max over the 4 lanes). jax-js allowed that path for sums only, so the
// softmax's row maxima ([16, 4, 192, 192] → [16, 4, 192] in the AVDiT step) ran scalar code at ≈ 2.8 ns per element.
// Max over floats is exact in any order, so the result is bitwise the scalar loop's.
const MARKER_KSIMD_MAX = '/* avdit-patch: k-simd-max-reductions */';
const EDITS_KSIMD_MAX = [
  [
    '\tif (re.op !== "Add") return false;',
    `\t${MARKER_KSIMD_MAX}\n\tif (re.op !== "Add" && !(re.op === "Max" && re.dtype === "float32")) return false;`,
  ],
  [
    'pointerMaps[i], pointerValueCache, vecAccs[i])) cg.f32x4.add();',
    'pointerMaps[i], pointerValueCache, vecAccs[i])) if (re.op === "Max") cg.f32x4.max();\n\t\t\t\t\t\telse cg.f32x4.add();',
  ],
  ['if (lane > 0) cg.f32.add();', 'if (lane > 0) if (re.op === "Max") cg.f32.max();\n\t\t\t\t\telse cg.f32.add();'],
];

// Patch 13: an elementwise SIMD kernel computes each integer division or remainder of its group index once per group.
// jax-js translates the index of every load on its own, so a kernel that reads several views of one layout (a tap
// sum, a concatenation, a Winograd transform) recomputed the same `(gidx / P) % Q` chain for each of them: 16 views of
// one [N, H, W, C] tensor meant ≈ 180 divisions and remainders per group of 4 elements, which V8 does not merge (a wasm
// division can trap, so it is not a pure node). Now, inside the SIMD loop, the first use of each integer Idiv or Mod
// keeps its value in a local (keyed by the expression's hash) and later uses read it. A value first computed inside a
// masked branch is forgotten when the branch ends, and the per-lane gathers (which step gidx lane by lane) bypass it.
const MARKER_INDEX_TERMS = '/* avdit-patch: shared-index-terms */';
const forgetNew = (map, before) => `for (const key of [...${map}.keys()]) if (!${before}.has(key)) ${map}.delete(key);`;
const EDITS_INDEX_TERMS = [
  [
    '\tconst expContext = /* @__PURE__ */ new Map();\n\tconst gen = (exp) => {\n\t\tif (expContext.has(exp)) return cg.local.get(expContext.get(exp));\n\t\tconst { op, src, dtype, arg } = exp;',
    `\tconst expContext = /* @__PURE__ */ new Map();
\t${MARKER_INDEX_TERMS}
\tconst shared = ctx.sharedIndexTerms;
\tconst gen = (exp) => {
\t\tif (expContext.has(exp)) return cg.local.get(expContext.get(exp));
\t\tconst sharedKey = shared !== void 0 && (exp.op === "Idiv" || exp.op === "Mod") && (exp.dtype === "int32" || exp.dtype === "uint32") ? exp.getHash() : void 0;
\t\tif (sharedKey !== void 0 && shared.has(sharedKey)) return cg.local.get(shared.get(sharedKey));
\t\tconst { op, src, dtype, arg } = exp;`,
  ],
  [
    '\t\t} else throw new UnsupportedOpError(op, dtype, "wasm");\n\t\tif ((references.get(exp) ?? 0) > 1) {\n\t\t\tconst local = cg.local.declare(dty(cg, op, dtype));\n\t\t\tcg.local.tee(local);\n\t\t\texpContext.set(exp, local);\n\t\t}',
    `\t\t} else throw new UnsupportedOpError(op, dtype, "wasm");
\t\tif ((references.get(exp) ?? 0) > 1) {
\t\t\tconst local = cg.local.declare(dty(cg, op, dtype));
\t\t\tcg.local.tee(local);
\t\t\texpContext.set(exp, local);
\t\t}
\t\tif (sharedKey !== void 0) {
\t\t\tconst local = cg.local.declare(cg.i32);
\t\t\tcg.local.tee(local);
\t\t\tshared.set(sharedKey, local);
\t\t}`,
  ],
  [
    '\t\t\tgen(src[0]);\n\t\t\tcg.if(dty(cg, op, dtype));\n\t\t\tconst outside = new Set(expContext.keys());\n\t\t\tgen(src[1]);\n\t\t\tfor (const key of [...expContext.keys()]) if (!outside.has(key)) expContext.delete(key);',
    `\t\t\tgen(src[0]);
\t\t\tcg.if(dty(cg, op, dtype));
\t\t\tconst outside = new Set(expContext.keys()), sharedOutside = new Set(shared?.keys());
\t\t\tgen(src[1]);
\t\t\tfor (const key of [...expContext.keys()]) if (!outside.has(key)) expContext.delete(key);
\t\t\tif (shared) ${forgetNew('shared', 'sharedOutside')}`,
  ],
  [
    '\t\t\ttranslateExp(cg, funcs, src[0], ctx);\n\t\t\tcg.if(cg.v128);\n\t\t\tconst outside = new Set(expContext.keys());\n\t\t\tgen(src[1]);\n\t\t\tfor (const key of [...expContext.keys()]) if (!outside.has(key)) expContext.delete(key);',
    `\t\t\ttranslateExp(cg, funcs, src[0], ctx);
\t\t\tcg.if(cg.v128);
\t\t\tconst outside = new Set(expContext.keys()), sharedOutside = new Set(ctx.sharedIndexTerms?.keys());
\t\t\tgen(src[1]);
\t\t\tfor (const key of [...expContext.keys()]) if (!outside.has(key)) expContext.delete(key);
\t\t\tif (ctx.sharedIndexTerms) ${forgetNew('ctx.sharedIndexTerms', 'sharedOutside')}`,
  ],
  [
    '\t\t\tconst outside = new Set(expContext.keys());\n\t\t\tconst branch = (kind) => {\n\t\t\t\tstrideMap.set(exp, { kind, tileSize: Infinity });\n\t\t\t\tgen(exp);\n\t\t\t\tfor (const key of [...expContext.keys()]) if (!outside.has(key)) expContext.delete(key);',
    `\t\t\tconst outside = new Set(expContext.keys()), sharedOutside = new Set(ctx.sharedIndexTerms?.keys());
\t\t\tconst branch = (kind) => {
\t\t\t\tstrideMap.set(exp, { kind, tileSize: Infinity });
\t\t\t\tgen(exp);
\t\t\t\tfor (const key of [...expContext.keys()]) if (!outside.has(key)) expContext.delete(key);
\t\t\t\tif (ctx.sharedIndexTerms) ${forgetNew('ctx.sharedIndexTerms', 'sharedOutside')}`,
  ],
  [
    '\t\t\t\t\tcg.local.set(steppingLocal);\n\t\t\t\t\ttranslateExp(cg, funcs, indexSubtree, ctx);',
    '\t\t\t\t\tcg.local.set(steppingLocal);\n\t\t\t\t\ttranslateExp(cg, funcs, indexSubtree, { ...ctx, sharedIndexTerms: void 0 });',
  ],
  [
    '\t\t\temitOutputAddress(gidx);\n\t\t\ttranslateExpSimd(cg, funcs, tune.exp, { gidx, uniformLanes: true }, expStrides);',
    '\t\t\temitOutputAddress(gidx);\n\t\t\ttranslateExpSimd(cg, funcs, tune.exp, { gidx, uniformLanes: true, sharedIndexTerms: /* @__PURE__ */ new Map() }, expStrides);',
  ],
];

// Patch 14: a tiled matmul's range is split between the workers in steps of its micro-block, not of its row tile. jax-js
// aligned each worker's range to a whole row tile (up to 128 rows), so a product with few row tiles split unevenly:
// a weight gradient [192, 768] (3 tiles of 64 rows) went 2 : 1 to the two workers, [576, 192] and [160, 1152] too,
// and the step waited for the slower one. Every worker range only has to start on a micro-block (the alignment
// the fast paths check, microRows·tileSize), and the row-tile loop already stops at the range's end. Measured on the
// AMD EPYC (2 threads, one process alternating the two splits step by step): the AVDiT training step 2.5–4.5%
// faster, the video codec's training step 3.6%.
const MARKER_SPLIT = '/* avdit-patch: micro-block-work-split */';
const EDITS_SPLIT = [
  [
    '\t\tchunkAlignment: tiledPlan ? tiledPlan.tileRows * tiledPlan.tileSize : 16,',
    `\t\t${MARKER_SPLIT}
\t\tchunkAlignment: [simdTilePlan, kSimdTilePlan].reduce((a, p) => p ? a * (p.microRows * p.tileSize) / gcd(a, p.microRows * p.tileSize) : a, 16),`,
  ],
];

// Patch 15: the outputs of one jit call share one set of pending kernels. jax-js gave each output array its own
// copy (new Set of every kernel of the program), and each later use of an output (the next call's arguments,
// blockUntilReady) walked its copy to drop the kernels already submitted: a training step whose jit returns the
// parameters and both AdamW moments (≈ 200 arrays) over ≈ 1100 kernels built and walked ≈ 220 000 set entries per step,
// ≈ 80 ms of main-thread time and garbage while the workers waited. Shared, the first walk empties the set for all of
// them. An output that must add a kernel of its own (realizing a view) copies the set first.
const MARKER_SHARED_PENDING = '/* avdit-patch: shared-jit-pending */';
const EDITS_SHARED_PENDING = [
  ['\t#pendingSet;\n', `\t#pendingSet;\n\t${MARKER_SHARED_PENDING}\n\t#pendingShared = false;\n`],
  [
    '\t\tthis.#pendingSet = new Set(args.pending);\n',
    '\t\tif (args.pending?.sharedSet) {\n\t\t\tthis.#pendingSet = args.pending.sharedSet;\n\t\t\tthis.#pendingShared = true;\n\t\t} else this.#pendingSet = new Set(args.pending);\n',
  ],
  [
    '\t\t\tthis.#pendingSet = /* @__PURE__ */ new Set([pendingItem]);\n',
    '\t\t\tthis.#pendingSet = /* @__PURE__ */ new Set([pendingItem]);\n\t\t\tthis.#pendingShared = false;\n',
  ],
  [
    '\t\t\tthis.#pendingSet ??= /* @__PURE__ */ new Set();\n',
    '\t\t\tif (this.#pendingShared && this.#pendingSet) this.#pendingSet = new Set(this.#pendingSet);\n\t\t\tthis.#pendingShared = false;\n\t\t\tthis.#pendingSet ??= /* @__PURE__ */ new Set();\n',
  ],
  [
    '\t\t\t\tpending.splice(0, 0, ...prevPending);\n',
    '\t\t\t\tpending.splice(0, 0, ...prevPending);\n\t\t\t\tpending.sharedSet = new Set(pending);\n',
  ],
];

// Patch 16: a product with at most 4 vectors of output columns (N ≤ 16) takes them all in one column tile. jax-js
// caps a column tile at half the columns rounded down to a power of 2, so N = 12 (3 vectors) got tiles of 1 vector:
// a micro-tile of 2 rows × 1 vector, 2 accumulators, one vector load and two broadcasts per 2 multiply-adds. The video
// decoder's last conv (32 → 12 channels, 9 taps of [81920, 32]·[32, 12]) ran at 12–16 GFLOP/s against 40 for its other
// products. Now N = 12 is one tile of 3 vectors (2 × 3 accumulators), N = 8 and 16 one of 2 and 4. That conv: 35–51 →
// 15.5 ms on one thread (AMD EPYC, `profile-codecs.js --only video-decode`).
const MARKER_NARROW = '/* avdit-patch: narrow-products-one-column-tile */';
const EDITS_NARROW = [
  [
    '\tconst tileVectors = tiledColumns(tileSize, 4);\n',
    `\t${MARKER_NARROW}\n\tconst tileVectors = tileSize / 4 <= TILED_SIMD_MICRO_VECTORS ? tileSize / 4 : tiledColumns(tileSize, 4);\n`,
  ],
];

// Patch 17: the tiled matmul's K tile is 8 where an operand steps through memory in multiples of 4 KB per k (a
// row length of 1024 floats or a multiple: x·W with W [K, 1024], the weight gradient xᵀ·dy with x [K, 1024]). With
// 64 k per tile, the 64 rows of such an operand's panel fall on the same few L1 cache sets and evict each other
// before the next micro-tile reuses them: those products ran at 23–26 GFLOP/s against ≈ 40 for the same sizes with
// other row lengths (AMD EPYC, one thread). With 8 k per tile: 29–37. Other strides keep 64 (8 costs them up to a
// third: more partial sums stored). The transformer block bench (d 256, MLP 1024) fwd+bwd, one thread: −8.5%.
const MARKER_TILE_K_4K = '/* avdit-patch: short-k-tiles-for-4k-strides */';
const EDITS_TILE_K_4K = [
  // one pass over the operands, the one that already looks at each operand's step per k
  ['\tlet g = K;\n\tfor (const gi of', `\t${MARKER_TILE_K_4K}\n\tlet g = K, limit = TILED_SIMD_K;\n\tfor (const gi of`],
  [
    '\t\tif (coefficientOfSymbol(index, "ridx") !== null) continue;\n',
    `\t\tconst step = coefficientOfSymbol(index, "ridx");
\t\tif (step !== null) {
\t\t\tif (step !== 0 && Math.abs(step * byteWidth(gi.dtype)) % 4096 === 0) limit = Math.min(limit, 8);
\t\t\tcontinue;
\t\t}
`,
  ],
  ['\treturn divisorAtMost(g, TILED_SIMD_K);\n}', '\treturn divisorAtMost(g, limit);\n}'],
];

const require = createRequire(import.meta.url);
let dist;
try {
  dist = dirname(require.resolve('@jax-js/jax')); // …/@jax-js/jax/dist/index.cjs
} catch {
  console.warn('patch-jax: @jax-js/jax is not installed; nothing to patch');
  process.exit(0);
}
const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8'));
const files = readdirSync(dist)
  .filter((f) => /^backend-.*\.(c?js)$/.test(f))
  .map((f) => join(dist, f));
const indexFiles = ['index.js', 'index.cjs'].map((f) => join(dist, f));
const PATCHES = [
  { name: 'SIMD exp / reciprocal / comparisons', marker: MARKER, edits: EDITS },
  { name: 'batched-matmul operand reuse', marker: MARKER_BATCHED, edits: EDITS_BATCHED },
  { name: 'branches for masked loads', marker: MARKER_WHERE, edits: EDITS_WHERE },
  { name: 'tile-affine reduction pointers', marker: MARKER_TILE_AFFINE, edits: EDITS_TILE_AFFINE },
  { name: 'micro-tile that fits the registers', marker: MARKER_MICRO_TILE, edits: EDITS_MICRO_TILE },
  { name: 'worker kernel cache', marker: MARKER_WORKER_CACHE, edits: EDITS_WORKER_CACHE },
  { name: 'batched dispatch', marker: MARKER_BATCH, edits: EDITS_BATCH },
  { name: 'prepared-kernel cache', marker: MARKER_PREPARED, edits: EDITS_PREPARED_BACKEND },
  { name: 'K-SIMD micro-tile that fits the registers', marker: MARKER_K_MICRO_TILE, edits: EDITS_K_MICRO_TILE },
  { name: 'one copy per read', marker: MARKER_READ_ONCE, edits: EDITS_READ_ONCE },
  { name: 'lane-uniform masks', marker: MARKER_UNIFORM, edits: EDITS_UNIFORM },
  { name: 'K-SIMD max reductions', marker: MARKER_KSIMD_MAX, edits: EDITS_KSIMD_MAX },
  { name: 'shared index terms', marker: MARKER_INDEX_TERMS, edits: EDITS_INDEX_TERMS },
  { name: 'micro-block work split', marker: MARKER_SPLIT, edits: EDITS_SPLIT },
  { name: 'narrow products in one column tile', marker: MARKER_NARROW, edits: EDITS_NARROW },
  { name: 'short K tiles for 4 KB strides', marker: MARKER_TILE_K_4K, edits: EDITS_TILE_K_4K },
];
const INDEX_PATCHES = [
  { name: 'prepared-kernel cache (PendingExecute)', marker: MARKER_PREPARED, edits: EDITS_PREPARED_INDEX },
  { name: 'shared jit pending', marker: MARKER_SHARED_PENDING, edits: EDITS_SHARED_PENDING },
];
const check = process.argv.includes('--check');
/** Applies the missing `patches` to each of `list`; returns how many of them carry all of them. */
function patchFiles(list, patches) {
  let patched = 0;
  for (const f of list) {
    let out = readFileSync(f, 'utf8');
    const missing = patches.filter((p) => !out.includes(p.marker));
    if (missing.length === 0) {
      patched++;
      continue;
    }
    if (check) continue;
    if (pkg.version !== VERSION) {
      console.warn(`patch-jax: @jax-js/jax ${pkg.version} is not ${VERSION}, which the patches were written for; left as it is`);
      process.exit(0);
    }
    for (const p of missing) {
      let next = out;
      for (const [from, to] of p.edits) {
        const n = next.split(from).length - 1;
        if (n !== 1) {
          console.warn(`patch-jax: ${f}: an anchor of "${p.name}" occurs ${n} times (expected once); the file is left as it is`);
          next = null;
          break;
        }
        next = next.replace(from, to);
      }
      if (!next) break;
      out = next;
    }
    if (patches.every((p) => out.includes(p.marker))) {
      writeFileSync(f, out);
      patched++;
    }
  }
  return patched;
}
const patched = patchFiles(files, PATCHES),
  patchedIndex = patchFiles(indexFiles, INDEX_PATCHES);
const counts = `${patched} of ${files.length} jax-js backend files patched, ${patchedIndex} of ${indexFiles.length} index files`;
if (check) {
  console.log(`patch-jax: ${counts}`);
  process.exit(patched === files.length && patchedIndex === indexFiles.length ? 0 : 1);
}
const named = [...PATCHES, ...INDEX_PATCHES.filter((p) => !PATCHES.some((q) => q.marker === p.marker))]; // a patch of both files once
console.log(`patch-jax: ${named.map((p) => p.name).join(', ')}; ${counts}`);
