import { describe, expect, it } from 'vitest';
import { computeSquadMetrics, exactMatchScore, f1Score, normalizeAnswer, squadMetricsAligned } from '../../src/domain/qa/squad-metrics';

describe('SQuAD v1.1 normalization', () => {
  it('lowercases, drops ASCII punctuation, articles and extra whitespace', () => {
    expect(normalizeAnswer('The Cat!')).toBe('cat');
    expect(normalizeAnswer('  a  b\tc\n ')).toBe('b c');
    expect(normalizeAnswer('An apple, a day; THE end.')).toBe('apple day end');
    expect(normalizeAnswer('café-au-lait')).toBe('caféaulait');
    expect(normalizeAnswer("l'an")).toBe('lan');
    expect(normalizeAnswer('5 mg/kg (q6h)')).toBe('5 mgkg q6h');
  });

  it('keeps words that merely contain an article', () => {
    expect(normalizeAnswer('Theory another atheist')).toBe('theory another atheist');
  });

  it('uses Python semantics: Unicode punctuation stays, \\b is Unicode-aware', () => {
    expect(normalizeAnswer('“quoted” — yes…')).toBe('“quoted” — yes…');
    // "é" is a word character for Python's re, so "the" inside "éthe" is not a whole word.
    expect(normalizeAnswer('ÉTHE éa a½ the')).toBe('éthe éa a½');
    // Python's split() also splits on \x1c-\x1f and \x85, but not on U+200B.
    expect(normalizeAnswer('x\u001fy\u0085z\u200bw')).toBe('x y z\u200bw');
    // "_" is in string.punctuation, so it is removed before the article rule.
    expect(normalizeAnswer('the_a')).toBe('thea');
  });
});

describe('exact match and F1', () => {
  it('match hand-computed values', () => {
    expect(exactMatchScore('the cat', 'Cat.')).toBe(true);
    expect(exactMatchScore('cats', 'cat')).toBe(false);
    // [big cat sat] vs [cat sat down]: 2 common, P = R = 2/3.
    expect(f1Score('the big cat sat', 'a cat sat down')).toBeCloseTo(2 / 3, 12);
    // Multiset overlap: one "cat" in the gold matches once. P = 1/3, R = 1, F1 = 0.5.
    expect(f1Score('cat cat cat', 'cat')).toBeCloseTo(0.5, 12);
    expect(f1Score('dog', 'cat')).toBe(0);
    // Both normalize to nothing: exact match, but F1 is 0 (no common token).
    expect(exactMatchScore('The', 'a')).toBe(true);
    expect(f1Score('The', 'a')).toBe(0);
    // Punctuation-only difference.
    expect(f1Score('5mg/kg.', '5mgkg')).toBe(1);
  });

  it('take the best gold and report percentages', () => {
    const m = squadMetricsAligned(['the cat', 'big dog', 'empty'], [['a dog', 'The cat'], ['dog'], ['nothing here']]);
    // EM: 1, 0, 0 → 33.33...; F1: 1, 2/3 ([big dog] vs [dog]: P 1/2, R 1 → 2/3), 0.
    expect(m.eval_exact_match).toBeCloseTo(100 / 3, 10);
    expect(m.eval_f1).toBeCloseTo((100 * (1 + 2 / 3)) / 3, 10);
  });

  it('look predictions up by id, count missing ones as 0, and score duplicated ids against one prediction', () => {
    const preds = new Map([
      ['q1', 'aspirin'],
      ['q2', '40 mg'],
    ]);
    const m = computeSquadMetrics(preds, [
      { id: 'q1', answers: { text: ['Aspirin'] } },
      { id: 'q2', answers: { text: ['40 mg daily'] } },
      { id: 'q2', answers: { text: ['40 mg'] } },
      { id: 'q3', answers: { text: ['x'] } },
    ]);
    expect(m.eval_exact_match).toBe(50);
    // F1: 1 + 0.8 ([40 mg] vs [40 mg daily]: P 1, R 2/3) + 1 + 0.
    expect(m.eval_f1).toBeCloseTo((100 * 2.8) / 4, 10);
  });

  it('refuses references without gold answers or empty inputs', () => {
    expect(() => computeSquadMetrics(new Map([['a', 'x']]), [{ id: 'a', answers: { text: [] } }])).toThrow(/"a" has no gold answer/);
    expect(() => squadMetricsAligned([], [])).toThrow(/no references/);
    expect(() => squadMetricsAligned(['a'], [])).toThrow(/1 predictions for 0 references/);
  });
});
