import type {
  CartographyFilterConfig,
  ClusterFilterConfig,
  ExperimentConfig,
  LabelSmoothingConfig,
  SoftWeightingConfig,
  TrainingConfig,
} from './types';

/** Python's defaults (origin-system.md §7.1). Each call returns fresh objects (no shared arrays). */

export const DEFAULT_CARTOGRAPHY_DIR = './cartography_output';
export const DEFAULT_VALIDATION_CARTOGRAPHY_DIR = './cartography_output_validation';
export const DEFAULT_CLUSTER_DIR = './cluster_output';
export const DEFAULT_VALIDATION_CLUSTER_PATH = './cluster_output_validation';
export const DEFAULT_EXPERIMENTS_DIR = './experiments';

export function defaultCartographyFilter(): CartographyFilterConfig {
  return { enabled: false, cartography_output_dir: DEFAULT_CARTOGRAPHY_DIR, top_fraction: 0.33, apply_rule_based_filter: false };
}

export function defaultClusterFilter(): ClusterFilterConfig {
  return { enabled: false, cluster_assignments_path: null, exclude_clusters: [-1], min_cluster_probability: null };
}

export function defaultLabelSmoothing(): LabelSmoothingConfig {
  return { enabled: false, cartography_output_dir: DEFAULT_CARTOGRAPHY_DIR, smoothing_factor: 0.6 };
}

export function defaultSoftWeighting(): SoftWeightingConfig {
  return { enabled: false, cartography_output_dir: DEFAULT_CARTOGRAPHY_DIR, weight_clip_min: 0.1, weight_clip_max: 10.0 };
}

export function defaultTrainingConfig(): TrainingConfig {
  return {
    model: 'google/electra-small-discriminator',
    dataset: 'Eladio/emrqa-msquad',
    max_length: 512,
    max_train_samples: null,
    max_eval_samples: null,
    per_device_train_batch_size: 8,
    per_device_eval_batch_size: 8,
    num_train_epochs: 3.0,
    learning_rate: 5e-5,
    weight_decay: 0.0,
    warmup_steps: 0,
    seed: 42,
    eval_steps: 500,
    save_steps: 500,
    logging_steps: 100,
    eval_strategy: 'steps',
    save_strategy: 'steps',
    save_total_limit: 2,
    load_best_model_at_end: false,
    metric_for_best_model: 'eval_f1',
    ablations: 'none',
    cartography_filter: defaultCartographyFilter(),
    cluster_filter: defaultClusterFilter(),
    label_smoothing: defaultLabelSmoothing(),
    soft_weighting: defaultSoftWeighting(),
    enable_cartography: false,
    cartography_output_dir: DEFAULT_CARTOGRAPHY_DIR,
    filter_validation_set: false,
    validation_cartography_output_dir: DEFAULT_VALIDATION_CARTOGRAPHY_DIR,
    validation_cluster_assignments_path: DEFAULT_VALIDATION_CLUSTER_PATH,
  };
}

/** Deep partial of TrainingConfig: what callers override. */
export type TrainingOverrides = Partial<Omit<TrainingConfig, 'cartography_filter' | 'cluster_filter' | 'label_smoothing' | 'soft_weighting'>> & {
  cartography_filter?: Partial<CartographyFilterConfig>;
  cluster_filter?: Partial<ClusterFilterConfig>;
  label_smoothing?: Partial<LabelSmoothingConfig>;
  soft_weighting?: Partial<SoftWeightingConfig>;
};

/** `TrainingConfig(**overrides)` with sub-configs merged field by field over their defaults. */
export function makeTrainingConfig(overrides: TrainingOverrides = {}): TrainingConfig {
  const d = defaultTrainingConfig();
  const { cartography_filter, cluster_filter, label_smoothing, soft_weighting, ...flat } = overrides;
  return {
    ...d,
    ...stripUndefined(flat),
    cartography_filter: { ...d.cartography_filter, ...stripUndefined(cartography_filter ?? {}) },
    cluster_filter: {
      ...d.cluster_filter,
      ...stripUndefined(cluster_filter ?? {}),
      exclude_clusters: [...(cluster_filter?.exclude_clusters ?? d.cluster_filter.exclude_clusters)],
    },
    label_smoothing: { ...d.label_smoothing, ...stripUndefined(label_smoothing ?? {}) },
    soft_weighting: { ...d.soft_weighting, ...stripUndefined(soft_weighting ?? {}) },
  };
}

/** Layers `b` over `a`; the four strategy sub-configs are merged field by field. */
export function mergeOverrides(a: TrainingOverrides, b: TrainingOverrides): TrainingOverrides {
  const out: TrainingOverrides = { ...a, ...stripUndefined(b) };
  for (const sub of ['cartography_filter', 'cluster_filter', 'label_smoothing', 'soft_weighting'] as const) {
    if (a[sub] || b[sub]) (out as Record<string, unknown>)[sub] = { ...a[sub], ...stripUndefined(b[sub] ?? {}) };
  }
  return out;
}

/** `ExperimentConfig(name, description, training, output_dir="./experiments")`. */
export function makeExperimentConfig(
  name: string,
  description: string,
  training: TrainingConfig = defaultTrainingConfig(),
  output_dir: string = DEFAULT_EXPERIMENTS_DIR,
): ExperimentConfig {
  return { name, description, training, output_dir };
}

/** Deep copy (configs are plain data). */
export function cloneConfig(config: ExperimentConfig): ExperimentConfig {
  return structuredClone(config);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
