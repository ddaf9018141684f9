import { describe, expect, it } from 'vitest';
import {
  pythonAnalysisRow,
  resultsColumns,
  resultsCsvText,
  resultsRowFromRecord,
  toAnalysisRow,
  type ResultsRow,
} from '../../src/domain/experiments/csv';
import { makeExperimentResult } from '../../src/domain/experiments/result';
import { parsePythonJson, PyFloat, type PyJson } from '../../src/domain/config/pyjson';
import { createBaselineConfig, createCartographyFilterConfig, createLabelSmoothingConfig } from '../../src/domain/config/factories';
import { suiteRows } from './analysis-fixtures';
import { PANDAS_RESULTS_CSV_SUITE } from './analysis-pandas-reference';

const f = (x: number) => new PyFloat(x);

/** A results.json + config.json pair as Python would have written them for an analysis fixture row. */
function filesFor(r: (typeof suiteRows)[number]): { result: PyJson; config: PyJson } {
  const metrics: { [k: string]: PyJson } = {};
  if (r.eval_exact_match !== null) metrics.eval_exact_match = f(r.eval_exact_match);
  if (r.eval_f1 !== null) metrics.eval_f1 = f(r.eval_f1);
  return {
    result: {
      experiment_name: r.experiment_name,
      config_hash: r.config_hash,
      success: r.success,
      metrics,
      error: r.error,
      start_time: f(1),
      end_time: f(2),
      duration_seconds: r.duration_seconds === null ? null : f(r.duration_seconds),
      timestamp: r.timestamp,
    },
    config: {
      name: r.experiment_name,
      training: {
        seed: r.seed,
        num_train_epochs: f(r.num_train_epochs ?? 3),
        learning_rate: f(r.learning_rate ?? 5e-5),
        max_train_samples: r.max_train_samples,
        max_eval_samples: r.max_eval_samples,
        cartography_filter: { enabled: r.cartography_filter },
        cluster_filter: { enabled: r.cluster_filter },
        label_smoothing: { enabled: r.label_smoothing },
        soft_weighting: { enabled: r.soft_weighting },
      },
    },
  };
}

describe('results.csv', () => {
  it('matches pandas to_csv on the analysis fixture (reference produced with pandas)', () => {
    // Rows in reverse order: the writer must sort by timestamp itself.
    const rows = [...suiteRows].reverse().map((r) => {
      const { result, config } = filesFor(r);
      return pythonAnalysisRow(result, config);
    });
    expect(resultsCsvText(rows)).toBe(PANDAS_RESULTS_CSV_SUITE);
  });

  it('orders columns as the union of keys in first-seen order and formats like pandas', () => {
    const rows: ResultsRow[] = [
      pythonAnalysisRow(
        { experiment_name: 'b', config_hash: 'h2', success: true, metrics: { eval_f1: f(70), epoch: f(3), eval_samples: 20 }, error: null, duration_seconds: f(12.5), timestamp: '2024-01-02T00:00:00' },
        { training: { seed: 43, num_train_epochs: f(3), learning_rate: f(1e-5), max_train_samples: 10000, max_eval_samples: null, label_smoothing: { enabled: true } } },
      ),
      pythonAnalysisRow(
        { experiment_name: 'a, "quoted"', config_hash: 'h1', success: false, metrics: { dry_run: true }, error: 'line1\nline2', timestamp: null },
        null,
      ),
      pythonAnalysisRow(
        { experiment_name: 'c', config_hash: 'h3', success: true, metrics: { eval_f1: f(1e16), eval_exact_match: f(0.33), epoch: f(NaN) }, error: null, duration_seconds: f(5e-5), timestamp: '2024-01-01T00:00:00' },
        { training: { seed: 42, num_train_epochs: f(2), learning_rate: f(5e-5), max_train_samples: 10000, max_eval_samples: 2000 } },
      ),
    ];
    expect(resultsColumns(rows)).toEqual([
      'experiment_name',
      'config_hash',
      'success',
      'duration_seconds',
      'timestamp',
      'error',
      'eval_f1',
      'epoch',
      'eval_samples',
      'seed',
      'num_train_epochs',
      'learning_rate',
      'max_train_samples',
      'max_eval_samples',
      'cartography_filter',
      'cluster_filter',
      'label_smoothing',
      'soft_weighting',
      'dry_run',
      'eval_exact_match',
    ]);
    // Sorted by timestamp (c, b), missing timestamp last (a). Ints with a missing value become
    // floats (seed 42.0, eval_samples 20.0), bools with a missing value stay True/False.
    expect(resultsCsvText(rows)).toBe(
      [
        'experiment_name,config_hash,success,duration_seconds,timestamp,error,eval_f1,epoch,eval_samples,seed,num_train_epochs,learning_rate,max_train_samples,max_eval_samples,cartography_filter,cluster_filter,label_smoothing,soft_weighting,dry_run,eval_exact_match',
        'c,h3,True,5e-05,2024-01-01T00:00:00,,1e+16,,,42.0,2.0,5e-05,10000.0,2000.0,False,False,False,False,,0.33',
        'b,h2,True,12.5,2024-01-02T00:00:00,,70.0,3.0,20.0,43.0,3.0,1e-05,10000.0,,False,False,True,False,,',
        '"a, ""quoted""",h1,False,,,"line1\nline2",,,,,,,,,False,False,False,False,True,',
        '',
      ].join('\n'),
    );
  });

  it('writes nothing for no rows (Python writes no file)', () => {
    expect(resultsCsvText([])).toBe('');
  });

  it('builds rows from our records and bridges to the analysis row', () => {
    const config = createCartographyFilterConfig({ name: 'cartography_filter', seed: 42, max_train_samples: 100 });
    const r = makeExperimentResult({
      experiment_name: config.name,
      config_hash: 'b398602c',
      success: true,
      metrics: { eval_exact_match: 50, eval_f1: 62.5 },
      start_time: 10,
      end_time: 20,
      utcOffsetMinutes: 0,
      provenance: { backend: 'cpu' },
    });
    const row = resultsRowFromRecord(r, config);
    expect(row.get('eval_exact_match')).toEqual(f(50));
    expect(row.has('backend')).toBe(false);
    expect(toAnalysisRow(row)).toEqual({
      experiment_name: 'cartography_filter',
      config_hash: 'b398602c',
      success: true,
      duration_seconds: 10,
      timestamp: '1970-01-01T00:00:10',
      error: null,
      eval_exact_match: 50,
      eval_f1: 62.5,
      seed: 42,
      num_train_epochs: 3,
      learning_rate: 5e-5,
      max_train_samples: 100,
      max_eval_samples: null,
      cartography_filter: true,
      cluster_filter: false,
      label_smoothing: false,
      soft_weighting: false,
    });
    const two = [row, resultsRowFromRecord({ ...r, timestamp: '1970-01-01T00:00:05', experiment_name: 'x' }, createLabelSmoothingConfig())];
    expect(resultsCsvText(two).split('\n')[1].startsWith('x,')).toBe(true);
    expect(resultsCsvText([resultsRowFromRecord(r, createBaselineConfig())]).split('\n')[1]).toBe(
      'cartography_filter,b398602c,True,10.0,1970-01-01T00:00:10,,50.0,62.5,42,3.0,5e-05,,,False,False,False,False',
    );
  });

  it('rejects what makes Python skip the experiment', () => {
    expect(() => pythonAnalysisRow(parsePythonJson('{"experiment_name": "a", "metrics": null}'), null, 'a/results.json')).toThrowError(
      'a/results.json: metrics: expected an object, got None',
    );
    expect(() => pythonAnalysisRow([], null, 'a/results.json')).toThrowError(/expected a JSON object/);
  });
});
