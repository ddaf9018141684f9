import { describe, expect, it } from 'vitest';
import { analyzeExperiments, groupRuns } from '../../src/domain/experiments/analysis/compare';
import { formatComparisonTable, formatGroupTable } from '../../src/domain/experiments/analysis/comparison-text';
import { nameWithoutSeed, pythonTitle, seedFromName, sortRowsByTimestamp } from '../../src/domain/experiments/analysis/rows';
import { comparisonRows, run } from './analysis-fixtures';

describe('row helpers', () => {
  it('strips the seed suffix the suites append', () => {
    expect(nameWithoutSeed('baseline_seed42')).toBe('baseline');
    expect(nameWithoutSeed('cart_filter_33_seed7')).toBe('cart_filter_33');
    expect(nameWithoutSeed('baseline')).toBe('baseline');
    expect(nameWithoutSeed('seed42_baseline')).toBe('seed42_baseline');
    expect(seedFromName('smooth_5_seed43')).toBe(43);
    expect(seedFromName('baseline')).toBeNull();
  });
  it('title-cases like Python', () => {
    expect(pythonTitle('cartography_filter')).toBe('Cartography Filter');
    expect(pythonTitle('label2smooth')).toBe('Label2Smooth');
  });
  it('sorts by timestamp with missing ones last, ties in input order', () => {
    const rows = [
      run({ experiment_name: 'c', timestamp: null }),
      run({ experiment_name: 'b', timestamp: '2025-01-02T00:00:00' }),
      run({ experiment_name: 'a', timestamp: '2025-01-01T00:00:00' }),
      run({ experiment_name: 'd', timestamp: '2025-01-02T00:00:00' }),
    ];
    expect(sortRowsByTimestamp(rows).map((r) => r.experiment_name)).toEqual(['a', 'b', 'd', 'c']);
  });
});

describe('grouping by configuration', () => {
  const groups = groupRuns(comparisonRows);
  const byKey = new Map(groups.map((g) => [g.key, g]));

  it('groups by name without seed, in order of first appearance', () => {
    expect(groups.map((g) => g.key)).toEqual(['baseline', 'cartography_top33', 'label_smooth6', 'soft_weight']);
  });

  it('gives n, mean, sd and the 95% t interval of each metric (scipy reference)', () => {
    const b = byKey.get('baseline')!;
    expect(b.eval_f1.n).toBe(3);
    expect(b.eval_f1.mean).toBeCloseTo(72.04375, 10);
    expect(b.eval_f1.sd).toBeCloseTo(0.5501065237751657, 10);
    expect(b.eval_f1.ci95!.lower).toBeCloseTo(70.67720963881024, 6);
    expect(b.eval_f1.ci95!.upper).toBeCloseTo(73.41029036118977, 6);
    expect(b.eval_exact_match.ci95!.lower).toBeCloseTo(60.132138029712344, 6);
    expect(b.duration_seconds.mean).toBeCloseTo((612.5 + 600 + 605) / 3, 10);
  });

  it('lists every seed value, counts failures and keeps missing durations out of the duration stats', () => {
    const c = byKey.get('cartography_top33')!;
    expect(c.seeds.map((s) => [s.seed, s.eval_f1])).toEqual([[42, 73.91], [43, 73.2], [44, 74.35]]);
    expect(c.duration_seconds.n).toBe(2);
    const l = byKey.get('label_smooth6')!;
    expect([l.runs, l.failed, l.seeds.map((s) => s.seed)]).toEqual([3, 1, [43, 44]]);
    expect(l.strategies.label_smoothing).toBe(true);
  });

  it('reports a single run with mean only', () => {
    expect(byKey.get('soft_weight')!.eval_f1).toEqual({ n: 1, mean: 73, sd: null, ci95: null });
  });

  it('groups by config fingerprint when asked, labelled by the names it spans', () => {
    const rows = [
      run({ experiment_name: 'baseline_seed1', seed: 1, config_fingerprint: 'fpA' }),
      run({ experiment_name: 'baseline_copy_seed2', seed: 2, config_fingerprint: 'fpA' }),
      run({ experiment_name: 'other_seed1', seed: 1, config_fingerprint: 'fpB' }),
    ];
    const g = groupRuns(rows, 'fingerprint');
    expect(g.map((x) => [x.key, x.label, x.seeds.length])).toEqual([
      ['fpA', 'baseline / baseline_copy', 2],
      ['fpB', 'other', 1],
    ]);
    // the default baseline is found through the names a fingerprint group spans
    expect(analyzeExperiments(rows, { groupBy: 'fingerprint' }).baseline).toBe('fpA');
    expect(() => groupRuns([run({ experiment_name: 'x' })], 'fingerprint')).toThrow(/analysis row 0 \(x\): config_fingerprint is required/);
  });

  it('rejects rows with NaN or non-integer seeds, naming row and field', () => {
    expect(() => groupRuns([run({ experiment_name: 'a' }), run({ experiment_name: 'b', eval_f1: Number.NaN })])).toThrow(
      /analysis row 1 \(b\): eval_f1 must be a finite number or null/,
    );
    expect(() => groupRuns([run({ experiment_name: 'a', seed: 1.5 })])).toThrow(/seed must be an integer/);
  });
});

describe('comparison with the baseline', () => {
  const analysis = analyzeExperiments(comparisonRows);
  const cmp = new Map(analysis.comparisons.map((c) => [c.group, c]));

  it('finds the baseline group by name and compares every other group', () => {
    expect(analysis.baseline).toBe('baseline');
    expect(analysis.comparisons.map((c) => c.group)).toEqual(['cartography_top33', 'label_smooth6', 'soft_weight']);
  });

  it('pairs by seed when the seed sets match (scipy ttest_rel reference)', () => {
    const c = cmp.get('cartography_top33')!;
    expect(c.pairedSeeds).toEqual([42, 43, 44]);
    expect(c.pairingNote).toBeNull();
    const f1 = c.metrics.eval_f1;
    expect(f1.test).toBe('paired');
    expect(f1.meanDiff).toBeCloseTo(1.7762500000000045, 10);
    expect(f1.t).toBeCloseTo(33.360729448512316, 7);
    expect(f1.df).toBe(2);
    expect(f1.p).toBeCloseTo(0.0008973132284645738, 8);
    expect(f1.ci95!.lower).toBeCloseTo(1.5471606773875324, 6);
    expect(f1.ci95!.upper).toBeCloseTo(2.005339322612467, 6);
    expect(f1.cohensD).toBeCloseTo(3.1416724140104506, 10);
    expect(f1.effect).toBe('large');
    expect(f1.diffPct).toBeCloseTo((100 * 1.7762500000000045) / 72.04375, 10);
    const em = c.metrics.eval_exact_match;
    expect(em.t).toBeCloseTo(23.887505169561784, 7);
    expect(em.p).toBeCloseTo(0.0017479080769290365, 8);
  });

  it("uses Welch's test when the seed sets differ, and says why (scipy reference)", () => {
    const c = cmp.get('label_smooth6')!;
    expect(c.pairedSeeds).toEqual([]);
    expect(c.pairingNote).toBe('seed sets differ (baseline: 42, 43, 44; this group: 43, 44)');
    const f1 = c.metrics.eval_f1;
    expect(f1.test).toBe('welch');
    expect(f1.t).toBeCloseTo(1.4999003712829206, 8);
    expect(f1.df).toBeCloseTo(2.967636775102442, 8);
    expect(f1.p).toBeCloseTo(0.23156703720865582, 7);
    expect(f1.ci95!.lower).toBeCloseTo(-0.6880465378682268, 5);
    expect(f1.cohensD).toBeCloseTo(1.3111101305258208, 10);
    expect(c.metrics.eval_exact_match.df).toBeCloseTo(1.6842105263158, 8);
    expect(c.metrics.eval_exact_match.p).toBeCloseTo(0.7433754656879058, 7);
  });

  it('applies Holm per metric over the tested comparisons and stars the adjusted p', () => {
    const c = cmp.get('cartography_top33')!.metrics;
    // F1 family has 2 tested comparisons: 0.000897·2 = 0.001795 → ** although the raw p earns ***.
    expect(c.eval_f1.pHolm).toBeCloseTo(2 * 0.0008973132284645738, 8);
    expect(c.eval_f1.stars).toBe('**');
    expect(c.eval_f1.starsRaw).toBe('***');
    expect(cmp.get('label_smooth6')!.metrics.eval_f1.pHolm).toBeCloseTo(0.23156703720865582, 7);
    expect(cmp.get('label_smooth6')!.metrics.eval_f1.stars).toBe('ns');
    expect(c.eval_exact_match.pHolm).toBeCloseTo(2 * 0.0017479080769290365, 8);
  });

  it('reports a group of one run without test or effect size, never NaN', () => {
    const s = cmp.get('soft_weight')!.metrics.eval_f1;
    expect(s).toMatchObject({ test: 'welch', nCandidate: 1, nBaseline: 3, ci95: null, t: null, df: null, p: null, pHolm: null, stars: null, cohensD: null, effect: null });
    expect(s.meanDiff).toBeCloseTo(73 - 72.04375, 10);
    expect(s.notes.join(' ')).toMatch(/at least 2 runs in each group, got 1 and 3/);
    expect(JSON.stringify(analysis)).not.toMatch(/NaN/);
  });

  it('does not pair when a seed repeats or is missing', () => {
    const rows = [
      run({ experiment_name: 'baseline_seed1', seed: 1, eval_f1: 70 }),
      run({ experiment_name: 'baseline_seed2', seed: 2, eval_f1: 71 }),
      run({ experiment_name: 'x_seed1', seed: 1, eval_f1: 72 }),
      run({ experiment_name: 'x_seed1', seed: 1, eval_f1: 73 }),
      run({ experiment_name: 'y', seed: null, eval_f1: 72 }),
      run({ experiment_name: 'y', seed: null, eval_f1: 74 }),
    ];
    const a = analyzeExperiments(rows);
    expect(a.comparisons[0].pairingNote).toMatch(/more than once/);
    expect(a.comparisons[1].pairingNote).toMatch(/no seed/);
    expect(a.comparisons.every((c) => c.metrics.eval_f1.test === 'welch')).toBe(true);
  });

  it('reports constant paired differences as untestable', () => {
    const rows = [1, 2, 3].flatMap((s) => [
      run({ experiment_name: `baseline_seed${s}`, seed: s, eval_f1: 70 + s }),
      run({ experiment_name: `x_seed${s}`, seed: s, eval_f1: 71 + s }),
    ]);
    const f1 = analyzeExperiments(rows).comparisons[0].metrics.eval_f1;
    expect(f1).toMatchObject({ test: 'paired', t: null, p: null, stars: null, meanDiff: 1, ci95: { lower: 1, upper: 1 } });
    expect(f1.notes[0]).toMatch(/constant/);
  });

  it('accepts an explicit baseline and rejects an unknown one', () => {
    const a = analyzeExperiments(comparisonRows, { baseline: 'cartography_top33' });
    expect(a.comparisons.map((c) => c.group)).toEqual(['baseline', 'label_smooth6', 'soft_weight']);
    expect(a.comparisons[0].metrics.eval_f1.meanDiff).toBeCloseTo(-1.7762500000000045, 10);
    expect(() => analyzeExperiments(comparisonRows, { baseline: 'nope' })).toThrow(/baseline group "nope" not found; groups are: "baseline"/);
  });

  it('says so when there is no baseline group', () => {
    const a = analyzeExperiments([run({ experiment_name: 'x_seed1' }), run({ experiment_name: 'y_seed1' })]);
    expect(a.baseline).toBeNull();
    expect(a.comparisons).toEqual([]);
    expect(a.baselineNote).toMatch(/no group named "baseline"/);
    expect(formatComparisonTable(a)).toMatch(/^No comparison: no group named "baseline"/);
  });
});

describe('text tables', () => {
  const analysis = analyzeExperiments(comparisonRows);
  it('formats the group table with mean ± sd [CI], n/a for what is missing', () => {
    const lines = formatGroupTable(analysis).split('\n');
    expect(lines[0]).toMatch(/^configuration\s+runs\s+failed\s+seeds\s+F1\s+Exact match\s+duration \(s\)$/);
    expect(lines[1]).toMatch(/^baseline\s+3\s+0\s+42,43,44\s+72\.04 ± 0\.55 \[70\.68, 73\.41\]/);
    expect(lines[4]).toMatch(/^soft_weight\s+1\s+0\s+42\s+73\.00\s+62\.00\s+600\.0$/);
  });
  it('formats the comparison with stars, Holm p and reasons', () => {
    const text = formatComparisonTable(analysis);
    expect(text).toContain('Holm across the 3 comparison(s)');
    expect(text).toMatch(/cartography_top33\s+3 vs 3\s+paired\s+\+1\.78\s+\[\+1\.55, \+2\.01\]\s+33\.361\s+2\s+0\.0009\s+0\.0018\s+\*\*\s+3\.14 \(large\)/);
    expect(text).toMatch(/soft_weight\s+1 vs 3\s+welch\s+\+0\.96\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+n\/a/);
    expect(text).toContain('label_smooth6: unpaired: seed sets differ');
    expect(text).not.toMatch(/NaN/);
  });
});
