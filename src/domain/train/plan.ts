/**
 * The step arithmetic of the Hugging Face Trainer (one device), with A = gradient_accumulation_steps:
 *   micro-batches per epoch = ceil(features / batch)     (DataLoader, drop_last=False)
 *   steps per epoch = max(1, floor(micro-batches / A))   (num_update_steps_per_epoch)
 *   max steps      = ceil(num_train_epochs × steps per epoch), or max_steps when given
 *   epochs run     = ceil(max steps / steps per epoch)    (the last one may stop early)
 *   an optimizer step after every A-th micro-batch of an epoch and after its last one (so an
 *   epoch with a remainder takes one more, shorter, step than `steps per epoch` counts: the
 *   Trainer's own arithmetic), each micro-batch's loss divided by A;
 *   state.epoch after the step that ends micro-batch k of epoch e (k from 1) = e + k / micro-batches
 * and DefaultFlowCallback's decisions: log / evaluate / save every N steps for the 'steps'
 * strategies, at each epoch end for 'epoch', plus the save at the last step.
 */
import type { EvalStrategy, SaveStrategy, TrainingConfig } from '../config/types';
import { createRng, deriveSeed } from './rng';
import { TrainError } from './errors';

export interface TrainPlan {
  featureCount: number;
  batchSize: number;
  /** gradient_accumulation_steps (1 when not set). */
  accumulation: number;
  microBatchesPerEpoch: number;
  /** Optimizer steps an epoch counts for max steps (see above). */
  stepsPerEpoch: number;
  maxSteps: number;
  epochsToRun: number;
  /** Resolved intervals (HF allows a float in (0, 1) as a fraction of max steps). */
  loggingSteps: number;
  evalSteps: number;
  saveSteps: number;
  evalStrategy: EvalStrategy;
  saveStrategy: SaveStrategy;
}

/** An interval given as steps (≥ 1) or, as Hugging Face allows, a fraction of the run in (0, 1). */
function resolveInterval(value: number, maxSteps: number, field: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new TrainError('invalid-config', `training.${field} must be a positive number, got ${value}`);
  if (value < 1) return Math.max(1, Math.ceil(maxSteps * value));
  if (!Number.isInteger(value)) throw new TrainError('invalid-config', `training.${field} must be an integer when ≥ 1, got ${value}`);
  return value;
}

export function planTraining(
  featureCount: number,
  training: Pick<TrainingConfig, 'per_device_train_batch_size' | 'gradient_accumulation_steps' | 'num_train_epochs' | 'logging_steps' | 'eval_steps' | 'save_steps' | 'eval_strategy' | 'save_strategy'>,
  options: { maxSteps?: number; hasEval: boolean },
): TrainPlan {
  const batchSize = training.per_device_train_batch_size;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new TrainError('invalid-config', `training.per_device_train_batch_size must be a positive integer, got ${batchSize}`);
  }
  if (!Number.isInteger(featureCount) || featureCount < 1) throw new TrainError('invalid-input', 'there are no training features (the training set is empty)');
  const accumulation = training.gradient_accumulation_steps ?? 1;
  if (!Number.isInteger(accumulation) || accumulation < 1) {
    throw new TrainError('invalid-config', `training.gradient_accumulation_steps must be a positive integer, got ${accumulation}`);
  }
  const microBatchesPerEpoch = Math.ceil(featureCount / batchSize);
  const stepsPerEpoch = Math.max(1, Math.floor(microBatchesPerEpoch / accumulation));
  let maxSteps: number;
  if (options.maxSteps !== undefined && options.maxSteps > 0) {
    if (!Number.isInteger(options.maxSteps)) throw new TrainError('invalid-config', `max steps must be a positive integer, got ${options.maxSteps}`);
    maxSteps = options.maxSteps;
  } else {
    const epochs = training.num_train_epochs;
    if (!Number.isFinite(epochs) || epochs <= 0) throw new TrainError('invalid-config', `training.num_train_epochs must be a positive number, got ${epochs}`);
    maxSteps = Math.ceil(epochs * stepsPerEpoch);
  }
  const evalStrategy = options.hasEval ? training.eval_strategy : 'no';
  for (const [field, v, allowed] of [
    ['eval_strategy', training.eval_strategy, ['no', 'steps', 'epoch']],
    ['save_strategy', training.save_strategy, ['no', 'steps', 'epoch', 'best']],
  ] as const) {
    if (!(allowed as readonly string[]).includes(v)) throw new TrainError('invalid-config', `training.${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return {
    featureCount,
    batchSize,
    accumulation,
    microBatchesPerEpoch,
    stepsPerEpoch,
    maxSteps,
    epochsToRun: Math.ceil(maxSteps / stepsPerEpoch),
    loggingSteps: resolveInterval(training.logging_steps, maxSteps, 'logging_steps'),
    evalSteps: resolveInterval(training.eval_steps, maxSteps, 'eval_steps'),
    saveSteps: resolveInterval(training.save_steps, maxSteps, 'save_steps'),
    evalStrategy,
    saveStrategy: training.save_strategy,
  };
}

/**
 * The checks TrainingArguments.__post_init__ makes for load_best_model_at_end, with its wording:
 * the save and eval strategies must match (unless saving on 'best'), and for 'steps' the save
 * interval must be a multiple of the eval interval.
 */
export function checkLoadBestConfig(
  training: Pick<TrainingConfig, 'load_best_model_at_end' | 'eval_strategy' | 'save_strategy' | 'eval_steps' | 'save_steps' | 'metric_for_best_model'>,
): void {
  if (!training.load_best_model_at_end) return;
  if (training.save_strategy !== 'best' && training.eval_strategy !== training.save_strategy) {
    throw new TrainError(
      'invalid-config',
      `--load_best_model_at_end requires the save and eval strategy to match, but found eval_strategy "${training.eval_strategy}" and save_strategy "${training.save_strategy}"`,
    );
  }
  if (training.eval_strategy === 'steps' && training.save_strategy === 'steps' && training.save_steps % training.eval_steps !== 0) {
    throw new TrainError(
      'invalid-config',
      `--load_best_model_at_end requires the saving steps to be a round multiple of the evaluation steps, but found ${training.save_steps}, which is not a round multiple of ${training.eval_steps}`,
    );
  }
  bestMetricKey(training.metric_for_best_model);
}

/** metric_for_best_model with the "eval_" prefix the Trainer adds; only SQuAD metrics exist here. */
export function bestMetricKey(metric: string): 'eval_exact_match' | 'eval_f1' {
  const key = metric.startsWith('eval_') ? metric : `eval_${metric}`;
  if (key !== 'eval_exact_match' && key !== 'eval_f1') {
    throw new TrainError(
      'invalid-config',
      `training.metric_for_best_model is "${metric}", but evaluation reports only eval_exact_match and eval_f1 (as the Python system's evaluate does)`,
    );
  }
  return key;
}

/** Window order of one epoch: a seeded permutation, its own stream per (seed, epoch). */
export function epochOrder(featureCount: number, seed: number, epoch: number): Int32Array {
  return createRng(deriveSeed(seed, `train-sampler/epoch-${epoch}`)).permutation(featureCount);
}

/** DefaultFlowCallback.on_step_end. */
export function stepDecisions(plan: TrainPlan, globalStep: number): { log: boolean; evaluate: boolean; save: boolean } {
  return {
    log: globalStep % plan.loggingSteps === 0,
    evaluate: plan.evalStrategy === 'steps' && globalStep % plan.evalSteps === 0,
    save:
      (plan.saveStrategy === 'steps' && globalStep % plan.saveSteps === 0) ||
      (globalStep >= plan.maxSteps && plan.saveStrategy !== 'no' && plan.saveStrategy !== 'best'),
  };
}

/** DefaultFlowCallback.on_epoch_end (logging_strategy is always 'steps' in the Python system). */
export function epochEndDecisions(plan: TrainPlan): { evaluate: boolean; save: boolean } {
  return { evaluate: plan.evalStrategy === 'epoch', save: plan.saveStrategy === 'epoch' };
}
