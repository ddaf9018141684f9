/**
 * k nearest neighbours by brute force (Euclidean). Each pair is computed once and offered to
 * both points. For 10k points in 50 dimensions that is 5·10⁷ pairs, about a second; tree
 * indexes do not beat brute force at 50 dimensions.
 */
import type { DenseMatrix } from './types';

export interface KnnResult {
  k: number;
  /** n × k neighbour indices (the point itself excluded), nearest first; ties by lower index. */
  indices: Int32Array;
  /** n × k Euclidean distances matching `indices`. */
  distances: Float64Array;
}

/**
 * Squared Euclidean distance between rows starting at offsets a and b, or — as soon as the
 * partial sum reaches `limit` — some value >= limit. Callers that only need to know whether a
 * distance beats a bound save most of the work on far pairs, especially on PCA output whose
 * leading dimensions carry most of the variance. Four accumulators break the add latency chain.
 */
export function squaredDistanceBelow(data: Float64Array, a: number, b: number, d: number, limit: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  while (t + 8 <= d) {
    const q0 = data[a + t] - data[b + t];
    const q1 = data[a + t + 1] - data[b + t + 1];
    const q2 = data[a + t + 2] - data[b + t + 2];
    const q3 = data[a + t + 3] - data[b + t + 3];
    const q4 = data[a + t + 4] - data[b + t + 4];
    const q5 = data[a + t + 5] - data[b + t + 5];
    const q6 = data[a + t + 6] - data[b + t + 6];
    const q7 = data[a + t + 7] - data[b + t + 7];
    s0 += q0 * q0 + q4 * q4;
    s1 += q1 * q1 + q5 * q5;
    s2 += q2 * q2 + q6 * q6;
    s3 += q3 * q3 + q7 * q7;
    t += 8;
    if (s0 + s1 + s2 + s3 >= limit) return s0 + s1 + s2 + s3;
  }
  for (; t < d; t++) {
    const q = data[a + t] - data[b + t];
    s0 += q * q;
  }
  return s0 + s1 + (s2 + s3);
}

/** Exact squared Euclidean distance between rows i and j. */
export function squaredDistance(data: Float64Array, d: number, i: number, j: number): number {
  return squaredDistanceBelow(data, i * d, j * d, d, Infinity);
}

/** The matrix data as float64 (the distance kernels are monomorphic on Float64Array). */
export function asFloat64(data: Float32Array | Float64Array): Float64Array {
  return data instanceof Float64Array ? data : Float64Array.from(data);
}

/** Squared L2 norm of every row. */
export function squaredNorms(data: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * d; t < i * d + d; t++) s += data[t] * data[t];
    out[i] = s;
  }
  return out;
}

/**
 * Exact k nearest neighbours. A pair's distance is only accumulated until it can no longer
 * enter either point's current list (squaredDistanceBelow), which on PCA output, whose leading
 * dimensions carry most of the spread, skips most of the work for pairs in different groups.
 */
export function kNearestNeighbours(x: DenseMatrix, k: number): KnnResult {
  const { rows: n, cols: d } = x;
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw new RangeError(`kNearestNeighbours: k must be an integer in [1, n − 1 = ${n - 1}], got ${k}`);
  const data = asFloat64(x.data);
  // Per point, the k best squared distances so far, ascending, with +∞ sentinels.
  const dist = new Float64Array(n * k).fill(Infinity);
  const idx = new Int32Array(n * k).fill(-1);
  // For a fixed point, candidates arrive in increasing index order (first as the later member
  // of a pair, then as the earlier), and equal distances never overtake: ties keep the lower index.
  const offer = (p: number, q: number, d2: number): void => {
    const o = p * k;
    let pos = o + k - 1;
    if (d2 >= dist[pos]) return;
    while (pos > o && dist[pos - 1] > d2) {
      dist[pos] = dist[pos - 1];
      idx[pos] = idx[pos - 1];
      pos--;
    }
    dist[pos] = d2;
    idx[pos] = q;
  };
  for (let i = 0; i < n; i++) {
    const a = i * d;
    const worstI = i * k + k - 1;
    for (let j = i + 1; j < n; j++) {
      const wi = dist[worstI];
      const wj = dist[j * k + k - 1];
      const limit = wi > wj ? wi : wj;
      const s = squaredDistanceBelow(data, a, j * d, d, limit);
      if (s >= limit) continue;
      offer(i, j, s);
      offer(j, i, s);
    }
  }
  for (let t = 0; t < dist.length; t++) dist[t] = Math.sqrt(dist[t]);
  return { k, indices: idx, distances: dist };
}
