import { describe, it, expect, beforeAll } from 'vitest';
import { initNodeBackend } from '../../src/cli/tf-node';
import { generateDemoDataset } from '../../src/domain/data/demo/generator';
import { createDemoModel, DEMO_TRAINING } from '../../src/domain/train/demo-model';
import { executeExperiment, ExperimentSetupError, smoothingMap, weightingMap, type LoadedArtifact } from '../../src/domain/experiments/execute';
import { createBaselineConfig, createCartographyFilterConfig, createClusterFilterConfig } from '../../src/domain/config/factories';
import { makeTrainingConfig } from '../../src/domain/config/defaults';
import type { ExperimentConfig } from '../../src/domain/config/types';
import type { CartographyMetricsRow } from '../../src/domain/cartography/types';

const data = generateDemoDataset();
const train = data.train.slice(0, 48);
const evalRows = data.validation.slice(0, 16);

/** The tiniest training that still runs the whole path: one epoch over a few batches. */
function tiny(config: ExperimentConfig): ExperimentConfig {
  config.training = makeTrainingConfig({ ...config.training, ...DEMO_TRAINING, num_train_epochs: 1, max_length: 128, per_device_train_batch_size: 16, max_train_samples: 48, max_eval_samples: 16, logging_steps: 1 });
  return config;
}

function metricsFor(ids: string[]): CartographyMetricsRow[] {
  // Half of the rows ambiguous (high variability), spread so the instability cut is well defined.
  return ids.map((id, i) => ({
    id,
    confidence: 0.2 + (i % 7) / 10,
    variability: i % 2 ? 0.3 + (i % 5) / 100 : 0.05,
    correctness: 0.5,
    num_epochs: 3,
    start_confidence: 0.5,
    end_confidence: 0.5,
  }));
}

async function run(config: ExperimentConfig, artifacts: Record<string, LoadedArtifact | null> = {}) {
  const demo = createDemoModel({ seed: config.training.seed });
  try {
    return await executeExperiment({
      spec: { config, app: {} },
      trainRows: data.train,
      evalRows: data.validation,
      model: demo.model,
      tokenizer: demo.tokenizer,
      resolveArtifact: async (req) => artifacts[req.kind] ?? null,
      provenance: { backend: 'wasm', app_version: 'test' },
    });
  } finally {
    demo.model.dispose();
  }
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('experiment execution', () => {
  it('trains the baseline on the first N rows and returns a Python-shaped result', async () => {
    const out = await run(tiny(createBaselineConfig({ name: 'baseline' })));
    expect(out.result.success).toBe(true);
    expect(out.result.experiment_name).toBe('baseline');
    expect(out.result.config_hash).toMatch(/^[0-9a-f]{8}$/);
    expect(Object.keys(out.result.metrics).sort()).toEqual(['eval_exact_match', 'eval_f1']);
    expect(out.result.backend).toBe('wasm');
    expect(out.train.trainSamples).toBe(48);
    expect(out.train.predictions.map((p) => p.id)).toEqual(evalRows.map((r) => r.id));
    expect(out.messages).toContain('Original train size: 48');
  });

  it('applies the cartography filter with the configured top fraction, and fails clearly without metrics', async () => {
    const config = tiny(createCartographyFilterConfig({ name: 'cartography_filter', top_fraction: 0.5 } as never));
    await expect(run(config)).rejects.toBeInstanceOf(ExperimentSetupError);
    await expect(run(config)).rejects.toThrow(/cartography metrics.*\.\/cartography_output/s);

    const out = await run(config, { cartography: { kind: 'cartography', label: 'crafted', rows: metricsFor(train.map((r) => r.id)) } });
    const report = out.filters[0] as { filter: string; keptRows: number; removedRows: number };
    expect(report.filter).toBe('ambiguous');
    expect(report.removedRows).toBeGreaterThan(0);
    expect(out.train.trainSamples).toBe(report.keptRows);
    expect(out.messages.some((m) => m.startsWith('Filtered train size:'))).toBe(true);
  });

  it('drops rows without a cluster assignment and refuses an assignments file that covers nothing', async () => {
    const config = tiny(createClusterFilterConfig({ name: 'cluster_filter' } as never));
    const assigned = train.slice(0, 40).map((r, i) => ({ id: r.id, cluster: i % 10 === 0 ? -1 : i % 3, dim1: 0, dim2: 0, cluster_probability: 0.9 }));
    const out = await run(config, { clusters: { kind: 'clusters', label: 'crafted', rows: assigned } });
    // 40 assigned, 4 of them noise (excluded by default), 8 rows unassigned.
    expect(out.train.trainSamples).toBe(36);
    const foreign = [{ id: 'not-in-dataset', cluster: 0, dim1: 0, dim2: 0, cluster_probability: 1 }];
    await expect(run(config, { clusters: { kind: 'clusters', label: 'other dataset', rows: foreign } })).rejects.toThrow(/cover none/);
  });

  it('builds the strategy maps as the Python system does', () => {
    const m = metricsFor(['a', 'b']);
    m[1].variability = 0.9;
    expect([...smoothingMap(m, 0.6)]).toEqual([
      ['a', 0.6 * 0.05],
      ['b', 0.3],
    ]);
    expect([...weightingMap(m, 0.1, 1.5)]).toEqual([
      ['a', 1.05],
      ['b', 1.5],
    ]);
  });
});
