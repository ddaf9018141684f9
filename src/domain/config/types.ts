/**
 * The Python system's experiment dataclasses (`experiment_config.py`), field for field: same
 * names, nesting, declared order and defaults (origin-system.md §7.1). Everything in these
 * interfaces is hashed; app-only settings live in `AppSettings`, outside the hashed dict.
 *
 * Python typing matters for the hash: fields typed `float` print as `3.0` even when integral.
 * The float fields are listed in `FLOAT_FIELDS` (serialize.ts wraps them).
 */

export interface CartographyFilterConfig {
  enabled: boolean;
  /** Python dir holding `cartography_metrics.csv` (resolved to a stored artifact by the runner). */
  cartography_output_dir: string;
  /** float. Fraction of the most unstable ambiguous examples kept (Python ignored it; we apply it). */
  top_fraction: number;
  apply_rule_based_filter: boolean;
}

export interface ClusterFilterConfig {
  enabled: boolean;
  /** Dir holding `cluster_assignments.csv`, or the CSV itself; null means run.py's `./cluster_output`. */
  cluster_assignments_path: string | null;
  /** ints. Cluster labels to drop; -1 is HDBSCAN noise; [] drops nothing (app fix). */
  exclude_clusters: number[];
  /** float or null. Drop ids whose membership probability is strictly below this. */
  min_cluster_probability: number | null;
}

export interface LabelSmoothingConfig {
  enabled: boolean;
  cartography_output_dir: string;
  /** float. eps_i = min(0.3, smoothing_factor × variability_i). */
  smoothing_factor: number;
}

export interface SoftWeightingConfig {
  enabled: boolean;
  cartography_output_dir: string;
  /** float. w_i = clip(1 + variability_i, weight_clip_min, weight_clip_max). */
  weight_clip_min: number;
  /** float. */
  weight_clip_max: number;
}

export type EvalStrategy = 'no' | 'steps' | 'epoch';
export type SaveStrategy = 'no' | 'steps' | 'epoch' | 'best';
export type Ablation = 'none' | 'q_only' | 'p_only';

export interface TrainingConfig {
  // model and data
  model: string;
  dataset: string;
  max_length: number;
  max_train_samples: number | null;
  max_eval_samples: number | null;
  // optimisation
  per_device_train_batch_size: number;
  per_device_eval_batch_size: number;
  /**
   * Hugging Face's gradient_accumulation_steps: micro-batches of per_device_train_batch_size whose
   * gradients are summed into one optimizer step (the effective batch is their product). Not a
   * field of the Python system's TrainingConfig: absent or 1 it is left out of config.json and
   * the hash, so a run without accumulation keeps Python's hash; any other value is written (and
   * hashed) after per_device_eval_batch_size.
   */
  gradient_accumulation_steps?: number;
  /** float */
  num_train_epochs: number;
  /** float */
  learning_rate: number;
  /** float */
  weight_decay: number;
  warmup_steps: number;
  seed: number;
  // evaluation and saving
  eval_steps: number;
  save_steps: number;
  logging_steps: number;
  eval_strategy: EvalStrategy;
  save_strategy: SaveStrategy;
  save_total_limit: number;
  load_best_model_at_end: boolean;
  metric_for_best_model: string;
  // ablation
  ablations: Ablation;
  // strategies
  cartography_filter: CartographyFilterConfig;
  cluster_filter: ClusterFilterConfig;
  label_smoothing: LabelSmoothingConfig;
  soft_weighting: SoftWeightingConfig;
  // cartography tracking (writes a new artifact; never the one the strategies read)
  enable_cartography: boolean;
  cartography_output_dir: string;
  // validation filtering
  filter_validation_set: boolean;
  validation_cartography_output_dir: string;
  validation_cluster_assignments_path: string;
}

export interface ExperimentConfig {
  name: string;
  description: string;
  training: TrainingConfig;
  /** Hashed. Python's base output dir ("./experiments"); where the app writes is the caller's choice. */
  output_dir: string;
}

/**
 * App-only settings of one experiment. Never hashed, never written into `config.json` (Python's
 * `ExperimentConfig.load` would reject unknown keys); exported beside it as `app.json`.
 */
export interface AppSettings {
  /** Where the rows come from: "demo", "dataset:<stored id>", "file:<path>", "hub:<repo>[:<config>]". */
  data_source?: string;
  /** Which model: "demo", "model:<stored id>", "hub:<repo>", "dir:<path>". */
  model_source?: string;
  /** run.py's `--train_split` (Python default "train"; "validation" for validation cartography). */
  train_split?: string;
  /** Split evaluated on (Python: "validation", or "train" for json files). */
  eval_split?: string;
  /** Python path → stored artifact id, keyed by `artifactKey()` (see prerequisites.ts). */
  artifact_bindings?: Record<string, string>;
}

/** One experiment as the app handles it: the hashed Python config plus the app's own settings. */
export interface ExperimentSpec {
  config: ExperimentConfig;
  app: AppSettings;
}

/** Names of the four strategy sub-configs, in declared order. */
export const STRATEGY_NAMES = ['cartography_filter', 'cluster_filter', 'label_smoothing', 'soft_weighting'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
