// Fréchet distance against closed forms: isotropic and diagonal Gaussians, a non-commuting 2×2 pair,
// sample statistics of drawn Gaussians, and the eigen/sqrt helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockMoments, frechetDistance, gaussianStats, statsOfBlocks, symmetricEigen, symmetricEigenvalues, type GaussianStats } from './frechet.js';
import { normal } from '../util/rng.js';

const stats = (mean: number[], cov: number[]): GaussianStats => ({
  dim: mean.length,
  count: 0,
  mean: Float64Array.from(mean),
  cov: Float64Array.from(cov),
});
const diag = (v: number[]) => v.flatMap((x, i) => v.map((_, j) => (i === j ? x : 0)));

test('identical Gaussians are at distance 0; shifts add ‖Δμ‖²', () => {
  const a = stats([1, 2, 3], [2, 0.5, 0, 0.5, 1, 0.2, 0, 0.2, 3]);
  assert.ok(Math.abs(frechetDistance(a, a)) < 1e-9);
  const b = { ...a, mean: Float64Array.from([1, 4, 3]) };
  assert.ok(Math.abs(frechetDistance(a, b) - 4) < 1e-9);
});

test('diagonal covariances: Σ (σa − σb)² per dimension', () => {
  const a = stats([0, 0, 0, 0], diag([1, 4, 9, 0.25])),
    b = stats([0, 0, 0, 0], diag([4, 1, 9, 1]));
  const want = (1 - 2) ** 2 + (2 - 1) ** 2 + 0 + (0.5 - 1) ** 2;
  assert.ok(Math.abs(frechetDistance(a, b) - want) < 1e-9, `${frechetDistance(a, b)} vs ${want}`);
});

test('non-commuting 2×2 covariances match the closed form tr √M = √(tr M + 2√det M)', () => {
  const A = [2, 0.9, 0.9, 1],
    B = [1, -0.4, -0.4, 3];
  // M = A^½ B A^½ has the eigenvalues of AB; for 2×2: tr √M = √(tr(AB) + 2√det(AB))
  const AB = [A[0] * B[0] + A[1] * B[2], A[0] * B[1] + A[1] * B[3], A[2] * B[0] + A[3] * B[2], A[2] * B[1] + A[3] * B[3]];
  const trSqrt = Math.sqrt(AB[0] + AB[3] + 2 * Math.sqrt(AB[0] * AB[3] - AB[1] * AB[2]));
  const want = 2 + 1 + 1 + 3 - 2 * trSqrt + (1 - 0) ** 2;
  const got = frechetDistance(stats([1, 0], A), stats([0, 0], B));
  assert.ok(Math.abs(got - want) < 1e-9, `${got} vs ${want}`);
});

test('sample statistics of drawn Gaussians converge to the population distance', () => {
  const n = 20000,
    d = 3;
  const z1 = normal(1, n * d),
    z2 = normal(2, n * d);
  const a = Float64Array.from(z1, (v) => v);
  const b = Float64Array.from(z2, (v, i) => (i % d === 0 ? 2 * v + 1 : v)); // first dim: mean 1, σ 2
  const got = frechetDistance(gaussianStats(a, d), gaussianStats(b, d));
  assert.ok(Math.abs(got - 2) < 0.1, `FD ${got}, population value 2 (1 from the mean, 1 from σ)`);
  assert.throws(() => gaussianStats([1, 2, 3], 2), /not rows of 2/);
});

test('symmetric eigen-decomposition reconstructs the matrix, with orthonormal vectors; the values-only path agrees', () => {
  // full rank, rank 3 of 40 (29 equal zero eigenvalues), a diagonal with repeated values, 1 × 1
  for (const [n, k] of [
    [6, 6],
    [40, 40],
    [40, 3],
    [1, 1],
  ])
    eigenCase(n, k);
  const D = Float64Array.from({ length: 25 }, (_, i) => (i % 6 === 0 ? [2, 2, 5, 2, 0][i / 6] : 0));
  const { values, vectors } = symmetricEigen(D, 5);
  assert.deepEqual(Array.from(values).sort(), [0, 2, 2, 2, 5]);
  assert.ok(vectors.every((v) => Math.abs(v) === 0 || Math.abs(v) === 1));
});

function eigenCase(n: number, k: number) {
  const r = normal(7 + n + k, n * k);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let m = 0; m < k; m++) A[i * n + j] += r[i * k + m] * r[j * k + m];
  const { values, vectors: V } = symmetricEigen(A, n);
  assert.equal(values.filter((v) => Math.abs(v) > 1e-9).length, k, `${n} × ${n} of rank ${k}`);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0,
        o = 0;
      for (let m = 0; m < n; m++) {
        s += V[i * n + m] * values[m] * V[j * n + m];
        o += V[m * n + i] * V[m * n + j];
      }
      assert.ok(Math.abs(s - A[i * n + j]) < 1e-9 * n, `${n} × ${n}: reconstruction at ${i},${j}`);
      assert.ok(Math.abs(o - (i === j ? 1 : 0)) < 1e-12 * n, `${n} × ${n}: VᵀV at ${i},${j}`);
    }
  // the values-only path gives the same values
  const alone = symmetricEigenvalues(A, n);
  values.forEach((v, i) => assert.ok(Math.abs(alone[i] - v) < 1e-10 * n * (1 + Math.abs(v)), `${n} × ${n}: value ${i}`));
}

/** The textbook two-pass mean and covariance (n − 1), independent of the module's one-pass moments. */
function twoPassStats(rows: Float64Array, dim: number): GaussianStats {
  const n = rows.length / dim;
  const mean = new Float64Array(dim),
    cov = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += rows[i * dim + j] / n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dim; j++)
      for (let k = 0; k < dim; k++) cov[j * dim + k] += ((rows[i * dim + j] - mean[j]) * (rows[i * dim + k] - mean[k])) / (n - 1);
  return { dim, count: n, mean, cov };
}

test('block moments: the statistics of a resample of blocks (repeats included) equal the two-pass ones of its concatenated rows', () => {
  const dim = 5;
  // blocks of 3, 4 and 6 rows far from the origin (a one-pass covariance about 0 would lose digits here)
  const blocks = [3, 4, 6].map((rows, b) => Float64Array.from(normal(20 + b, rows * dim), (v, i) => 1e4 + v * (1 + (i % dim))));
  const m = blockMoments(blocks, dim);
  for (const idx of [
    [0, 1, 2],
    [2, 2, 0],
    [1, 1],
  ]) {
    const rows = new Float64Array(idx.reduce((n, i) => n + blocks[i].length, 0));
    let at = 0;
    for (const i of idx) {
      rows.set(blocks[i], at);
      at += blocks[i].length;
    }
    const want = twoPassStats(rows, dim),
      got = statsOfBlocks(m, idx);
    assert.equal(got.count, want.count);
    want.mean.forEach((v, j) => assert.ok(Math.abs(got.mean[j] - v) < 1e-9, `mean ${j}`));
    want.cov.forEach((v, j) => assert.ok(Math.abs(got.cov[j] - v) < 1e-9 * (1 + Math.abs(v)), `cov ${j}: ${got.cov[j]} vs ${v}`));
  }
  assert.throws(() => blockMoments([new Float64Array(7)], dim), /not rows of 5/);
});
