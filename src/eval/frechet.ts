/**
 * Fréchet distance between two sets of feature vectors, each summarised as a Gaussian (mean and
 * covariance in float64):  ‖μa − μb‖² + tr Σa + tr Σb − 2 tr (Σa^½ Σb Σa^½)^½.
 * The cross term is computed on the symmetric PSD matrix Σa^½ Σb Σa^½ (same trace as (ΣaΣb)^½), with
 * symmetric eigendecompositions (Householder + implicit QL) and negative round-off eigenvalues clamped to 0, so no
 * complex parts appear (the usual scipy.linalg.sqrtm pitfall). Browser-safe.
 */

export interface GaussianStats {
  dim: number;
  count: number;
  mean: Float64Array;
  /** [dim, dim], unbiased (n − 1) */
  cov: Float64Array;
}

/** Mean and covariance of the rows of `dim` features (row-major): the one-block case of `blockMoments`. */
export function gaussianStats(rows: ArrayLike<number>, dim: number): GaussianStats {
  return statsOfBlocks(blockMoments([rows], dim), [0]);
}

/**
 * Per-block first and second moments of feature rows (each block one window's rows), so that the Gaussian statistics
 * of any multiset of blocks (a bootstrap resample) cost blocks × dim² instead of rows × dim². Rows are taken about
 * the mean of all rows, which keeps the one-pass covariance as accurate as the two-pass one.
 */
export interface BlockMoments {
  dim: number;
  shift: Float64Array;
  count: number[];
  sum: Float64Array[];
  /** Σ (x − shift)(x − shift)ᵀ per block, upper triangle filled */
  outer: Float64Array[];
}

export function blockMoments(blocks: ArrayLike<number>[], dim: number): BlockMoments {
  const shift = new Float64Array(dim);
  let rows = 0;
  for (const b of blocks) {
    if (b.length % dim) throw new Error(`blockMoments: a block of ${b.length} values is not rows of ${dim}`);
    for (let i = 0; i < b.length; i += dim) for (let j = 0; j < dim; j++) shift[j] += b[i + j];
    rows += b.length / dim;
  }
  for (let j = 0; j < dim; j++) shift[j] /= Math.max(rows, 1);
  const c = new Float64Array(dim);
  const count: number[] = [],
    sum: Float64Array[] = [],
    outer: Float64Array[] = [];
  for (const b of blocks) {
    const s = new Float64Array(dim),
      o = new Float64Array(dim * dim);
    for (let i = 0; i < b.length; i += dim) {
      for (let j = 0; j < dim; j++) {
        c[j] = b[i + j] - shift[j];
        s[j] += c[j];
      }
      for (let j = 0; j < dim; j++) {
        const cj = c[j];
        if (cj === 0) continue;
        for (let k = j; k < dim; k++) o[j * dim + k] += cj * c[k];
      }
    }
    count.push(b.length / dim);
    sum.push(s);
    outer.push(o);
  }
  return { dim, shift, count, sum, outer };
}

/** Mean and covariance (n − 1) of the rows of the blocks in `idx` (repeats count again). */
export function statsOfBlocks(m: BlockMoments, idx: ArrayLike<number>): GaussianStats {
  const { dim } = m;
  let n = 0;
  const s = new Float64Array(dim),
    o = new Float64Array(dim * dim);
  for (let t = 0; t < idx.length; t++) {
    const i = idx[t],
      si = m.sum[i],
      oi = m.outer[i];
    n += m.count[i];
    for (let j = 0; j < dim; j++) s[j] += si[j];
    for (let q = 0; q < oi.length; q++) o[q] += oi[q]; // the lower triangle is zeros
  }
  if (n < 2) throw new Error(`Fréchet statistics: need at least 2 feature vectors, got ${n}`);
  const mean = new Float64Array(dim),
    cov = new Float64Array(dim * dim);
  for (let j = 0; j < dim; j++) mean[j] = m.shift[j] + s[j] / n;
  for (let j = 0; j < dim; j++)
    for (let k = j; k < dim; k++) {
      const v = (o[j * dim + k] - (s[j] * s[k]) / n) / (n - 1);
      cov[j * dim + k] = v;
      cov[k * dim + j] = v;
    }
  return { dim, count: n, mean, cov };
}

/**
 * Eigen-decomposition of a symmetric matrix: A = V diag(w) Vᵀ, V's columns the vectors. Householder reduction to
 * tridiagonal form, then the implicit QL iteration (the EISPACK tred2 / tql2 pair, as in JAMA): 4–7× faster than the
 * cyclic Jacobi it replaced at the sizes the Fréchet distances use (40–128), which the bootstrap calls 200 times per
 * interval.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const V = Float64Array.from(a);
  const d = new Float64Array(n),
    e = new Float64Array(n);
  tridiagonalize(V, d, e, n, true);
  tridiagonalQl(V, d, e, n, true);
  return { values: d, vectors: V };
}

/** The eigenvalues alone (no vectors accumulated: about half the work). */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const V = Float64Array.from(a);
  const d = new Float64Array(n),
    e = new Float64Array(n);
  tridiagonalize(V, d, e, n, false);
  tridiagonalQl(V, d, e, n, false);
  return d;
}

/** Householder tridiagonalisation of V (in place, row-major n × n): diagonal d, sub-diagonal e, V the transform. */
function tridiagonalize(V: Float64Array, d: Float64Array, e: Float64Array, n: number, vectors: boolean): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0,
      h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1],
        g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k < i; k++) {
          g += V[k * n + j] * d[k];
          e[k] += V[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k < i; k++) V[k * n + j] -= f * e[k] + g * d[k];
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  if (!vectors) {
    for (let j = 0; j < n; j++) d[j] = V[j * n + j];
    e[0] = 0;
    return;
  }
  // accumulate the transformations
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1] * V[k * n + j];
        for (let k = 0; k <= i; k++) V[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j];
    V[(n - 1) * n + j] = 0;
  }
  V[n * n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e): d becomes the eigenvalues, V's columns the eigenvectors. */
function tridiagonalQl(V: Float64Array, d: Float64Array, e: Float64Array, n: number, vectors: boolean): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0,
    tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; ; iter++) {
        if (iter >= 100 || !Number.isFinite(tst1)) throw new Error(`symmetricEigen: no convergence on a ${n} × ${n} matrix (non-finite entries?)`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1,
          c2 = 1,
          c3 = 1,
          s = 0,
          s2 = 0;
        const el1 = e[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (vectors)
            for (let k = 0; k < n; k++) {
              const vk = k * n;
              h = V[vk + i + 1];
              V[vk + i + 1] = s * V[vk + i] + c * h;
              V[vk + i] = c * V[vk + i] - s * h;
            }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (Math.abs(e[l]) <= eps * tst1) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
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

/**
 * tr (Σa^½ Σb Σa^½)^½. With Σa = V diag(w) Vᵀ, Σa^½ Σb Σa^½ = V (W^½ Vᵀ Σb V W^½) Vᵀ has the eigenvalues of the
 * middle factor, so Σa^½ itself is never formed.
 */
export function traceSqrtProduct(a: Float64Array, b: Float64Array, n: number): number {
  const { values: w, vectors: V } = symmetricEigen(a, n);
  const r = Float64Array.from(w, (v) => Math.sqrt(Math.max(0, v)));
  const Vt = Float64Array.from({ length: n * n }, (_, q) => V[(q % n) * n + Math.floor(q / n)]);
  const m = matmul(Vt, matmul(b, V, n), n); // Vᵀ Σb V
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const v = 0.5 * (m[i * n + j] + m[j * n + i]) * r[i] * r[j];
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  return symmetricEigenvalues(m, n).reduce((s, v) => s + Math.sqrt(Math.max(0, v)), 0);
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
