import { describe, expect, it } from 'vitest';
import type { QARecord } from '../../src/domain/data/types';
import { prepareEvalFeatures } from '../../src/domain/qa/features';
import { EMPTY_PREDICTION, postprocessQAPredictions, topKIndices } from '../../src/domain/qa/postprocess';
import { tokenizerFromFiles } from '../../src/domain/qa/tokenizer-files';
import { HAND_TOKENIZER_CONFIG, HAND_VOCAB_TXT } from '../fixtures/qa/reference';

const tok = tokenizerFromFiles({ vocabTxt: HAND_VOCAB_TXT, tokenizerConfig: HAND_TOKENIZER_CONFIG });
const CONTEXT = 'a b c d e f g h i j k l m n o p';
const rec = (id: string, context = CONTEXT): QARecord => ({ id, question: 'what', context, answers: { text: ['x'], answer_start: [0] } });

// Windows (max_length 12, stride 3): [0,8) [5,13) [10,16); context token k sits at position 3 + k - window start.
const features = prepareEvalFeatures([rec('x')], tok, { maxLength: 12, stride: 3 });
const contexts = [CONTEXT];

/** Logits of length 12 at -10 everywhere except the given positions. */
function logits(peaks: Record<number, number>, length = 12): Float32Array {
  const a = new Float32Array(length).fill(-10);
  for (const [p, v] of Object.entries(peaks)) a[Number(p)] = v;
  return a;
}

describe('postprocessing', () => {
  it('takes the best start/end pair of a window and slices the context by offsets', () => {
    const starts = [logits({ 5: 8 }), logits({}), logits({})];
    const ends = [logits({ 6: 8 }), logits({}), logits({})];
    const r = postprocessQAPredictions(contexts, features, starts, ends);
    expect(r.predictions).toEqual(['c d']);
    expect(r.nBest[0][0]).toMatchObject({ window: 0, startToken: 5, endToken: 6, score: 16 });
    expect(r.nBest[0].length).toBe(20);
  });

  it('chooses the best candidate over all windows of the example', () => {
    const starts = [logits({ 4: 5 }), logits({}), logits({ 5: 6 })];
    const ends = [logits({ 4: 5 }), logits({}), logits({ 6: 6 })];
    // Window 2 starts at token 10: positions 5, 6 are tokens 12, 13 = 'm n'.
    expect(postprocessQAPredictions(contexts, features, starts, ends).predictions).toEqual(['m n']);
  });

  it('skips pairs longer than max_answer_length tokens and reversed pairs', () => {
    // Raw pairs by score: (6,10) 20 is 5 tokens; (6,4) 19.5 is reversed; (8,10) 14 is 3 tokens.
    const starts = [logits({ 6: 10, 8: 4 }), logits({}), logits({})];
    const ends = [logits({ 10: 10, 4: 9.5, 9: 3 }), logits({}), logits({})];
    expect(postprocessQAPredictions(contexts, features, starts, ends).predictions).toEqual(['d e f g h']);
    expect(postprocessQAPredictions(contexts, features, starts, ends, { maxAnswerLength: 4 }).predictions).toEqual(['f g h']);
    expect(postprocessQAPredictions(contexts, features, starts, ends, { maxAnswerLength: 5 }).predictions).toEqual(['d e f g h']);
  });

  it('allows 30 tokens by default and not 31', () => {
    const long = Array.from({ length: 40 }, (_, k) => String.fromCharCode(97 + (k % 26))).join(' ');
    const f = prepareEvalFeatures([rec('l', long)], tok, { maxLength: 64 });
    // Context token k at position 3 + k. Start on token 0; ends on tokens 30 (31 long, higher) and 29.
    const r = postprocessQAPredictions([long], f, [logits({ 3: 5 }, 64)], [logits({ 33: 9, 32: 8 }, 64)]);
    expect(r.predictions[0]).toBe(long.slice(0, 2 * 29 + 1));
  });

  it('skips tokens without offsets: [CLS], question, [SEP] and positions past the window', () => {
    // Window 2 has length 10; logits come at the bucket length 12, peaks on [SEP] (9) and padding (10, 11).
    const starts = [logits({ 0: 50, 1: 40 }), logits({ 2: 45 }), logits({ 9: 60, 10: 70, 11: 80, 3: 1 })];
    const ends = [logits({ 0: 50, 11: 45 }), logits({ 1: 30 }), logits({ 9: 60, 10: 70, 11: 80, 4: 1 })];
    expect(postprocessQAPredictions(contexts, features, starts, ends).predictions).toEqual(['k l']);
  });

  it('answers "empty" when no pair survives among the n-best', () => {
    const starts = [logits({ 0: 9, 1: 8 }), logits({ 0: 9, 1: 8 }), logits({ 0: 9, 1: 8 })];
    const ends = [logits({ 0: 9, 2: 8 }), logits({ 0: 9, 2: 8 }), logits({ 0: 9, 2: 8 })];
    const r = postprocessQAPredictions(contexts, features, starts, ends, { nBest: 2 });
    expect(r.predictions).toEqual([EMPTY_PREDICTION]);
    expect(r.nBest[0]).toEqual([]);
  });

  it('returns original characters, accents included, for several examples', () => {
    const two = [rec('a', 'Café naïve!'), rec('b', 'the dose was 5mg/kg')];
    const f = prepareEvalFeatures(two, tok, { maxLength: 32 });
    expect(f.count).toBe(2);
    // Example a: [CLS] what [SEP] cafe naive ! [SEP]; example b: ... the dose was 5 ##mg / kg [SEP]
    const s = [logits({ 3: 5 }, 32), logits({ 6: 5 }, 32)];
    const e = [logits({ 4: 5 }, 32), logits({ 9: 5 }, 32)];
    expect(postprocessQAPredictions(two.map((r) => r.context), f, s, e).predictions).toEqual(['Café naïve', '5mg/kg']);
  });

  it('validates its inputs', () => {
    expect(() => postprocessQAPredictions(contexts, features, [logits({})], [logits({})])).toThrow(/1 start and 1 end logit rows for 3 windows/);
    const nan = [logits({ 3: Number.NaN }), logits({}), logits({})];
    expect(() => postprocessQAPredictions(contexts, features, nan, nan)).toThrow(/NaN/);
  });
});

describe('topKIndices', () => {
  it('orders by value descending, ties by higher index first, like a reversed argsort', () => {
    expect(topKIndices([1, 5, 3, 5, 2], 3)).toEqual([3, 1, 2]);
    expect(topKIndices([0, 0, 0], 2)).toEqual([2, 1]);
    expect(topKIndices([3, 1], 20)).toEqual([0, 1]);
  });
});
