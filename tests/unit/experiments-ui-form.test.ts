import { describe, expect, it } from 'vitest';
import {
  buildConfigs,
  customSweeps,
  defaultCombined,
  defaultForm,
  describePreset,
  FormError,
  importConfigFiles,
  parseClipRanges,
  parseExclusionLists,
  parseNumberList,
  parseRowLimit,
  parseSeeds,
  presetTrainingForm,
  trainingOverrides,
  type ExperimentForm,
} from '../../src/ui/state/experiments-form';
import { buildSuite, buildCustomSuite } from '../../src/domain/config/suites';
import { configHash, configJsonText } from '../../src/domain/config/serialize';
import { createBaselineConfig } from '../../src/domain/config/factories';

function formError(fn: () => unknown): FormError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormError);
    return e as FormError;
  }
  throw new Error('expected a FormError');
}

describe('parseSeeds', () => {
  it('accepts commas and spaces', () => {
    expect(parseSeeds('42')).toEqual([42]);
    expect(parseSeeds(' 42, 43 44,45 ')).toEqual([42, 43, 44, 45]);
    expect(parseSeeds('0')).toEqual([0]);
  });

  it('names the bad value', () => {
    const e = formError(() => parseSeeds('42, 4x'));
    expect(e.field).toBe('seeds');
    expect(e.message).toBe('Seeds: "4x" is not a whole number.');
    expect(formError(() => parseSeeds('  ')).message).toMatch(/at least one seed/);
    expect(formError(() => parseSeeds('42, -1')).message).toMatch(/"-1" is not a whole number/);
    expect(formError(() => parseSeeds('1.5')).message).toMatch(/"1.5" is not a whole number/);
    expect(formError(() => parseSeeds('42 43 42')).message).toMatch(/42 is given twice/);
    expect(formError(() => parseSeeds('4294967296')).message).toMatch(/too large/);
  });
});

describe('value lists', () => {
  it('parses row limits ("" is every row)', () => {
    expect(parseRowLimit('', 'max-train', 'Max train samples')).toBeNull();
    expect(parseRowLimit(' 64 ', 'max-train', 'Max train samples')).toBe(64);
    const e = formError(() => parseRowLimit('0', 'max-train', 'Max train samples'));
    expect(e.field).toBe('max-train');
    expect(e.message).toMatch(/Max train samples: "0" is not a whole number of rows/);
    expect(formError(() => parseRowLimit('1e3', 'max-eval', 'Max eval samples')).field).toBe('max-eval');
  });

  it('parses number lists with ranges', () => {
    expect(parseNumberList('0.25, 0.33 0.5', 'f', 'Top fractions', { min: 0, minExclusive: true, max: 1 })).toEqual([0.25, 0.33, 0.5]);
    expect(formError(() => parseNumberList('0.25, 1.5', 'f', 'Top fractions', { max: 1 })).message).toBe('Top fractions: 1.5 must be at most 1.');
    expect(formError(() => parseNumberList('0, 0.5', 'f', 'Top fractions', { min: 0, minExclusive: true })).message).toBe('Top fractions: 0 must be greater than 0.');
    expect(formError(() => parseNumberList('abc', 'f', 'Top fractions')).message).toBe('Top fractions: "abc" is not a number.');
    expect(formError(() => parseNumberList('0.5 0.5', 'f', 'Top fractions')).message).toMatch(/0.5 is given twice/);
  });

  it('parses cluster exclusion lists in both notations', () => {
    expect(parseExclusionLists('-1; -1, 0; -1 1')).toEqual([[-1], [-1, 0], [-1, 1]]);
    expect(parseExclusionLists('[-1], [-1, 0], []')).toEqual([[-1], [-1, 0], []]);
    expect(formError(() => parseExclusionLists('-1; x')).message).toMatch(/"x" is not a cluster id/);
    expect(formError(() => parseExclusionLists('[-1] 0')).message).toMatch(/write each list in brackets/);
    expect(formError(() => parseExclusionLists('-1; -1')).message).toMatch(/\[-1\] is given twice/);
    expect(formError(() => parseExclusionLists('')).message).toMatch(/at least one list/);
  });

  it('parses clip ranges', () => {
    expect(parseClipRanges('0.1:10, 0.1:5; 0.5-20')).toEqual([
      [0.1, 10],
      [0.1, 5],
      [0.5, 20],
    ]);
    expect(formError(() => parseClipRanges('10:0.1')).message).toMatch(/maximum must be at least the minimum/);
    expect(formError(() => parseClipRanges('0:10')).message).toMatch(/minimum weight 0 must be greater than 0/);
    expect(formError(() => parseClipRanges('0.1')).message).toMatch(/"0.1" is not a range; write min:max/);
  });
});

describe('training overrides', () => {
  it('sets only what was typed; the batch size applies to training and evaluation', () => {
    const f = defaultForm().training;
    expect(trainingOverrides(f)).toEqual({});
    expect(trainingOverrides({ ...f, epochs: '1', learning_rate: '1e-3', batch_size: '4', max_length: '128' })).toEqual({
      num_train_epochs: 1,
      learning_rate: 0.001,
      per_device_train_batch_size: 4,
      per_device_eval_batch_size: 4,
      max_length: 128,
    });
    expect(formError(() => trainingOverrides({ ...f, epochs: '0' })).field).toBe('epochs');
    expect(formError(() => trainingOverrides({ ...f, batch_size: '2.5' })).message).toBe('Batch size: 2.5 is not a whole number.');
    expect(formError(() => trainingOverrides({ ...f, learning_rate: 'fast' })).field).toBe('lr');
    // Gradient accumulation: 1 is none (left out, so the hash stays Python's), more is set.
    expect(trainingOverrides({ ...f, accumulation: '4' })).toEqual({ gradient_accumulation_steps: 4 });
    expect(trainingOverrides({ ...f, accumulation: '1' })).toEqual({});
    expect(formError(() => trainingOverrides({ ...f, accumulation: '0' })).field).toBe('accumulation');
  });

  it('splits a preset into the visible fields and the rest, dropping seed and strategy fields', () => {
    const preset = { max_length: 192, per_device_train_batch_size: 16, per_device_eval_batch_size: 32, num_train_epochs: 3, learning_rate: 2e-3, warmup_steps: 50, seed: 7, eval_strategy: 'no' as const, save_total_limit: 2 };
    const form = presetTrainingForm('demo', preset);
    expect(form).toMatchObject({ epochs: '3', learning_rate: '0.002', batch_size: '16', max_length: '192' });
    // seed belongs to the seeds field; save_total_limit=2 is Python's default anyway.
    expect(form.preset).toEqual({ name: 'demo', fields: { per_device_eval_batch_size: 32, warmup_steps: 50, eval_strategy: 'no' } });
    expect(describePreset(form.preset!)).toBe('per_device_eval_batch_size=32, warmup_steps=50, eval_strategy=no');
    // The preset's own eval batch size is kept; the typed fields win over it otherwise.
    expect(trainingOverrides({ ...form, epochs: '1' })).toEqual({
      per_device_eval_batch_size: 32,
      warmup_steps: 50,
      eval_strategy: 'no',
      num_train_epochs: 1,
      learning_rate: 0.002,
      per_device_train_batch_size: 16,
      max_length: 192,
    });
  });
});

describe('buildConfigs', () => {
  const form = (patch: Partial<ExperimentForm> = {}): ExperimentForm => ({ ...defaultForm(), ...patch });

  it('builds a Python suite with the limits, seeds and overrides of the form', () => {
    const configs = buildConfigs(form({ suite: 'minimal', maxTrain: '64', maxEval: '32', seeds: '42, 43', training: { ...defaultForm().training, epochs: '1' } }));
    const expected = buildSuite('minimal', { max_train_samples: 64, max_eval_samples: 32, seeds: [42, 43], training: { num_train_epochs: 1 } });
    expect(configs.map((c) => c.name)).toEqual(['baseline_seed42', 'cartography_filter_seed42', 'baseline_seed43', 'cartography_filter_seed43']);
    expect(configs.map(configHash)).toEqual(expected.map(configHash));
  });

  it('keeps Python hashes with the default options (minimal at seed 42, 10000/2000 rows)', () => {
    const configs = buildConfigs(form());
    expect(configs.map((c) => c.name)).toEqual(['baseline', 'cartography_filter']);
    // create_baseline_config("baseline", 42, 10000, 2000) hashes to 70bb89f8 in Python (origin-system.md §7.2).
    expect(configHash(configs[0])).toBe('70bb89f8');
    expect(configHash(configs[1])).toBe('b398602c');
  });

  it('passes the overnight batch size only to overnight', () => {
    const overnight = buildConfigs(form({ suite: 'overnight', suiteBatchSize: '4' }));
    expect(overnight).toHaveLength(17);
    expect(overnight.every((c) => c.training.per_device_train_batch_size === 4)).toBe(true);
    expect(formError(() => buildConfigs(form({ suite: 'overnight', suiteBatchSize: '0' }))).field).toBe('batch-size');
    // Other suites ignore the field, as Python does.
    expect(buildConfigs(form({ suite: 'weighting', suiteBatchSize: 'x' }))).toHaveLength(3);
  });

  it('builds a custom suite: strategies × values × seeds, combinations, baseline, validation filtering', () => {
    const custom = {
      ...defaultForm().custom,
      baseline: true,
      cartography: true,
      top_fractions: '0.25, 0.5',
      clusters: true,
      exclude_lists: '-1; -1, 0',
      min_probability: '0.2',
      smoothing: true,
      factors: '0.6',
      weighting: true,
      clip_ranges: '0.1:10, 0.1:5',
      combined: [{ ...defaultCombined(), name: 'cart_smooth' }],
      filter_validation_set: true,
    };
    const configs = buildConfigs(form({ mode: 'custom', custom, seeds: '1, 2', maxTrain: '100', maxEval: '' }));
    const expected = buildCustomSuite({
      strategies: [
        { strategy: 'cartography_filter', top_fractions: [0.25, 0.5] },
        { strategy: 'cluster_filter', exclude_clusters: [[-1], [-1, 0]], min_cluster_probability: 0.2 },
        { strategy: 'label_smoothing', smoothing_factors: [0.6] },
        { strategy: 'soft_weighting', clip_ranges: [[0.1, 10], [0.1, 5]] },
      ],
      combined: [{ name: 'cart_smooth', cartography_filter: { top_fraction: 0.33 }, label_smoothing: { smoothing_factor: 0.6 } }],
      include_baseline: true,
      seeds: [1, 2],
      max_train_samples: 100,
      max_eval_samples: null,
      filter_validation_set: true,
    });
    expect(configs.map((c) => configJsonText(c))).toEqual(expected.map((c) => configJsonText(c)));
    expect(configs).toHaveLength(2 * (1 + 2 + 2 + 1 + 2 + 1));
    expect(configs[0].training.max_eval_samples).toBeNull();
    expect(configs.find((c) => c.name === 'cluster_excl_1_0_seed2')?.training.cluster_filter.min_cluster_probability).toBe(0.2);
  });

  it('names the field of a bad combination', () => {
    const one = { ...defaultCombined(), smoothing: false };
    const e = formError(() => customSweeps({ ...defaultForm().custom, combined: [defaultCombined(), one] }));
    expect(e.field).toBe('combined-1');
    expect(e.message).toMatch(/Combination 2: tick at least two strategies/);
    const bad = { ...defaultCombined(), top_fraction: '2' };
    expect(formError(() => customSweeps({ ...defaultForm().custom, combined: [bad] })).message).toBe('Combination 1, top fraction: 2 must be at most 1.');
  });

  it('passes the suite builder\'s refusals through (empty suite)', () => {
    const custom = { ...defaultForm().custom, baseline: false, cartography: false };
    expect(() => buildConfigs(form({ mode: 'custom', custom }))).toThrow(/the suite is empty/);
  });

  it('uses imported configs as they are, and asks for files when there are none', () => {
    expect(formError(() => buildConfigs(form({ mode: 'import' }), [])).field).toBe('import-files');
  });
});

describe('importConfigFiles', () => {
  it('imports each file on its own; errors name the file and the field', () => {
    const good = configJsonText(createBaselineConfig({ name: 'baseline', seed: 42, max_train_samples: 10000, max_eval_samples: 2000 }));
    const old = JSON.parse(good) as Record<string, Record<string, unknown>>;
    old.training.evaluation_strategy = old.training.eval_strategy;
    delete old.training.eval_strategy;
    const bad = JSON.parse(good) as Record<string, Record<string, unknown>>;
    bad.training.num_train_epochs = 'three';
    const { imported, errors } = importConfigFiles([
      { name: 'a/config.json', text: good },
      { name: 'old/config.json', text: JSON.stringify(old) },
      { name: 'bad/config.json', text: JSON.stringify(bad) },
      { name: 'broken/config.json', text: '{"name": ' },
    ]);
    expect(imported.map((i) => i.file)).toEqual(['a/config.json', 'old/config.json']);
    expect(imported[0].config_hash).toBe('70bb89f8');
    expect(imported[1].migrations.join('\n')).toMatch(/renamed training.evaluation_strategy to training.eval_strategy/);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^bad\/config.json: training.num_train_epochs: /);
    expect(errors[1]).toMatch(/^broken\/config.json/);
    const configs = buildConfigs({ ...defaultForm(), mode: 'import' }, imported);
    expect(configs.map(configHash)).toEqual(imported.map((i) => i.config_hash));
  });
});
