/**
 * Forward + loss + gradients in one tf.variableGrads call, and the full optimizer step built on it.
 * Nothing is read back from the device: results are tensors the caller reads (asynchronously,
 * when it wants) and disposes.
 */
import * as tf from '@tensorflow/tfjs';
import { qaLoss, type LossTargets } from '../train/loss';
import type { AdamW } from '../train/optimizer';
import type { ModelInputs } from './encoder';
import type { QAModel } from './model';

/** Per-example statistics from the training forward pass (for cartography). */
export interface StepStats {
  perExample: tf.Tensor1D;
  pStart: tf.Tensor1D;
  pEnd: tf.Tensor1D;
  /** 1 where both argmaxes hit gold, else 0. */
  correct: tf.Tensor1D;
}

export interface GradientResult {
  loss: tf.Scalar;
  /** Gradients by Hugging Face parameter name. */
  grads: Map<string, tf.Tensor>;
  stats: StepStats;
}

/**
 * Loss, gradients of every parameter, and per-example statistics, from one forward pass. With
 * `lossScale` the loss (and so every gradient) is multiplied by it (gradient accumulation's 1/A).
 */
export function computeGradients(model: QAModel, inputs: ModelInputs, targets: LossTargets, options: { training: boolean; lossScale?: number }): GradientResult {
  const scale = options.lossScale ?? 1;
  let stats: StepStats | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const out = model.forward(inputs, { training: options.training });
    const l = qaLoss(out.startLogits, out.endLogits, targets);
    stats = {
      perExample: tf.keep(l.perExample),
      pStart: tf.keep(l.pStart),
      pEnd: tf.keep(l.pEnd),
      correct: tf.keep(l.correct),
    };
    return scale === 1 ? l.loss : tf.mul(l.loss, scale);
  }, model.variables());
  const byName = new Map<string, tf.Tensor>();
  for (const [varName, g] of Object.entries(grads)) byName.set(model.hfNameOf(varName), g);
  return { loss: value, grads: byName, stats: stats! };
}

export function disposeStats(stats: StepStats): void {
  stats.perExample.dispose();
  stats.pStart.dispose();
  stats.pEnd.dispose();
  stats.correct.dispose();
}

export interface TrainStepResult {
  /** Batch loss before the update (with accumulation: Σ over micro-batches of loss / A). */
  loss: tf.Scalar;
  /** Global gradient norm before clipping (the Trainer's logged grad_norm). */
  gradNorm: tf.Scalar;
  /** One per micro-batch, in order. */
  stats: StepStats[];
}

/** One micro-batch of an optimizer step. */
export interface MicroBatch {
  inputs: ModelInputs;
  targets: LossTargets;
}

/**
 * One Trainer step: for each micro-batch forward (dropout per `training`), loss × `lossScale`
 * and gradients, summed over the micro-batches (gradient accumulation), then clipping and AdamW
 * with learning rate `lr`. The gradients are disposed here; the returned tensors belong to the
 * caller.
 */
export function trainStep(model: QAModel, optimizer: AdamW, micro: readonly MicroBatch[], options: { lr: number; training?: boolean; lossScale?: number }): TrainStepResult {
  if (!micro.length) throw new Error('trainStep: no micro-batch');
  let loss: tf.Scalar | null = null;
  let sums: Map<string, tf.Tensor> | null = null;
  const stats: StepStats[] = [];
  try {
    for (const m of micro) {
      const r = computeGradients(model, m.inputs, m.targets, { training: options.training ?? true, lossScale: options.lossScale });
      stats.push(r.stats);
      if (!loss || !sums) {
        loss = r.loss;
        sums = r.grads;
        continue;
      }
      const prev: tf.Scalar = loss;
      loss = tf.add(prev, r.loss) as tf.Scalar;
      tf.dispose([prev, r.loss]);
      for (const [name, g] of r.grads) {
        const acc = sums.get(name)!;
        sums.set(name, tf.add(acc, g));
        tf.dispose([acc, g]);
      }
    }
    const gradNorm = optimizer.step(sums!, options.lr);
    return { loss: loss!, gradNorm, stats };
  } catch (e) {
    loss?.dispose();
    stats.forEach(disposeStats);
    throw e;
  } finally {
    if (sums) for (const g of sums.values()) g.dispose();
  }
}
