import { describe, expect, it } from 'vitest';
import { SUITE_NAMES, SuiteError, buildCustomSuite, buildSuite, suiteSize, valueToken, type SuiteName } from '../../src/domain/config/suites';
import { configHash } from '../../src/domain/config/serialize';
import type { ExperimentConfig } from '../../src/domain/config/types';

const names = (cs: ExperimentConfig[]) => cs.map((c) => c.name);
const byName = (cs: ExperimentConfig[], n: string) => {
  const c = cs.find((x) => x.name === n);
  if (!c) throw new Error(`no experiment ${n}`);
  return c;
};

const SAMPLE_ONE = (s: number) => [
  `baseline_seed${s}`,
  `cartography_top25_seed${s}`,
  `cartography_top33_seed${s}`,
  `cartography_top50_seed${s}`,
  `cluster_filter_seed${s}`,
  `label_smooth4_seed${s}`,
  `label_smooth6_seed${s}`,
  `label_smooth8_seed${s}`,
  `soft_weight_seed${s}`,
];

const OVERNIGHT_ONE = (s: number) => [
  `baseline_seed${s}`,
  `cart_filter_25_seed${s}`,
  `cart_filter_33_seed${s}`,
  `cart_filter_50_seed${s}`,
  `cart_filter_67_seed${s}`,
  `cluster_excl_1_seed${s}`,
  `cluster_excl_1_0_seed${s}`,
  `cluster_excl_1_1_seed${s}`,
  `smooth_3_seed${s}`,
  `smooth_5_seed${s}`,
  `smooth_7_seed${s}`,
  `smooth_9_seed${s}`,
  `weight_max5_seed${s}`,
  `weight_max10_seed${s}`,
  `weight_max20_seed${s}`,
  `combined_cart_smooth_seed${s}`,
  `combined_cluster_weight_seed${s}`,
];

describe('Python suites with one seed (the default)', () => {
  it('minimal', () => {
    const s = buildSuite('minimal');
    expect(names(s)).toEqual(['baseline', 'cartography_filter']);
    // The reference vectors: CLI defaults 10000 / 2000, seed 42.
    expect(s.map((c) => configHash(c))).toEqual(['70bb89f8', 'b398602c']);
    expect(s[1].training.filter_validation_set).toBe(false);
  });

  it('sample', () => {
    const s = buildSuite('sample');
    expect(names(s)).toEqual(SAMPLE_ONE(42));
    expect(configHash(s[0])).toBe('4ea7e299');
    expect(s.slice(1, 4).map((c) => c.training.cartography_filter.top_fraction)).toEqual([0.25, 0.33, 0.5]);
    expect(s.slice(5, 8).map((c) => c.training.label_smoothing.smoothing_factor)).toEqual([0.4, 0.6, 0.8]);
    expect(s[4].training.cluster_filter).toEqual({ enabled: true, cluster_assignments_path: './cluster_output', exclude_clusters: [-1], min_cluster_probability: null });
    expect(s[1].description).toBe('Training with cartography filtering (top 25% ambiguous kept)');
    // Expected hashes: Python dataclasses + json.dumps (see the reference script in the report).
    expect(configHash(byName(s, 'cluster_filter_seed42'))).toBe('2b8870ef');
    expect(configHash(byName(s, 'soft_weight_seed42'))).toBe('e275b23d');
  });

  it('filtering', () => {
    const s = buildSuite('filtering');
    expect(names(s)).toEqual(['baseline', 'cartography_filter', 'cluster_filter']);
    expect(s[1].description).toBe('Cartography filtering on training + validation');
    expect(s[2].training.validation_cluster_assignments_path).toBe('./cluster_output_validation');
    expect(s.map((c) => configHash(c))).toEqual(['70bb89f8', '5214063d', '9f1b58fb']);
  });

  it('weighting', () => {
    const s = buildSuite('weighting');
    expect(names(s)).toEqual(['baseline', 'label_smoothing', 'soft_weighting']);
    expect(configHash(s[1])).toBe('cdc4b6fb');
    expect(s[2].description).toBe('Training with soft weighting (clip range [0.1, 10.0])');
  });

  it('overnight', () => {
    const s = buildSuite('overnight', { batch_size: 16 });
    expect(names(s)).toEqual(OVERNIGHT_ONE(42));
    for (const c of s) {
      expect(c.training.per_device_train_batch_size).toBe(16);
      expect(c.training.per_device_eval_batch_size).toBe(16);
      expect(c.training.save_strategy).toBe('no');
    }
    expect(byName(s, 'cluster_excl_1_1_seed42').training.cluster_filter.exclude_clusters).toEqual([-1, 1]);
    expect(byName(s, 'cart_filter_67_seed42').training.filter_validation_set).toBe(true);
    expect(byName(s, 'smooth_7_seed42').training.label_smoothing.smoothing_factor).toBe(0.7);
    expect(byName(s, 'combined_cart_smooth_seed42').training.cartography_filter.enabled).toBe(true);
    expect(byName(s, 'combined_cart_smooth_seed42').training.label_smoothing.enabled).toBe(true);
    expect(byName(s, 'combined_cluster_weight_seed42').training.soft_weighting.enabled).toBe(true);
    expect(configHash(byName(s, 'cluster_excl_1_0_seed42'))).toBe('1a851baf');
    expect(configHash(byName(s, 'weight_max20_seed42'))).toBe('b11fa1e1');
  });
});

describe('suites with three seeds', () => {
  const seeds = [42, 43, 44];
  it.each([
    ['minimal', 6],
    ['sample', 27],
    ['filtering', 9],
    ['weighting', 9],
    ['overnight', 51],
  ] as Array<[SuiteName, number]>)('%s has %i experiments', (suite, n) => {
    const s = buildSuite(suite, { seeds });
    expect(s).toHaveLength(n);
    expect(suiteSize(suite, 3)).toBe(n);
    expect(new Set(names(s)).size).toBe(n);
    expect(new Set(s.map((c) => configHash(c))).size).toBe(n);
  });

  it('expands in seed order with Python names', () => {
    expect(names(buildSuite('sample', { seeds }))).toEqual(seeds.flatMap(SAMPLE_ONE));
    expect(names(buildSuite('overnight', { seeds }))).toEqual(seeds.flatMap(OVERNIGHT_ONE));
    const sample = buildSuite('sample', { seeds });
    expect(configHash(byName(sample, 'cartography_top25_seed43'))).toBe('19b55401');
    expect(configHash(byName(sample, 'label_smooth8_seed44'))).toBe('abab291b');
    expect(byName(sample, 'label_smooth8_seed44').training.seed).toBe(44);
  });

  it('repeats the single-seed suites per seed with a suffix (app extension)', () => {
    expect(names(buildSuite('minimal', { seeds: [42, 43] }))).toEqual(['baseline_seed42', 'cartography_filter_seed42', 'baseline_seed43', 'cartography_filter_seed43']);
    expect(names(buildSuite('weighting', { seeds: [7] }))).toEqual(['baseline_seed7', 'label_smoothing_seed7', 'soft_weighting_seed7']);
    expect(buildSuite('weighting', { seeds: [7] })[1].training.seed).toBe(7);
  });
});

describe('suite options', () => {
  it('passes the CLI options through', () => {
    const s = buildSuite('sample', { max_train_samples: 500, max_eval_samples: 100, cartography_dir: './carto', cluster_dir: './clu' });
    for (const c of s) {
      expect(c.training.max_train_samples).toBe(500);
      expect(c.training.max_eval_samples).toBe(100);
      expect(c.output_dir).toBe('./experiments');
    }
    expect(s[1].training.cartography_filter.cartography_output_dir).toBe('./carto');
    expect(s[4].training.cluster_filter.cluster_assignments_path).toBe('./clu');
    expect(s[8].training.soft_weighting.cartography_output_dir).toBe('./carto');
    const demo = buildSuite('minimal', { training: { num_train_epochs: 1, per_device_train_batch_size: 2 } });
    expect(demo[1].training.num_train_epochs).toBe(1);
    expect(demo[1].training.cartography_filter.enabled).toBe(true);
  });

  it('rejects bad seeds and unknown suites', () => {
    expect(() => buildSuite('sample', { seeds: [] })).toThrowError(SuiteError);
    expect(() => buildSuite('sample', { seeds: [1, 1] })).toThrowError(/seeds: 1 is given twice/);
    expect(() => buildSuite('sample', { seeds: [1.5] })).toThrowError(/1.5 is not a seed/);
    expect(() => buildSuite('nightly' as SuiteName)).toThrowError(/unknown suite "nightly"/);
    expect(SUITE_NAMES).toEqual(['minimal', 'sample', 'filtering', 'weighting', 'overnight']);
  });
});

describe('custom suites', () => {
  it('builds strategies × values × seeds and combinations', () => {
    const s = buildCustomSuite({
      seeds: [1, 2],
      max_train_samples: 200,
      training: { num_train_epochs: 1 },
      strategies: [
        { strategy: 'cartography_filter', top_fractions: [0.25, 0.333] },
        { strategy: 'cluster_filter', exclude_clusters: [[-1], []] },
        { strategy: 'label_smoothing', smoothing_factors: [0.4, 0.45] },
        { strategy: 'soft_weighting', clip_ranges: [[0.1, 10], [0.1, 5], [0.05, 2]] },
      ],
      combined: [{ cartography_filter: { top_fraction: 0.5 }, label_smoothing: { smoothing_factor: 0.6 } }],
    });
    expect(names(s).slice(0, 11)).toEqual([
      'baseline_seed1',
      'cartography_top25_seed1',
      'cartography_top0p333_seed1',
      'cluster_excl_1_seed1',
      'cluster_excl_none_seed1',
      'label_smooth4_seed1',
      'label_smooth0p45_seed1',
      'soft_weight_seed1',
      'soft_weight_max5_seed1',
      'soft_weight_min0p05_max2_seed1',
      'combined_cart_smooth_seed1',
    ]);
    expect(s).toHaveLength(22);
    const combo = byName(s, 'combined_cart_smooth_seed2');
    expect(combo.training.seed).toBe(2);
    expect(combo.training.num_train_epochs).toBe(1);
    expect(combo.training.cartography_filter.top_fraction).toBe(0.5);
    expect(combo.description).toBe(
      'Combined strategies: cartography filtering (top 50% ambiguous kept) + variability-based label smoothing (factor=0.6)',
    );
    expect(byName(s, 'cluster_excl_none_seed1').training.cluster_filter.exclude_clusters).toEqual([]);
  });

  it('applies validation filtering to filtering experiments only', () => {
    const s = buildCustomSuite({
      filter_validation_set: true,
      strategies: [
        { strategy: 'cartography_filter', top_fractions: [0.33] },
        { strategy: 'label_smoothing', smoothing_factors: [0.6] },
      ],
    });
    expect(byName(s, 'cartography_top33_seed42').training.filter_validation_set).toBe(true);
    expect(byName(s, 'label_smooth6_seed42').training.filter_validation_set).toBe(false);
  });

  it('rejects name clashes, empty suites and one-strategy combinations', () => {
    expect(() => buildCustomSuite({ include_baseline: false })).toThrowError(/the suite is empty/);
    expect(() => buildCustomSuite({ combined: [{ label_smoothing: {} }] })).toThrowError(/needs at least two strategies/);
    expect(() =>
      buildCustomSuite({ combined: [{ cartography_filter: {}, label_smoothing: {} }, { cartography_filter: { top_fraction: 0.5 }, label_smoothing: {} }] }),
    ).toThrowError(/both named "combined_cart_smooth_seed42"/);
    expect(() => buildCustomSuite({ strategies: [{ strategy: 'label_smoothing', smoothing_factors: [] }] })).toThrowError(/give at least one value/);
    expect(() => buildCustomSuite({ strategies: [{ strategy: 'cartography_filter', top_fractions: [1.5] }] })).toThrowError(/top_fraction: must be a fraction/);
  });

  it('names values like Python int(x*k) when exact', () => {
    expect(valueToken(0.3, 10)).toBe('3');
    expect(valueToken(0.7, 10)).toBe('7');
    expect(valueToken(0.67, 100)).toBe('67');
    expect(valueToken(0.45, 10)).toBe('0p45');
    expect(valueToken(1e-5, 10)).toBe('1em05');
  });
});
