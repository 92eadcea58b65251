/**
 * Fréchet distance between two sets of feature vectors, each summarised as a Gaussian (mean and
 * covariance in float64):  ‖μa − μb‖² + tr Σa + tr Σb − 2 tr (Σa^½ Σb Σa^½)^½.
 * The cross term is computed on the symmetric PSD matrix Σa^½ Σb Σa^½ (same trace as (ΣaΣb)^½), with
 * symmetric eigendecompositions (cyclic Jacobi) and negative round-off eigenvalues clamped to 0, so no
 * complex parts appear (the usual scipy.linalg.sqrtm pitfall). Browser-safe.
 */

export interface GaussianStats {
  dim: number;
  count: number;
  mean: Float64Array;
  /** [dim, dim], unbiased (n − 1) */
  cov: Float64Array;
}

/** Mean and covariance of `count` rows of `dim` features (row-major). */
export function gaussianStats(rows: ArrayLike<number>, dim: number): GaussianStats {
  const n = Math.floor(rows.length / dim);
  if (n * dim !== rows.length) throw new Error(`gaussianStats: ${rows.length} values are not rows of ${dim}`);
  if (n < 2) throw new Error(`gaussianStats: need at least 2 feature vectors, got ${n}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += rows[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const cov = new Float64Array(dim * dim);
  const c = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) c[j] = rows[i * dim + j] - mean[j];
    for (let j = 0; j < dim; j++) {
      const cj = c[j];
      if (cj === 0) continue;
      for (let k = j; k < dim; k++) cov[j * dim + k] += cj * c[k];
    }
  }
  for (let j = 0; j < dim; j++)
    for (let k = j; k < dim; k++) {
      const v = cov[j * dim + k] / (n - 1);
      cov[j * dim + k] = v;
      cov[k * dim + j] = v;
    }
  return { dim, count: n, mean, cov };
}

/** Eigen-decomposition of a symmetric matrix (cyclic Jacobi): A = V diag(w) Vᵀ, V's columns the vectors. */
export function symmetricEigen(a: Float64Array, n: number, maxSweeps = 100): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0,
      total = 0;
    for (let p = 0; p < n; p++)
      for (let q = 0; q < n; q++) {
        const v = A[p * n + q] ** 2;
        total += v;
        if (p !== q) off += v;
      }
    if (off <= 1e-30 * Math.max(total, 1e-300)) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p],
            akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k],
            aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p],
            vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => A[i * n + i]), vectors: V };
}

/** Square root of a symmetric PSD matrix (eigenvalues below 0 from round-off are clamped). */
export function sqrtPsd(a: Float64Array, n: number): Float64Array {
  const { values, vectors: V } = symmetricEigen(a, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const s = Math.sqrt(Math.max(0, values[k]));
    if (s === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = V[i * n + k] * s;
      for (let j = 0; j < n; j++) out[i * n + j] += vik * V[j * n + k];
    }
  }
  return out;
}

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  return out;
}

/** tr (Σa^½ Σb Σa^½)^½ */
export function traceSqrtProduct(a: Float64Array, b: Float64Array, n: number): number {
  const ra = sqrtPsd(a, n);
  const m = matmul(matmul(ra, b, n), ra, n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (m[i * n + j] + m[j * n + i]);
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  return symmetricEigen(m, n).values.reduce((s, v) => s + Math.sqrt(Math.max(0, v)), 0);
}

export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.dim !== b.dim) throw new Error(`frechetDistance: feature sizes differ (${a.dim} vs ${b.dim})`);
  const n = a.dim;
  let d2 = 0,
    tr = 0;
  for (let i = 0; i < n; i++) {
    d2 += (a.mean[i] - b.mean[i]) ** 2;
    tr += a.cov[i * n + i] + b.cov[i * n + i];
  }
  return Math.max(0, d2 + tr - 2 * traceSqrtProduct(a.cov, b.cov, n));
}
