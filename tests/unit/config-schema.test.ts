import { describe, expect, it } from 'vitest';
import { ConfigValidationError, parseAppSettings, parseExperimentConfig } from '../../src/domain/config/schema';
import { importPythonConfig, importAppSettings, exportAppSettingsJson } from '../../src/domain/config/import';
import { configHash, configJsonText } from '../../src/domain/config/serialize';
import { defaultTrainingConfig, makeTrainingConfig } from '../../src/domain/config/defaults';
import { createBaselineConfig } from '../../src/domain/config/factories';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.issues.map((i) => `${i.file}: ${i.path}: ${i.message}`);
    throw e;
  }
  throw new Error('expected a ConfigValidationError');
}

// experiments/dry_run_test_bbb4a5dc/config.json as committed in the Python repository (old schema:
// evaluation_strategy, load_best_model_at_end true, no validation_* paths).
const OLD_SCHEMA_CONFIG = `{
  "name": "dry_run_test",
  "description": "Baseline training without any filtering or special strategies",
  "training": {
    "model": "google/electra-small-discriminator",
    "dataset": "Eladio/emrqa-msquad",
    "max_length": 512,
    "max_train_samples": 10,
    "max_eval_samples": null,
    "per_device_train_batch_size": 8,
    "per_device_eval_batch_size": 8,
    "num_train_epochs": 3.0,
    "learning_rate": 5e-05,
    "weight_decay": 0.0,
    "warmup_steps": 0,
    "seed": 42,
    "eval_steps": 500,
    "save_steps": 500,
    "logging_steps": 100,
    "evaluation_strategy": "steps",
    "save_strategy": "steps",
    "save_total_limit": 2,
    "load_best_model_at_end": true,
    "metric_for_best_model": "eval_f1",
    "ablations": "none",
    "cartography_filter": {
      "enabled": false,
      "cartography_output_dir": "./cartography_output",
      "top_fraction": 0.33,
      "apply_rule_based_filter": false
    },
    "cluster_filter": {
      "enabled": false,
      "cluster_assignments_path": null,
      "exclude_clusters": [
        -1
      ],
      "min_cluster_probability": null
    },
    "label_smoothing": {
      "enabled": false,
      "cartography_output_dir": "./cartography_output",
      "smoothing_factor": 0.6
    },
    "soft_weighting": {
      "enabled": false,
      "cartography_output_dir": "./cartography_output",
      "weight_clip_min": 0.1,
      "weight_clip_max": 10.0
    },
    "enable_cartography": false,
    "cartography_output_dir": "./cartography_output",
    "filter_validation_set": false
  },
  "output_dir": "./experiments",
  "config_hash": "bbb4a5dc"
}`;

describe('schema: defaults', () => {
  it('fills every missing field with the Python default', () => {
    const c = parseExperimentConfig({ name: 'x', description: '' });
    expect(c.training).toEqual(defaultTrainingConfig());
    expect(c.output_dir).toBe('./experiments');
    const partial = parseExperimentConfig({ name: 'x', description: '', training: { seed: 7, cluster_filter: { enabled: true } } });
    expect(partial.training.seed).toBe(7);
    expect(partial.training.cluster_filter).toEqual({ enabled: true, cluster_assignments_path: null, exclude_clusters: [-1], min_cluster_probability: null });
    expect(partial.training.label_smoothing.smoothing_factor).toBe(0.6);
  });

  it('makeTrainingConfig merges sub-configs field by field', () => {
    const t = makeTrainingConfig({ label_smoothing: { enabled: true } });
    expect(t.label_smoothing).toEqual({ enabled: true, cartography_output_dir: './cartography_output', smoothing_factor: 0.6 });
  });
});

describe('schema: errors name the file and the field', () => {
  it('wrong types', () => {
    expect(issuesOf(() => parseExperimentConfig({ name: 'x', description: '', training: { seed: '42' } }, 'runs/a/config.json'))).toEqual([
      'runs/a/config.json: training.seed: expected a number, got the string "42"',
    ]);
    expect(issuesOf(() => parseExperimentConfig({ name: 'x', description: '', training: { cluster_filter: { exclude_clusters: [-1, 'a'] } } }))).toEqual([
      'config.json: training.cluster_filter.exclude_clusters[1]: expected a number, got the string "a"',
    ]);
  });

  it('missing required fields and unknown fields', () => {
    expect(issuesOf(() => parseExperimentConfig({ description: 'd' }, 'c.json'))).toEqual(['c.json: name: is required (expected a string)']);
    const unknown = issuesOf(() => parseExperimentConfig({ name: 'x', description: '', training: { label_smoothing: { factor: 1 } } }));
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatch(/^config\.json: training\.label_smoothing\.factor: unknown field/);
  });

  it('ranges and enums', () => {
    const issues = issuesOf(() =>
      parseExperimentConfig({
        name: 'a/b',
        description: '',
        training: {
          top_fraction: 1,
          eval_strategy: 'sometimes',
          max_train_samples: 0,
          per_device_train_batch_size: 2.5,
          cartography_filter: { top_fraction: 1.5 },
          soft_weighting: { weight_clip_min: 2, weight_clip_max: 1 },
        },
      }),
    );
    expect(issues).toContain('config.json: name: is used as a folder name: no "/", "\\" or control characters');
    expect(issues).toContain('config.json: training.top_fraction: unknown field (the Python dataclass has no such field and would refuse it)');
    expect(issues).toContain('config.json: training.eval_strategy: expected one of "no", "steps", "epoch", got the string "sometimes"');
    expect(issues).toContain('config.json: training.max_train_samples: must be at least 1 (null means all rows), got number 0');
    expect(issues).toContain('config.json: training.per_device_train_batch_size: expected a whole number, got number 2.5');
    expect(issues).toContain('config.json: training.cartography_filter.top_fraction: must be a fraction in (0, 1], got number 1.5');
    expect(issues).toContain('config.json: training.soft_weighting.weight_clip_max: must be >= weight_clip_min (2), got 1');
  });

  it('validates app settings separately', () => {
    expect(parseAppSettings({ data_source: 'demo', artifact_bindings: { 'cartography:train:cartography_output': 'a1' } })).toEqual({
      data_source: 'demo',
      artifact_bindings: { 'cartography:train:cartography_output': 'a1' },
    });
    expect(issuesOf(() => parseAppSettings({ train_split: '' }))).toEqual(['app.json: train_split: must be a non-empty split name, got the string ""']);
    const app = { data_source: 'file:train.jsonl', model_source: 'demo', train_split: 'validation' };
    expect(importAppSettings(exportAppSettingsJson(app))).toEqual(app);
  });
});

describe('import of Python config.json', () => {
  it('migrates the old schema and checks its stored hash against the file as written', () => {
    const imp = importPythonConfig(OLD_SCHEMA_CONFIG, 'dry_run_test_bbb4a5dc/config.json');
    expect(imp.stored_hash).toBe('bbb4a5dc');
    expect(imp.file_hash).toBe('bbb4a5dc');
    expect(imp.stored_hash_matches_file).toBe(true);
    expect(imp.config.training.eval_strategy).toBe('steps');
    expect(imp.config.training.load_best_model_at_end).toBe(true);
    expect(imp.config.training.validation_cartography_output_dir).toBe('./cartography_output_validation');
    expect(imp.migrations[0]).toMatch(/evaluation_strategy to training\.eval_strategy/);
    expect(imp.migrations[1]).toMatch(/training\.validation_cartography_output_dir, training\.validation_cluster_assignments_path/);
    // Expected from Python: the same dict with eval_strategy and the validation_* defaults, hashed.
    expect(imp.config_hash).toBe('eda33edd');
    expect(imp.warnings[0]).toMatch(/bbb4a5dc is what Python computed for the file as written; under the current schema this config hashes to eda33edd/);
  });

  it('detects a file edited after it was saved', () => {
    const edited = OLD_SCHEMA_CONFIG.replace('"max_train_samples": 10,', '"max_train_samples": 11,');
    const imp = importPythonConfig(edited);
    expect(imp.stored_hash_matches_file).toBe(false);
    expect(imp.warnings[0]).toMatch(/does not match the file's content/);
  });

  it('warns when a float field is written as an int', () => {
    const c = createBaselineConfig();
    const text = configJsonText(c).replace('"num_train_epochs": 3.0', '"num_train_epochs": 3');
    const imp = importPythonConfig(text);
    expect(imp.config.training.num_train_epochs).toBe(3);
    expect(imp.warnings.some((w) => w.startsWith('training.num_train_epochs is written as the int 3'))).toBe(true);
  });

  it('round-trips the app export', () => {
    const c = createBaselineConfig({ name: 'n', seed: 3, training: { per_device_train_batch_size: 4 } });
    const imp = importPythonConfig(configJsonText(c));
    expect(imp.config).toEqual(c);
    expect(imp.config_hash).toBe(configHash(c));
    expect(imp.migrations).toEqual([]);
  });

  it('reports syntax errors and conflicts with the file name', () => {
    expect(issuesOf(() => importPythonConfig('{"name": }', 'bad.json'))[0]).toMatch(/^bad\.json: : invalid JSON at line 1 column 10/);
    expect(issuesOf(() => importPythonConfig({ name: 'x', description: '', training: { evaluation_strategy: 'epoch', eval_strategy: 'steps' } }, 'c.json'))[0]).toMatch(
      /^c\.json: training\.evaluation_strategy: conflicts with training\.eval_strategy/,
    );
    expect(issuesOf(() => importPythonConfig('[1]', 'c.json'))[0]).toMatch(/expected a JSON object/);
    expect(issuesOf(() => importPythonConfig({ name: 'x', description: '', config_hash: 'zz' }, 'c.json'))[0]).toBe(
      'c.json: config_hash: expected 8 lowercase hex characters, got "zz"',
    );
  });
});
