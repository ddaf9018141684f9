import { describe, expect, it } from 'vitest';
import { RESULTS_CSV_COLUMNS, GROUPED_TABLE_COLUMNS, COMPARISON_TABLE_COLUMNS, parseCsv } from '../../src/domain/experiments/analysis';
import { readExperimentZip, unzipFolder, zipFolder } from '../../src/domain/experiments/folder';
import type { StoredRun } from '../../src/storage/results';
import { analyzeEntries, entriesFromStored, tableColumns } from '../../src/ui/state/results-rows';
import { experimentFigure, experimentFolderEntries, resultPlots, resultsBundleEntries, resultTables, summaryText } from '../../src/ui/state/results-export';
import { craftedRuns } from '../helpers/results-suite';

const dec = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

function entries() {
  const stored: StoredRun[] = craftedRuns().map((r, i) => ({
    run: { id: `run${i}`, experimentId: `exp${i}`, suiteId: 'sample@1', result: r.result as unknown as Record<string, unknown>, createdAt: '' },
    experiment: { id: `exp${i}`, name: r.config.name, configHash: r.result.config_hash, config: { config: r.config, app: { data_source: 'demo', model_source: 'demo' } }, suiteId: 'sample@1', createdAt: '' },
  }));
  return entriesFromStored(stored).entries;
}

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('results exports', () => {
  const all = entries();
  const analysis = analyzeEntries(all, 'name', '').analysis!;
  const rows = all.map((e) => e.analysis);

  it('draws the configuration plots, the four Python plots, and the curves only when a history exists', () => {
    const plain = resultPlots(rows, analysis);
    expect(plain.map((p) => p.file)).toEqual(['configurations_f1', 'configurations_exact_match', 'f1_over_experiments', 'f1_vs_exact_match', 'strategy_comparison', 'training_efficiency']);
    for (const p of plain) expect(p.svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
    expect(new Set(plain.map((p) => p.id)).size).toBe(plain.length);
    expect(resultPlots(rows, analysis, [{ name: 'a', history: [] }]).map((p) => p.file)).not.toContain('training_curves');
    const withCurves = resultPlots(rows, analysis, [{ name: 'baseline_seed42', history: [{ step: 1, loss: 2 }, { step: 2, loss: 1.5, eval_f1: 40 }] }]);
    expect(withCurves.at(-1)!.file).toBe('training_curves');
    expect(withCurves.at(-1)!.svg).toContain('baseline_seed42');
    expect(experimentFigure(rows).svg).toContain('Experiment Results Analysis');
  });

  it('builds the Python experiment folder of the chosen runs, with results.csv columns in the Python order', () => {
    const { entries: files, leftOut } = experimentFolderEntries({ entries: all, now: '2026-11-25T12:00:00', plotPng: PNG });
    expect(leftOut).toEqual([]);
    const paths = files.map((f) => f.path);
    expect(paths.slice(0, 3)).toEqual(['experiments/all_results.json', 'experiments/results.csv', 'experiments/experiment_results.png']);
    const dirs = [...new Set(paths.slice(3).map((p) => p.split('/')[1]))];
    expect(dirs).toHaveLength(10);
    expect(dirs).toContain(`baseline_seed42_${all[0].result.config_hash}`);
    const base = `experiments/baseline_seed42_${all[0].result.config_hash}`;
    expect(paths.filter((p) => p.startsWith(`${base}/`)).sort()).toEqual([`${base}/app.json`, `${base}/config.json`, `${base}/results.json`, `${base}/trainer_output/eval_metrics.json`]);

    const csv = dec(files.find((f) => f.path === 'experiments/results.csv')!.bytes);
    const lines = csv.split('\n');
    expect(lines[0]).toBe(RESULTS_CSV_COLUMNS.join(','));
    expect(lines[0]).toBe(
      'experiment_name,config_hash,success,duration_seconds,timestamp,error,eval_exact_match,eval_f1,seed,num_train_epochs,learning_rate,max_train_samples,max_eval_samples,cartography_filter,cluster_filter,label_smoothing,soft_weighting',
    );
    expect(lines[1]).toBe(`baseline_seed42,${all[0].result.config_hash},True,60.0,2025-11-24T16:00:00,,50.0,60.0,42,3.0,5e-05,200,50,False,False,False,False`);
    expect(lines).toHaveLength(12); // header, 10 runs, final newline

    // The zip reads back as the same runs.
    const back = readExperimentZip(zipFolder(files));
    expect(back.problems).toEqual([]);
    expect(back.experiments).toHaveLength(10);
    expect(back.all_results?.num_experiments).toBe(10);
  });

  it('exports one run, and leaves out a run without a valid config with a reason', () => {
    const one = experimentFolderEntries({ entries: [all[1]], now: '2026-11-25T12:00:00' });
    expect(one.entries.map((f) => f.path).filter((p) => p.endsWith('/results.json'))).toEqual([`experiments/label_smooth6_seed42_${all[1].result.config_hash}/results.json`]);
    const noConfig = { ...all[2], config: null };
    const mixed = experimentFolderEntries({ entries: [all[0], noConfig], now: '2026-11-25T12:00:00' });
    expect(mixed.leftOut).toEqual([`cartography_top33_seed42 (run2): no valid config.json, so it has no experiment folder`]);
    expect(experimentFolderEntries({ entries: [noConfig], now: 'x' }).entries).toEqual([]);
  });

  it('lays out "Download all": plots, tables, summary text and the experiments folder', () => {
    const plots = resultPlots(rows, analysis).map((p) => ({ file: p.file, svg: p.svg, png: PNG }));
    const tables = resultTables(all, tableColumns(all), analysis);
    const folder = experimentFolderEntries({ entries: all, now: '2026-11-25T12:00:00', plotPng: PNG }).entries;
    const bundle = resultsBundleEntries({ plots, tables, summary: summaryText(rows, analysis), folder, notes: ['one note'] });
    const zipped = unzipFolder(zipFolder(bundle));
    const paths = zipped.map((f) => f.path);
    expect(paths.slice(0, 12)).toEqual(
      ['configurations_f1', 'configurations_exact_match', 'f1_over_experiments', 'f1_vs_exact_match', 'strategy_comparison', 'training_efficiency'].flatMap((f) => [`plots/${f}.svg`, `plots/${f}.png`]),
    );
    expect(paths.slice(12, 17)).toEqual(['tables/runs.csv', 'tables/summary.csv', 'tables/comparison.csv', 'summary.txt', 'NOTES.txt']);
    expect(paths).toContain('experiments/results.csv');
    expect(paths).toContain('experiments/experiment_results.png');
    const get = (p: string) => dec(zipped.find((f) => f.path === p)!.bytes);
    expect(parseCsv(get('tables/runs.csv'), 'runs.csv')[0]).toEqual([...RESULTS_CSV_COLUMNS, 'backend', 'adapter', 'app_version', 'git_commit', 'source']);
    expect(parseCsv(get('tables/summary.csv'), 'summary.csv')[0]).toEqual([...GROUPED_TABLE_COLUMNS]);
    expect(parseCsv(get('tables/comparison.csv'), 'comparison.csv')[0]).toEqual([...COMPARISON_TABLE_COLUMNS]);
    const text = get('summary.txt');
    expect(text).toContain('EXPERIMENT RESULTS SUMMARY');
    expect(text).toContain('BY CONFIGURATION (seed left out)');
    expect(text).toMatch(/- label_smooth6 differs from the baseline by \+3\.03 F1/);
    // Without PNGs (rasterising failed) the SVGs are still there, and no NOTES.txt without notes.
    const bare = resultsBundleEntries({ plots: [{ file: 'x', svg: '<svg/>' }], tables, summary: '', folder: [] }).map((f) => f.path);
    expect(bare).toEqual(['plots/x.svg', 'tables/runs.csv', 'tables/summary.csv', 'tables/comparison.csv', 'summary.txt']);
  });
});
