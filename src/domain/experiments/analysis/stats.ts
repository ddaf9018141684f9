/**
 * Statistics for comparing experiment configurations over seeds. One import point for the
 * analysis, the UI and the CLI; the pieces live in small modules by topic.
 */
export { tCdf, tTwoSidedP, tQuantile, tCritical } from './t-distribution';
export { mean, sampleVariance, sampleSd, tConfidenceInterval, tHalfWidth, summarize } from './descriptive';
export type { Interval, SampleSummary } from './descriptive';
export { pairedTTest, welchTTest, studentTTest, welchDf } from './t-tests';
export type { TTestKind, TTestResult, TTestComputed, TTestNotComputed } from './t-tests';
export { cohensD, effectMagnitude } from './effect-size';
export type { CohensDResult, EffectMagnitude } from './effect-size';
export { holmAdjust, significanceStars } from './multiple-testing';
export type { Significance } from './multiple-testing';
