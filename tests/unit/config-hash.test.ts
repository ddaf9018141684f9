import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  canonicalConfigJson,
  configHash,
  configJsonText,
  configToPyDict,
  experimentDirName,
  experimentOutputPath,
  trainerOutputPath,
} from '../../src/domain/config/serialize';
import { parseExperimentConfig } from '../../src/domain/config/schema';
import { importPythonConfig } from '../../src/domain/config/import';
import {
  createBaselineConfig,
  createCartographyFilterConfig,
  createLabelSmoothingConfig,
} from '../../src/domain/config/factories';
import { toCliArgs } from '../../src/domain/config/cli-args';
import type { ExperimentConfig } from '../../src/domain/config/types';

// The shared reference lives beside the repository: <repo>/../shared/reference/config-hashes.json.
const VECTORS_PATH = fileURLToPath(new URL('../../../shared/reference/config-hashes.json', import.meta.url));

interface Vector {
  made_by: string;
  config: Record<string, unknown>;
  canonical_json: string;
  config_hash: string;
}

function loadVectors(): Vector[] {
  if (!existsSync(VECTORS_PATH)) {
    throw new Error(`config hash vectors not found at ${VECTORS_PATH} (expected ../shared/reference/config-hashes.json beside the repository)`);
  }
  const doc = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as { cases?: Vector[] };
  if (!Array.isArray(doc.cases) || doc.cases.length === 0) throw new Error(`${VECTORS_PATH}: no "cases" array`);
  return doc.cases;
}

function keyTree(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, keyTree(x)]);
}

function pyKeyTree(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v.constructor !== Object) return null;
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, pyKeyTree(x)]);
}

describe('config hash vectors (../shared/reference/config-hashes.json)', () => {
  it('the vectors file exists and has cases', () => {
    expect(loadVectors().length).toBeGreaterThan(0);
  });

  // Build the test list eagerly when the file exists; a missing file fails the test above.
  const vectors = existsSync(VECTORS_PATH) ? loadVectors() : [];

  it.each(vectors.map((v) => [v.made_by, v] as const))('%s', (_label, vector) => {
    const config = parseExperimentConfig(vector.config, 'config-hashes.json');
    expect(canonicalConfigJson(config)).toBe(vector.canonical_json);
    expect(configHash(config)).toBe(vector.config_hash);
    // asdict order (config.json is written unsorted) equals the declared order of the vector.
    expect(pyKeyTree(configToPyDict(config))).toEqual(keyTree(vector.config));
    // config.json written by the app, re-imported, keeps the hash.
    const imported = importPythonConfig(configJsonText(config), 'config.json');
    expect(imported.config_hash).toBe(vector.config_hash);
    expect(imported.stored_hash_matches_file).toBe(true);
    expect(imported.warnings).toEqual([]);
  });

  it('the Python factories reproduce the vectors they were made by', () => {
    const byHash = new Map(vectors.map((v) => [v.config_hash, v]));
    const built: Array<[string, ExperimentConfig]> = [
      ['70bb89f8', createBaselineConfig({ name: 'baseline', seed: 42, max_train_samples: 10000, max_eval_samples: 2000 })],
      ['4ea7e299', createBaselineConfig({ name: 'baseline_seed42', seed: 42, max_train_samples: 10000, max_eval_samples: 2000 })],
      ['b398602c', createCartographyFilterConfig({ name: 'cartography_filter', seed: 42, max_train_samples: 10000, max_eval_samples: 2000 })],
      [
        '7a03fc5c',
        createLabelSmoothingConfig({
          name: 'label_smooth4_seed43',
          smoothing_factor: 0.4,
          seed: 43,
          max_train_samples: 5000,
          training: { learning_rate: 3e-5, num_train_epochs: 2 },
        }),
      ],
    ];
    for (const [hash, config] of built) {
      expect(configHash(config)).toBe(hash);
      const vector = byHash.get(hash);
      if (vector) expect(canonicalConfigJson(config)).toBe(vector.canonical_json);
    }
  });
});

describe('paths and CLI args', () => {
  const config = createCartographyFilterConfig({ name: 'cartography_filter', seed: 42, max_train_samples: 10000, max_eval_samples: 2000 });

  it('builds {output_dir}/{name}_{hash}/trainer_output', () => {
    expect(experimentDirName(config)).toBe('cartography_filter_b398602c');
    expect(experimentOutputPath(config)).toBe('./experiments/cartography_filter_b398602c');
    expect(trainerOutputPath(config)).toBe('./experiments/cartography_filter_b398602c/trainer_output');
  });

  it('reproduces to_cli_args() of the spec example', () => {
    expect(toCliArgs(config).join(' ')).toBe(
      '--do_train --do_eval --model google/electra-small-discriminator --dataset Eladio/emrqa-msquad --max_length 512 --max_train_samples 10000 --max_eval_samples 2000 --per_device_train_batch_size 8 --per_device_eval_batch_size 8 --num_train_epochs 3.0 --learning_rate 5e-05 --weight_decay 0.0 --warmup_steps 0 --seed 42 --eval_steps 500 --save_steps 500 --logging_steps 100 --eval_strategy steps --save_strategy steps --save_total_limit 2 --metric_for_best_model eval_f1 --output_dir ./experiments/cartography_filter_b398602c/trainer_output --ablations none --filter_cartography --cartography_output_dir ./cartography_output',
    );
  });
});

describe('config.json text', () => {
  it('is asdict + config_hash with indent 2 and Python floats', () => {
    const config = createBaselineConfig({ name: 'baseline', seed: 42, max_train_samples: 10000, max_eval_samples: 2000 });
    const text = configJsonText(config);
    expect(text.startsWith('{\n  "name": "baseline",\n  "description": "Baseline training without any filtering or special strategies",\n  "training": {\n    "model"')).toBe(true);
    expect(text).toContain('\n    "num_train_epochs": 3.0,\n    "learning_rate": 5e-05,\n    "weight_decay": 0.0,\n');
    expect(text).toContain('"exclude_clusters": [\n        -1\n      ],');
    expect(text).toContain('"weight_clip_max": 10.0\n');
    expect(text.endsWith('\n  "output_dir": "./experiments",\n  "config_hash": "70bb89f8"\n}')).toBe(true);
  });

  it('escapes non-ASCII names and descriptions before hashing', () => {
    const config = createBaselineConfig({ name: 'café' });
    expect(canonicalConfigJson(config)).toContain('"name": "caf\\u00e9"');
    // Expected: hashlib.md5(json.dumps(asdict(create_baseline_config(name="café")), sort_keys=True).encode()).hexdigest()[:8]
    expect(configHash(config)).toBe('b605cbb5');
  });
});
