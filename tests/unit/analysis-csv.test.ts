import { describe, expect, it } from 'vitest';
import { analyzeExperiments } from '../../src/domain/experiments/analysis/compare';
import {
  COMPARISON_TABLE_COLUMNS,
  GROUPED_TABLE_COLUMNS,
  comparisonTableCsv,
  csvField,
  groupedTableCsv,
  parseCsv,
  toCsv,
} from '../../src/domain/experiments/analysis/csv';
import { parseResultsCsv, resultsCsv } from '../../src/domain/experiments/analysis/results-csv';
import { RESULTS_CSV_COLUMNS, sortRowsByTimestamp } from '../../src/domain/experiments/analysis/rows';
import { comparisonRows, run, suiteRows } from './analysis-fixtures';
import { PANDAS_RESULTS_CSV_SUITE } from './analysis-pandas-reference';

describe('RFC 4180 writing and reading', () => {
  it('quotes only fields with comma, quote, CR or LF, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(false)).toBe('false');
    expect(() => csvField(Number.NaN)).toThrow(/finite/);
  });
  it('ends records with CRLF and checks the field count', () => {
    expect(toCsv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
    expect(() => toCsv(['a', 'b'], [[1]])).toThrow(/row 1 has 1 fields, the header has 2/);
  });
  it('parses what it writes, including embedded newlines and an empty last field', () => {
    const text = toCsv(['a', 'b', 'c'], [['x\r\ny', 'q"q', ''], ['', '', '""']]);
    expect(parseCsv(text, 't.csv')).toEqual([['a', 'b', 'c'], ['x\r\ny', 'q"q', ''], ['', '', '""']]);
    expect(parseCsv('a,b\n1,2', 't.csv')).toEqual([['a', 'b'], ['1', '2']]);
    expect(() => parseCsv('a\n"open', 'bad.csv')).toThrow(/bad.csv: quoted field starting on line 2 is not closed/);
  });
});

describe('analysis tables', () => {
  const analysis = analyzeExperiments(comparisonRows);

  it('writes the grouped table with the documented columns in order', () => {
    const rows = parseCsv(groupedTableCsv(analysis), 'g.csv');
    expect(rows[0]).toEqual([...GROUPED_TABLE_COLUMNS]);
    expect(rows[0].slice(0, 10)).toEqual(['group', 'label', 'runs', 'failed', 'seeds', 'eval_f1_n', 'eval_f1_mean', 'eval_f1_sd', 'eval_f1_ci95_low', 'eval_f1_ci95_high']);
    expect(rows[0].slice(-7)).toEqual(['eval_f1_by_seed', 'eval_exact_match_by_seed', 'duration_seconds_by_seed', 'cartography_filter', 'cluster_filter', 'label_smoothing', 'soft_weighting']);
    const col = (name: string): number => rows[0].indexOf(name);
    const base = rows[1];
    expect([base[col('group')], base[col('seeds')], base[col('eval_f1_mean')], base[col('eval_f1_by_seed')]]).toEqual(['baseline', '42;43;44', '72.04375', '42:72.03125;43:71.5;44:72.6']);
    const soft = rows[4];
    expect([soft[col('eval_f1_n')], soft[col('eval_f1_sd')], soft[col('eval_f1_ci95_low')], soft[col('soft_weighting')]]).toEqual(['1', '', '', 'true']);
  });

  it('writes the comparison table, one row per group and metric, with n/a stars when untested', () => {
    const rows = parseCsv(comparisonTableCsv(analysis), 'c.csv');
    expect(rows[0]).toEqual([...COMPARISON_TABLE_COLUMNS]);
    expect(rows).toHaveLength(1 + 3 * 2);
    const col = (name: string): number => rows[0].indexOf(name);
    const carto = rows[1];
    expect([carto[col('group')], carto[col('metric')], carto[col('test')], carto[col('paired_seeds')], carto[col('stars')], carto[col('stars_raw')], carto[col('effect')]]).toEqual([
      'cartography_top33',
      'eval_f1',
      'paired',
      '42;43;44',
      '**',
      '***',
      'large',
    ]);
    expect(Number(carto[col('p_holm')])).toBeCloseTo(0.001794626456929, 10);
    const soft = rows[5];
    expect([soft[col('test')], soft[col('t')], soft[col('p')], soft[col('stars')]]).toEqual(['welch', '', '', 'n/a']);
    expect(soft[col('notes')]).toMatch(/^not paired: seed sets differ .*; Welch's t-test needs at least 2 runs/);
  });
});

describe('results.csv', () => {
  it('matches pandas to_csv byte for byte on the suite fixture', () => {
    expect(resultsCsv(sortRowsByTimestamp(suiteRows))).toBe(PANDAS_RESULTS_CSV_SUITE);
  });

  it('drops eval columns no run has and promotes an integer column with a gap to floats, as pandas does', () => {
    const rows = [
      run({ experiment_name: 'a', success: false, eval_f1: null, eval_exact_match: null, max_train_samples: null }),
      run({ experiment_name: 'b', success: false, eval_f1: null, eval_exact_match: null }),
    ];
    const [header, , second] = resultsCsv(rows).split('\n');
    expect(header.split(',')).toEqual(RESULTS_CSV_COLUMNS.filter((c) => !c.startsWith('eval_')));
    expect(second.split(',')[9]).toBe('10000.0');
  });

  it('reads a results.csv back into the same rows', () => {
    const rows = sortRowsByTimestamp(suiteRows);
    expect(parseResultsCsv(resultsCsv(rows), 'results.csv')).toEqual(rows);
  });

  it('names file, record and column on bad input', () => {
    expect(() => parseResultsCsv('name,x\n', 'r.csv')).toThrow(/r.csv: missing column "experiment_name"/);
    expect(() => parseResultsCsv('experiment_name,success\nbaseline,yes\n', 'r.csv')).toThrow(/r.csv, record 2 \(baseline\), column success: expected True or False, got "yes"/);
    expect(() => parseResultsCsv('experiment_name,success,eval_f1\nb,True,high\n', 'r.csv')).toThrow(/record 2 \(b\), column eval_f1: expected a number/);
    expect(() => parseResultsCsv('experiment_name,success,seed\nb,True,4.5\n', 'r.csv')).toThrow(/column seed: expected an integer/);
    expect(() => parseResultsCsv('experiment_name,success\nb,True,1\n', 'r.csv')).toThrow(/record 2: 3 fields, the header has 2/);
    expect(() => parseResultsCsv('', 'r.csv')).toThrow(/r.csv: empty file/);
  });

  it('treats absent optional columns as missing', () => {
    const [r] = parseResultsCsv('experiment_name,success,eval_f1\nx_seed3,True,80.5\n', 'r.csv');
    expect(r).toMatchObject({ experiment_name: 'x_seed3', success: true, eval_f1: 80.5, eval_exact_match: null, seed: null, cartography_filter: false });
  });
});
