/**
 * Inputs for the cluster-filter embeddings (extract_embeddings.py, origin-system.md §4.1): each
 * example tokenized once, only_second truncation at max_length, no stride, padded; and the context
 * tokens whose character span overlaps the gold answer [answer_start, answer_start + len(text)).
 */
import type { QARecord } from '../data/types';
import { contextWindows } from './features';
import type { PairEncoding, WordPieceTokenizer } from './tokenizer';

export interface EmbeddingInput {
  /** The truncated pair encoding (unpadded); pad to `maxLength` with the tokenizer's pad id. */
  encoding: PairEncoding;
  /** Positions of the answer tokens in `encoding`, ascending; empty when the answer was cut off. */
  answerTokens: Int32Array;
}

/**
 * Encodes `record` as §4.1 describes: (question, context) as given, truncation keeping the first
 * max_length - 3 - question tokens of the context, no overflow windows.
 */
export function embeddingInput(record: QARecord, tokenizer: WordPieceTokenizer, maxLength = 512): EmbeddingInput {
  const q = tokenizer.encode(record.question);
  const c = tokenizer.encode(record.context);
  const [[from, stop]] = contextWindows(q.ids.length, c.ids.length, maxLength, 0);
  const encoding = tokenizer.assemblePair(q, c, from, stop);
  return { encoding, answerTokens: answerTokenIndices(encoding, record) };
}

/**
 * Context tokens (sequence 1, offsets not (0, 0)) overlapping the first answer's character span,
 * which uses the answer text length, not answer_end. Empty when there is no answer.
 */
export function answerTokenIndices(encoding: PairEncoding, record: Pick<QARecord, 'answers'>): Int32Array {
  const a = record.answers;
  if (!a || a.answer_start.length === 0 || a.text.length === 0) return new Int32Array(0);
  const start = a.answer_start[0];
  const end = start + a.text[0].length;
  const out: number[] = [];
  for (let p = 0; p < encoding.ids.length; p++) {
    if (encoding.sequenceIds[p] !== 1) continue;
    const s = encoding.offsets[2 * p];
    const e = encoding.offsets[2 * p + 1];
    if (s === 0 && e === 0) continue;
    if (s < end && e > start) out.push(p);
  }
  return Int32Array.from(out);
}
