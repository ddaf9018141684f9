/**
 * Eigen-decomposition of a real symmetric matrix: Householder reduction to tridiagonal form,
 * then the implicit symmetric QR algorithm with Wilkinson shifts (Golub & Van Loan, §8.3).
 * O(n³); about a second for the 512 × 512 covariance of ELECTRA-small embeddings.
 *
 * Eigenvectors are kept as ROWS of a row-major matrix, so every Givens rotation updates two
 * contiguous rows instead of two strided columns.
 */

export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /** Row i (length n) is the unit eigenvector of values[i]. */
  vectors: Float64Array;
}

/** `a` is n×n row-major and must be symmetric; it is not modified. */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n * n} values, got ${a.length}`);
  const t = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  // m accumulates Qᵀ = H_{n-3} ⋯ H_0, so that A = Q T Qᵀ.
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;

  const v = new Float64Array(n);
  const p = new Float64Array(n);
  const s = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // Reflect x = t[k+1.., k] (read from row k by symmetry) onto alpha·e1.
    const len = n - k - 1;
    let tail = 0;
    for (let r = 1; r < len; r++) tail += t[k * n + k + 1 + r] ** 2;
    const x0 = t[k * n + k + 1];
    if (tail === 0) continue; // column already tridiagonal
    const norm = Math.sqrt(x0 * x0 + tail);
    const alpha = x0 > 0 ? -norm : norm;
    for (let r = 0; r < len; r++) v[r] = t[k * n + k + 1 + r];
    v[0] -= alpha;
    const vv = v[0] * v[0] + tail;
    const beta = 2 / vv;
    // S ← H S H on the trailing block S = t[k+1.., k+1..]: p = βSv, w = p − (β/2)(pᵀv)v, S −= v wᵀ + w vᵀ.
    let pv = 0;
    for (let r = 0; r < len; r++) {
      const row = (k + 1 + r) * n + k + 1;
      let acc = 0;
      for (let c = 0; c < len; c++) acc += t[row + c] * v[c];
      p[r] = beta * acc;
      pv += p[r] * v[r];
    }
    const kk = (beta / 2) * pv;
    for (let r = 0; r < len; r++) p[r] -= kk * v[r];
    for (let r = 0; r < len; r++) {
      const row = (k + 1 + r) * n + k + 1;
      const vr = v[r];
      const wr = p[r];
      for (let c = 0; c < len; c++) t[row + c] -= vr * p[c] + wr * v[c];
    }
    t[k * n + k + 1] = alpha;
    t[(k + 1) * n + k] = alpha;
    for (let r = 1; r < len; r++) {
      t[k * n + k + 1 + r] = 0;
      t[(k + 1 + r) * n + k] = 0;
    }
    // m ← H_k m, touching rows k+1..n-1: rows −= β v_r (Σ_q v_q row_q).
    s.fill(0);
    for (let r = 0; r < len; r++) {
      const vr = v[r];
      if (vr === 0) continue;
      const row = (k + 1 + r) * n;
      for (let c = 0; c < n; c++) s[c] += vr * m[row + c];
    }
    for (let r = 0; r < len; r++) {
      const f = beta * v[r];
      if (f === 0) continue;
      const row = (k + 1 + r) * n;
      for (let c = 0; c < n; c++) m[row + c] -= f * s[c];
    }
  }
  for (let i = 0; i < n; i++) d[i] = t[i * n + i];
  for (let i = 0; i < n - 1; i++) e[i] = t[i * n + i + 1];

  tridiagonalQr(d, e, m, n);

  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y] - d[x] || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src];
    vectors.set(m.subarray(src * n, src * n + n), dst * n);
  });
  return { values, vectors };
}

/**
 * Diagonalizes the symmetric tridiagonal (d, e) in place; every rotation G applied as
 * T ← GᵀTG is also applied to the rows of `m` (m ← Gᵀm), so row i of m ends as the
 * eigenvector of d[i].
 */
function tridiagonalQr(d: Float64Array, e: Float64Array, m: Float64Array, n: number): void {
  const eps = Number.EPSILON;
  let hi = n - 1;
  let iterations = 0;
  const maxIterations = 60 * n + 100;
  while (hi > 0) {
    if (Math.abs(e[hi - 1]) <= eps * (Math.abs(d[hi - 1]) + Math.abs(d[hi]))) {
      e[hi - 1] = 0;
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0 && Math.abs(e[lo - 1]) > eps * (Math.abs(d[lo - 1]) + Math.abs(d[lo]))) lo--;
    if (lo > 0) e[lo - 1] = 0;
    if (++iterations > maxIterations) throw new Error('symmetricEigen: QR iteration did not converge');

    // Wilkinson shift from the trailing 2×2 block of [lo..hi].
    const a = d[hi - 1];
    const b = e[hi - 1];
    const c = d[hi];
    const delta = (a - c) / 2;
    const mu = delta === 0 ? c - Math.abs(b) : c - (b * b) / (delta + Math.sign(delta) * Math.hypot(delta, b));

    let x = d[lo] - mu;
    let z = e[lo];
    let bulge = 0;
    for (let k = lo; k < hi; k++) {
      const r = Math.hypot(x, z);
      // Gᵀ[x; z] = [r; 0] with Gᵀ = [[c, −s], [s, c]].
      const cs = r === 0 ? 1 : x / r;
      const sn = r === 0 ? 0 : -z / r;
      if (k > lo) e[k - 1] = r; // (k−1, k) after the bulge at (k−1, k+1) is annihilated
      const dk = d[k];
      const ek = e[k];
      const dk1 = d[k + 1];
      d[k] = dk * cs * cs - 2 * ek * cs * sn + dk1 * sn * sn;
      d[k + 1] = dk * sn * sn + 2 * ek * cs * sn + dk1 * cs * cs;
      e[k] = (dk - dk1) * cs * sn + ek * (cs * cs - sn * sn);
      if (k + 1 < hi) {
        bulge = -sn * e[k + 1];
        e[k + 1] = cs * e[k + 1];
      }
      const r0 = k * n;
      const r1 = (k + 1) * n;
      for (let j = 0; j < n; j++) {
        const u = m[r0 + j];
        const w = m[r1 + j];
        m[r0 + j] = cs * u - sn * w;
        m[r1 + j] = sn * u + cs * w;
      }
      x = e[k];
      z = bulge;
    }
  }
}
