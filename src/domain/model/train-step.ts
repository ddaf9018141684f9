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

/** Loss, gradients of every parameter, and per-example statistics, from one forward pass. */
export function computeGradients(model: QAModel, inputs: ModelInputs, targets: LossTargets, options: { training: boolean }): GradientResult {
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
    return l.loss;
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
  /** Batch loss before the update. */
  loss: tf.Scalar;
  /** Global gradient norm before clipping (the Trainer's logged grad_norm). */
  gradNorm: tf.Scalar;
  stats: StepStats;
}

/**
 * One Trainer step: forward (dropout per `training`), loss, gradients, clipping and AdamW with
 * learning rate `lr`. The gradients are disposed here; the returned tensors belong to the caller.
 */
export function trainStep(
  model: QAModel,
  optimizer: AdamW,
  inputs: ModelInputs,
  targets: LossTargets,
  options: { lr: number; training?: boolean },
): TrainStepResult {
  const { loss, grads, stats } = computeGradients(model, inputs, targets, { training: options.training ?? true });
  try {
    const gradNorm = optimizer.step(grads, options.lr);
    return { loss, gradNorm, stats };
  } catch (e) {
    loss.dispose();
    disposeStats(stats);
    throw e;
  } finally {
    for (const g of grads.values()) g.dispose();
  }
}
