import SparkMD5 from 'spark-md5';
import { PyFloat, pyDumps, type PyJson } from './pyjson';
import type { ExperimentConfig, TrainingConfig } from './types';

/**
 * `asdict(config)` as Python builds it: keys in declared order (config.json is written unsorted),
 * float-typed fields wrapped so they print as floats (`3.0`, `10.0`).
 */

/** Dotted paths of the fields Python types as float (all others holding numbers are ints). */
export const FLOAT_FIELDS: readonly string[] = [
  'training.num_train_epochs',
  'training.learning_rate',
  'training.weight_decay',
  'training.cartography_filter.top_fraction',
  'training.cluster_filter.min_cluster_probability',
  'training.label_smoothing.smoothing_factor',
  'training.soft_weighting.weight_clip_min',
  'training.soft_weighting.weight_clip_max',
];

const f = (x: number): PyFloat => new PyFloat(x);

/** Whether the config accumulates gradients (gradient_accumulation_steps set and not 1). */
export function accumulates(t: Pick<TrainingConfig, 'gradient_accumulation_steps'>): boolean {
  return t.gradient_accumulation_steps !== undefined && t.gradient_accumulation_steps !== 1;
}
const fOrNull = (x: number | null): PyFloat | null => (x === null ? null : new PyFloat(x));

export function trainingToPyDict(t: TrainingConfig): { [key: string]: PyJson } {
  return {
    model: t.model,
    dataset: t.dataset,
    max_length: t.max_length,
    max_train_samples: t.max_train_samples,
    max_eval_samples: t.max_eval_samples,
    per_device_train_batch_size: t.per_device_train_batch_size,
    per_device_eval_batch_size: t.per_device_eval_batch_size,
    ...(accumulates(t) ? { gradient_accumulation_steps: t.gradient_accumulation_steps! } : {}),
    num_train_epochs: f(t.num_train_epochs),
    learning_rate: f(t.learning_rate),
    weight_decay: f(t.weight_decay),
    warmup_steps: t.warmup_steps,
    seed: t.seed,
    eval_steps: t.eval_steps,
    save_steps: t.save_steps,
    logging_steps: t.logging_steps,
    eval_strategy: t.eval_strategy,
    save_strategy: t.save_strategy,
    save_total_limit: t.save_total_limit,
    load_best_model_at_end: t.load_best_model_at_end,
    metric_for_best_model: t.metric_for_best_model,
    ablations: t.ablations,
    cartography_filter: {
      enabled: t.cartography_filter.enabled,
      cartography_output_dir: t.cartography_filter.cartography_output_dir,
      top_fraction: f(t.cartography_filter.top_fraction),
      apply_rule_based_filter: t.cartography_filter.apply_rule_based_filter,
    },
    cluster_filter: {
      enabled: t.cluster_filter.enabled,
      cluster_assignments_path: t.cluster_filter.cluster_assignments_path,
      exclude_clusters: [...t.cluster_filter.exclude_clusters],
      min_cluster_probability: fOrNull(t.cluster_filter.min_cluster_probability),
    },
    label_smoothing: {
      enabled: t.label_smoothing.enabled,
      cartography_output_dir: t.label_smoothing.cartography_output_dir,
      smoothing_factor: f(t.label_smoothing.smoothing_factor),
    },
    soft_weighting: {
      enabled: t.soft_weighting.enabled,
      cartography_output_dir: t.soft_weighting.cartography_output_dir,
      weight_clip_min: f(t.soft_weighting.weight_clip_min),
      weight_clip_max: f(t.soft_weighting.weight_clip_max),
    },
    enable_cartography: t.enable_cartography,
    cartography_output_dir: t.cartography_output_dir,
    filter_validation_set: t.filter_validation_set,
    validation_cartography_output_dir: t.validation_cartography_output_dir,
    validation_cluster_assignments_path: t.validation_cluster_assignments_path,
  };
}

/** `asdict(ExperimentConfig)`: name, description, training, output_dir. */
export function configToPyDict(config: ExperimentConfig): { [key: string]: PyJson } {
  return {
    name: config.name,
    description: config.description,
    training: trainingToPyDict(config.training),
    output_dir: config.output_dir,
  };
}

/** `json.dumps(asdict(config), sort_keys=True)`: the exact text Python hashes. */
export function canonicalConfigJson(config: ExperimentConfig): string {
  return pyDumps(configToPyDict(config), { sortKeys: true });
}

/** First 8 hex chars of md5 over the UTF-8 bytes of a text (ASCII here, thanks to ensure_ascii). */
export function md5Hex8(text: string): string {
  return SparkMD5.hash(text).slice(0, 8);
}

/** The Python `config_hash` of a config. */
export function configHash(config: ExperimentConfig): string {
  return md5Hex8(canonicalConfigJson(config));
}

/** Hash of any Python-shaped dict (e.g. an old-schema config.json exactly as it was written). */
export function pyDictHash(dict: PyJson): string {
  return md5Hex8(pyDumps(dict, { sortKeys: true }));
}

/** `config.json` as `ExperimentConfig.save()` writes it: asdict + "config_hash", indent 2, no trailing newline. */
export function configJsonText(config: ExperimentConfig, hash: string = configHash(config)): string {
  return pyDumps({ ...configToPyDict(config), config_hash: hash }, { indent: 2 });
}

/** `{name}_{hash}`: the experiment's folder name. */
export function experimentDirName(config: ExperimentConfig, hash: string = configHash(config)): string {
  return `${config.name}_${hash}`;
}

/** `os.path.join` for POSIX paths (an absolute right side replaces the left, as in Python). */
export function posixJoin(...parts: string[]): string {
  let out = '';
  for (const part of parts) {
    if (part.startsWith('/')) out = part;
    else if (out === '' || out.endsWith('/')) out += part;
    else out += `/${part}`;
  }
  return out;
}

/** Python's `get_output_dir()`: `{output_dir}/{name}_{hash}`. */
export function experimentOutputPath(config: ExperimentConfig, hash: string = configHash(config)): string {
  return posixJoin(config.output_dir, experimentDirName(config, hash));
}

/** Python's `get_trainer_output_dir()`: `{output_dir}/{name}_{hash}/trainer_output`. */
export function trainerOutputPath(config: ExperimentConfig, hash: string = configHash(config)): string {
  return posixJoin(experimentOutputPath(config, hash), 'trainer_output');
}
