/**
 * Student's t distribution, backed by jstat.
 *
 * jstat is a UMD bundle (`module.exports = jStat`). Under Node ESM and under Vite's CommonJS
 * interop alike the default import is that object, so a default import works in both; the
 * `.jStat` self-reference is accepted too in case a bundler hands back the namespace wrapper.
 */
import jStatModule from 'jstat';

const jStat = jStatModule.jStat ?? jStatModule;

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new RangeError(`t distribution needs finite degrees of freedom > 0, got ${df}`);
  }
}

/** P(T <= t) for T ~ t(df). */
export function tCdf(t: number, df: number): number {
  checkDf(df);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  return jStat.studentt.cdf(t, df);
}

/** Two-sided p-value P(|T| >= |t|), computed from the lower tail so that tiny p-values keep their precision. */
export function tTwoSidedP(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) throw new RangeError('t statistic is NaN');
  const lower = tCdf(-Math.abs(t), df);
  return Math.min(1, 2 * lower);
}

/** The q-quantile of t(df), 0 < q < 1. */
export function tQuantile(q: number, df: number): number {
  checkDf(df);
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile level must lie in (0, 1), got ${q}`);
  return jStat.studentt.inv(q, df);
}

/** Critical value t* with P(|T| <= t*) = level (0.95 → the 0.975 quantile). */
export function tCritical(level: number, df: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must lie in (0, 1), got ${level}`);
  return tQuantile(0.5 + level / 2, df);
}
