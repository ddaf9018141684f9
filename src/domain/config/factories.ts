import {
  DEFAULT_CARTOGRAPHY_DIR,
  DEFAULT_CLUSTER_DIR,
  makeExperimentConfig,
  makeTrainingConfig,
  mergeOverrides,
  type TrainingOverrides,
} from './defaults';
import { pyFloatRepr, pyStr } from './pyjson';
import type { ExperimentConfig } from './types';

/**
 * The Python factory functions (`create_*_config`, origin-system.md §7.4) with their parameter
 * names, defaults and descriptions. The description is part of the hash, so it is built with
 * Python's formatting (`{:.0%}`, `str(list)`, `str(float)`).
 */

export interface FactoryCommon {
  seed?: number;
  max_train_samples?: number | null;
  max_eval_samples?: number | null;
  /** App extension: further TrainingConfig fields (batch size, epochs, ...); Python's factories had none. */
  training?: TrainingOverrides;
}

function training(common: FactoryCommon, extra: TrainingOverrides = {}) {
  return makeTrainingConfig(
    mergeOverrides(common.training ?? {}, {
      seed: common.seed ?? common.training?.seed ?? 42,
      max_train_samples: common.max_train_samples !== undefined ? common.max_train_samples : (common.training?.max_train_samples ?? null),
      max_eval_samples: common.max_eval_samples !== undefined ? common.max_eval_samples : (common.training?.max_eval_samples ?? null),
      ...extra,
    }),
  );
}

/** Python `format(x, '.0%')`: x·100 rounded half-to-even on the exact double, then '%'. */
export function pyPercent0(x: number): string {
  const v = x * 100;
  const fl = Math.floor(v);
  const diff = v - fl;
  const r = diff > 0.5 ? fl + 1 : diff < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1;
  // Python keeps the sign of a negative value that rounds to zero ("-0%").
  if (r === 0 && (v < 0 || Object.is(v, -0))) return '-0%';
  return `${r}%`;
}

/** Python `str(list_of_ints)`: "[-1]", "[-1, 0]", "[]". */
export function pyIntList(xs: readonly number[]): string {
  return `[${xs.map((x) => pyStr(x)).join(', ')}]`;
}

export const BASELINE_DESCRIPTION = 'Baseline training without any filtering or special strategies';

export const describeCartographyFilter = (top_fraction: number) =>
  `Training with cartography filtering (top ${pyPercent0(top_fraction)} ambiguous kept)`;
export const describeClusterFilter = (exclude_clusters: readonly number[]) =>
  `Training with cluster filtering (excluding clusters ${pyIntList(exclude_clusters)})`;
export const describeLabelSmoothing = (smoothing_factor: number) =>
  `Training with variability-based label smoothing (factor=${pyFloatRepr(smoothing_factor)})`;
export const describeSoftWeighting = (min: number, max: number) =>
  `Training with soft weighting (clip range [${pyFloatRepr(min)}, ${pyFloatRepr(max)}])`;

/** `create_baseline_config(name="baseline", seed=42, max_train_samples=None, max_eval_samples=None)`. */
export function createBaselineConfig(opts: FactoryCommon & { name?: string } = {}): ExperimentConfig {
  return makeExperimentConfig(opts.name ?? 'baseline', BASELINE_DESCRIPTION, training(opts));
}

/** `create_cartography_filter_config(name="cartography_filter", cartography_dir, top_fraction=0.33, ...)`. */
export function createCartographyFilterConfig(
  opts: FactoryCommon & { name?: string; cartography_dir?: string; top_fraction?: number } = {},
): ExperimentConfig {
  const top_fraction = opts.top_fraction ?? 0.33;
  return makeExperimentConfig(
    opts.name ?? 'cartography_filter',
    describeCartographyFilter(top_fraction),
    training(opts, {
      cartography_filter: { enabled: true, cartography_output_dir: opts.cartography_dir ?? DEFAULT_CARTOGRAPHY_DIR, top_fraction },
    }),
  );
}

/** `create_cluster_filter_config(name="cluster_filter", cluster_path="./cluster_output", exclude_clusters=None → [-1], ...)`. */
export function createClusterFilterConfig(
  opts: FactoryCommon & { name?: string; cluster_path?: string; exclude_clusters?: number[] | null } = {},
): ExperimentConfig {
  const exclude_clusters = [...(opts.exclude_clusters ?? [-1])];
  return makeExperimentConfig(
    opts.name ?? 'cluster_filter',
    describeClusterFilter(exclude_clusters),
    training(opts, {
      cluster_filter: { enabled: true, cluster_assignments_path: opts.cluster_path ?? DEFAULT_CLUSTER_DIR, exclude_clusters },
    }),
  );
}

/** `create_label_smoothing_config(name="label_smoothing", cartography_dir, smoothing_factor=0.6, ...)`. */
export function createLabelSmoothingConfig(
  opts: FactoryCommon & { name?: string; cartography_dir?: string; smoothing_factor?: number } = {},
): ExperimentConfig {
  const smoothing_factor = opts.smoothing_factor ?? 0.6;
  return makeExperimentConfig(
    opts.name ?? 'label_smoothing',
    describeLabelSmoothing(smoothing_factor),
    training(opts, {
      label_smoothing: { enabled: true, cartography_output_dir: opts.cartography_dir ?? DEFAULT_CARTOGRAPHY_DIR, smoothing_factor },
    }),
  );
}

/** `create_soft_weighting_config(name="soft_weighting", cartography_dir, weight_clip_min=0.1, weight_clip_max=10.0, ...)`. */
export function createSoftWeightingConfig(
  opts: FactoryCommon & { name?: string; cartography_dir?: string; weight_clip_min?: number; weight_clip_max?: number } = {},
): ExperimentConfig {
  const weight_clip_min = opts.weight_clip_min ?? 0.1;
  const weight_clip_max = opts.weight_clip_max ?? 10.0;
  return makeExperimentConfig(
    opts.name ?? 'soft_weighting',
    describeSoftWeighting(weight_clip_min, weight_clip_max),
    training(opts, {
      soft_weighting: {
        enabled: true,
        cartography_output_dir: opts.cartography_dir ?? DEFAULT_CARTOGRAPHY_DIR,
        weight_clip_min,
        weight_clip_max,
      },
    }),
  );
}
