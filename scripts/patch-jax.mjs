// Applies avdit's patches to jax-js's wasm code generator (installed at postinstall; see patches/README.md).
// Each patch is a list of exact-text edits with anchors that must occur exactly once; a jax-js version the
// patch was not written for is left untouched (with a warning): avdit then runs on plain jax-js, slower.
// Idempotent: a file that carries the marker is skipped. `node scripts/patch-jax.mjs --check` exits 1 when
// the installed jax-js is not patched.
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const MARKER = '/* avdit-patch: simd-exp-reciprocal-cmp */';
const VERSION = '0.1.25';

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
const check = process.argv.includes('--check');
let patched = 0;
for (const f of files) {
  const src = readFileSync(f, 'utf8');
  if (src.includes(MARKER)) {
    patched++;
    continue;
  }
  if (check) continue;
  if (pkg.version !== VERSION) {
    console.warn(`patch-jax: @jax-js/jax ${pkg.version} is not ${VERSION}, which the patch was written for; left as it is`);
    process.exit(0);
  }
  let out = src;
  for (const [from, to] of EDITS) {
    const n = out.split(from).length - 1;
    if (n !== 1) {
      console.warn(`patch-jax: ${f}: an anchor occurs ${n} times (expected once); the file is left as it is`);
      out = null;
      break;
    }
    out = out.replace(from, to);
  }
  if (out) {
    writeFileSync(f, out);
    patched++;
  }
}
if (check) {
  console.log(`patch-jax: ${patched} of ${files.length} jax-js backend files patched`);
  process.exit(patched === files.length ? 0 : 1);
}
console.log(`patch-jax: SIMD exp / reciprocal / comparisons in ${patched} of ${files.length} jax-js backend files`);
