/**
 * Descriptive statistics over one sample. Anything that cannot be computed (mean of nothing,
 * spread of one value) is `null`, never NaN, so no caller can print NaN as if it were a number.
 */
import { tCritical } from './t-distribution';

export interface Interval {
  lower: number;
  upper: number;
}

export interface SampleSummary {
  n: number;
  /** null when n = 0 */
  mean: number | null;
  /** sample standard deviation (ddof 1); null when n < 2 */
  sd: number | null;
  /** two-sided 95% t interval of the mean; null when n < 2 */
  ci95: Interval | null;
}

function checkFinite(values: readonly number[], what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${what}: value ${i} is not a finite number (${values[i]})`);
  }
}

/**
 * Arithmetic mean, or null for an empty sample. Summed as offsets from the first value so a
 * constant sample returns that constant exactly (a plain sum/n can drift by an ulp, which
 * would turn "zero variance" into a tiny positive one).
 */
export function mean(values: readonly number[]): number | null {
  checkFinite(values, 'mean');
  if (values.length === 0) return null;
  const x0 = values[0];
  let s = 0;
  for (const v of values) s += v - x0;
  return x0 + s / values.length;
}

/** Sample variance with ddof 1 (pandas/numpy `ddof=1`), or null when n < 2. */
export function sampleVariance(values: readonly number[]): number | null {
  const m = mean(values);
  if (m === null || values.length < 2) return null;
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return ss / (values.length - 1);
}

/** Sample standard deviation with ddof 1, or null when n < 2. */
export function sampleSd(values: readonly number[]): number | null {
  const v = sampleVariance(values);
  return v === null ? null : Math.sqrt(v);
}

/** Half-width of the t interval of a mean with standard error `se` and `df` degrees of freedom. */
export function tHalfWidth(se: number, df: number, level = 0.95): number {
  return se === 0 ? 0 : tCritical(level, df) * se;
}

/** Two-sided t confidence interval of the mean (scipy `t.interval(level, n-1, mean, sem)`); null when n < 2. */
export function tConfidenceInterval(values: readonly number[], level = 0.95): Interval | null {
  const m = mean(values);
  const sd = sampleSd(values);
  if (m === null || sd === null) return null;
  const h = tHalfWidth(sd / Math.sqrt(values.length), values.length - 1, level);
  return { lower: m - h, upper: m + h };
}

export function summarize(values: readonly number[]): SampleSummary {
  return {
    n: values.length,
    mean: mean(values),
    sd: sampleSd(values),
    ci95: tConfidenceInterval(values, 0.95),
  };
}
