/**
 * Order statistics exactly as pandas computes them (pandas delegates to numpy), so thresholds
 * and therefore filter decisions match the Python system down to ties.
 */

function sortedCopy(values: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(values as ArrayLike<number>);
  for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) throw new RangeError('quantile: NaN in input');
  return a.sort();
}

/** Series.median(): the middle value, or the mean of the two middle values. */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const a = sortedCopy(values);
  const mid = a.length >> 1;
  return a.length % 2 === 1 ? a[mid] : (a[mid - 1] + a[mid]) / 2;
}

/**
 * Series.quantile(q) with the default linear interpolation. pandas passes `q * 100` to
 * np.percentile, which divides by 100 again; numpy then takes the virtual index (n-1)·q and
 * interpolates with its `_lerp`, which for a weight t >= 0.5 computes b - (b-a)(1-t) for
 * exactness. All three steps are reproduced because the filter keeps values `>=` this
 * threshold, so a last-bit difference can flip a boundary row.
 */
export function pandasQuantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new RangeError('quantile of an empty list');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  const a = sortedCopy(values);
  const n = a.length;
  const qq = (q * 100) / 100;
  const virtual = (n - 1) * qq;
  let prev = Math.floor(virtual);
  const gamma = virtual - prev;
  let next = prev + 1;
  if (prev < 0) prev = 0;
  if (prev > n - 1) prev = n - 1;
  if (next > n - 1) next = n - 1;
  const lo = a[prev];
  const hi = a[next];
  const diff = hi - lo;
  return gamma >= 0.5 ? hi - diff * (1 - gamma) : lo + diff * gamma;
}
