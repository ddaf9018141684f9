import { describe, it, expect } from 'vitest';
import {
  FilterInputError,
  filterAmbiguous,
  filterValidationAmbiguous,
  questionFirstWord,
  type CartographyMetricsRow,
} from '../../src/domain/cartography';

const m = (id: string, confidence: number, variability: number): CartographyMetricsRow => ({
  id,
  confidence,
  variability,
  correctness: 0.5,
  num_epochs: 3,
  start_confidence: null,
  end_confidence: null,
});

/*
 * Hand-computed case.
 * confidence sorted: .10 .20 .30 .40 .50 .70 .90 .95 → median (.40 + .50) / 2 = .45
 * variability sorted: .02 .04 .05 .06 .25 .30 .35 .40 → median (.06 + .25) / 2 = .155
 * e1, e2: variability <= .155 and confidence >= .45 → easy; h1, h2: confidence < .45 → hard;
 * a1..a4: variability > .155 → ambiguous, with instability (1 − c) + v:
 *   a1 .50 + .30 = .80, a2 .60 + .35 = .95, a3 .30 + .25 = .55, a4 .70 + .40 = 1.10
 * sorted .55 .80 .95 1.10 (n = 4):
 *   top_fraction .5  → q .5,  index 1.5  → .80 + .5 · .15  = .875  → keep a2, a4
 *   top_fraction .33 → q .67, index 2.01 → .95 + .01 · .15 = .9515 → keep a4 only
 *   (a nearest-rank quantile would give .95 and keep a2 as well)
 */
const metrics = [m('e1', 0.95, 0.02), m('e2', 0.9, 0.05), m('h1', 0.2, 0.04), m('h2', 0.1, 0.06), m('a1', 0.5, 0.3), m('a2', 0.4, 0.35), m('a3', 0.7, 0.25), m('a4', 0.3, 0.4)];

const q = (id: string, question = 'What is the dose?') => ({ id, question });
const rows = [q('e1'), q('e2'), q('h1', 'patient history'), q('h2'), q('a1'), q('a2', '  WHAT   dose?'), q('a3'), q('a4', "Patient's dose of aspirin?"), q('x1', 'not in metrics')];

describe('filterAmbiguous (origin-system §3.1, with top_fraction and rule-based filter in effect)', () => {
  it('keeps easy, hard, the most unstable ambiguous share and ids absent from the metrics', () => {
    const { kept, report } = filterAmbiguous(rows, metrics, { topFraction: 0.5, applyRuleBasedFilter: false });
    expect(kept.map((r) => r.id)).toEqual(['e1', 'e2', 'h1', 'h2', 'a2', 'a4', 'x1']);
    expect(report.thresholds.confidence).toBeCloseTo(0.45, 15);
    expect(report.thresholds.variability).toBeCloseTo(0.155, 15);
    expect(report.instabilityThreshold).toBeCloseTo(0.875, 12);
    expect(report.kept).toEqual({ easy: 2, hard: 2, top_ambiguous: 2, absent_from_metrics: 1 });
    expect(report.removed).toEqual({ ambiguous_below_threshold: 2, rule_based_first_word: 0 });
    expect(report).toMatchObject({ inputRows: 9, keptRows: 7, removedRows: 2, metricsCategories: { easy: 2, hard: 2, ambiguous: 4 } });
    expect(report.coverage).toMatchObject({ coveredRows: 8, missingRows: 1 });
    expect(report.warnings.join(' ')).toMatch(/1 of 9 train rows have no cartography metrics/);
  });

  it('interpolates the quantile like pandas (top_fraction 0.33 keeps a4 only)', () => {
    const { kept, report } = filterAmbiguous(rows, metrics, { topFraction: 0.33, applyRuleBasedFilter: false });
    expect(report.instabilityThreshold).toBeCloseTo(0.9515, 12);
    expect(kept.map((r) => r.id)).toEqual(['e1', 'e2', 'h1', 'h2', 'a4', 'x1']);
    expect(filterAmbiguous(rows, metrics, { topFraction: 1, applyRuleBasedFilter: false }).kept).toHaveLength(9);
  });

  it('applies the first-word rule to the kept ambiguous rows only', () => {
    expect(questionFirstWord('  WHAT   dose?')).toBe('what');
    expect(questionFirstWord("Patient's dose")).toBe("patient's");
    expect(questionFirstWord('')).toBe('');
    const { kept, report } = filterAmbiguous(rows, metrics, { topFraction: 0.5, applyRuleBasedFilter: true });
    // a4 ("Patient's ...") fails the rule; h1 ("patient history") is hard, so the rule does not apply to it.
    expect(kept.map((r) => r.id)).toEqual(['e1', 'e2', 'h1', 'h2', 'a2', 'x1']);
    expect(report.removed).toEqual({ ambiguous_below_threshold: 2, rule_based_first_word: 1 });
    expect(report.kept.top_ambiguous).toBe(1);
  });

  it('shifts the variability threshold by the margin', () => {
    // threshold .155 + .1 = .255: a3 (v .25, c .70 >= .45) becomes easy.
    const { report } = filterAmbiguous(rows, metrics, { topFraction: 0.5, applyRuleBasedFilter: false, variabilityMargin: 0.1 });
    expect(report.metricsCategories).toEqual({ easy: 3, hard: 2, ambiguous: 3 });
  });

  it('fails on a missing or non-covering metrics input instead of returning unfiltered data', () => {
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(FilterInputError);
        return (e as FilterInputError).code;
      }
      throw new Error('expected a FilterInputError');
    };
    const opts = { topFraction: 0.33, applyRuleBasedFilter: false };
    expect(code(() => filterAmbiguous(rows, null, opts))).toBe('missing_input');
    expect(code(() => filterAmbiguous(rows, [], opts))).toBe('missing_input');
    expect(code(() => filterAmbiguous([q('zz')], metrics, opts))).toBe('no_coverage');
    expect(code(() => filterAmbiguous(rows, metrics, { ...opts, minCoverage: 1 }))).toBe('insufficient_coverage');
    expect(code(() => filterAmbiguous(rows, metrics, { ...opts, topFraction: 0 }))).toBe('invalid_option');
    expect(() => filterAmbiguous([q('zz')], metrics, { ...opts, source: 'run-7/cartography_metrics.csv' })).toThrow(
      /ambiguous filter \(train\): the metrics \(run-7\/cartography_metrics\.csv\) cover none of the 1 train rows/,
    );
    // Full coverage passes a strict minimum.
    expect(filterAmbiguous(rows.slice(0, 8), metrics, { ...opts, minCoverage: 1 }).report.warnings).toEqual([]);
  });

  it('runs the same filter on validation rows', () => {
    const { kept, report } = filterValidationAmbiguous(rows, metrics, { topFraction: 0.5, applyRuleBasedFilter: false });
    expect(report.split).toBe('validation');
    expect(kept).toHaveLength(7);
    expect(() => filterValidationAmbiguous(rows, undefined, { topFraction: 0.5, applyRuleBasedFilter: false })).toThrow(/ambiguous filter \(validation\): no cartography metrics/);
  });

  it('removes nothing when the metrics have no ambiguous example', () => {
    const flat = [m('e1', 0.9, 0.1), m('h1', 0.1, 0.1)];
    const { kept, report } = filterAmbiguous([q('e1'), q('h1')], flat, { topFraction: 0.33, applyRuleBasedFilter: true });
    expect(kept).toHaveLength(2);
    expect(report.instabilityThreshold).toBeNull();
    expect(report.warnings).toContain('the metrics contain no ambiguous example: nothing is removed');
  });
});
