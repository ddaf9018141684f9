import { describe, expect, it } from 'vitest';
import {
  buildExperimentFolder,
  formatFolderProblems,
  readExperimentFolder,
  readExperimentZip,
  unzipFolder,
  zipFolder,
  type FolderEntry,
  type FolderExperiment,
} from '../../src/domain/experiments/folder';
import { makeDryRunResult, makeExperimentResult, mergeAllResults, parseAllResultsJson } from '../../src/domain/experiments/result';
import { buildSuite } from '../../src/domain/config/suites';
import { configHash, experimentDirName } from '../../src/domain/config/serialize';
import { createBaselineConfig } from '../../src/domain/config/factories';

const text = (e: FolderEntry | undefined) => new TextDecoder().decode(e?.bytes);
const enc = (s: string) => new TextEncoder().encode(s);

function suiteExperiments(): FolderExperiment[] {
  const [baseline, cart] = buildSuite('minimal', { max_train_samples: 20, max_eval_samples: 10 });
  const ok = makeExperimentResult({
    experiment_name: baseline.name,
    config_hash: configHash(baseline),
    success: true,
    metrics: { eval_exact_match: 50, eval_f1: 62.5 },
    start_time: 1732540000.25,
    end_time: 1732540060.5,
    utcOffsetMinutes: 0,
    provenance: { app_version: '0.1.0', git_commit: 'abc1234', backend: 'cpu', adapter: 'node' },
  });
  const failed = makeExperimentResult({
    experiment_name: cart.name,
    config_hash: configHash(cart),
    success: false,
    error: 'cartography metrics ./cartography_output do not cover 3 of 20 training rows',
    start_time: 1732540100,
    end_time: 1732540101.5,
    utcOffsetMinutes: 0,
  });
  return [
    {
      config: baseline,
      result: ok,
      app: { data_source: 'demo', model_source: 'demo' },
      trainer_output: {
        eval_predictions: [{ context: 'Ça va', question: 'q?', answers: { text: ['va'], answer_start: [3] }, id: 'i1', predicted_answer: 'va' }],
        model_config: { model_type: 'electra', hidden_size: 64, layer_norm_eps: 1e-12, architectures: ['ElectraForQuestionAnswering'] },
        model_safetensors: new Uint8Array([1, 2, 3, 4]),
      },
    },
    { config: cart, result: failed },
  ];
}

describe('experiment folder', () => {
  it('has the guide\'s layout with Python-formatted files', () => {
    // baseline with 20/10 rows hashes to f3ec64e5 under Python's rules (dataclasses + json.dumps).
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const entries = buildExperimentFolder(suiteExperiments(), { root: 'experiments', now: '2024-11-25T14:00:00.000001', plot_png: png });
    const paths = entries.map((e) => e.path);
    expect(paths).toEqual([
      'experiments/all_results.json',
      'experiments/results.csv',
      'experiments/experiment_results.png',
      'experiments/baseline_f3ec64e5/config.json',
      'experiments/baseline_f3ec64e5/results.json',
      'experiments/baseline_f3ec64e5/app.json',
      'experiments/baseline_f3ec64e5/trainer_output/eval_metrics.json',
      'experiments/baseline_f3ec64e5/trainer_output/eval_predictions.jsonl',
      'experiments/baseline_f3ec64e5/trainer_output/config.json',
      'experiments/baseline_f3ec64e5/trainer_output/model.safetensors',
      `experiments/${experimentDirName(suiteExperiments()[1].config)}/config.json`,
      `experiments/${experimentDirName(suiteExperiments()[1].config)}/results.json`,
    ]);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(text(byPath.get('experiments/baseline_f3ec64e5/trainer_output/eval_metrics.json'))).toBe('{"eval_exact_match": 50.0, "eval_f1": 62.5}');
    expect(text(byPath.get('experiments/baseline_f3ec64e5/trainer_output/eval_predictions.jsonl'))).toBe(
      '{"context": "\\u00c7a va", "question": "q?", "answers": {"text": ["va"], "answer_start": [3]}, "id": "i1", "predicted_answer": "va"}\n',
    );
    expect(text(byPath.get('experiments/baseline_f3ec64e5/trainer_output/config.json'))).toBe(
      '{\n  "architectures": [\n    "ElectraForQuestionAnswering"\n  ],\n  "hidden_size": 64,\n  "layer_norm_eps": 1e-12,\n  "model_type": "electra"\n}\n',
    );
    expect(text(byPath.get('experiments/baseline_f3ec64e5/config.json'))).toContain('"config_hash": "f3ec64e5"\n}');
    expect(text(byPath.get('experiments/results.csv')).split('\n')[0]).toBe(
      'experiment_name,config_hash,success,duration_seconds,timestamp,error,eval_exact_match,eval_f1,seed,num_train_epochs,learning_rate,max_train_samples,max_eval_samples,cartography_filter,cluster_filter,label_smoothing,soft_weighting',
    );
    expect(byPath.get('experiments/experiment_results.png')?.bytes).toEqual(png);
  });

  it('round-trips through a zip: export → import gives the same results, configs and files', () => {
    const experiments = suiteExperiments();
    const all = mergeAllResults(null, experiments.map((e) => e.result!), '2024-11-25T14:00:00');
    const entries = buildExperimentFolder(experiments, { root: 'experiments', all_results: all });
    const zip = zipFolder(entries, { mtime: new Date('2024-11-25T14:00:00Z') });
    expect(zipFolder(entries, { mtime: new Date('2024-11-25T14:00:00Z') })).toEqual(zip);
    const back = readExperimentZip(zip, 'export.zip');
    expect(back.problems).toEqual([]);
    expect(back.root).toBe('experiments');
    expect(back.all_results).toEqual(all);
    expect(back.experiments.map((e) => e.result)).toEqual(experiments.map((e) => e.result));
    expect(back.experiments.map((e) => e.config)).toEqual(experiments.map((e) => e.config));
    expect(back.experiments[0].app).toEqual({ data_source: 'demo', model_source: 'demo' });
    expect(back.experiments[0].trainer_output['model.safetensors']).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(Object.keys(back.experiments[0].trainer_output).sort()).toEqual(['config.json', 'eval_metrics.json', 'eval_predictions.jsonl', 'model.safetensors']);
    expect(back.experiments.every((e) => e.warnings.length === 0)).toBe(true);
    // The same bytes come out when the imported records are exported again.
    const again = buildExperimentFolder(
      back.experiments.map((e) => ({ config: e.config!, result: e.result, app: e.app ?? undefined })),
      { root: 'experiments', all_results: back.all_results! },
    );
    const firstText = new Map(entries.filter((e) => !e.path.includes('trainer_output')).map((e) => [e.path, text(e)]));
    for (const e of again.filter((x) => !x.path.includes('trainer_output'))) expect(text(e)).toBe(firstText.get(e.path));
  });

  it('writes config.json but no results.json for dry runs, and keeps the latest run of a repeated folder', () => {
    const config = createBaselineConfig();
    const early = makeExperimentResult({ experiment_name: 'baseline', config_hash: configHash(config), success: false, error: 'x', start_time: 10, end_time: 11, utcOffsetMinutes: 0 });
    const late = { ...early, success: true, error: null, timestamp: '1970-01-01T00:00:20', start_time: 20, end_time: 21 };
    const entries = buildExperimentFolder(
      [
        { config, result: late },
        { config, result: early },
        { config: createBaselineConfig({ name: 'dry' }), result: makeDryRunResult(createBaselineConfig({ name: 'dry' })) },
      ],
      { now: 'now' },
    );
    const paths = entries.map((e) => e.path);
    expect(paths.filter((p) => p.endsWith('results.json'))).toEqual(['all_results.json', `${experimentDirName(config)}/results.json`]);
    expect(paths).toContain(`${experimentDirName(createBaselineConfig({ name: 'dry' }))}/config.json`);
    const read = readExperimentFolder(entries);
    expect(read.experiments).toHaveLength(1);
    expect(read.experiments[0].result.success).toBe(true);
    expect(parseAllResultsJson(text(entries[0])).results).toHaveLength(3);
  });
});

// A Python experiments folder: the committed dry_run_test config (old schema) and two results.
const PY_CONFIG_OLD = `{
  "name": "dry_run_test",
  "description": "Baseline training without any filtering or special strategies",
  "training": {"max_train_samples": 10, "evaluation_strategy": "steps", "load_best_model_at_end": true},
  "output_dir": "./experiments"
}`;

describe('reading a Python experiments folder', () => {
  it('discovers immediate subfolders with results.json and reports problems by file and field', () => {
    const files: FolderEntry[] = [
      { path: 'runs/experiments/dry_run_test_bbb4a5dc/config.json', bytes: enc(PY_CONFIG_OLD) },
      {
        path: 'runs/experiments/dry_run_test_bbb4a5dc/results.json',
        bytes: enc('{"experiment_name": "dry_run_test", "config_hash": "bbb4a5dc", "success": true, "metrics": {"eval_exact_match": 90.0, "eval_f1": 92.5}, "error": null, "start_time": 1.5, "end_time": 3.0, "duration_seconds": 1.5, "timestamp": "1970-01-01T00:00:01.500000"}'),
      },
      { path: 'runs/experiments/broken_12345678/results.json', bytes: enc('{"experiment_name": "broken", "config_hash": "12345678", "success": "maybe"}') },
      { path: 'runs/experiments/badjson_87654321/results.json', bytes: enc('{"experiment_name": ') },
      { path: 'runs/experiments/no_results_00000000/config.json', bytes: enc('{}') },
      { path: 'runs/experiments/dry_run_test_bbb4a5dc/trainer_output/checkpoint-500/results.json', bytes: enc('{}') },
      { path: 'runs/experiments/dry_run_test_bbb4a5dc/trainer_output/eval_metrics.json', bytes: enc('{"eval_exact_match": 90.0, "eval_f1": 92.5}') },
    ];
    const read = readExperimentFolder(files);
    expect(read.root).toBe('runs/experiments');
    expect(read.experiments.map((e) => e.dir)).toEqual(['dry_run_test_bbb4a5dc']);
    const exp = read.experiments[0];
    expect(exp.config?.training.eval_strategy).toBe('steps');
    expect(exp.config_import?.migrations[0]).toMatch(/evaluation_strategy/);
    expect(exp.result.metrics).toEqual({ eval_exact_match: 90, eval_f1: 92.5 });
    expect(read.rows).toHaveLength(1);
    expect(exp.row.get('max_train_samples')).toBe(10);
    expect(formatFolderProblems(read.problems)).toEqual([
      'runs/experiments/badjson_87654321/results.json: invalid JSON at line 1 column 21: unexpected end of input (experiment skipped)',
      'runs/experiments/broken_12345678/results.json: success: expected true or false, got the string "maybe" (experiment skipped)',
    ]);
    expect(Object.keys(exp.trainer_output).sort()).toEqual(['checkpoint-500/results.json', 'eval_metrics.json']);
  });

  it('reads a folder that holds only all_results.json (e.g. a dry-run invocation)', () => {
    const all = mergeAllResults(null, [makeDryRunResult(createBaselineConfig())], '2024-01-01T00:00:00');
    const entries = buildExperimentFolder([{ config: createBaselineConfig(), result: all.results[0] }], { root: 'out', all_results: all });
    const read = readExperimentFolder(entries);
    expect(read.root).toBe('out');
    expect(read.experiments).toEqual([]);
    expect(read.all_results).toEqual(all);
  });

  it('explains a bare results.json and a broken archive', () => {
    const read = readExperimentFolder([{ path: 'results.json', bytes: enc('{}') }]);
    expect(read.experiments).toEqual([]);
    expect(read.problems[0].message).toMatch(/must sit in its own folder/);
    expect(() => unzipFolder(new Uint8Array([1, 2, 3]), 'x.zip')).toThrowError(/x\.zip: not a readable zip archive/);
  });
});
