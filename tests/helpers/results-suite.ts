/**
 * A crafted demo suite for the Results tests: three seeds of a baseline and two strategies with
 * known differences (label smoothing ≈ +3 F1 on every seed, so the paired test finds it;
 * cartography ≈ 0, so it does not), plus one failed run. Shared by unit and e2e tests.
 */
import { createBaselineConfig, createCartographyFilterConfig, createLabelSmoothingConfig, createClusterFilterConfig } from '../../src/domain/config/factories';
import { configHash } from '../../src/domain/config/serialize';
import type { ExperimentConfig } from '../../src/domain/config/types';
import { makeExperimentResult, type ExperimentResult } from '../../src/domain/experiments/result';
import type { FolderExperiment } from '../../src/domain/experiments/folder';

export const SEEDS = [42, 43, 44] as const;
export const BASELINE_F1 = [60.0, 61.0, 62.5];
export const BASELINE_EM = [50.0, 51.0, 52.5];
/** Per-seed differences to the baseline. */
export const SMOOTH_DIFF = [3.0, 3.2, 2.9];
export const CART_DIFF = [0.4, -0.3, 0.1];

export interface CraftedRun {
  config: ExperimentConfig;
  result: ExperimentResult;
}

const common = { max_train_samples: 200, max_eval_samples: 50 };
const START = 1_764_000_000;

export function craftedRuns(): CraftedRun[] {
  const runs: CraftedRun[] = [];
  let t = START;
  const add = (config: ExperimentConfig, f1: number | null, em: number | null, error?: string) => {
    const start = t;
    t += 120;
    runs.push({
      config,
      result: makeExperimentResult({
        experiment_name: config.name,
        config_hash: configHash(config),
        success: error === undefined,
        metrics: f1 === null ? {} : { eval_exact_match: em as number, eval_f1: f1 },
        error: error ?? null,
        start_time: start,
        end_time: start + 60 + runs.length,
        utcOffsetMinutes: 0,
        provenance: { app_version: '0.1.0', git_commit: 'abc1234', backend: 'webgpu', adapter: 'SwiftShader' },
      }),
    });
  };
  SEEDS.forEach((seed, i) => {
    add(createBaselineConfig({ ...common, seed, name: `baseline_seed${seed}` }), BASELINE_F1[i], BASELINE_EM[i]);
    add(createLabelSmoothingConfig({ ...common, seed, name: `label_smooth6_seed${seed}`, smoothing_factor: 0.6 }), BASELINE_F1[i] + SMOOTH_DIFF[i], BASELINE_EM[i] + SMOOTH_DIFF[i] + 0.5);
    add(createCartographyFilterConfig({ ...common, seed, name: `cartography_top33_seed${seed}`, top_fraction: 0.33 }), BASELINE_F1[i] + CART_DIFF[i], BASELINE_EM[i] + CART_DIFF[i]);
  });
  add(createClusterFilterConfig({ ...common, seed: 42, name: 'cluster_filter_seed42' }), null, null, 'cluster assignments ./cluster_output do not cover 12 of 200 training rows');
  return runs;
}

export function craftedFolderExperiments(): FolderExperiment[] {
  return craftedRuns().map((r) => ({ config: r.config, result: r.result, app: { data_source: 'demo', model_source: 'demo' } }));
}
