/**
 * QA features exactly as the Python system builds them (origin-system.md §1.3): the fast tokenizer
 * called with (question.lstrip(), context), truncation="only_second", return_overflowing_tokens,
 * stride, padding="max_length", and the run_qa label walk over the padded offsets.
 *
 * Storage is compact: the unpadded token ids of all windows are concatenated in one typed array
 * (Uint16 when the vocabulary allows), with per-window typed-array columns. Padding, attention masks
 * and token types are derived when a batch is built (`makeBatch`), at max_length as in Python or at
 * any shorter bucket length that keeps the labels.
 */
import type { QARecord } from '../data/types';
import { IntBuffer } from './int-buffer';
import { pythonLstrip } from './python-strings';
import type { TextEncoding, WordPieceTokenizer } from './tokenizer';

export type Ablation = 'none' | 'q_only' | 'p_only';

/** The question every row gets under the p_only ablation (the branch the origin system ran). */
export const P_ONLY_QUESTION = 'What is the answer?';

/** Python's stride for a max length: min(L // 2, 128). */
export function defaultStride(maxLength: number): number {
  return Math.min(Math.floor(maxLength / 2), 128);
}

export type TokenIds = Uint16Array | Int32Array;

/** Windows ("features") of a set of examples. Window w holds ids[tokenStart[w], tokenStart[w+1]). */
export interface FeatureWindows {
  readonly count: number;
  readonly maxLength: number;
  readonly stride: number;
  /** Unpadded ids of every window, concatenated: [CLS] question [SEP] context-slice [SEP]. */
  readonly ids: TokenIds;
  /** count + 1 entries. */
  readonly tokenStart: Int32Array;
  /** Position of the first context token in the window (question tokens + 2); token type 1 from here. */
  readonly contextStart: Int32Array;
  /** Index of the window's first context token among its example's context tokens. */
  readonly contextTokenOffset: Int32Array;
  /** Index into the records the features were built from. */
  readonly exampleIndex: Int32Array;
  /** Per example (not per window): `record.id`, or `example_{index}` when the id is empty. */
  readonly exampleIds: readonly string[];
  readonly padId: number;
}

export interface TrainFeatures extends FeatureWindows {
  readonly kind: 'train';
  readonly ablation: Ablation;
  readonly startPositions: Int32Array;
  readonly endPositions: Int32Array;
  /** 1 when the gold answer lies fully inside the window (labels are not the CLS index). */
  readonly containsAnswer: Uint8Array;
  /**
   * Smallest padded length that keeps the labels as Python computes them: the window length, or
   * more when run_qa's start walk runs into the padding (an answer starting in the window's last
   * context token gets start = max_length - 1, a padding position; see labelWindow).
   */
  readonly minPadLength: Int32Array;
}

export interface EvalFeatures extends FeatureWindows {
  readonly kind: 'eval';
  /** [start, end) per token, aligned with `ids` (2 entries per token); -1, -1 where Python has None. */
  readonly offsets: Int32Array;
}

export interface TrainFeatureOptions {
  maxLength: number;
  /** Token overlap between consecutive windows; default min(maxLength / 2, 128). */
  stride?: number;
  ablation?: Ablation;
}

export interface EvalFeatureOptions {
  /** Default 512 (the tokenizer's model_max_length in the origin system). */
  maxLength?: number;
  stride?: number;
}

/** One padded batch, row-major [batch, seqLength], ready for int32 tensors. */
export interface FeatureBatch {
  readonly batchSize: number;
  readonly seqLength: number;
  readonly inputIds: Int32Array;
  readonly attentionMask: Int32Array;
  readonly tokenTypeIds: Int32Array;
  /** Train features only. */
  readonly startPositions: Int32Array | null;
  readonly endPositions: Int32Array | null;
  readonly windowIndices: Int32Array;
  readonly exampleIndices: Int32Array;
}

/**
 * Context token ranges [start, stop) of the windows, as the Rust tokenizer's only_second truncation
 * with overflow produces them: the context budget is maxLength - 3 - questionTokens; consecutive
 * windows overlap by `stride` tokens; the last window ends at the last context token.
 */
export function contextWindows(questionTokens: number, contextTokens: number, maxLength: number, stride: number): Array<[number, number]> {
  const total = questionTokens + contextTokens + 3;
  if (total <= maxLength) return [[0, contextTokens]];
  const toRemove = total - maxLength;
  if (contextTokens <= toRemove) {
    throw new Error(
      `the question has ${questionTokens} tokens, which leaves no room for the context within max_length ${maxLength} ` +
        '(the Python tokenizer fails the same way: "Sequence to truncate too short")',
    );
  }
  const budget = contextTokens - toRemove;
  if (stride >= budget) {
    throw new Error(`stride ${stride} must be smaller than the context budget ${budget} tokens (max_length ${maxLength} minus question and special tokens)`);
  }
  const step = budget - stride;
  const out: Array<[number, number]> = [];
  for (let start = 0; ; start += step) {
    const stop = Math.min(start + budget, contextTokens);
    out.push([start, stop]);
    if (stop === contextTokens) break;
  }
  return out;
}

/** Gold char span of the first answer, or null when the row has no answer. */
export function goldCharSpan(record: QARecord, index: number): { start: number; end: number } | null {
  const a = record.answers;
  const where = `record ${index} (id ${JSON.stringify(record.id)})`;
  if (!a || !Array.isArray(a.answer_start)) throw new Error(`${where}: answers.answer_start must be an array`);
  if (a.answer_start.length === 0) return null;
  const start = a.answer_start[0];
  if (!Number.isInteger(start) || start < 0) throw new Error(`${where}: answers.answer_start[0] must be a non-negative integer, got ${String(start)}`);
  if (Array.isArray(a.answer_end) && a.answer_end.length > 0) {
    const end = a.answer_end[0];
    if (!Number.isInteger(end)) throw new Error(`${where}: answers.answer_end[0] must be an integer, got ${String(end)}`);
    return { start, end };
  }
  const text = Array.isArray(a.text) ? a.text[0] : undefined;
  if (typeof text !== 'string') throw new Error(`${where}: answers.text[0] must be a string when answer_end is absent`);
  return { start, end: start + text.length };
}

function exampleIdOf(record: QARecord, index: number): string {
  return typeof record.id === 'string' && record.id.length > 0 ? record.id : `example_${index}`;
}

interface WindowLabel {
  start: number;
  end: number;
}

/**
 * run_qa's label walk on one padded window (positions 0..maxLength-1):
 * [CLS] q(1..nq) [SEP] context(first..last) [SEP] [PAD]...; special and pad tokens have offsets (0,0).
 * CLS (0, 0) unless the first context token starts at or before the answer and the last one ends at
 * or after its end. Then start walks forward while offset.start <= start_char; as [SEP] and padding
 * have start 0, an answer starting in the last context token walks to max_length, giving
 * max_length - 1. End walks backward while offset.end >= end_char (Python's negative indexing kept).
 */
export function labelWindow(
  question: TextEncoding,
  context: TextEncoding,
  from: number,
  stop: number,
  maxLength: number,
  startChar: number,
  endChar: number,
): WindowLabel {
  const nq = question.ids.length;
  const first = nq + 2;
  const last = first + (stop - from) - 1;
  if (stop <= from) throw new Error('a window without context tokens cannot be labelled (Python fails with IndexError)');
  if (!(context.starts[from] <= startChar && context.ends[stop - 1] >= endChar)) return { start: 0, end: 0 };
  const startAt = (p: number): number => (p >= first && p <= last ? context.starts[from + p - first] : p >= 1 && p <= nq ? question.starts[p - 1] : 0);
  const endAt = (p: number): number => (p >= first && p <= last ? context.ends[from + p - first] : p >= 1 && p <= nq ? question.ends[p - 1] : 0);
  let i = first;
  while (i < maxLength && startAt(i) <= startChar) i++;
  let j = last;
  for (;;) {
    if (j < -maxLength) throw new Error('label walk ran off the window (Python fails with IndexError)');
    if (endAt(j < 0 ? j + maxLength : j) < endChar) break;
    j--;
  }
  return { start: i - 1, end: j + 1 };
}

function idBuffer(tokenizer: WordPieceTokenizer, capacity: number): IntBuffer<TokenIds> {
  return tokenizer.vocabSize <= 0x10000 ? new IntBuffer<TokenIds>(capacity, Uint16Array) : new IntBuffer<TokenIds>(capacity, Int32Array);
}

/** Encodes contexts, reusing the previous encoding when consecutive rows share a context (emrQA does). */
class ContextEncoder {
  private lastText: string | null = null;
  private last: TextEncoding | null = null;
  constructor(private readonly tokenizer: WordPieceTokenizer) {}
  encode(text: string): TextEncoding {
    if (text !== this.lastText || this.last === null) {
      this.last = this.tokenizer.encode(text);
      this.lastText = text;
    }
    return this.last;
  }
}

function checkLengths(maxLength: number, stride: number): void {
  if (!Number.isInteger(maxLength) || maxLength < 4) throw new Error(`max_length must be an integer of at least 4, got ${maxLength}`);
  if (!Number.isInteger(stride) || stride < 0) throw new Error(`stride must be a non-negative integer, got ${stride}`);
}

function checkRecord(record: QARecord, index: number): void {
  const where = `record ${index} (id ${JSON.stringify(record?.id)})`;
  if (typeof record?.question !== 'string') throw new Error(`${where}: question must be a string`);
  if (typeof record.context !== 'string') throw new Error(`${where}: context must be a string`);
}

/** Training features (prepare_train_dataset_qa): windows, labels, ablations. */
export function prepareTrainFeatures(records: readonly QARecord[], tokenizer: WordPieceTokenizer, options: TrainFeatureOptions): TrainFeatures {
  const maxLength = options.maxLength;
  const stride = options.stride ?? defaultStride(maxLength);
  const ablation = options.ablation ?? 'none';
  checkLengths(maxLength, stride);
  const ids = idBuffer(tokenizer, records.length * 64);
  const tokenStart = new IntBuffer(records.length + 1);
  const contextStart = new IntBuffer(records.length);
  const ctxOffset = new IntBuffer(records.length);
  const exampleIndex = new IntBuffer(records.length);
  const starts = new IntBuffer(records.length);
  const ends = new IntBuffer(records.length);
  const contains = new IntBuffer<Uint8Array>(records.length, Uint8Array);
  const minPad = new IntBuffer(records.length);
  const exampleIds: string[] = [];
  const contexts = new ContextEncoder(tokenizer);
  const pOnly = ablation === 'p_only' ? tokenizer.encode(P_ONLY_QUESTION) : null;
  tokenStart.push(0);
  records.forEach((record, r) => {
    checkRecord(record, r);
    exampleIds.push(exampleIdOf(record, r));
    const question = pOnly ?? tokenizer.encode(pythonLstrip(record.question));
    const context = contexts.encode(record.context);
    const gold = goldCharSpan(record, r);
    let windows: Array<[number, number]>;
    try {
      windows = contextWindows(question.ids.length, context.ids.length, maxLength, stride);
    } catch (e) {
      throw new Error(`record ${r} (id ${JSON.stringify(record.id)}): ${(e as Error).message}`);
    }
    const nq = question.ids.length;
    for (const [from, stop] of windows) {
      let label: WindowLabel = { start: 0, end: 0 };
      if (gold !== null) {
        try {
          label = labelWindow(question, context, from, stop, maxLength, gold.start, gold.end);
        } catch (e) {
          throw new Error(`record ${r} (id ${JSON.stringify(record.id)}): ${(e as Error).message}`);
        }
      }
      const len = nq + 3 + (stop - from);
      ids.push(tokenizer.clsId);
      ids.append(question.ids);
      ids.push(tokenizer.sepId);
      if (ablation === 'q_only') {
        // Every token-type-1 position (context and the final [SEP]) becomes padding, unattended.
        for (let k = from; k <= stop; k++) ids.push(tokenizer.padId);
      } else {
        ids.append(context.ids, from, stop);
        ids.push(tokenizer.sepId);
      }
      tokenStart.push(ids.length);
      contextStart.push(nq + 2);
      ctxOffset.push(from);
      exampleIndex.push(r);
      starts.push(label.start);
      ends.push(label.end);
      contains.push(gold !== null && !(label.start === 0 && label.end === 0) ? 1 : 0);
      minPad.push(Math.max(len, label.start + 1, label.end + 1));
    }
  });
  return {
    kind: 'train',
    count: exampleIndex.length,
    maxLength,
    stride,
    ablation,
    ids: ids.toArray(),
    tokenStart: tokenStart.toArray(),
    contextStart: contextStart.toArray(),
    contextTokenOffset: ctxOffset.toArray(),
    exampleIndex: exampleIndex.toArray(),
    exampleIds,
    padId: tokenizer.padId,
    startPositions: starts.toArray(),
    endPositions: ends.toArray(),
    containsAnswer: contains.toArray(),
    minPadLength: minPad.toArray(),
  };
}

/** Evaluation features (prepare_validation_dataset_qa): windows with context-only offsets, no ablation. */
export function prepareEvalFeatures(records: readonly QARecord[], tokenizer: WordPieceTokenizer, options: EvalFeatureOptions = {}): EvalFeatures {
  const maxLength = options.maxLength ?? 512;
  const stride = options.stride ?? defaultStride(maxLength);
  checkLengths(maxLength, stride);
  const ids = idBuffer(tokenizer, records.length * 64);
  const offsets = new IntBuffer(records.length * 128);
  const tokenStart = new IntBuffer(records.length + 1);
  const contextStart = new IntBuffer(records.length);
  const ctxOffset = new IntBuffer(records.length);
  const exampleIndex = new IntBuffer(records.length);
  const exampleIds: string[] = [];
  const contexts = new ContextEncoder(tokenizer);
  tokenStart.push(0);
  records.forEach((record, r) => {
    checkRecord(record, r);
    exampleIds.push(exampleIdOf(record, r));
    const question = tokenizer.encode(pythonLstrip(record.question));
    const context = contexts.encode(record.context);
    let windows: Array<[number, number]>;
    try {
      windows = contextWindows(question.ids.length, context.ids.length, maxLength, stride);
    } catch (e) {
      throw new Error(`record ${r} (id ${JSON.stringify(record.id)}): ${(e as Error).message}`);
    }
    const nq = question.ids.length;
    for (const [from, stop] of windows) {
      ids.push(tokenizer.clsId);
      ids.append(question.ids);
      ids.push(tokenizer.sepId);
      ids.append(context.ids, from, stop);
      ids.push(tokenizer.sepId);
      for (let k = 0; k < nq + 2; k++) offsets.push(-1), offsets.push(-1);
      for (let k = from; k < stop; k++) offsets.push(context.starts[k]), offsets.push(context.ends[k]);
      offsets.push(-1);
      offsets.push(-1);
      tokenStart.push(ids.length);
      contextStart.push(nq + 2);
      ctxOffset.push(from);
      exampleIndex.push(r);
    }
  });
  return {
    kind: 'eval',
    count: exampleIndex.length,
    maxLength,
    stride,
    ids: ids.toArray(),
    offsets: offsets.toArray(),
    tokenStart: tokenStart.toArray(),
    contextStart: contextStart.toArray(),
    contextTokenOffset: ctxOffset.toArray(),
    exampleIndex: exampleIndex.toArray(),
    exampleIds,
    padId: tokenizer.padId,
  };
}

/** Unpadded length of window `w`. */
export function windowLength(features: FeatureWindows, w: number): number {
  return features.tokenStart[w + 1] - features.tokenStart[w];
}

/** Shortest padded length window `w` can be batched at without changing its inputs' meaning or labels. */
export function requiredLength(features: TrainFeatures | EvalFeatures, w: number): number {
  return features.kind === 'train' ? features.minPadLength[w] : windowLength(features, w);
}

/**
 * Padded model inputs for the given windows at `seqLength` (max_length reproduces Python's tensors):
 * input ids padded with the pad id, attention 1 on real tokens (under q_only only up to the first
 * [SEP]), token type 1 from the first context token through the final [SEP], 0 on padding.
 */
export function makeBatch(features: TrainFeatures | EvalFeatures, windowIndices: ArrayLike<number>, seqLength: number): FeatureBatch {
  const b = windowIndices.length;
  const inputIds = new Int32Array(b * seqLength).fill(features.padId);
  const attentionMask = new Int32Array(b * seqLength);
  const tokenTypeIds = new Int32Array(b * seqLength);
  const train = features.kind === 'train' ? features : null;
  const startPositions = train ? new Int32Array(b) : null;
  const endPositions = train ? new Int32Array(b) : null;
  const windows = new Int32Array(b);
  const examples = new Int32Array(b);
  for (let row = 0; row < b; row++) {
    const w = windowIndices[row];
    if (!Number.isInteger(w) || w < 0 || w >= features.count) throw new Error(`makeBatch: window index ${w} out of range [0, ${features.count})`);
    const need = requiredLength(features, w);
    if (need > seqLength) throw new Error(`makeBatch: window ${w} needs length ${need}, batch length is ${seqLength}`);
    const from = features.tokenStart[w];
    const len = features.tokenStart[w + 1] - from;
    const base = row * seqLength;
    const cs = features.contextStart[w];
    const attended = train !== null && train.ablation === 'q_only' ? cs : len;
    for (let p = 0; p < len; p++) {
      inputIds[base + p] = features.ids[from + p];
      if (p < attended) attentionMask[base + p] = 1;
      if (p >= cs) tokenTypeIds[base + p] = 1;
    }
    if (train) {
      startPositions![row] = train.startPositions[w];
      endPositions![row] = train.endPositions[w];
    }
    windows[row] = w;
    examples[row] = features.exampleIndex[w];
  }
  return { batchSize: b, seqLength, inputIds, attentionMask, tokenTypeIds, startPositions, endPositions, windowIndices: windows, exampleIndices: examples };
}

/** The padded offsets of window `w` as Python's eval feature holds them (null for non-context tokens and padding). */
export function windowOffsets(features: EvalFeatures, w: number, seqLength = features.maxLength): Array<[number, number] | null> {
  const from = features.tokenStart[w];
  const len = features.tokenStart[w + 1] - from;
  const out: Array<[number, number] | null> = [];
  for (let p = 0; p < seqLength; p++) {
    const s = p < len ? features.offsets[2 * (from + p)] : -1;
    out.push(s < 0 ? null : [s, features.offsets[2 * (from + p) + 1]]);
  }
  return out;
}

/**
 * Per example, the window cartography records: the first window containing the gold answer,
 * else the example's first window (origin-system decision: not whichever window came last).
 * -1 for examples without windows (none, as every example yields at least one).
 */
export function cartographyWindows(features: TrainFeatures, exampleCount: number): Int32Array {
  const chosen = new Int32Array(exampleCount).fill(-1);
  const hasAnswer = new Uint8Array(exampleCount);
  for (let w = 0; w < features.count; w++) {
    const e = features.exampleIndex[w];
    if (chosen[e] < 0) chosen[e] = w;
    if (features.containsAnswer[w] && !hasAnswer[e]) {
      chosen[e] = w;
      hasAnswer[e] = 1;
    }
  }
  return chosen;
}
