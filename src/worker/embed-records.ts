/**
 * Example embeddings from a trained model (extract_embeddings.py, origin-system.md §4.1), in the
 * training worker: each example is tokenized once (only_second truncation, no stride), run through
 * the encoder in eval mode in batches, and its final hidden states reduced to
 * [h[CLS] ; mean of h over the gold-answer tokens].
 *
 * Python pads every example to max_length; we pad each batch only to the bucket length that holds
 * its longest example (see domain/train/padding.ts). That changes nothing in the vectors: the
 * attention masks padding keys with float32 min (exactly zero weight) and every other layer works
 * per token, so real tokens' hidden states do not depend on how much padding follows.
 *
 * Kept apart from handlers/embeddings.ts (which selects the backend) so Node tests can run it on
 * a backend of their choosing.
 */
import * as tf from '@tensorflow/tfjs';
import { throwIfCancelled, type HandlerContext } from './router';
import type { ExtractEmbeddingsParams, ExtractEmbeddingsProgress, ExtractEmbeddingsResult } from './api/embeddings';
import type { LabDatabase } from '../storage/db';
import { getDataset, readFirstRows } from '../storage/datasets';
import { newArtifactId, saveArtifact } from '../storage/artifacts';
import { loadStoredQAModel } from '../storage/load-model';
import { createModelInputs, disposeModelInputs, type QAModel } from '../domain/model/model';
import { embeddingInput, type WordPieceTokenizer } from '../domain/qa/index';
import { composeEmbeddings } from '../domain/clustering/embedding';
import { bucketLengthsFor, paddedLength } from '../domain/train/padding';
import { eventLoopYielder } from '../domain/train/yield';
import type { QARecord } from '../domain/data/types';

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
  signal?: AbortSignal;
  onProgress?: (p: ExtractEmbeddingsProgress) => void;
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

/** Embeds `records` in order. Cancels between batches (throws CancelledError). */
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
  const signal = options.signal;
  options.onProgress?.({ done: 0, total: n });
  const yieldNow = eventLoopYielder();
  for (let from = 0; from < n; from += batchSize) {
    await yieldNow();
    if (signal) throwIfCancelled(signal);
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

/**
 * The handler's work against a database: reads the rows and the model, embeds, stores the
 * artifact. The backend must be selected by the caller (the worker's ensureBackend, or a test's
 * initNodeBackend).
 */
export async function extractEmbeddingsTo(
  db: LabDatabase,
  p: ExtractEmbeddingsParams,
  ctx: Pick<HandlerContext<ExtractEmbeddingsProgress>, 'signal' | 'progress'>,
  padding: EmbedOptions['padding'] = 'bucket',
): Promise<ExtractEmbeddingsResult> {
  const t0 = performance.now();
  const dataset = await getDataset(db, p.datasetId);
  if (!dataset) throw new Error(`No dataset "${p.datasetId}" (it may have been deleted)`);
  if (!dataset.splits[p.split]) throw new Error(`Dataset "${dataset.name}" has no "${p.split}" split (it has ${Object.keys(dataset.splits).join(', ')})`);
  const maxSamples = p.maxSamples ?? null;
  if (maxSamples !== null && !(Number.isInteger(maxSamples) && maxSamples >= 1)) throw new RangeError(`max samples must be a positive integer, got ${maxSamples}`);
  const rows = await readFirstRows(db, dataset.id, p.split, maxSamples);
  if (rows.length === 0) throw new Error(`The "${p.split}" split of "${dataset.name}" is empty`);
  throwIfCancelled(ctx.signal);
  const { model, tokenizer, meta } = await loadStoredQAModel(db, p.modelId, 42);
  let embedded: EmbeddedRecords;
  try {
    embedded = await embedRecords(model, tokenizer, rows, { batchSize: p.batchSize, maxLength: p.maxLength, padding, signal: ctx.signal, onProgress: (x) => ctx.progress(x) });
  } finally {
    model.dispose();
  }
  throwIfCancelled(ctx.signal);
  const createdAt = new Date().toISOString();
  const artifactId = newArtifactId('embeddings');
  await saveArtifact(db, {
    id: artifactId,
    kind: 'embeddings',
    name: `embeddings · ${meta.name} · ${dataset.name} · ${p.split} · ${rows.length} rows`,
    datasetId: dataset.id,
    split: p.split,
    createdAt,
    producedBy: p.modelId,
    data: { ids: embedded.ids, dim: embedded.dim, data: embedded.data, modelId: p.modelId },
  });
  return {
    artifactId,
    n: rows.length,
    dim: embedded.dim,
    noAnswerTokens: embedded.noAnswerTokens,
    maxLength: embedded.maxLength,
    seconds: (performance.now() - t0) / 1000,
  };
}

