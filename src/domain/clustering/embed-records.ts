/**
 * Example embeddings from a trained model (extract_embeddings.py, origin-system.md §4.1): each
 * example is tokenized once (only_second truncation, no stride), run through the encoder in eval
 * mode in batches, and its final hidden states reduced to [h[CLS] ; mean of h over the
 * gold-answer tokens]. Used by the training worker (handlers/embeddings.ts) and the clusters CLI.
 *
 * Python pads every example to max_length; we pad each batch only to the bucket length that holds
 * its longest example (see domain/train/padding.ts). That changes nothing in the vectors: the
 * attention masks padding keys with float32 min (exactly zero weight) and every other layer works
 * per token, so real tokens' hidden states do not depend on how much padding follows.
 */
import * as tf from '@tensorflow/tfjs';
import { createModelInputs, disposeModelInputs, type QAModel } from '../model/model';
import { embeddingInput, type WordPieceTokenizer } from '../qa/index';
import { composeEmbeddings } from './embedding';
import { bucketLengthsFor, paddedLength } from '../train/padding';
import { eventLoopYielder } from '../train/yield';
import type { QARecord } from '../data/types';

/** Progress of an embedding pass: rows embedded so far. */
export interface EmbedProgress {
  done: number;
  total: number;
}

/** The origin's tokenization length. */
export const EMBEDDING_MAX_LENGTH = 512;

export interface EmbedOptions {
  batchSize: number;
  /** Default 512, clamped to the model's max_position_embeddings. */
  maxLength?: number;
  /**
   * 'bucket' (default): each batch padded to the bucket that holds its longest example, the
   * cheapest on wasm/cpu. 'max_length': every batch padded to max_length and to the full batch
   * size (the last batch repeats its first example), so the whole run has one input shape:
   * on WebGPU/WebGL each new shape compiles its shaders anew, which costs far more than padding.
   */
  padding?: 'bucket' | 'max_length';
  /** Called between batches; throws to cancel (the worker's throwIfCancelled). */
  checkCancelled?: () => void;
  onProgress?: (p: EmbedProgress) => void;
}

export interface EmbeddedRecords {
  ids: string[];
  /** n × dim, row-major. */
  data: Float32Array;
  dim: number;
  maxLength: number;
  noAnswerTokens: number;
}

/** The tokenization length actually used: the request (default 512) capped by the model's positions. */
export function effectiveMaxLength(model: QAModel, requested = EMBEDDING_MAX_LENGTH): number {
  if (!Number.isInteger(requested) || requested < 4) throw new RangeError(`max length must be an integer ≥ 4, got ${requested}`);
  return Math.min(requested, model.config.maxPositionEmbeddings);
}

/** Embeds `records` in order; `checkCancelled` runs between batches. */
export async function embedRecords(model: QAModel, tokenizer: WordPieceTokenizer, records: readonly QARecord[], options: EmbedOptions): Promise<EmbeddedRecords> {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  if (model.config.vocabSize < tokenizer.vocabSize) throw new RangeError(`the tokenizer has ${tokenizer.vocabSize} ids but the model's vocab_size is ${model.config.vocabSize}`);
  const maxLength = effectiveMaxLength(model, options.maxLength);
  const buckets = bucketLengthsFor(maxLength, tf.getBackend());
  const hidden = model.config.hiddenSize;
  const dim = 2 * hidden;
  const n = records.length;
  const data = new Float32Array(n * dim);
  const ids: string[] = new Array(n);
  let noAnswerTokens = 0;
  options.onProgress?.({ done: 0, total: n });
  const yieldNow = eventLoopYielder();
  for (let from = 0; from < n; from += batchSize) {
    await yieldNow();
    options.checkCancelled?.();
    const batch = records.slice(from, Math.min(n, from + batchSize));
    const inputs = batch.map((r, j) => {
      try {
        return embeddingInput(r, tokenizer, maxLength);
      } catch (e) {
        throw new Error(`row ${from + j} (id ${r.id}): ${(e as Error).message}`, { cause: e });
      }
    });
    const B = batch.length;
    const fixed = options.padding === 'max_length';
    const longest = inputs.reduce((m, x) => Math.max(m, x.encoding.ids.length), 0);
    const T = paddedLength(longest, maxLength, fixed ? 'max_length' : 'bucket', buckets);
    // Filler rows (fixed shape only) repeat the first example; their outputs are dropped.
    const Bp = fixed ? batchSize : B;
    const inputIds = new Int32Array(Bp * T).fill(tokenizer.padId);
    const attentionMask = new Int32Array(Bp * T);
    const tokenTypeIds = new Int32Array(Bp * T);
    for (let b = 0; b < Bp; b++) {
      const { encoding } = inputs[b < B ? b : 0];
      inputIds.set(encoding.ids, b * T);
      attentionMask.fill(1, b * T, b * T + encoding.ids.length);
      tokenTypeIds.set(encoding.tokenTypeIds, b * T);
    }
    const modelInputs = createModelInputs(model.config, { batchSize: Bp, seqLen: T, inputIds, attentionMask, tokenTypeIds }, { withGradPlan: false });
    let hiddenState: tf.Tensor3D;
    try {
      hiddenState = tf.tidy(() => {
        const out = model.forward(modelInputs, { training: false });
        return out.lastHiddenState;
      });
    } finally {
      disposeModelInputs(modelInputs);
    }
    let values: Float32Array;
    try {
      values = (await hiddenState.data()) as Float32Array;
    } finally {
      hiddenState.dispose();
    }
    const answerTokens = inputs.map((x) => {
      if (x.answerTokens.length === 0) noAnswerTokens++;
      return Array.from(x.answerTokens);
    });
    data.set(composeEmbeddings(values.subarray(0, B * T * hidden), B, T, hidden, answerTokens), from * dim);
    batch.forEach((r, j) => (ids[from + j] = r.id));
    options.onProgress?.({ done: from + B, total: n });
  }
  return { ids, data, dim, maxLength, noAnswerTokens };
}

