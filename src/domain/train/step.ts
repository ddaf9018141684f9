/**
 * One training step on a host batch: tensors in, one tf.variableGrads (model/train-step.ts), AdamW,
 * and the loss, the gradient norm and, when asked, the per-row cartography numbers packed into one
 * small tensor that stays on the device (enqueueTrainStep). readSteps reads any number of such
 * steps with one GPU→CPU transfer, so a trainer reads only where it needs the values (logging,
 * evaluation, saving) and the device never waits for the host in between.
 */
import * as tf from '@tensorflow/tfjs';
import { createModelInputs, disposeModelInputs, type QAModel } from '../model/model';
import { disposeStats, trainStep } from '../model/train-step';
import type { FeatureBatch, TrainFeatures } from '../qa/features';
import type { LossTargets } from './loss';
import type { AdamW } from './optimizer';

/** Per-row strategy inputs of a batch (absent = strategy off). */
export interface RowTargets {
  smoothingEps?: Float32Array;
  weights?: Float32Array;
}

export interface StepReadback {
  loss: number;
  gradNorm: number;
  /** Per batch row (of every micro-batch, in order), when stats were requested. */
  pStart?: Float32Array;
  pEnd?: Float32Array;
  correct?: Uint8Array;
}

/**
 * The per-row ε and weights of a batch, looked up by the row's example id (as the Python trainer
 * does with `example_id`): ids missing from a map get ε = 0 and weight 1.
 */
export function rowTargets(
  features: Pick<TrainFeatures, 'exampleIds'>,
  batch: Pick<FeatureBatch, 'batchSize' | 'exampleIndices'>,
  smoothingEps?: ReadonlyMap<string, number>,
  lossWeights?: ReadonlyMap<string, number>,
): RowTargets {
  const out: RowTargets = {};
  if (smoothingEps) {
    out.smoothingEps = new Float32Array(batch.batchSize);
    for (let r = 0; r < batch.batchSize; r++) out.smoothingEps[r] = smoothingEps.get(features.exampleIds[batch.exampleIndices[r]]) ?? 0;
  }
  if (lossWeights) {
    out.weights = new Float32Array(batch.batchSize);
    for (let r = 0; r < batch.batchSize; r++) out.weights[r] = lossWeights.get(features.exampleIds[batch.exampleIndices[r]]) ?? 1;
  }
  return out;
}

/** A step whose numbers are still on the device: one packed tensor, owned until readSteps. */
export interface PendingStep {
  packed: tf.Tensor1D;
  /** Rows of each micro-batch, in order (their stats follow one another in `packed`). */
  batchSizes: number[];
  withStats: boolean;
}

/** One micro-batch of a step: the host batch and its per-row strategy inputs. */
export interface StepBatch {
  batch: FeatureBatch;
  targets: RowTargets;
}

/**
 * Forward (dropout per the model config when `training`), loss with the strategies, gradients of
 * each micro-batch (loss × lossScale, summed: gradient accumulation), clipping and AdamW at `lr`;
 * nothing is read back. Leaves no tensor behind but the pending one.
 */
export function enqueueTrainStep(
  model: QAModel,
  optimizer: AdamW,
  micro: readonly StepBatch[],
  options: { lr: number; withStats: boolean; training?: boolean; lossScale?: number },
): PendingStep {
  const made: { inputs: ReturnType<typeof createModelInputs>; targets: LossTargets }[] = [];
  try {
    for (const { batch, targets } of micro) {
      if (!batch.startPositions || !batch.endPositions) throw new Error('enqueueTrainStep: the batch has no labels (built from eval features?)');
      const inputs = createModelInputs(
        model.config,
        { batchSize: batch.batchSize, seqLen: batch.seqLength, inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
        { withGradPlan: true },
      );
      made.push({
        inputs,
        targets: {
          startPositions: tf.tensor1d(batch.startPositions, 'int32'),
          endPositions: tf.tensor1d(batch.endPositions, 'int32'),
          smoothingEps: targets.smoothingEps ? tf.tensor1d(targets.smoothingEps, 'float32') : undefined,
          weights: targets.weights ? tf.tensor1d(targets.weights, 'float32') : undefined,
        },
      });
    }
    const r = trainStep(model, optimizer, made, { lr: options.lr, training: options.training ?? true, lossScale: options.lossScale });
    try {
      const packed = tf.tidy(() => {
        const parts: tf.Tensor[] = [tf.reshape(r.loss, [1]), tf.reshape(r.gradNorm, [1])];
        if (options.withStats) for (const s of ['pStart', 'pEnd', 'correct'] as const) parts.push(...r.stats.map((st) => st[s]));
        return tf.concat(parts) as tf.Tensor1D;
      });
      return { packed, batchSizes: micro.map((m) => m.batch.batchSize), withStats: options.withStats };
    } finally {
      r.loss.dispose();
      r.gradNorm.dispose();
      r.stats.forEach(disposeStats);
    }
  } finally {
    for (const { inputs, targets } of made) {
      disposeModelInputs(inputs);
      tf.dispose([targets.startPositions, targets.endPositions]);
      targets.smoothingEps?.dispose();
      targets.weights?.dispose();
    }
  }
}

/** Reads pending steps with one transfer (one concat, one await) and disposes them. */
export async function readSteps(pending: readonly PendingStep[]): Promise<StepReadback[]> {
  if (!pending.length) return [];
  let values: Float32Array;
  try {
    const all = pending.length === 1 ? pending[0].packed : tf.concat(pending.map((p) => p.packed));
    try {
      values = (await all.data()) as Float32Array;
    } finally {
      if (all !== pending[0].packed) all.dispose();
    }
  } finally {
    disposePending(pending);
  }
  let at = 0;
  return pending.map((p) => {
    // The stats of all micro-batches, one after another: pStart of each, then pEnd, then correct.
    const B = p.batchSizes.reduce((a, b) => a + b, 0);
    const out: StepReadback = { loss: values[at], gradNorm: values[at + 1] };
    if (p.withStats) {
      out.pStart = values.slice(at + 2, at + 2 + B);
      out.pEnd = values.slice(at + 2 + B, at + 2 + 2 * B);
      out.correct = Uint8Array.from(values.subarray(at + 2 + 2 * B, at + 2 + 3 * B), (v) => (v > 0.5 ? 1 : 0));
    }
    at += p.packed.size;
    return out;
  });
}

export function disposePending(pending: readonly PendingStep[]): void {
  for (const p of pending) p.packed.dispose();
}

/** enqueueTrainStep and its read-back: one step, one await (probes, benches, tests). */
export async function runTrainStep(
  model: QAModel,
  optimizer: AdamW,
  batch: FeatureBatch,
  targets: RowTargets,
  options: { lr: number; withStats: boolean; training?: boolean },
): Promise<StepReadback> {
  const [out] = await readSteps([enqueueTrainStep(model, optimizer, [{ batch, targets }], options)]);
  return out;
}
