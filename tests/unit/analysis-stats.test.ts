import { describe, expect, it } from 'vitest';
import {
  cohensD,
  effectMagnitude,
  holmAdjust,
  mean,
  pairedTTest,
  sampleSd,
  significanceStars,
  studentTTest,
  summarize,
  tConfidenceInterval,
  tCritical,
  tTwoSidedP,
  welchTTest,
} from '../../src/domain/experiments/analysis/stats';

// Student's sleep data (R `sleep`): extra hours of sleep of 10 patients under two drugs.
const sleep1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const sleep2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('t distribution via jstat', () => {
  it('gives textbook critical values', () => {
    expect(tCritical(0.95, 9)).toBeCloseTo(2.262157, 5);
    expect(tCritical(0.95, 2)).toBeCloseTo(4.302653, 5);
    expect(tCritical(0.95, 1)).toBeCloseTo(12.706205, 4);
  });
  it('gives two-sided p-values, symmetric in the sign of t', () => {
    expect(tTwoSidedP(4.062127683382037, 9)).toBeCloseTo(0.002832890, 8);
    expect(tTwoSidedP(-4.062127683382037, 9)).toBeCloseTo(0.002832890, 8);
    expect(tTwoSidedP(0, 5)).toBe(1);
  });
  it('rejects impossible degrees of freedom', () => {
    expect(() => tTwoSidedP(1, 0)).toThrow(/degrees of freedom/);
  });
});

describe('descriptive statistics', () => {
  it('mean, sd (ddof 1) and t interval match scipy on sleep group 1', () => {
    expect(mean(sleep1)).toBeCloseTo(0.75, 12);
    expect(sampleSd(sleep1)).toBeCloseTo(1.7890096577591623, 12);
    const ci = tConfidenceInterval(sleep1)!;
    expect(ci.lower).toBeCloseTo(-0.5297804135262318, 7);
    expect(ci.upper).toBeCloseTo(2.0297804135262316, 7);
  });
  it('reports n = 1 and n = 0 as missing, never NaN', () => {
    expect(summarize([84.5])).toEqual({ n: 1, mean: 84.5, sd: null, ci95: null });
    expect(summarize([])).toEqual({ n: 0, mean: null, sd: null, ci95: null });
  });
  it('a constant sample has sd 0 and a zero-width interval at exactly the value', () => {
    expect(summarize([0.1, 0.1, 0.1])).toEqual({ n: 3, mean: 0.1, sd: 0, ci95: { lower: 0.1, upper: 0.1 } });
  });
  it('rejects non-finite input', () => {
    expect(() => mean([1, Number.NaN])).toThrow(/value 1 is not a finite number/);
  });
});

describe('t-tests', () => {
  it('paired t-test reproduces the classic sleep result (t = 4.0621, df = 9, p = 0.002833)', () => {
    const r = pairedTTest(sleep2, sleep1);
    if (!r.ok) throw new Error(r.reason);
    expect(r.kind).toBe('paired');
    expect(r.meanDiff).toBeCloseTo(1.58, 12);
    expect(r.t).toBeCloseTo(4.062127683382037, 9);
    expect(r.df).toBe(9);
    expect(r.p).toBeCloseTo(0.002832890197384273, 8);
    expect(r.ci95.lower).toBeCloseTo(0.7001142367230175, 6);
    expect(r.ci95.upper).toBeCloseTo(2.459885763276983, 6);
  });

  it("Welch's test on the same groups unpaired (t = -1.8608, df = 17.776, p = 0.07939)", () => {
    const r = welchTTest(sleep1, sleep2);
    if (!r.ok) throw new Error(r.reason);
    expect(r.t).toBeCloseTo(-1.8608134674868526, 9);
    expect(r.df).toBeCloseTo(17.776473516178488, 9);
    expect(r.p).toBeCloseTo(0.0793941401873583, 8);
    expect(r.ci95.lower).toBeCloseTo(-3.3654832307117104, 6);
    expect(r.ci95.upper).toBeCloseTo(0.20548323071171137, 6);
  });

  it("Welch's test with unequal sizes and a fractional df (scipy reference)", () => {
    const r = welchTTest([86.1, 85.4, 86.9], [84.2, 85.0, 84.8, 83.9, 84.6]);
    if (!r.ok) throw new Error(r.reason);
    expect(r.t).toBeCloseTo(3.4223084492709206, 9);
    expect(r.df).toBeCloseTo(2.8775377452155033, 9);
    expect(r.p).toBeCloseTo(0.044507144044914654, 7);
    expect(r.ci95.lower).toBeCloseTo(0.07724590351841432, 5);
    expect(r.ci95.upper).toBeCloseTo(3.189420763148237, 5);
  });

  it("Student's equal-variance test (t = -1.8608, df = 18, p = 0.07919)", () => {
    const r = studentTTest(sleep1, sleep2);
    if (!r.ok) throw new Error(r.reason);
    expect(r.df).toBe(18);
    expect(r.t).toBeCloseTo(-1.8608134674868524, 9);
    expect(r.p).toBeCloseTo(0.07918671421593822, 8);
    expect(r.ci95.lower).toBeCloseTo(-3.3638740322875984, 6);
  });

  it('does not test with one run, but still gives the difference', () => {
    const p = pairedTTest([85], [84]);
    expect(p).toMatchObject({ ok: false, meanDiff: 1, ci95: null });
    expect(!p.ok && p.reason).toMatch(/at least 2 pairs, got 1/);
    const w = welchTTest([85], [84, 83]);
    expect(w).toMatchObject({ ok: false, meanDiff: 1.5, ci95: null });
    expect(!w.ok && w.reason).toMatch(/at least 2 runs in each group, got 1 and 2/);
  });

  it('reports constant differences as untestable with a zero-width interval instead of an infinite t', () => {
    const r = pairedTTest([80.3, 81.3, 82.3], [80, 81, 82]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/constant/);
    expect(r.meanDiff).toBeCloseTo(0.3, 12);
    expect(r.ci95!.upper - r.ci95!.lower).toBe(0);
    expect(welchTTest([2, 2], [1, 1]).ok).toBe(false);
  });

  it("Welch's test works when only one group is constant (df = n − 1 of the other)", () => {
    const r = welchTTest([1, 2, 3, 4], [2, 2, 2]);
    if (!r.ok) throw new Error(r.reason);
    expect(r.df).toBeCloseTo(3, 12);
  });

  it('refuses misaligned paired samples', () => {
    expect(() => pairedTTest([1, 2], [1])).toThrow(/equal length/);
  });
});

describe("Cohen's d", () => {
  it('uses the average of the two ddof-1 variances', () => {
    const r = cohensD(sleep2, sleep1);
    if (!r.ok) throw new Error(r.reason);
    expect(r.d).toBeCloseTo(0.8321810813495395, 12);
    expect(r.magnitude).toBe('large');
  });
  it('classifies at 0.2 / 0.5 / 0.8 on |d|', () => {
    expect(effectMagnitude(0.19)).toBe('negligible');
    expect(effectMagnitude(-0.2)).toBe('small');
    expect(effectMagnitude(0.49)).toBe('small');
    expect(effectMagnitude(0.5)).toBe('medium');
    expect(effectMagnitude(-0.79)).toBe('medium');
    expect(effectMagnitude(0.8)).toBe('large');
  });
  it('is undefined for one run or two constant groups', () => {
    expect(cohensD([1], [1, 2]).ok).toBe(false);
    expect(cohensD([2, 2], [1, 1])).toEqual({ ok: false, reason: "both groups have zero variance, so Cohen's d is undefined" });
  });
});

describe('Holm correction and stars', () => {
  it('matches the hand-computed step-down values', () => {
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    const expected = [0.03, 0.06, 0.06, 0.02];
    adj.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 12));
  });
  it('caps at 1, keeps order and leaves untested entries out of the family', () => {
    const adj = holmAdjust([0.5, null, 0.2, 0.01]);
    // m = 3: 0.01·3 = 0.03, 0.2·2 = 0.4, 0.5·1 = 0.5
    expect(adj[0]).toBeCloseTo(0.5, 12);
    expect(adj[1]).toBeNull();
    expect(adj[2]).toBeCloseTo(0.4, 12);
    expect(adj[3]).toBeCloseTo(0.03, 12);
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1]);
    expect(holmAdjust([])).toEqual([]);
  });
  it('gives tied p-values the same adjusted value', () => {
    expect(holmAdjust([0.02, 0.02, 0.001])).toEqual([0.04, 0.04, 0.003]);
  });
  it('rejects values outside [0, 1]', () => {
    expect(() => holmAdjust([1.2])).toThrow(/p-value 0/);
  });
  it('stars at .001 / .01 / .05', () => {
    expect(significanceStars(0.0009)).toBe('***');
    expect(significanceStars(0.001)).toBe('**');
    expect(significanceStars(0.0099)).toBe('**');
    expect(significanceStars(0.01)).toBe('*');
    expect(significanceStars(0.0499)).toBe('*');
    expect(significanceStars(0.05)).toBe('ns');
  });
});
