import { describe, expect, it } from 'vitest';
import { numpyPercentile, numpyRound, pandasToString, pyExponential, pyFixed, pyFloatRepr } from '../../src/domain/experiments/analysis/python-format';
import { sortRowsByTimestamp } from '../../src/domain/experiments/analysis/rows';
import { formatResultsSummary } from '../../src/domain/experiments/analysis/summary-text';
import { run, suiteRows } from './analysis-fixtures';
import { PANDAS_SUMMARY_EDGE, PANDAS_SUMMARY_SUITE } from './analysis-pandas-reference';

describe('Python number formatting', () => {
  it('fixed-point rounds exact binary ties to even like Python, otherwise like toFixed', () => {
    expect(pyFixed(0.03125, 4)).toBe('0.0312'); // JS toFixed gives 0.0313
    expect(pyFixed(0.09375, 4)).toBe('0.0938');
    expect(pyFixed(72.1328125, 4)).toBe('72.1328');
    expect(pyFixed(-2.5, 0)).toBe('-2');
    expect(pyFixed(1.005, 2)).toBe('1.00'); // 1.005 is below the tie in binary
    expect(pyFixed(Number.NaN, 4)).toBe('nan');
    expect(pyFixed(-0, 2)).toBe('-0.00');
  });
  it('repr of floats', () => {
    expect(pyFloatRepr(3)).toBe('3.0');
    expect(pyFloatRepr(5e-5)).toBe('5e-05');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(0.33)).toBe('0.33');
    expect(pyFloatRepr(10000)).toBe('10000.0');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(1234567.891)).toBe('1234567.891');
    expect(pyFloatRepr(-1.5e-7)).toBe('-1.5e-07');
    expect(pyExponential(1234567.891, 6)).toBe('1.234568e+06');
  });
  it('numpy round and percentile', () => {
    expect(numpyRound(2.5, 0)).toBe(2);
    expect(numpyRound(-3.5, 0)).toBe(-4);
    expect(numpyRound(72.21562, 4)).toBe(72.2156);
    expect(numpyPercentile([71.5, 72.03125, 72.4, 72.6, 73.2, 73.91, 74.35], 0.25)).toBeCloseTo(72.215625, 12);
    expect(numpyPercentile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
  it('pandas to_string: leading space on numeric headers and cells, trailing zeros trimmed together', () => {
    const withIndex = pandasToString([{ header: 'x', kind: 'float', values: [1.5, 2.25, null] }], ['a', 'bb', 'c']);
    // Expected strings printed by pandas 3.0.6 for the same frames.
    expect(withIndex).toBe('       x\na   1.50\nbb  2.25\nc    NaN');
    const noIndex = pandasToString(
      [
        { header: 'name', kind: 'string', values: ['ab', 'c'] },
        { header: 'v', kind: 'float', values: [3, 4] },
        { header: 'd', kind: 'none', length: 2 },
      ],
      null,
    );
    expect(noIndex).toBe('name   v    d\n  ab 3.0 None\n   c 4.0 None');
  });
});

describe('print_results_summary', () => {
  it('reproduces pandas output character for character on the suite fixture, whatever the input order', () => {
    expect(formatResultsSummary(sortRowsByTimestamp(suiteRows))).toBe(PANDAS_SUMMARY_SUITE);
    expect(formatResultsSummary([...suiteRows].reverse())).toBe(PANDAS_SUMMARY_SUITE);
  });

  it('reproduces pandas on edge values: ties in top 5, 9-digit F1, a negative F1, a large duration, std of one run', () => {
    const rows = [
      run({ experiment_name: 'a_seed1', config_hash: '4ea7e299', duration_seconds: 1234567.891, timestamp: '2025-01-02T10:00:00.000001', eval_exact_match: 70, eval_f1: 85.123456789 }),
      run({ experiment_name: 'b_seed1', config_hash: '4ea7e299', duration_seconds: 3.5, timestamp: '2025-01-01T00:00:00', eval_exact_match: 71, eval_f1: 85.123456789, soft_weighting: true }),
      run({ experiment_name: 'c_seed1', config_hash: '4ea7e299', duration_seconds: 0.25, timestamp: '2025-01-02T10:00:00.000001', eval_exact_match: 0, eval_f1: -0.5, soft_weighting: true, cluster_filter: true }),
    ];
    expect(formatResultsSummary(sortRowsByTimestamp(rows))).toBe(PANDAS_SUMMARY_EDGE);
  });

  it('stops after the counts when every run failed, and handles no rows', () => {
    const failed = [run({ experiment_name: 'a', success: false, eval_f1: null, eval_exact_match: null })];
    const text = formatResultsSummary(failed);
    expect(text.endsWith('Failed: 1\n\n[WARNING] No successful experiments to analyze\n')).toBe(true);
    expect(formatResultsSummary([])).toBe('No results to summarize\n');
  });

  it('prints None for a duration column without any value', () => {
    const text = formatResultsSummary([run({ experiment_name: 'baseline', duration_seconds: null, eval_f1: 85.5, eval_exact_match: 77 })]);
    expect(text).toContain('experiment_name  eval_f1  eval_exact_match duration_seconds\n       baseline     85.5              77.0             None\n');
  });
});
