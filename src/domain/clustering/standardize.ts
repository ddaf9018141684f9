/**
 * Per-column z-scores like sklearn's StandardScaler (origin-system.md §4.2 step 3): population
 * std (ddof 0), and a zero-variance column gets scale 1, so it comes out as all zeros.
 */
import { denseMatrix, type DenseMatrix } from './types';

export interface Standardized {
  /**
   * Float32 like the embeddings it comes from: half the memory of float64 (20 MB at
   * 10k × 512), and z-scores need no more than float32's 7 digits for PCA and clustering.
   */
  matrix: DenseMatrix<Float32Array>;
  mean: Float64Array;
  /** The divisor per column (the std, or 1 where the std is 0). */
  scale: Float64Array;
}

export function standardize(x: DenseMatrix): Standardized {
  const { rows: n, cols: d, data } = x;
  if (n === 0) throw new RangeError('standardize: no rows');
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const varSum = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = data[o + j] - mean[j];
      varSum[j] += v * v;
    }
  }
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(varSum[j] / n);
    // sklearn treats a std at rounding-noise level as zero too (_handle_zeros_in_scale).
    scale[j] = s < 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j])) ? 1 : s;
  }
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = data[o + j];
      if (!Number.isFinite(v)) throw new RangeError(`standardize: row ${i}, column ${j} is not finite (${v})`);
      out[o + j] = (v - mean[j]) / scale[j];
    }
  }
  return { matrix: denseMatrix(out, n, d), mean, scale };
}
