import { pyFloatRepr, pyStr } from './pyjson';
import { accumulates, configHash, trainerOutputPath } from './serialize';
import type { ExperimentConfig } from './types';

/**
 * `ExperimentConfig.to_cli_args()` (origin-system.md §7.3): the `run.py` arguments Python's runner
 * would execute. Shown in dry runs so a plan can be replayed on the Python system. Numbers are
 * printed with Python `str()` (`3.0`, `5e-05`); falsy sample limits are left out as Python does.
 */
export function toCliArgs(config: ExperimentConfig, hash: string = configHash(config)): string[] {
  const t = config.training;
  const args: string[] = ['--do_train', '--do_eval', '--model', t.model, '--dataset', t.dataset, '--max_length', pyStr(t.max_length)];
  if (t.max_train_samples) args.push('--max_train_samples', pyStr(t.max_train_samples));
  if (t.max_eval_samples) args.push('--max_eval_samples', pyStr(t.max_eval_samples));
  args.push(
    '--per_device_train_batch_size', pyStr(t.per_device_train_batch_size),
    '--per_device_eval_batch_size', pyStr(t.per_device_eval_batch_size),
    ...(accumulates(t) ? ['--gradient_accumulation_steps', pyStr(t.gradient_accumulation_steps!)] : []),
    '--num_train_epochs', pyFloatRepr(t.num_train_epochs),
    '--learning_rate', pyFloatRepr(t.learning_rate),
    '--weight_decay', pyFloatRepr(t.weight_decay),
    '--warmup_steps', pyStr(t.warmup_steps),
    '--seed', pyStr(t.seed),
    '--eval_steps', pyStr(t.eval_steps),
    '--save_steps', pyStr(t.save_steps),
    '--logging_steps', pyStr(t.logging_steps),
    '--eval_strategy', t.eval_strategy,
    '--save_strategy', t.save_strategy,
    '--save_total_limit', pyStr(t.save_total_limit),
    '--metric_for_best_model', t.metric_for_best_model,
  );
  if (t.load_best_model_at_end) args.push('--load_best_model_at_end');
  args.push('--output_dir', trainerOutputPath(config, hash), '--ablations', t.ablations);

  if (t.cartography_filter.enabled) {
    args.push('--filter_cartography', '--cartography_output_dir', t.cartography_filter.cartography_output_dir);
  }
  const cf = t.cluster_filter;
  if (cf.enabled) {
    args.push('--filter_clusters');
    if (cf.cluster_assignments_path) args.push('--cluster_assignments_path', cf.cluster_assignments_path);
    if (cf.exclude_clusters.length) args.push('--exclude_clusters', cf.exclude_clusters.map((c) => pyStr(c)).join(','));
    if (cf.min_cluster_probability !== null) args.push('--min_cluster_probability', pyFloatRepr(cf.min_cluster_probability));
  }
  if (t.label_smoothing.enabled) {
    args.push(
      '--use_label_smoothing',
      '--smoothing_factor', pyFloatRepr(t.label_smoothing.smoothing_factor),
      '--cartography_output_dir', t.label_smoothing.cartography_output_dir,
    );
  }
  if (t.soft_weighting.enabled) {
    args.push(
      '--use_soft_weighting',
      '--weight_clip_min', pyFloatRepr(t.soft_weighting.weight_clip_min),
      '--weight_clip_max', pyFloatRepr(t.soft_weighting.weight_clip_max),
      '--cartography_output_dir', t.soft_weighting.cartography_output_dir,
    );
  }
  if (t.enable_cartography) args.push('--enable_cartography', '--cartography_output_dir', t.cartography_output_dir);
  if (t.filter_validation_set) {
    args.push(
      '--filter_validation',
      '--validation_cartography_output_dir', t.validation_cartography_output_dir,
      '--validation_cluster_assignments_path', t.validation_cluster_assignments_path,
    );
  }
  return args;
}

/** The command line Python's dry run prints after "[DRY RUN] Would execute:" (`python` for sys.executable). */
export function pythonCommandLine(config: ExperimentConfig, python = 'python'): string {
  return [python, 'run.py', ...toCliArgs(config)].join(' ');
}
