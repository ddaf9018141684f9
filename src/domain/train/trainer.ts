/**
 * A training run as the Python system's QuestionAnsweringTrainer (a Hugging Face Trainer) does
 * it, then the final evaluation run.py performs: train features → seeded shuffled batches →
 * forward with dropout → QA loss with the per-example strategies → gradients → clipping at 1.0 →
 * AdamW on a linear schedule with warmup; logging, evaluation and checkpoints on the Trainer's
 * schedule; load_best_model_at_end; then EM/F1 and predictions on the eval rows.
 *
 * Departures, on purpose: padding defaults to length buckets (padding.ts explains the effect),
 * label smoothing and weighting apply whenever their maps are given (the Python trainer silently
 * dropped them without cartography tracking), and cartography records the window holding the
 * answer. The same code runs in the browser worker and in Node; it never picks a tfjs backend.
 */
import * as tf from '@tensorflow/tfjs';
import { computeMetrics } from '../cartography/metrics';
import type { CartographyMetricsRow, TrainingDynamics } from '../cartography/types';
import type { TrainingConfig } from '../config/types';
import type { QARecord } from '../data/types';
import { toHfConfigJson } from '../model/config';
import type { QAModel } from '../model/model';
import { makeBatch, prepareTrainFeatures, type FeatureBatch, type TrainFeatures } from '../qa/features';
import type { WordPieceTokenizer } from '../qa/tokenizer';
import { checkpointsToDelete, MemoryCheckpointSink, type CheckpointSink, type CheckpointState } from './checkpoints';
import { DynamicsRecorder } from './dynamics-recorder';
import { eventLoopYielder } from './yield';
import { abortError, classifyBackendError, TrainError } from './errors';
import { evalFeatures, evaluateFeatures, resolveEvalMaxLength, type EvaluateResult } from './evaluate';
import { AdamW, HF_ADAMW_DEFAULTS, scheduledLr, type LinearSchedule } from './optimizer';
import { bucketLengthsFor, paddedLength, type PaddingMode } from './padding';
import { bestMetricKey, checkLoadBestConfig, epochEndDecisions, epochOrder, planTraining, stepDecisions, type TrainPlan } from './plan';
import { ProgressThrottle, TrainMeter } from './progress';
import { disposePending, enqueueTrainStep, readSteps, rowTargets, type PendingStep, type StepBatch } from './step';
import type { LogEntry, TrainProgress } from './types';

export type { CheckpointSink, CheckpointState } from './checkpoints';
export type { LogEntry, TrainProgress } from './types';
export { evaluateModel } from './evaluate';

export interface TrainRunInput {
  /** Python field names: batch size, epochs (fractional), lr, weight decay, warmup, seed, max_length, ablations, logging/eval/save settings. */
  training: TrainingConfig;
  /** Trained in place. */
  model: QAModel;
  tokenizer: WordPieceTokenizer;
  /** Already sampled and filtered by the caller. */
  train: QARecord[];
  /** Already sampled and filtered; null = no evaluation. */
  eval: QARecord[] | null;
  /** Label-smoothing ε per example id; ids missing → 0. */
  smoothingEps?: ReadonlyMap<string, number>;
  /** Loss weight per example id; ids missing → 1. */
  lossWeights?: ReadonlyMap<string, number>;
  /** Record dynamics per example and epoch, and compute cartography metrics at the end. */
  trackCartography?: boolean;
  /** Default 'bucket' (see padding.ts). */
  padding?: PaddingMode;
  /** Default the tokenizer's model_max_length (512 if it has none), as Python; clamped to max_position_embeddings. */
  evalMaxLength?: number;
  /** Hugging Face's max_steps: when > 0 it overrides num_train_epochs. */
  maxSteps?: number;
  /** Cancels within one step; the run then throws an Error named 'AbortError'. */
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  onLog?: (entry: LogEntry) => void;
  /** Every optimizer step, unthrottled: the exact loss and gradient norm (for tests and loss curves). */
  onStep?: (s: { step: number; epoch: number; loss: number; gradNorm: number; learningRate: number }) => void;
  /** Where checkpoints go; without one, nothing is saved (except in memory for load_best_model_at_end). */
  checkpoints?: CheckpointSink;
}

export interface TrainRunOutput {
  metrics: { eval_exact_match: number; eval_f1: number } | null;
  /** Eval order. */
  predictions: { id: string; predicted_answer: string }[];
  logHistory: LogEntry[];
  dynamics: TrainingDynamics | null;
  cartography: CartographyMetricsRow[] | null;
  globalStep: number;
  /** Final fractional epoch (state.epoch). */
  epochs: number;
  /** Wall time of the training loop, in-training evaluation and checkpoints included (HF train_runtime). */
  trainSeconds: number;
  trainSamples: number;
  trainFeatures: number;
  /** Training features per second of step time (evaluation and checkpoints excluded). */
  examplesPerSecond: number;
}

const now = (): number => performance.now();
/** The most optimizer steps whose numbers stay unread on the device (see readPending). */
export const MAX_UNREAD_STEPS = 32;
const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function checkInput(input: TrainRunInput): void {
  const { training, model } = input;
  const maxLength = training.max_length;
  if (!Number.isInteger(maxLength) || maxLength < 4) throw new TrainError('invalid-config', `training.max_length must be an integer ≥ 4, got ${maxLength}`);
  if (maxLength > model.config.maxPositionEmbeddings) {
    throw new TrainError(
      'invalid-config',
      `training.max_length ${maxLength} exceeds the model's max_position_embeddings ${model.config.maxPositionEmbeddings}`,
    );
  }
  for (const [field, v] of [
    ['learning_rate', training.learning_rate],
    ['weight_decay', training.weight_decay],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) throw new TrainError('invalid-config', `training.${field} must be a finite number ≥ 0, got ${v}`);
  }
  if (!Number.isInteger(training.warmup_steps) || training.warmup_steps < 0) {
    throw new TrainError('invalid-config', `training.warmup_steps must be a non-negative integer, got ${training.warmup_steps}`);
  }
  if (!Number.isFinite(training.seed)) throw new TrainError('invalid-config', `training.seed must be a number, got ${training.seed}`);
  if (!['none', 'q_only', 'p_only'].includes(training.ablations)) {
    throw new TrainError('invalid-config', `training.ablations must be none, q_only or p_only, got ${JSON.stringify(training.ablations)}`);
  }
  if (input.train.length === 0) throw new TrainError('invalid-input', 'the training set is empty');
  if (input.eval !== null && input.eval.length === 0) throw new TrainError('invalid-input', 'the evaluation set is empty (pass null for no evaluation)');
  if (input.eval !== null && !(Number.isInteger(training.per_device_eval_batch_size) && training.per_device_eval_batch_size >= 1)) {
    throw new TrainError('invalid-config', `training.per_device_eval_batch_size must be a positive integer, got ${training.per_device_eval_batch_size}`);
  }
  if (model.config.vocabSize < input.tokenizer.vocabSize) {
    throw new TrainError('invalid-input', `the tokenizer has ${input.tokenizer.vocabSize} ids but the model's vocab_size is ${model.config.vocabSize}`);
  }
  for (const [name, map, lo, hi] of [
    ['smoothing ε', input.smoothingEps, 0, 1],
    ['loss weight', input.lossWeights, 0, Infinity],
  ] as const) {
    if (!map) continue;
    for (const [id, v] of map) {
      if (!(Number.isFinite(v) && v >= lo && v <= hi)) throw new TrainError('invalid-input', `${name} for example ${JSON.stringify(id)} must be in [${lo}, ${hi}], got ${v}`);
    }
  }
}

function featurize(input: TrainRunInput): TrainFeatures {
  try {
    return prepareTrainFeatures(input.train, input.tokenizer, { maxLength: input.training.max_length, ablation: input.training.ablations });
  } catch (e) {
    throw new TrainError('invalid-input', `training features: ${(e as Error).message}`, { cause: e });
  }
}

/** The mutable state of a run (HF's TrainerState plus the logging accumulators). */
interface RunState {
  globalStep: number;
  epoch: number;
  logHistory: LogEntry[];
  lossSinceLog: number;
  lastLoggedStep: number;
  totalLoss: number;
  lastGradNorm: number;
  bestMetric: number | null;
  bestStep: number | null;
  saved: number[];
}

export async function trainAndEvaluate(input: TrainRunInput): Promise<TrainRunOutput> {
  checkInput(input);
  const { training, model, tokenizer, signal } = input;
  const padding: PaddingMode = input.padding ?? 'bucket';
  const throttle = new ProgressThrottle(input.onProgress);
  const meter = new TrainMeter();
  const evalMaxLength = resolveEvalMaxLength(model, tokenizer, input.evalMaxLength);
  const evalBatch = training.per_device_eval_batch_size;
  const idle = (phase: TrainProgress['phase'], step = 0, totalSteps = 0, epoch = 0): TrainProgress => ({
    phase,
    step,
    totalSteps,
    epoch,
    loss: NaN,
    learningRate: 0,
    examplesPerSecond: meter.examplesPerSecond,
    tokensPerSecond: meter.tokensPerSecond,
    etaSeconds: NaN,
  });

  throttle.maybe('tokenize', () => idle('tokenize'), true);
  if (signal?.aborted) throw abortError();
  const features = featurize(input);
  if (signal?.aborted) throw abortError();
  const hasEval = input.eval !== null;
  const evalFeats = hasEval ? evalFeatures(input.eval!, tokenizer, evalMaxLength) : null;
  if (signal?.aborted) throw abortError();
  throttle.maybe('tokenize', () => idle('tokenize', 1, 1), true);

  const plan: TrainPlan = planTraining(features.count, training, { maxSteps: input.maxSteps, hasEval });
  checkLoadBestConfig(training);
  const metricKey = plan.evalStrategy !== 'no' || training.load_best_model_at_end ? bestMetricKey(training.metric_for_best_model) : null;
  const sink: CheckpointSink | null = input.checkpoints ?? (training.load_best_model_at_end ? new MemoryCheckpointSink() : null);
  const schedule: LinearSchedule = { baseLr: training.learning_rate, warmupSteps: training.warmup_steps, totalSteps: plan.maxSteps };
  const buckets = bucketLengthsFor(training.max_length, tf.getBackend());
  const recorder = input.trackCartography ? new DynamicsRecorder(features, input.train.length) : null;
  const st: RunState = {
    globalStep: 0,
    epoch: 0,
    logHistory: [],
    lossSinceLog: 0,
    lastLoggedStep: 0,
    totalLoss: 0,
    lastGradNorm: NaN,
    bestMetric: null,
    bestStep: null,
    saved: [],
  };
  const log = (entry: LogEntry): void => {
    st.logHistory.push(entry);
    input.onLog?.(entry);
  };

  const evaluate = async (): Promise<EvaluateResult> =>
    evaluateFeatures(model, input.eval!, evalFeats!, {
      batchSize: evalBatch,
      signal,
      onProgress: ({ batch, totalBatches }) =>
        throttle.maybe('eval', () => idle('eval', batch, totalBatches, st.epoch), batch === 1 || batch === totalBatches),
    });

  const optimizer = new AdamW(model.params, { ...HF_ADAMW_DEFAULTS, weightDecay: training.weight_decay });
  // As the Trainer's set_seed(args.seed): the run's dropout masks follow the training seed.
  model.dropout.reset(training.seed);
  const saveCheckpoint = async (): Promise<void> => {
    if (!sink || st.saved.includes(st.globalStep)) return;
    const state: CheckpointState = {
      step: st.globalStep,
      modelConfig: toHfConfigJson(model.config),
      weights: await model.toHostTensors(),
      optimizer: await optimizer.exportState(),
      trainer: {
        globalStep: st.globalStep,
        epoch: st.epoch,
        maxSteps: plan.maxSteps,
        logHistory: st.logHistory.map((e) => ({ ...e })),
        bestMetric: st.bestMetric,
        bestStep: st.bestStep,
      },
      dropoutRng: model.dropout.getState(),
    };
    await sink.save(st.globalStep, state);
    st.saved.push(st.globalStep);
    for (const step of checkpointsToDelete(st.saved, st.bestStep, training.save_total_limit)) {
      await sink.remove(step);
      st.saved.splice(st.saved.indexOf(step), 1);
    }
  };

  /** Trainer._maybe_log_save_evaluate: log, then evaluate (tracking the best), then save. */
  const logSaveEvaluate = async (d: { log: boolean; evaluate: boolean; save: boolean }): Promise<void> => {
    if (d.log && st.globalStep > st.lastLoggedStep) {
      const entry: LogEntry = {
        loss: round(st.lossSinceLog / (st.globalStep - st.lastLoggedStep), 4),
        grad_norm: st.lastGradNorm,
        learning_rate: scheduledLr(schedule, st.globalStep),
        examples_per_second: round(meter.examplesPerSecond, 3),
        epoch: st.epoch,
        step: st.globalStep,
      };
      st.lossSinceLog = 0;
      st.lastLoggedStep = st.globalStep;
      log(entry);
    }
    let save = d.save;
    if (d.evaluate && hasEval) {
      const { metrics } = await evaluate();
      log({ ...metrics, epoch: st.epoch, step: st.globalStep });
      const value = metrics[metricKey!];
      const isBest = st.bestMetric === null || value > st.bestMetric;
      if (isBest) {
        st.bestMetric = value;
        st.bestStep = st.globalStep;
      }
      if (plan.saveStrategy === 'best') save = isBest;
    }
    if (save) await saveCheckpoint();
  };

  /** A training progress event at `step` (loss NaN while the step's numbers are still on the device). */
  const trainProgress = (step: number, epoch: number, lr: number, loss: number): TrainProgress => ({
    phase: 'train',
    step,
    totalSteps: plan.maxSteps,
    epoch,
    loss,
    learningRate: lr,
    examplesPerSecond: meter.examplesPerSecond,
    tokensPerSecond: meter.tokensPerSecond,
    etaSeconds: meter.etaSeconds(plan.maxSteps - step),
  });

  /**
   * Steps whose loss, gradient norm and cartography numbers are still on the device. On webgpu
   * they are read together (one transfer) at logging, evaluation and save steps, at each epoch's
   * end, and at the latest every `readEvery` steps (which bounds how far the host runs ahead of
   * the device); no other step reads anything back. Elsewhere a read is a copy within the process
   * that stalls nothing, so every step is read at once (a live loss curve per step).
   */
  type Pending = { step: PendingStep; batches: FeatureBatch[]; epochBefore: number; epochAfter: number; lr: number; rows: number; tokens: number; stepNumber: number };
  const pending: Pending[] = [];
  const readEvery = tf.getBackend() === 'webgpu' ? Math.min(plan.loggingSteps, MAX_UNREAD_STEPS) : 1;
  let readClock = now();
  const readPending = async (): Promise<void> => {
    const batchOf = pending.splice(0);
    const values = await readSteps(batchOf.map((p) => p.step));
    // The device ran the steps back to back: their time is shared out evenly.
    const t = now();
    const seconds = (t - readClock) / 1000 / batchOf.length;
    readClock = t;
    batchOf.forEach((p, i) => {
      const v = values[i];
      meter.addStep(seconds, p.rows, p.tokens, v.loss);
      if (!Number.isFinite(v.loss)) {
        throw new TrainError(
          'nan-loss',
          `The training loss became ${v.loss} at step ${p.stepNumber} of ${plan.maxSteps} (epoch ${p.epochBefore.toFixed(2)}, learning rate ${p.lr}). ` +
            'The run was stopped; try a lower learning_rate or more warmup_steps.',
        );
      }
      // The Python callback records int(state.epoch) as it stood before this step: the epoch index.
      if (recorder) {
        let at = 0;
        for (const b of p.batches) {
          const rowsOf = (x: Float32Array | Uint8Array) => x.subarray(at, at + b.batchSize);
          recorder.record(b, Math.floor(p.epochBefore), rowsOf(v.pStart!) as Float32Array, rowsOf(v.pEnd!) as Float32Array, rowsOf(v.correct!) as Uint8Array);
          at += b.batchSize;
        }
      }
      st.lossSinceLog += v.loss;
      st.totalLoss += v.loss;
      st.lastGradNorm = v.gradNorm;
      input.onStep?.({ step: p.stepNumber, epoch: p.epochAfter, loss: v.loss, gradNorm: v.gradNorm, learningRate: p.lr });
      throttle.maybe(
        'train',
        () => trainProgress(p.stepNumber, p.epochAfter, p.lr, meter.takeMeanLoss()),
        // A read of several steps gives the live curve one point, their mean loss, at the last.
        p.stepNumber === 1 || p.stepNumber === plan.maxSteps || (batchOf.length > 1 && i === batchOf.length - 1),
      );
    });
  };

  const loopStart = now();
  let trainRuntime = 0;
  const yieldNow = eventLoopYielder();
  try {
    let stop = false;
    for (let epoch = 0; epoch < plan.epochsToRun && !stop; epoch++) {
      const order = epochOrder(features.count, training.seed, epoch);
      const micro = plan.microBatchesPerEpoch;
      // The micro-batches of the optimizer step being gathered (one without accumulation).
      let group: StepBatch[] = [];
      for (let k = 0; k < micro; k++) {
        await yieldNow();
        if (signal?.aborted) throw abortError();
        const rows = order.subarray(k * plan.batchSize, Math.min((k + 1) * plan.batchSize, features.count));
        let needed = 0;
        for (const w of rows) needed = Math.max(needed, features.minPadLength[w]);
        const T = paddedLength(needed, training.max_length, padding, buckets);
        const batch = makeBatch(features, rows, T);
        group.push({ batch, targets: rowTargets(features, batch, input.smoothingEps, input.lossWeights) });
        // The Trainer's sync step: every A-th micro-batch, and the epoch's last.
        if ((k + 1) % plan.accumulation !== 0 && k + 1 !== micro) continue;
        const lr = scheduledLr(schedule, st.globalStep);
        let r;
        try {
          r = enqueueTrainStep(model, optimizer, group, { lr, withStats: recorder !== null, lossScale: 1 / plan.accumulation });
        } catch (e) {
          throw classifyBackendError(e, { batchSize: rows.length, seqLength: T, backend: tf.getBackend() });
        }
        const batches = group.map((g) => g.batch);
        group = [];
        const epochBefore = st.epoch;
        st.globalStep++;
        st.epoch = epoch + (k + 1) / micro;
        const size = batches.reduce((a, b) => a + b.batchSize, 0);
        const tokens = batches.reduce((a, b) => a + b.batchSize * b.seqLength, 0);
        pending.push({ step: r, batches, epochBefore, epochAfter: st.epoch, lr, rows: size, tokens, stepNumber: st.globalStep });
        const decisions = stepDecisions(plan, st.globalStep);
        const last = st.globalStep >= plan.maxSteps || k === micro - 1;
        if (decisions.log || decisions.evaluate || decisions.save || last || pending.length >= readEvery) await readPending();
        else {
          throttle.maybe('train', () => trainProgress(st.globalStep, st.epoch, lr, NaN));
        }
        await logSaveEvaluate(decisions);
        // Evaluation and checkpointing are not training time (their steps were read just before).
        if (decisions.evaluate || decisions.save) readClock = now();
        if (st.globalStep >= plan.maxSteps) {
          stop = true;
          break;
        }
      }
      await logSaveEvaluate({ log: false, ...epochEndDecisions(plan) });
      readClock = now();
    }

    if (training.load_best_model_at_end && st.bestStep !== null && sink) {
      if (st.saved.includes(st.bestStep)) {
        const best = await sink.load(st.bestStep);
        model.setWeights(best.weights);
      }
      // Else HF warns that the best checkpoint was not saved and keeps the last weights; so do we.
    }
    trainRuntime = (now() - loopStart) / 1000;
    const samples = input.maxSteps && input.maxSteps > 0 ? plan.maxSteps * plan.batchSize * plan.accumulation : features.count * training.num_train_epochs;
    log({
      train_runtime: round(trainRuntime, 4),
      train_samples_per_second: round(samples / trainRuntime, 3),
      train_steps_per_second: round(plan.maxSteps / trainRuntime, 3),
      train_loss: st.totalLoss / Math.max(1, st.globalStep),
      epoch: st.epoch,
      step: st.globalStep,
    });
    // With save_total_limit 1 the Trainer keeps only the best checkpoint at the end.
    if (sink && st.bestStep !== null && training.save_total_limit === 1) {
      for (const step of [...st.saved]) {
        if (step === st.bestStep) continue;
        await sink.remove(step);
        st.saved.splice(st.saved.indexOf(step), 1);
      }
    }
  } finally {
    disposePending(pending.map((p) => p.step));
    optimizer.dispose();
  }

  let metrics: TrainRunOutput['metrics'] = null;
  let predictions: TrainRunOutput['predictions'] = [];
  if (hasEval) {
    const result = await evaluate();
    metrics = result.metrics;
    predictions = result.predictions;
    log({ ...metrics, epoch: st.epoch, step: st.globalStep });
  }
  const dynamics = recorder ? recorder.dynamics : null;
  return {
    metrics,
    predictions,
    logHistory: st.logHistory,
    dynamics,
    cartography: dynamics ? computeMetrics(dynamics) : null,
    globalStep: st.globalStep,
    epochs: st.epoch,
    trainSeconds: trainRuntime,
    trainSamples: input.train.length,
    trainFeatures: features.count,
    examplesPerSecond: meter.examplesPerSecond,
  };
}
