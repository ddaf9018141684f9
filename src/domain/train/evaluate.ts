/**
 * Evaluation as the Python system's QuestionAnsweringTrainer.evaluate does it: eval features at
 * the tokenizer's model_max_length (stride 128, no ablation), the model in eval mode, n-best
 * postprocessing and the SQuAD v1.1 metric (eval_exact_match, eval_f1).
 *
 * Windows are batched in length order and padded to length buckets. That is exact, not an
 * approximation: padded keys get zero attention weight, and postprocessing ignores positions past
 * a window's tokens, so each window's logits at its real positions do not depend on the padding.
 */
import * as tf from '@tensorflow/tfjs';
import type { QARecord } from '../data/types';
import { createModelInputs, disposeModelInputs, type QAModel } from '../model/model';
import { eventLoopYielder } from './yield';
import { makeBatch, prepareEvalFeatures, windowLength, type EvalFeatures } from '../qa/features';
import { postprocessQAPredictions } from '../qa/postprocess';
import { computeSquadMetrics, type SquadMetrics } from '../qa/squad-metrics';
import type { WordPieceTokenizer } from '../qa/tokenizer';
import { abortError, classifyBackendError, TrainError } from './errors';
import { bucketLengthsFor, paddedLength } from './padding';

export interface EvaluateOptions {
  /** Eval window length; default the tokenizer's model_max_length (512 when it has none), clamped to max_position_embeddings. */
  maxLength?: number;
  batchSize: number;
  signal?: AbortSignal;
  onProgress?: (p: { batch: number; totalBatches: number }) => void;
}

export interface EvaluateResult {
  metrics: SquadMetrics;
  /** One per row, in row order: the row's id and the predicted answer text. */
  predictions: { id: string; predicted_answer: string }[];
}

/** The eval window length: the requested one, else the tokenizer's model_max_length or 512, never above the model's positions. */
export function resolveEvalMaxLength(model: QAModel, tokenizer: WordPieceTokenizer, requested?: number): number {
  const wanted = requested ?? tokenizer.spec.modelMaxLength ?? 512;
  if (!Number.isInteger(wanted) || wanted < 4) throw new TrainError('invalid-config', `eval max length must be an integer ≥ 4, got ${wanted}`);
  return Math.min(wanted, model.config.maxPositionEmbeddings);
}

/** Start and end logits of every window (in window order), each at its batch's padded length. */
export async function windowLogits(
  model: QAModel,
  features: EvalFeatures,
  options: { batchSize: number; signal?: AbortSignal; onBatch?: (done: number, total: number) => void },
): Promise<{ start: Float32Array[]; end: Float32Array[] }> {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TrainError('invalid-config', `eval batch size must be a positive integer, got ${batchSize}`);
  const order = Array.from({ length: features.count }, (_, w) => w).sort((a, b) => windowLength(features, a) - windowLength(features, b) || a - b);
  const buckets = bucketLengthsFor(features.maxLength, tf.getBackend());
  const start: Float32Array[] = new Array(features.count);
  const end: Float32Array[] = new Array(features.count);
  const total = Math.ceil(order.length / batchSize);
  const yieldNow = eventLoopYielder();
  for (let b = 0; b < total; b++) {
    await yieldNow();
    if (options.signal?.aborted) throw abortError();
    const rows = order.slice(b * batchSize, (b + 1) * batchSize);
    const longest = windowLength(features, rows[rows.length - 1]);
    const T = paddedLength(longest, features.maxLength, 'bucket', buckets);
    const batch = makeBatch(features, rows, T);
    let inputs: ReturnType<typeof createModelInputs> | null = null;
    let packed: tf.Tensor | null = null;
    try {
      inputs = createModelInputs(
        model.config,
        { batchSize: rows.length, seqLen: T, inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
        { withGradPlan: false },
      );
      const inp = inputs;
      packed = tf.tidy(() => {
        const out = model.forward(inp, { training: false });
        return tf.stack([out.startLogits, out.endLogits]);
      });
      const values = (await packed.data()) as Float32Array;
      rows.forEach((w, r) => {
        start[w] = values.slice(r * T, (r + 1) * T);
        end[w] = values.slice((rows.length + r) * T, (rows.length + r + 1) * T);
      });
    } catch (e) {
      throw classifyBackendError(e, { batchSize: rows.length, seqLength: T, backend: tf.getBackend() });
    } finally {
      packed?.dispose();
      if (inputs) disposeModelInputs(inputs);
    }
    options.onBatch?.(b + 1, total);
  }
  return { start, end };
}

/** EM/F1 and predictions of `model` on `rows`. */
export async function evaluateModel(model: QAModel, tokenizer: WordPieceTokenizer, rows: readonly QARecord[], opts: EvaluateOptions): Promise<EvaluateResult> {
  if (rows.length === 0) throw new TrainError('invalid-input', 'evaluation: there are no evaluation rows');
  const maxLength = resolveEvalMaxLength(model, tokenizer, opts.maxLength);
  if (opts.signal?.aborted) throw abortError();
  return evaluateFeatures(model, rows, evalFeatures(rows, tokenizer, maxLength), opts);
}

/** Eval features of `rows` (tokenized once per run, reused by every evaluation). */
export function evalFeatures(rows: readonly QARecord[], tokenizer: WordPieceTokenizer, maxLength: number): EvalFeatures {
  try {
    return prepareEvalFeatures(rows, tokenizer, { maxLength });
  } catch (e) {
    throw new TrainError('invalid-input', `evaluation features: ${(e as Error).message}`, { cause: e });
  }
}

/** EM/F1 and predictions from already built eval features of `rows`. */
export async function evaluateFeatures(
  model: QAModel,
  rows: readonly QARecord[],
  features: EvalFeatures,
  opts: Pick<EvaluateOptions, 'batchSize' | 'signal' | 'onProgress'>,
): Promise<EvaluateResult> {
  const logits = await windowLogits(model, features, {
    batchSize: opts.batchSize,
    signal: opts.signal,
    onBatch: (batch, totalBatches) => opts.onProgress?.({ batch, totalBatches }),
  });
  const { predictions } = postprocessQAPredictions(
    rows.map((r) => r.context),
    features,
    logits.start,
    logits.end,
  );
  // As Python: predictions keyed by example id (a later duplicate id wins), references per row.
  const byId = new Map<string, string>();
  predictions.forEach((p, e) => byId.set(features.exampleIds[e], p));
  const metrics = computeSquadMetrics(
    byId,
    rows.map((r, e) => ({ id: features.exampleIds[e], answers: { text: r.answers.text } })),
  );
  return {
    metrics,
    predictions: rows.map((_, e) => ({ id: features.exampleIds[e], predicted_answer: byId.get(features.exampleIds[e])! })),
  };
}
