/**
 * Span-extraction loss of the Python system (origin-system.md §1.6, §5, §6):
 *   per example: (CE(start) + CE(end)) / 2, CE taken against q = (1 − ε)·onehot(gold) + ε / C
 *   (C = sequence length, ε per example, 0 without smoothing), times the example weight when
 *   weighting is on; batch loss = mean over examples (no normalisation by the weight sum).
 * With ε = 0 and weights 1 this is Hugging Face's default QA loss.
 *
 * The same forward pass also yields what dataset cartography records (§2.1): the softmax
 * probability of the gold start and end over all C positions, and whether both argmaxes hit gold.
 */
import * as tf from '@tensorflow/tfjs';
import { oneHotF32 } from '../model/ops';

export interface LossTargets {
  /** [B] int32 gold start token indices, each in [0, C). */
  startPositions: tf.Tensor1D;
  /** [B] int32 gold end token indices, each in [0, C). */
  endPositions: tf.Tensor1D;
  /** [B] float32 label-smoothing ε per example; absent = no smoothing. */
  smoothingEps?: tf.Tensor1D;
  /** [B] float32 loss weight per example; absent = weight 1. */
  weights?: tf.Tensor1D;
}

export interface QALoss {
  /** Scalar batch loss (differentiable). */
  loss: tf.Scalar;
  /** [B] per-example loss after smoothing and weighting. */
  perExample: tf.Tensor1D;
  /** [B] softmax(start_logits)[gold_start]. */
  pStart: tf.Tensor1D;
  /** [B] softmax(end_logits)[gold_end]. */
  pEnd: tf.Tensor1D;
  /** [B] 1 where argmax(start) = gold_start and argmax(end) = gold_end, else 0 (float32). */
  correct: tf.Tensor1D;
}

/** Per-example (smoothed) cross-entropy and the gold log-probability, for one head. */
function headLoss(logits: tf.Tensor2D, gold: tf.Tensor1D, eps?: tf.Tensor1D): { ce: tf.Tensor1D; goldLogProb: tf.Tensor1D } {
  const C = logits.shape[1];
  const logp = tf.logSoftmax(logits, -1);
  const goldLogProb = tf.sum(tf.mul(logp, oneHotF32(gold, C)), -1) as tf.Tensor1D;
  const nll = tf.neg(goldLogProb);
  if (!eps) return { ce: nll as tf.Tensor1D, goldLogProb };
  // −Σ_k q_k log p_k = (1 − ε)·nll + ε·(−mean_k log p_k)
  const uniform = tf.neg(tf.mean(logp, -1));
  const ce = tf.add(tf.mul(tf.sub(1, eps), nll), tf.mul(eps, uniform)) as tf.Tensor1D;
  return { ce, goldLogProb };
}

/** The loss and cartography statistics for start/end logits [B, C]. */
export function qaLoss(startLogits: tf.Tensor2D, endLogits: tf.Tensor2D, targets: LossTargets): QALoss {
  const [B, C] = startLogits.shape;
  if (endLogits.shape[0] !== B || endLogits.shape[1] !== C) {
    throw new Error(`end logits [${endLogits.shape}] differ from start logits [${startLogits.shape}]`);
  }
  const checkVec = (t: tf.Tensor | undefined, name: string) => {
    if (t && (t.rank !== 1 || t.shape[0] !== B)) throw new Error(`${name} must have shape [${B}], got [${t.shape}]`);
  };
  checkVec(targets.startPositions, 'startPositions');
  checkVec(targets.endPositions, 'endPositions');
  checkVec(targets.smoothingEps, 'smoothingEps');
  checkVec(targets.weights, 'weights');

  const s = headLoss(startLogits, targets.startPositions, targets.smoothingEps);
  const e = headLoss(endLogits, targets.endPositions, targets.smoothingEps);
  let perExample = tf.mul(tf.add(s.ce, e.ce), 0.5) as tf.Tensor1D;
  if (targets.weights) perExample = tf.mul(perExample, targets.weights) as tf.Tensor1D;
  const loss = tf.mean(perExample) as tf.Scalar;

  const pStart = tf.exp(s.goldLogProb) as tf.Tensor1D;
  const pEnd = tf.exp(e.goldLogProb) as tf.Tensor1D;
  const hitStart = tf.equal(tf.argMax(startLogits, -1), targets.startPositions);
  const hitEnd = tf.equal(tf.argMax(endLogits, -1), targets.endPositions);
  const correct = tf.cast(tf.logicalAnd(hitStart, hitEnd), 'float32') as tf.Tensor1D;
  return { loss, perExample, pStart, pEnd, correct };
}
