import { describe, it, expect } from 'vitest';
import {
  analyzeQuestionTypes,
  categorize,
  categoryById,
  computeMetrics,
  median,
  numpySum,
  pandasQuantile,
  populationStd,
  questionType,
  recordDynamics,
  samplesPerCategory,
  type CartographyMetricsRow,
  type TrainingDynamics,
} from '../../src/domain/cartography';

const row = (id: string, confidence: number, variability: number, correctness = 0.5): CartographyMetricsRow => ({
  id,
  confidence,
  variability,
  correctness,
  num_epochs: 2,
  start_confidence: null,
  end_confidence: null,
});

describe('computeMetrics (origin-system §2.2)', () => {
  it('uses the geometric mean per epoch, population std, correctness fraction, epochs in sorted order', () => {
    const dyn: TrainingDynamics = {};
    // Recorded out of order on purpose: epoch 1 before epoch 0.
    recordDynamics(dyn, 'a', 1, { start_prob: 0.25, end_prob: 0.64, correct: true }); // sqrt = 0.4
    recordDynamics(dyn, 'a', 0, { start_prob: 0.04, end_prob: 0.25, correct: false }); // sqrt = 0.1
    recordDynamics(dyn, 'a', 2, { start_prob: 1, end_prob: 1, correct: true }); // sqrt = 1
    recordDynamics(dyn, 'b', 0, { start_prob: 0.5, end_prob: 0.5, correct: true });
    const [a, b] = computeMetrics(dyn);
    expect(a.id).toBe('a');
    expect(a.num_epochs).toBe(3);
    expect(a.confidence).toBeCloseTo((0.1 + 0.4 + 1) / 3, 15);
    // ((0.1-0.5)^2 + (0.4-0.5)^2 + (1-0.5)^2) / 3 = 0.42 / 3 = 0.14 (ddof 0, not 0.21 as ddof 1 would give)
    expect(a.variability).toBeCloseTo(Math.sqrt(0.14), 15);
    expect(a.correctness).toBeCloseTo(2 / 3, 15);
    expect(a.start_confidence).toBeCloseTo((0.04 + 0.25 + 1) / 3, 15);
    expect(a.end_confidence).toBeCloseTo((0.25 + 0.64 + 1) / 3, 15);
    expect(b).toEqual({ id: 'b', confidence: 0.5, variability: 0, correctness: 1, num_epochs: 1, start_confidence: 0.5, end_confidence: 0.5 });
  });

  it('a later record for the same epoch replaces the earlier one (last feature wins, as in Python)', () => {
    const dyn: TrainingDynamics = {};
    recordDynamics(dyn, 'x', 0, { start_prob: 0.1, end_prob: 0.1, correct: false });
    recordDynamics(dyn, 'x', 0, { start_prob: 0.9, end_prob: 0.9, correct: true });
    expect(computeMetrics(dyn)[0]).toMatchObject({ confidence: 0.9, correctness: 1, num_epochs: 1 });
  });

  it('rejects an example without epochs', () => {
    expect(() => computeMetrics({ z: {} })).toThrow(/"z" has no recorded epoch/);
  });

  it('sums like numpy (pairwise, eight accumulators) so means match the Python files bit for bit', () => {
    // Left to right every +1 is absorbed by 1e16 (ulp 2) and the sum is 0; numpy's eight partial
    // sums keep the ones together: ((1e16+1)+(1+1)) + ((1+1)+(1+1)) = 1e16+6, then -1e16 = 6.
    const v = [1e16, 1, 1, 1, 1, 1, 1, 1, -1e16];
    expect(v.reduce((s, x) => s + x, 0)).toBe(0);
    expect(numpySum(v)).toBe(6);
    expect(numpySum([1, 2, 3])).toBe(6);
    expect(populationStd([1, 3])).toBe(1);
  });
});

describe('median and pandas quantile', () => {
  it('takes the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('interpolates linearly at (n-1)·q', () => {
    expect(pandasQuantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    // index 3 · 0.67 = 2.01: 3 + 0.01 · (4 − 3)
    expect(pandasQuantile([1, 2, 3, 4], 0.67)).toBeCloseTo(3.01, 12);
    // index 2.7, weight >= 0.5 uses b − (b − a)(1 − t): 4 − 0.3
    expect(pandasQuantile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    // index 2 · 0.67 = 1.34: 0.5 + 0.34 · 0.4
    expect(pandasQuantile([0.2, 0.5, 0.9], 0.67)).toBeCloseTo(0.636, 12);
    expect(pandasQuantile([5], 0.3)).toBe(5);
    expect(pandasQuantile([1, 2], 1)).toBe(2);
    expect(pandasQuantile([1, 2], 0)).toBe(1);
  });
});

describe('categorize (§2.4)', () => {
  const rows = [row('r1', 0.9, 0.05), row('r2', 0.8, 0.3), row('r3', 0.3, 0.1), row('r4', 0.2, 0.4), row('r5', 0.6, 0.2)];

  it('splits by the median thresholds, ties at the medians being easy/hard', () => {
    const c = categorize(rows);
    // medians: confidence 0.6, variability 0.2
    expect(c.thresholds).toEqual({ confidence: 0.6, variability: 0.2 });
    expect(c.categories).toEqual(['easy', 'ambiguous', 'hard', 'ambiguous', 'easy']);
    expect(c.counts).toEqual({ easy: 2, hard: 1, ambiguous: 2 });
    expect(categoryById(rows, c).get('r3')).toBe('hard');
  });

  it('adds the variability margin to the variability threshold', () => {
    const c = categorize(rows, { variabilityMargin: 0.15 });
    expect(c.thresholds.variability).toBeCloseTo(0.35, 15);
    expect(c.categories).toEqual(['easy', 'easy', 'hard', 'ambiguous', 'easy']);
  });

  it('accepts fixed thresholds', () => {
    const c = categorize(rows, { thresholds: { confidence: 0.5, variability: 0.25 } });
    expect(c.categories).toEqual(['easy', 'ambiguous', 'hard', 'ambiguous', 'easy']);
  });
});

describe('question types (§2.6)', () => {
  it('applies the substring tests in order', () => {
    expect(questionType('When was the patient admitted?')).toBe('temporal');
    // "what" appears, but "time" comes first in the rule order.
    expect(questionType('What time was the dose given?')).toBe('temporal');
    expect(questionType('How many tablets per day?')).toBe('numerical');
    expect(questionType('What dosage of aspirin?')).toBe('numerical');
    expect(questionType('Which medication was stopped?')).toBe('what/which');
    expect(questionType('Does the patient smoke?')).toBe('yes/no');
    // Plain substring semantics: "this" contains "is".
    expect(questionType('Why this drug?')).toBe('yes/no');
    expect(questionType('Why stop aspirin?')).toBe('why');
    expect(questionType('How severe?')).toBe('how');
    expect(questionType('Reason for visit')).toBe('yes/no'); // "visit" contains "is"
    expect(questionType('Reason for referral')).toBe('other');
  });

  it('summarizes metrics per type with sample std', () => {
    const rows2 = [row('a', 0.2, 0.1, 0), row('b', 0.4, 0.3, 1), row('c', 0.9, 0.0, 1)];
    const questions: Record<string, string> = { a: 'Why stop?', b: 'Why start?', c: 'Reason' };
    const out = analyzeQuestionTypes(rows2, (id) => questions[id]);
    expect(out.map((o) => o.question_type)).toEqual(['why', 'other']);
    expect(out[0].count).toBe(2);
    expect(out[0].confidence.mean).toBeCloseTo(0.3, 15);
    expect(out[0].confidence.std).toBeCloseTo(Math.sqrt(0.02), 15);
    expect(out[1].confidence.std).toBeNull();
  });
});

describe('samplesPerCategory', () => {
  it('sorts easy by confidence descending, hard and ambiguous ascending', () => {
    const rows3 = [row('e1', 0.8, 0.01), row('e2', 0.95, 0.02), row('h1', 0.3, 0.03), row('h2', 0.1, 0.01), row('a1', 0.7, 0.4), row('a2', 0.2, 0.5)];
    const c = categorize(rows3, { thresholds: { confidence: 0.5, variability: 0.1 } });
    const s = samplesPerCategory(rows3, c, 5);
    expect(s.easy.map((r) => r.id)).toEqual(['e2', 'e1']);
    expect(s.hard.map((r) => r.id)).toEqual(['h2', 'h1']);
    expect(s.ambiguous.map((r) => r.id)).toEqual(['a2', 'a1']);
    expect(samplesPerCategory(rows3, c, 1).easy.map((r) => r.id)).toEqual(['e2']);
  });
});
