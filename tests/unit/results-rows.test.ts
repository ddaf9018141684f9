import { describe, expect, it } from 'vitest';
import { RESULTS_CSV_COLUMNS, parseCsv } from '../../src/domain/experiments/analysis';
import { makeDryRunResult } from '../../src/domain/experiments/result';
import type { StoredRun } from '../../src/storage/results';
import {
  cellValue,
  configFingerprint,
  emptyFilter,
  entriesFromStored,
  filterEntries,
  formatCell,
  runsTableCsv,
  sortEntries,
  sourcesOf,
  tableColumns,
  PROVENANCE_COLUMNS,
  analyzeEntries,
} from '../../src/ui/state/results-rows';
import { comparisonLines } from '../../src/ui/state/results-sentences';

import { craftedRuns, SMOOTH_DIFF } from '../helpers/results-suite';

function storedSuite(suiteId = 'sample@2026-11-25'): StoredRun[] {
  return craftedRuns().map((r, i) => ({
    run: { id: `q:${suiteId}/${i}#1`, experimentId: `${suiteId}/${i}`, suiteId, result: r.result as unknown as Record<string, unknown>, createdAt: `2026-11-25T10:00:${String(i).padStart(2, '0')}Z` },
    experiment: { id: `${suiteId}/${i}`, name: r.config.name, configHash: r.result.config_hash, config: { config: r.config, app: { data_source: 'demo' } }, suiteId, createdAt: '2026-11-25T10:00:00Z' },
  }));
}

describe('results entries from stored runs', () => {
  it('builds Python rows and analysis rows, in timestamp order, whatever the stored order', () => {
    const stored = storedSuite().reverse();
    const { entries, problems } = entriesFromStored(stored);
    expect(problems).toEqual([]);
    expect(entries).toHaveLength(10);
    expect(entries.map((e) => e.result.experiment_name).slice(0, 4)).toEqual(['baseline_seed42', 'label_smooth6_seed42', 'cartography_top33_seed42', 'baseline_seed43']);
    const smooth = entries[1].analysis;
    expect(smooth).toMatchObject({ experiment_name: 'label_smooth6_seed42', success: true, seed: 42, label_smoothing: true, cartography_filter: false, max_train_samples: 200, num_train_epochs: 3, learning_rate: 5e-5 });
    expect(smooth.eval_f1).toBeCloseTo(60 + SMOOTH_DIFF[0], 12);
    // Seeds of one configuration share the fingerprint; different strategies do not.
    const fp = (name: string) => entries.find((e) => e.result.experiment_name === name)!.analysis.config_fingerprint;
    expect(fp('baseline_seed42')).toBe(fp('baseline_seed44'));
    expect(fp('baseline_seed42')).not.toBe(fp('label_smooth6_seed42'));
    expect(fp('baseline_seed42')).toBe(`cfg:${configFingerprint(craftedRuns()[0].config)}`);
    const failed = entries.find((e) => !e.result.success)!;
    expect(failed.analysis.eval_f1).toBeNull();
    expect(failed.analysis.error).toMatch(/do not cover/);
  });

  it('reports unreadable records by run id, keeps runs with a bad config, leaves dry runs out', () => {
    const stored = storedSuite().slice(0, 2);
    const cfg = craftedRuns()[0].config;
    stored.push({
      run: { id: 'broken#1', experimentId: 'x', suiteId: 's', result: { experiment_name: 'x', success: 'yes' }, createdAt: '2026-01-01T00:00:00Z' },
      experiment: null,
    });
    stored.push({
      run: { id: 'badcfg#1', experimentId: 'b', suiteId: 's', result: stored[0].run.result, createdAt: '2026-01-01T00:00:00Z' },
      experiment: { id: 'b', name: 'baseline', configHash: 'x', config: { config: { ...cfg, training: { ...cfg.training, seed: 'one' } }, app: {} }, suiteId: 's', createdAt: '' },
    });
    stored.push({
      run: { id: 'dry#1', experimentId: 'd', suiteId: 's', result: makeDryRunResult(cfg) as unknown as Record<string, unknown>, createdAt: '' },
      experiment: null,
    });
    const { entries, problems } = entriesFromStored(stored);
    expect(entries.map((e) => e.runId)).toContain('badcfg#1');
    expect(entries.map((e) => e.runId)).not.toContain('dry#1');
    expect(entries.find((e) => e.runId === 'badcfg#1')!.analysis.seed).toBeNull();
    expect(problems.map((p) => p.runId)).toEqual(['broken#1', 'badcfg#1']);
    expect(problems[0].message).toMatch(/run broken#1: result field config_hash|run broken#1: result field success/);
    expect(problems[1].message).toMatch(/training\.seed/);
  });

  it('builds an import row from its config.json as written, even when the config does not validate', () => {
    const base = storedSuite().slice(0, 1)[0];
    const raw = JSON.stringify({ name: 'baseline_seed42', description: '', training: { seed: 7, num_train_epochs: 2.0, cartography_filter: { enabled: true }, unknown_field: 1 }, output_dir: './experiments' });
    const stored: StoredRun[] = [
      {
        run: { ...base.run, id: 'import:py/baseline_x#1', suiteId: 'import:py' },
        experiment: { ...base.experiment!, suiteId: 'import:py', config: { config: null, app: {}, import: { name: 'py', dir: 'baseline_x', configJson: raw, warnings: [] } } },
      },
    ];
    const { entries, problems } = entriesFromStored(stored);
    expect(problems).toEqual([]);
    expect(entries[0]).toMatchObject({ imported: true, source: 'import:py', config: null });
    expect(entries[0].analysis).toMatchObject({ seed: 7, num_train_epochs: 2, cartography_filter: true, max_train_samples: null });
    expect(entries[0].analysis.config_fingerprint).toBe('name:baseline');
  });
});

describe('results table', () => {
  const { entries } = entriesFromStored(storedSuite());

  it('has the Python results.csv columns first, in their order, then provenance and source', () => {
    expect(tableColumns(entries)).toEqual([...RESULTS_CSV_COLUMNS, ...PROVENANCE_COLUMNS, 'source']);
    expect(cellValue(entries[0], 'backend')).toBe('webgpu');
    expect(cellValue(entries[0], 'source')).toBe('sample@2026-11-25');
    expect(cellValue(entries[0], 'success')).toBe(true);
    expect(formatCell('eval_f1', 61.23456)).toBe('61.23');
    expect(formatCell('learning_rate', 5e-5)).toBe('0.00005');
    expect(formatCell('error', null)).toBe('—');
  });

  it('places extra metric keys where pandas would: a key first seen in a later row goes after every earlier column', () => {
    const stored = storedSuite().slice(0, 2);
    (stored[1].run.result.metrics as Record<string, unknown>).eval_samples = 50;
    const cols = tableColumns(entriesFromStored(stored).entries);
    expect(cols).toEqual([...RESULTS_CSV_COLUMNS, 'eval_samples', ...PROVENANCE_COLUMNS, 'source']);
    (stored[0].run.result.metrics as Record<string, unknown>).eval_samples = 50;
    expect(tableColumns(entriesFromStored(stored).entries).slice(5, 10)).toEqual(['error', 'eval_exact_match', 'eval_f1', 'eval_samples', 'seed']);
  });

  it('filters by name, outcome, strategy flags and source', () => {
    const f = emptyFilter();
    expect(filterEntries(entries, f)).toHaveLength(10);
    expect(filterEntries(entries, { ...f, text: 'SMOOTH' }).map((e) => e.result.experiment_name)).toEqual(['label_smooth6_seed42', 'label_smooth6_seed43', 'label_smooth6_seed44']);
    expect(filterEntries(entries, { ...f, success: 'failed' }).map((e) => e.result.experiment_name)).toEqual(['cluster_filter_seed42']);
    expect(filterEntries(entries, { ...f, success: 'success' })).toHaveLength(9);
    const noStrategy = filterEntries(entries, { ...f, strategies: { cartography_filter: 'off', cluster_filter: 'off', label_smoothing: 'off', soft_weighting: 'off' } });
    expect(noStrategy.map((e) => e.result.experiment_name)).toEqual(['baseline_seed42', 'baseline_seed43', 'baseline_seed44']);
    expect(filterEntries(entries, { ...f, strategies: { ...f.strategies, cartography_filter: 'on' } })).toHaveLength(3);
    expect(filterEntries(entries, { ...f, source: 'other' })).toHaveLength(0);
    expect(sourcesOf(entries)).toEqual(['sample@2026-11-25']);
    // by config hash too
    expect(filterEntries(entries, { ...f, text: entries[0].result.config_hash })).toHaveLength(1);
  });

  it('sorts numbers numerically, names naturally, and keeps missing values last both ways', () => {
    const byF1 = sortEntries(entries, { column: 'eval_f1', direction: 'desc' });
    const f1s = byF1.map((e) => e.analysis.eval_f1);
    expect(f1s.at(-1)).toBeNull();
    const present = f1s.slice(0, -1) as number[];
    expect(present).toEqual([...present].sort((a, b) => b - a));
    expect(sortEntries(entries, { column: 'eval_f1', direction: 'asc' }).at(-1)!.analysis.eval_f1).toBeNull();
    const byName = sortEntries(entries, { column: 'experiment_name', direction: 'asc' }).map((e) => e.result.experiment_name);
    expect(byName.slice(0, 4)).toEqual(['baseline_seed42', 'baseline_seed43', 'baseline_seed44', 'cartography_top33_seed42']);
    const bySuccess = sortEntries(entries, { column: 'success', direction: 'asc' });
    expect(bySuccess[0].result.success).toBe(false);
  });

  it('writes the runs CSV with the table columns in order', () => {
    const cols = tableColumns(entries);
    const csv = parseCsv(runsTableCsv(entries, cols), 'runs.csv');
    expect(csv[0]).toEqual(cols);
    expect(csv).toHaveLength(11);
    expect(csv[1][cols.indexOf('success')]).toBe('True');
    expect(csv[1][cols.indexOf('eval_f1')]).toBe('60');
    expect(csv[1][cols.indexOf('git_commit')]).toBe('abc1234');
  });
});

describe('comparison in words', () => {
  const { entries } = entriesFromStored(storedSuite());

  it('says which strategies differ from the baseline and by how much', () => {
    const { analysis, error } = analyzeEntries(entries, 'name', '');
    expect(error).toBeNull();
    const lines = comparisonLines(analysis!);
    const smooth = lines.find((l) => l.group === 'label_smooth6')!;
    const cart = lines.find((l) => l.group === 'cartography_top33')!;
    const cluster = lines.find((l) => l.group === 'cluster_filter')!;
    expect(smooth.differs).toBe(true);
    // mean of 3.0, 3.2, 2.9 = 3.0333…; paired over 3 seeds
    expect(smooth.text).toMatch(/^label_smooth6 differs from the baseline by \+3\.03 F1 \(95% CI \+2\.6\d to \+3\.4\d\); paired t-test over 3 seeds, p = 0\.000\d, p_Holm = 0\.00\d\d \*\*/);
    expect(cart.differs).toBe(false);
    expect(cart.text).toMatch(/^cartography_top33 shows no significant difference from the baseline: \+0\.07 F1/);
    expect(cluster.differs).toBeNull();
    expect(cluster.text).toBe('cluster_filter: no F1 comparison with the baseline: it has no successful run with an F1 score (1 of 1 failed).');
  });

  it('uses a chosen baseline, and falls back to the default when the choice is not a group', () => {
    const chosen = analyzeEntries(entries, 'name', 'cartography_top33').analysis!;
    expect(chosen.baseline).toBe('cartography_top33');
    expect(comparisonLines(chosen).map((l) => l.group)).toEqual(['baseline', 'label_smooth6', 'cluster_filter']);
    expect(analyzeEntries(entries, 'name', 'gone').analysis!.baseline).toBe('baseline');
    const byConfig = analyzeEntries(entries, 'fingerprint', '').analysis!;
    expect(byConfig.groups.map((g) => g.label)).toEqual(['baseline', 'label_smooth6', 'cartography_top33', 'cluster_filter']);
    expect(byConfig.baseline).toBe(byConfig.groups[0].key);
  });
});
