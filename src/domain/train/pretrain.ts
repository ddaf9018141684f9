/**
 * Masked-language-model pretraining of the encoder (BERT's recipe on ELECTRA's generator head):
 * 15% of the real tokens of each sequence are chosen; of those 80% become [MASK], 10% a random
 * token and 10% stay; the head predicts the original ids at the chosen positions only:
 *   h = LayerNorm(GELU(W · hidden + b)) [M, E],  logits = h · word_embeddingsᵀ + bias [M, V]
 * (Hugging Face ElectraForMaskedLM: generator_predictions.dense, generator_predictions.LayerNorm,
 * generator_lm_head with its weight tied to the word embeddings). Loss: the mean cross-entropy over
 * the chosen positions. Only the encoder is kept afterwards: fine-tuning starts from it with a
 * fresh QA head, as it does from a Hub checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncoderConfig } from '../model/config';
import { encoderPrefix } from '../model/config';
import { embeddingLookup } from '../model/embedding';
import { addLayerNorm, gelu, linear, oneHotF32 } from '../model/ops';
import type { QAModel } from '../model/model';
import type { ModelInputs } from '../model/encoder';
import { createModelInputs, disposeModelInputs } from '../model/model';
import { AdamW, HF_ADAMW_DEFAULTS, scheduledLr } from './optimizer';
import type { Rng } from './rng';

export const MLM_PROBABILITY = 0.15;

/** A batch's masked ids and what the head must predict. */
export interface MaskedBatch {
  /** Row-major [B · T] ids with the chosen positions replaced. */
  inputIds: Int32Array;
  /** Flat indices (b · T + t) of the chosen positions. */
  positions: Int32Array;
  /** The original ids there. */
  labels: Int32Array;
}

/**
 * Chooses and replaces positions of real, non-special tokens (attention 1, not [CLS]/[SEP]/[PAD]).
 * At least one position per batch is chosen, so the loss is always defined.
 */
export function maskBatch(ids: Int32Array, attention: Int32Array, rng: Rng, opts: { vocabSize: number; maskId: number; special: ReadonlySet<number>; probability?: number }): MaskedBatch {
  const p = opts.probability ?? MLM_PROBABILITY;
  const out = Int32Array.from(ids);
  const positions: number[] = [];
  const candidates: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (!attention[i] || opts.special.has(ids[i])) continue;
    candidates.push(i);
    if (rng.nextFloat() < p) positions.push(i);
  }
  if (!candidates.length) throw new Error('maskBatch: the batch has no maskable token');
  if (!positions.length) positions.push(candidates[rng.nextInt(candidates.length)]);
  const labels = new Int32Array(positions.length);
  positions.forEach((pos, k) => {
    labels[k] = ids[pos];
    const r = rng.nextFloat();
    if (r < 0.8) out[pos] = opts.maskId;
    else if (r < 0.9) out[pos] = rng.nextInt(opts.vocabSize);
  });
  return { inputIds: out, positions: Int32Array.from(positions), labels };
}

/** SpanBERT's span lengths: geometric with p = 0.2, at most 10 words (mean 3.8). */
export const SPAN_GEOMETRIC_P = 0.2;
export const SPAN_MAX_WORDS = 10;

/**
 * Span masking (SpanBERT, Joshi et al. 2020): per row, whole-word spans of geometric length are
 * chosen until 15% of the row's tokens are covered, and each span is replaced as a unit (80%
 * [MASK], 10% random ids, 10% kept). A masked dose, date or drug name then has to be found
 * elsewhere in the note (its recap or its sentence), the span-selection skill extractive QA needs;
 * single-token masking mostly asks for one word piece of a word whose other pieces are visible.
 * `continuation` holds the ids of word pieces that continue a word ("##…").
 */
export function spanMaskBatch(ids: Int32Array, attention: Int32Array, T: number, rng: Rng, opts: { vocabSize: number; maskId: number; special: ReadonlySet<number>; continuation: ReadonlySet<number>; probability?: number }): MaskedBatch {
  const p = opts.probability ?? MLM_PROBABILITY;
  const out = Int32Array.from(ids);
  const chosen = new Uint8Array(ids.length);
  const positions: number[] = [];
  for (let row = 0; row * T < ids.length; row++) {
    // Words as [start, end) token ranges of the row's real tokens.
    const words: Array<[number, number]> = [];
    for (let i = row * T; i < (row + 1) * T; i++) {
      if (!attention[i] || opts.special.has(ids[i])) continue;
      const last = words[words.length - 1];
      if (last && last[1] === i && opts.continuation.has(ids[i])) last[1] = i + 1;
      else words.push([i, i + 1]);
    }
    if (!words.length) continue;
    const tokens = words.reduce((n, [a, b]) => n + b - a, 0);
    const budget = Math.max(1, Math.round(p * tokens));
    let covered = 0;
    for (let tries = 0; covered < budget && tries < 4 * words.length; tries++) {
      let len = 1;
      while (len < SPAN_MAX_WORDS && rng.nextFloat() >= SPAN_GEOMETRIC_P) len++;
      len = Math.min(len, words.length);
      const first = rng.nextInt(words.length - len + 1);
      const span = words.slice(first, first + len);
      const size = span.reduce((n, [a, b]) => n + b - a, 0);
      if (covered + size > budget + 2 && covered > 0) continue;
      if (span.some(([a, b]) => chosen.subarray(a, b).some((x) => x))) continue;
      const r = rng.nextFloat();
      for (const [a, b] of span) {
        for (let i = a; i < b; i++) {
          chosen[i] = 1;
          positions.push(i);
          if (r < 0.8) out[i] = opts.maskId;
          else if (r < 0.9) out[i] = rng.nextInt(opts.vocabSize);
        }
      }
      covered += size;
    }
  }
  if (!positions.length) throw new Error('spanMaskBatch: the batch has no maskable token');
  positions.sort((a, b) => a - b);
  const labels = Int32Array.from(positions, (i) => ids[i]);
  return { inputIds: out, positions: Int32Array.from(positions), labels };
}

/** The head's parameter names and shapes (Hugging Face ElectraForMaskedLM, the decoder weight tied). */
export function mlmHeadShapes(config: EncoderConfig): Record<string, number[]> {
  return {
    'generator_predictions.dense.weight': [config.embeddingSize, config.hiddenSize],
    'generator_predictions.dense.bias': [config.embeddingSize],
    'generator_predictions.LayerNorm.weight': [config.embeddingSize],
    'generator_predictions.LayerNorm.bias': [config.embeddingSize],
    'generator_lm_head.bias': [config.vocabSize],
  };
}

/** The head's variables, initialised as Hugging Face does (normal(0, initializer_range), biases 0, LayerNorm 1/0). */
export function createMlmHead(config: EncoderConfig, rng: Rng): Map<string, tf.Variable> {
  const head = new Map<string, tf.Variable>();
  for (const [name, shape] of Object.entries(mlmHeadShapes(config))) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (name.endsWith('dense.weight')) for (let i = 0; i < size; i++) data[i] = rng.nextNormal() * config.initializerRange;
    if (name === 'generator_predictions.LayerNorm.weight') data.fill(1);
    const t = tf.tensor(data, shape);
    head.set(name, tf.variable(t, true, `mlm-${Math.random().toString(36).slice(2)}/${name}`));
    t.dispose();
  }
  return head;
}

/** The MLM loss (a scalar) for one masked batch; call inside tf.variableGrads. */
export function mlmLoss(model: QAModel, head: ReadonlyMap<string, tf.Variable>, inputs: ModelInputs, batch: MaskedBatch): tf.Scalar {
  const { config } = model;
  const out = model.forward(inputs, { training: true });
  const [B, T, H] = out.lastHiddenState.shape;
  const hidden = tf.reshape(out.lastHiddenState, [B * T, H]) as tf.Tensor2D;
  const at = tf.tensor2d(batch.positions, [1, batch.positions.length], 'int32');
  const chosen = tf.reshape(embeddingLookup(hidden, at), [batch.positions.length, H]) as tf.Tensor2D;
  const g = (n: string) => head.get(n)!;
  const h = addLayerNorm([gelu(linear(chosen, g('generator_predictions.dense.weight'), g('generator_predictions.dense.bias')))], g('generator_predictions.LayerNorm.weight'), g('generator_predictions.LayerNorm.bias'), config.layerNormEps) as tf.Tensor2D;
  const words = model.params.get(`${encoderPrefix(config)}.embeddings.word_embeddings.weight`)!;
  const logits = linear(h, words, g('generator_lm_head.bias'));
  const labels = tf.tensor1d(batch.labels, 'int32');
  const gold = tf.sum(tf.mul(tf.logSoftmax(logits, -1), oneHotF32(labels, config.vocabSize)), -1);
  return tf.neg(tf.mean(gold)) as tf.Scalar;
}

/** One tokenized pretraining sequence: [CLS] A [SEP] B [SEP], the note split at a sentence boundary. */
export interface PretrainSequence {
  ids: Int32Array;
  tokenTypeIds: Int32Array;
}

export interface PretrainOptions {
  sequences: readonly PretrainSequence[];
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  weightDecay: number;
  /** Bucket step of the padded length (a batch is padded to the next multiple). */
  bucket: number;
  rng: Rng;
  special: ReadonlySet<number>;
  maskId: number;
  padId: number;
  /** Span masking (SpanBERT) when given: the ids of word pieces that continue a word; token masking (BERT) otherwise. */
  spanContinuation?: ReadonlySet<number>;
  onLog?: (step: number, meanLoss: number) => void;
  logEvery?: number;
}

export interface PretrainResult {
  steps: number;
  seconds: number;
  /** Mean loss of the first and of the last logging window. */
  firstLoss: number;
  finalLoss: number;
}

/**
 * Pretrains `model`'s encoder (and `head`) for `steps` AdamW steps of MLM on random batches of
 * `sequences` (an epoch is a shuffled pass; the batch is padded to the bucket above its longest
 * sequence). The linear schedule with warmup and clipping at 1 are the Trainer's.
 */
export async function pretrainMlm(model: QAModel, head: ReadonlyMap<string, tf.Variable>, opts: PretrainOptions): Promise<PretrainResult> {
  const { sequences, rng } = opts;
  if (!sequences.length) throw new Error('pretrainMlm: no sequences');
  // The QA head takes no part (its fresh init is what fine-tuning starts from).
  const params = new Map<string, tf.Variable>([...[...model.params].filter(([name]) => !name.startsWith('qa_outputs.')), ...head]);
  const optimizer = new AdamW(params, { ...HF_ADAMW_DEFAULTS, weightDecay: opts.weightDecay });
  const schedule = { baseLr: opts.learningRate, warmupSteps: opts.warmupSteps, totalSteps: opts.steps };
  const logEvery = opts.logEvery ?? 100;
  const names = new Map([...params].map(([name, v]) => [v.name, name]));
  let order = rng.permutation(sequences.length);
  let cursor = 0;
  let window: number[] = [];
  let firstLoss = NaN;
  let finalLoss = NaN;
  const t0 = performance.now();
  try {
    for (let step = 0; step < opts.steps; step++) {
      const batch: PretrainSequence[] = [];
      while (batch.length < opts.batchSize) {
        if (cursor === order.length) {
          order = rng.permutation(sequences.length);
          cursor = 0;
        }
        batch.push(sequences[order[cursor++]]);
      }
      const longest = Math.max(...batch.map((s) => s.ids.length));
      const T = Math.min(model.config.maxPositionEmbeddings, Math.ceil(longest / opts.bucket) * opts.bucket);
      const B = batch.length;
      const ids = new Int32Array(B * T).fill(opts.padId);
      const types = new Int32Array(B * T);
      const attention = new Int32Array(B * T);
      batch.forEach((s, b) => {
        const n = Math.min(s.ids.length, T);
        ids.set(s.ids.subarray(0, n), b * T);
        types.set(s.tokenTypeIds.subarray(0, n), b * T);
        attention.fill(1, b * T, b * T + n);
      });
      const maskOpts = { vocabSize: model.config.vocabSize, maskId: opts.maskId, special: opts.special };
      const masked = opts.spanContinuation ? spanMaskBatch(ids, attention, T, rng, { ...maskOpts, continuation: opts.spanContinuation }) : maskBatch(ids, attention, rng, maskOpts);
      const inputs = createModelInputs(model.config, { batchSize: B, seqLen: T, inputIds: masked.inputIds, attentionMask: attention, tokenTypeIds: types }, { withGradPlan: true });
      try {
        const { value, grads } = tf.variableGrads(() => mlmLoss(model, head, inputs, masked), [...params.values()]);
        const byName = new Map(Object.entries(grads).map(([v, g]) => [names.get(v)!, g]));
        optimizer.step(byName, scheduledLr(schedule, step)).dispose();
        window.push((await value.data())[0]);
        tf.dispose([value, ...Object.values(grads)]);
      } finally {
        disposeModelInputs(inputs);
      }
      if (window.length === logEvery || step === opts.steps - 1) {
        const mean = window.reduce((a, x) => a + x, 0) / window.length;
        if (Number.isNaN(firstLoss)) firstLoss = mean;
        finalLoss = mean;
        opts.onLog?.(step + 1, mean);
        window = [];
        await new Promise((r) => setTimeout(r, 0));
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { steps: opts.steps, seconds: (performance.now() - t0) / 1000, firstLoss, finalLoss };
}
