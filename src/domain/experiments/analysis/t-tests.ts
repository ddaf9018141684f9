/**
 * Two-sided t-tests of "a versus b" (difference = a − b), each with the mean difference and its
 * 95% confidence interval on the same degrees of freedom as the test:
 * - paired: one-sample t on the differences a[i] − b[i] (scipy `ttest_rel(a, b)`);
 * - Welch: unequal variances, Welch–Satterthwaite df (scipy `ttest_ind(a, b, equal_var=False)`);
 * - Student: equal variances, pooled sd, df = n_a + n_b − 2 (scipy `ttest_ind(a, b)`, kept for reference
 *   because it is what the Python ablation script used for unpaired data).
 * A test that cannot be computed comes back with `ok: false` and a reason instead of NaN.
 */
import { mean, sampleVariance, tHalfWidth, type Interval } from './descriptive';
import { tTwoSidedP } from './t-distribution';

export type TTestKind = 'paired' | 'welch' | 'student';

export interface TTestComputed {
  ok: true;
  kind: TTestKind;
  /** t statistic of a − b */
  t: number;
  df: number;
  /** two-sided p-value */
  p: number;
  /** mean(a) − mean(b); for the paired test the mean of the differences (the same number) */
  meanDiff: number;
  /** standard error of meanDiff */
  se: number;
  /** 95% CI of meanDiff */
  ci95: Interval;
  nA: number;
  nB: number;
}

export interface TTestNotComputed {
  ok: false;
  kind: TTestKind;
  /** why no statistic exists, in words fit for a report */
  reason: string;
  /** still given when both samples are non-empty */
  meanDiff: number | null;
  /** given when the spread is known (a constant difference gives a zero-width interval) */
  ci95: Interval | null;
  nA: number;
  nB: number;
}

export type TTestResult = TTestComputed | TTestNotComputed;

/**
 * R's t.test rule: a standard error this small relative to the data is rounding noise, and t
 * would be an artefact (±1e15 or 0/0). Such data are reported as constant instead.
 */
function isEssentiallyZero(se: number, scale: number): boolean {
  return se === 0 || se < 10 * Number.EPSILON * scale;
}

function finish(
  kind: TTestKind,
  meanDiff: number,
  se: number,
  df: number,
  scale: number,
  nA: number,
  nB: number,
): TTestResult {
  if (isEssentiallyZero(se, scale)) {
    return {
      ok: false,
      kind,
      reason: kind === 'paired' ? 'the differences are constant (zero variance), so t is undefined' : 'both samples have zero variance, so t is undefined',
      meanDiff,
      ci95: { lower: meanDiff, upper: meanDiff },
      nA,
      nB,
    };
  }
  const t = meanDiff / se;
  const h = tHalfWidth(se, df, 0.95);
  return { ok: true, kind, t, df, p: tTwoSidedP(t, df), meanDiff, se, ci95: { lower: meanDiff - h, upper: meanDiff + h }, nA, nB };
}

function diffOfMeans(a: readonly number[], b: readonly number[]): number | null {
  const ma = mean(a);
  const mb = mean(b);
  return ma === null || mb === null ? null : ma - mb;
}

/** Paired t-test on a[i] − b[i]; a and b must be aligned (same pair at the same index). */
export function pairedTTest(a: readonly number[], b: readonly number[]): TTestResult {
  if (a.length !== b.length) {
    throw new RangeError(`paired t-test needs samples of equal length, got ${a.length} and ${b.length}`);
  }
  const n = a.length;
  const d = a.map((x, i) => x - b[i]);
  const md = mean(d);
  if (md === null || n < 2) {
    return { ok: false, kind: 'paired', reason: `a paired t-test needs at least 2 pairs, got ${n}`, meanDiff: md, ci95: null, nA: n, nB: n };
  }
  const se = Math.sqrt((sampleVariance(d) as number) / n);
  const scale = Math.max(Math.abs(mean(a) as number), Math.abs(mean(b) as number));
  return finish('paired', md, se, n - 1, scale, n, n);
}

/** Welch–Satterthwaite degrees of freedom from the two squared standard errors. */
export function welchDf(varA: number, nA: number, varB: number, nB: number): number {
  const sa = varA / nA;
  const sb = varB / nB;
  return (sa + sb) ** 2 / ((sa * sa) / (nA - 1) + (sb * sb) / (nB - 1));
}

/** Welch's unequal-variance t-test of a versus b. */
export function welchTTest(a: readonly number[], b: readonly number[]): TTestResult {
  const nA = a.length;
  const nB = b.length;
  const md = diffOfMeans(a, b);
  if (md === null || nA < 2 || nB < 2) {
    return { ok: false, kind: 'welch', reason: `Welch's t-test needs at least 2 runs in each group, got ${nA} and ${nB}`, meanDiff: md, ci95: null, nA, nB };
  }
  const va = sampleVariance(a) as number;
  const vb = sampleVariance(b) as number;
  const se = Math.sqrt(va / nA + vb / nB);
  const df = se === 0 ? nA + nB - 2 : welchDf(va, nA, vb, nB);
  const scale = Math.max(Math.abs(mean(a) as number), Math.abs(mean(b) as number));
  return finish('welch', md, se, df, scale, nA, nB);
}

/** Student's two-sample t-test with pooled (equal) variances. */
export function studentTTest(a: readonly number[], b: readonly number[]): TTestResult {
  const nA = a.length;
  const nB = b.length;
  const md = diffOfMeans(a, b);
  const df = nA + nB - 2;
  if (md === null || df < 1) {
    return { ok: false, kind: 'student', reason: `Student's t-test needs one run per group and 3 in all, got ${nA} and ${nB}`, meanDiff: md, ci95: null, nA, nB };
  }
  // A group of one contributes no spread but still counts towards n; the pooled variance comes from the other.
  const ssA = nA > 1 ? (sampleVariance(a) as number) * (nA - 1) : 0;
  const ssB = nB > 1 ? (sampleVariance(b) as number) * (nB - 1) : 0;
  const pooled = (ssA + ssB) / df;
  const se = Math.sqrt(pooled * (1 / nA + 1 / nB));
  const scale = Math.max(Math.abs(mean(a) as number), Math.abs(mean(b) as number));
  return finish('student', md, se, df, scale, nA, nB);
}
