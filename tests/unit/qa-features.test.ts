import { describe, expect, it } from 'vitest';
import type { QARecord } from '../../src/domain/data/types';
import {
  P_ONLY_QUESTION,
  cartographyWindows,
  contextWindows,
  defaultStride,
  makeBatch,
  prepareEvalFeatures,
  prepareTrainFeatures,
  windowLength,
  windowOffsets,
} from '../../src/domain/qa/features';
import { answerTokenIndices, embeddingInput } from '../../src/domain/qa/answer-span';
import { tokenizerFromFiles } from '../../src/domain/qa/tokenizer-files';
import { HAND_TOKENIZER_CONFIG, HAND_VOCAB_TXT } from '../fixtures/qa/reference';

const tok = tokenizerFromFiles({ vocabTxt: HAND_VOCAB_TXT, tokenizerConfig: HAND_TOKENIZER_CONFIG });

// 16 one-character tokens: token k is the letter at char 2k.
const CONTEXT = 'a b c d e f g h i j k l m n o p';
const charOf = (k: number): number => 2 * k;

function rec(id: string, answer: { text: string; start: number; end?: number } | null, question = 'what'): QARecord {
  return {
    id,
    question,
    context: CONTEXT,
    answers: answer
      ? { text: [answer.text], answer_start: [answer.start], ...(answer.end !== undefined ? { answer_end: [answer.end] } : {}) }
      : { text: [], answer_start: [] },
  };
}

// max_length 12 with a one-token question leaves 8 context tokens; stride 3 → windows [0,8) [5,13) [10,16).
const OPTS = { maxLength: 12, stride: 3 } as const;

function windowsOf(features: { count: number; exampleIndex: Int32Array }, e: number): number[] {
  const out: number[] = [];
  for (let w = 0; w < features.count; w++) if (features.exampleIndex[w] === e) out.push(w);
  return out;
}

describe('overflow windows', () => {
  it('match the Rust truncation with stride (stride = overlapping tokens, context only)', () => {
    expect(contextWindows(1, 16, 12, 3)).toEqual([
      [0, 8],
      [5, 13],
      [10, 16],
    ]);
    expect(contextWindows(1, 8, 12, 3)).toEqual([[0, 8]]);
    expect(contextWindows(1, 9, 12, 3)).toEqual([
      [0, 8],
      [5, 9],
    ]);
    expect(contextWindows(0, 0, 12, 3)).toEqual([[0, 0]]);
    expect(defaultStride(512)).toBe(128);
    expect(defaultStride(12)).toBe(6);
    expect(() => contextWindows(10, 5, 12, 3)).toThrow(/leaves no room for the context/);
    expect(() => contextWindows(1, 16, 12, 8)).toThrow(/stride 8 must be smaller than the context budget 8/);
  });

  it('lay out [CLS] question [SEP] context-slice [SEP] with the default stride', () => {
    const f = prepareTrainFeatures([rec('x', null)], tok, { maxLength: 12 });
    expect(f.stride).toBe(6);
    // budget 8, stride 6 → step 2: [0,8) [2,10) ... [8,16)
    expect(f.count).toBe(5);
    expect(Array.from(f.contextTokenOffset)).toEqual([0, 2, 4, 6, 8]);
    const b = makeBatch(f, [1], 12);
    const toks = Array.from(b.inputIds, (id) => tok.idToToken(id));
    expect(toks).toEqual(['[CLS]', 'what', '[SEP]', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', '[SEP]']);
    expect(Array.from(b.tokenTypeIds)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(b.attentionMask)).toEqual(new Array(12).fill(1));
  });
});

describe('training labels', () => {
  it('point at the answer tokens in the window that holds the answer, CLS elsewhere', () => {
    const f = prepareTrainFeatures([rec('first', { text: 'b', start: charOf(1) }), rec('second', { text: 'l', start: charOf(11) })], tok, OPTS);
    const w0 = windowsOf(f, 0);
    expect(w0.map((w) => [f.startPositions[w], f.endPositions[w]])).toEqual([
      [4, 4],
      [0, 0],
      [0, 0],
    ]);
    expect(w0.map((w) => f.containsAnswer[w])).toEqual([1, 0, 0]);
    // 'l' is context token 11: position 3 + 11 - 5 in the second window, 3 + 11 - 10 in the third.
    const w1 = windowsOf(f, 1);
    expect(w1.map((w) => [f.startPositions[w], f.endPositions[w]])).toEqual([
      [0, 0],
      [9, 9],
      [4, 4],
    ]);
    expect(Array.from(cartographyWindows(f, 2))).toEqual([w0[0], w1[1]]);
    expect(f.exampleIds).toEqual(['first', 'second']);
  });

  it('label an answer crossing a window boundary only in the window that holds all of it', () => {
    const f = prepareTrainFeatures([rec('x', { text: 'h i', start: charOf(7) })], tok, OPTS);
    expect(windowsOf(f, 0).map((w) => [f.startPositions[w], f.endPositions[w]])).toEqual([
      [0, 0],
      [5, 6],
      [0, 0],
    ]);
  });

  it('reproduce run_qa at the window end: an answer in the last context token walks into the padding', () => {
    // 'p' (token 15) is the last context token of the third window (length 10 < max_length 12):
    // the start walk passes [SEP] and padding (offset start 0 <= start_char) and stops at max_length.
    const f = prepareTrainFeatures([rec('x', { text: 'p', start: charOf(15) })], tok, OPTS);
    const w = windowsOf(f, 0)[2];
    expect(windowLength(f, w)).toBe(10);
    expect([f.startPositions[w], f.endPositions[w]]).toEqual([11, 8]);
    expect(f.containsAnswer[w]).toBe(1);
    expect(f.minPadLength[w]).toBe(12);
    expect(() => makeBatch(f, [w], 10)).toThrow(/needs length 12/);
    // The same answer in a window where it is not last is labelled normally.
    const g = prepareTrainFeatures([rec('y', { text: 'o', start: charOf(14) })], tok, OPTS);
    const v = windowsOf(g, 0)[2];
    expect([g.startPositions[v], g.endPositions[v]]).toEqual([7, 7]);
    expect(g.minPadLength[v]).toBe(10);
  });

  it('give CLS in every window when the answer fits in none', () => {
    // 10 tokens cannot fit an 8-token window.
    const f = prepareTrainFeatures([rec('x', { text: 'a b c d e f g h i j', start: 0 })], tok, OPTS);
    expect(Array.from(f.startPositions)).toEqual([0, 0, 0]);
    expect(Array.from(f.endPositions)).toEqual([0, 0, 0]);
    expect(Array.from(f.containsAnswer)).toEqual([0, 0, 0]);
    expect(Array.from(cartographyWindows(f, 1))).toEqual([0]);
    const none = prepareTrainFeatures([rec('n', null)], tok, OPTS);
    expect(Array.from(none.startPositions)).toEqual([0, 0, 0]);
  });

  it('take the end from answer_end when present, else start + len(text)', () => {
    const withEnd = prepareTrainFeatures([rec('x', { text: 'b', start: charOf(1), end: charOf(2) + 1 })], tok, OPTS);
    expect([withEnd.startPositions[0], withEnd.endPositions[0]]).toEqual([4, 5]);
    const without = prepareTrainFeatures([rec('x', { text: 'b', start: charOf(1) })], tok, OPTS);
    expect([without.startPositions[0], without.endPositions[0]]).toEqual([4, 4]);
    // Only the first answer counts.
    const multi: QARecord = { ...rec('m', null), answers: { text: ['c', 'a'], answer_start: [charOf(2), 0] } };
    const m = prepareTrainFeatures([multi], tok, OPTS);
    expect([m.startPositions[0], m.endPositions[0]]).toEqual([5, 5]);
  });

  it('cover a partial-token answer with the whole token, and lstrip the question', () => {
    const r: QARecord = { id: 'p', question: '  \t what', context: 'the cafe was naive', answers: { text: ['af'], answer_start: [5] } };
    const f = prepareTrainFeatures([r], tok, { maxLength: 32 });
    const b = makeBatch(f, [0], f.minPadLength[0]);
    expect(tok.idToToken(b.inputIds[f.startPositions[0]])).toBe('cafe');
    expect(f.endPositions[0]).toBe(f.startPositions[0]);
    expect(tok.idToToken(b.inputIds[1])).toBe('what');
    expect(f.contextStart[0]).toBe(3);
  });

  it('name the record when its answer or question cannot be featurized', () => {
    const bad: QARecord = { ...rec('bad', null), answers: { text: ['x'], answer_start: [-1] } };
    expect(() => prepareTrainFeatures([rec('ok', null), bad], tok, OPTS)).toThrow(/record 1 \(id "bad"\): answers\.answer_start\[0\]/);
    const longQ = rec('long', null, 'what '.repeat(10));
    expect(() => prepareTrainFeatures([longQ], tok, OPTS)).toThrow(/record 0 \(id "long"\): the question has 10 tokens/);
    const emptyCtx: QARecord = { id: 'e', question: 'what', context: '', answers: { text: ['x'], answer_start: [0] } };
    expect(() => prepareTrainFeatures([emptyCtx], tok, OPTS)).toThrow(/record 0 \(id "e"\): a window without context tokens/);
    expect(() => prepareTrainFeatures([rec('x', null)], tok, { maxLength: 12, stride: -1 })).toThrow(/stride must be/);
  });

  it('give example_{i} ids to rows without an id', () => {
    const f = prepareTrainFeatures([{ ...rec('', null) }], tok, OPTS);
    expect(f.exampleIds).toEqual(['example_0']);
  });
});

describe('ablations', () => {
  const records = [rec('x', { text: 'l', start: charOf(11) }, 'what dose')];

  it('p_only replaces every question with "What is the answer?"', () => {
    const f = prepareTrainFeatures(records, tok, { ...OPTS, maxLength: 16, ablation: 'p_only' });
    const q = Array.from(tok.encode(P_ONLY_QUESTION).ids);
    expect(Array.from(f.ids.subarray(1, 1 + q.length))).toEqual(q);
    expect(f.contextStart[0]).toBe(q.length + 2);
  });

  it('q_only pads and masks every token-type-1 position, final [SEP] included, labels unchanged', () => {
    const none = prepareTrainFeatures(records, tok, OPTS);
    const q = prepareTrainFeatures(records, tok, { ...OPTS, ablation: 'q_only' });
    expect(Array.from(q.startPositions)).toEqual(Array.from(none.startPositions));
    expect(Array.from(q.endPositions)).toEqual(Array.from(none.endPositions));
    const w = none.count - 1; // two question tokens: budget 7, step 4, the last window is [12, 16)
    const bn = makeBatch(none, [w], 12);
    const bq = makeBatch(q, [w], 12);
    const len = windowLength(none, w);
    expect(len).toBe(9);
    const cs = q.contextStart[w];
    for (let p = 0; p < 12; p++) {
      expect(bq.tokenTypeIds[p]).toBe(bn.tokenTypeIds[p]);
      if (p < cs) {
        expect(bq.inputIds[p]).toBe(bn.inputIds[p]);
        expect(bq.attentionMask[p]).toBe(1);
      } else {
        expect(bq.inputIds[p]).toBe(tok.padId);
        expect(bq.attentionMask[p]).toBe(0);
      }
    }
    expect(bn.tokenTypeIds[len - 1]).toBe(1); // the final [SEP] is type 1
    expect(bn.tokenTypeIds[len]).toBe(0); // padding is type 0
  });
});

describe('batches', () => {
  it('pad to max_length like padding="max_length", or to a shorter bucket', () => {
    const f = prepareTrainFeatures([rec('a', { text: 'b', start: charOf(1) }), rec('b', null, 'what dose')], tok, { maxLength: 24 });
    expect(f.count).toBe(2);
    const full = makeBatch(f, [0, 1], 24);
    expect(full.batchSize).toBe(2);
    expect(full.inputIds.length).toBe(48);
    const len0 = windowLength(f, 0);
    expect(len0).toBe(20);
    expect(Array.from(full.inputIds.subarray(len0, 24))).toEqual([0, 0, 0, 0]);
    expect(Array.from(full.attentionMask.subarray(0, 24))).toEqual([...new Array(len0).fill(1), 0, 0, 0, 0]);
    expect(Array.from(full.startPositions!)).toEqual([4, 0]);
    const bucket = makeBatch(f, [1], 21);
    expect(Array.from(bucket.inputIds)).toEqual(Array.from(full.inputIds.subarray(24, 45)));
    expect(Array.from(bucket.exampleIndices)).toEqual([1]);
    expect(() => makeBatch(f, [2], 24)).toThrow(/out of range/);
  });

  it('store token ids compactly', () => {
    const f = prepareTrainFeatures([rec('a', null)], tok, OPTS);
    expect(f.ids).toBeInstanceOf(Uint16Array);
    expect(f.tokenStart).toBeInstanceOf(Int32Array);
  });
});

describe('evaluation features', () => {
  it('keep offsets for context tokens only, per window, with the example id', () => {
    const f = prepareEvalFeatures([rec('e1', { text: 'b', start: 2 }), rec('e2', null)], tok, OPTS);
    expect(f.count).toBe(6);
    expect(f.exampleIds).toEqual(['e1', 'e2']);
    const offs = windowOffsets(f, 1);
    expect(offs).toHaveLength(12);
    expect(offs.slice(0, 3)).toEqual([null, null, null]);
    expect(offs.slice(3, 11)).toEqual([5, 6, 7, 8, 9, 10, 11, 12].map((k) => [charOf(k), charOf(k) + 1]));
    expect(offs[11]).toBeNull();
    const last = windowOffsets(f, 2);
    expect(last.slice(9)).toEqual([null, null, null]); // [SEP] and padding
    const b = makeBatch(f, [0, 1], 12);
    expect(b.startPositions).toBeNull();
    expect(prepareEvalFeatures([rec('d', null)], tok).maxLength).toBe(512);
  });

  it('never apply ablations and lstrip the question', () => {
    const r: QARecord = { ...rec('x', null), question: '   what' };
    const f = prepareEvalFeatures([r], tok, OPTS);
    expect(tok.idToToken(f.ids[1])).toBe('what');
  });
});

describe('embedding answer span (§4.1)', () => {
  it('finds the context tokens overlapping [answer_start, answer_start + len(text))', () => {
    const r = rec('x', { text: 'c d', start: charOf(2), end: 99 });
    const input = embeddingInput(r, tok, 512);
    // [CLS] what [SEP] a b c d ...: c and d are positions 5 and 6; answer_end is ignored.
    expect(Array.from(input.answerTokens)).toEqual([5, 6]);
    expect(input.encoding.ids.length).toBe(16 + 4);
  });

  it('counts partial overlaps, ignores the question and is empty when the answer was truncated', () => {
    const r: QARecord = { id: 'p', question: 'cafe', context: 'the cafe was naive', answers: { text: ['afe wa'], answer_start: [5] } };
    const enc = tok.encodePair(r.question, r.context);
    expect(Array.from(answerTokenIndices(enc, r)).map((p) => tok.idToToken(enc.ids[p]))).toEqual(['cafe', 'was']);
    const cut = embeddingInput(rec('x', { text: 'p', start: charOf(15) }), tok, 12);
    expect(cut.encoding.ids.length).toBe(12);
    expect(Array.from(cut.answerTokens)).toEqual([]);
    expect(Array.from(answerTokenIndices(enc, { answers: { text: [], answer_start: [] } }))).toEqual([]);
  });
});
