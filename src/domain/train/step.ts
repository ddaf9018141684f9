/**
 * One training step on a host batch: tensors in, one tf.variableGrads (model/train-step.ts), AdamW,
 * and a single small read-back of the loss, the gradient norm and, when asked, the per-row
 * cartography numbers, packed into one tensor so the step costs one await.
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
  /** Per batch row, when stats were requested. */
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

/**
 * Forward (dropout per the model config when `training`), loss with the strategies, gradients,
 * clipping and AdamW at `lr`. Leaves no tensor behind.
 */
export async function runTrainStep(
  model: QAModel,
  optimizer: AdamW,
  batch: FeatureBatch,
  targets: RowTargets,
  options: { lr: number; withStats: boolean; training?: boolean },
): Promise<StepReadback> {
  if (!batch.startPositions || !batch.endPositions) throw new Error('runTrainStep: the batch has no labels (built from eval features?)');
  const B = batch.batchSize;
  const inputs = createModelInputs(
    model.config,
    { batchSize: B, seqLen: batch.seqLength, inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
    { withGradPlan: true },
  );
  const lossTargets: LossTargets = {
    startPositions: tf.tensor1d(batch.startPositions, 'int32'),
    endPositions: tf.tensor1d(batch.endPositions, 'int32'),
    smoothingEps: targets.smoothingEps ? tf.tensor1d(targets.smoothingEps, 'float32') : undefined,
    weights: targets.weights ? tf.tensor1d(targets.weights, 'float32') : undefined,
  };
  let packed: tf.Tensor | null = null;
  try {
    const r = trainStep(model, optimizer, inputs, lossTargets, { lr: options.lr, training: options.training ?? true });
    try {
      packed = tf.tidy(() => {
        const parts: tf.Tensor[] = [tf.reshape(r.loss, [1]), tf.reshape(r.gradNorm, [1])];
        if (options.withStats) parts.push(r.stats.pStart, r.stats.pEnd, r.stats.correct);
        return tf.concat(parts);
      });
    } finally {
      r.loss.dispose();
      r.gradNorm.dispose();
      disposeStats(r.stats);
    }
    const values = (await packed.data()) as Float32Array;
    const out: StepReadback = { loss: values[0], gradNorm: values[1] };
    if (options.withStats) {
      out.pStart = values.slice(2, 2 + B);
      out.pEnd = values.slice(2 + B, 2 + 2 * B);
      out.correct = Uint8Array.from(values.subarray(2 + 2 * B, 2 + 3 * B), (v) => (v > 0.5 ? 1 : 0));
    }
    return out;
  } finally {
    packed?.dispose();
    disposeModelInputs(inputs);
    tf.dispose([lossTargets.startPositions, lossTargets.endPositions]);
    if (lossTargets.smoothingEps) lossTargets.smoothingEps.dispose();
    if (lossTargets.weights) lossTargets.weights.dispose();
  }
}
