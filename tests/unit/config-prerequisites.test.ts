import { describe, expect, it } from 'vitest';
import {
  artifactKey,
  bindingsResolver,
  cartographyRunSpec,
  checkPrerequisites,
  normalizeArtifactPath,
  requiredArtifacts,
} from '../../src/domain/config/prerequisites';
import { buildSuite } from '../../src/domain/config/suites';
import { createBaselineConfig, createClusterFilterConfig, createLabelSmoothingConfig } from '../../src/domain/config/factories';
import { makeExperimentConfig, makeTrainingConfig } from '../../src/domain/config/defaults';

describe('requiredArtifacts', () => {
  it('a baseline needs nothing', () => {
    expect(requiredArtifacts(createBaselineConfig())).toEqual([]);
  });

  it('smoothing needs train cartography, with an explanation and a way to make it', () => {
    const [req, ...rest] = requiredArtifacts(createLabelSmoothingConfig({ max_train_samples: 500 }));
    expect(rest).toEqual([]);
    expect(req.key).toBe('cartography:train:cartography_output');
    expect(req.kind).toBe('cartography');
    expect(req.split).toBe('train');
    expect(req.fields).toEqual(['training.label_smoothing.cartography_output_dir']);
    expect(req.used_by).toEqual(['label_smoothing']);
    expect(req.explanation).toBe(
      'Label smoothing reads the train-split cartography metrics (cartography_metrics.csv) from ./cartography_output; they must cover the rows the experiment uses.',
    );
    expect(req.make).toEqual({ type: 'cartography_run', split: 'train', output_dir: './cartography_output', max_samples: 500, num_train_epochs: 5 });
    expect(req.python_commands[0]).toBe(
      'python run.py --do_train --do_eval --enable_cartography --cartography_output_dir ./cartography_output --max_train_samples 500 --num_train_epochs 5 --output_dir ./initial_training',
    );
  });

  it('merges strategies that read the same directory', () => {
    const config = makeExperimentConfig(
      'combo',
      '',
      makeTrainingConfig({
        cartography_filter: { enabled: true },
        label_smoothing: { enabled: true, cartography_output_dir: 'cartography_output/' },
        soft_weighting: { enabled: true, cartography_output_dir: './other' },
      }),
    );
    const reqs = requiredArtifacts(config);
    expect(reqs.map((r) => r.key)).toEqual(['cartography:train:cartography_output', 'cartography:train:other']);
    expect(reqs[0].used_by).toEqual(['cartography_filter', 'label_smoothing']);
    expect(reqs[0].explanation).toMatch(/^Cartography filtering and label smoothing read the train-split/);
  });

  it('cluster filter needs assignments (run.py default path when null); validation versions when filtering validation', () => {
    const [sample] = [buildSuite('filtering')];
    const cart = requiredArtifacts(sample[1]);
    expect(cart.map((r) => r.key)).toEqual(['cartography:train:cartography_output', 'cartography:validation:cartography_output_validation']);
    expect(cart[1].make).toMatchObject({ type: 'cartography_run', split: 'validation', max_samples: 2000 });
    expect(cart[1].python_commands[0]).toContain('--train_split validation');
    const clu = requiredArtifacts(sample[2]);
    expect(clu.map((r) => r.key)).toEqual(['clusters:train:cluster_output', 'clusters:validation:cluster_output_validation']);
    expect(clu[0].make.type).toBe('clustering');
    expect(clu[0].python_commands).toHaveLength(2);
    const nullPath = createClusterFilterConfig();
    nullPath.training.cluster_filter.cluster_assignments_path = null;
    expect(requiredArtifacts(nullPath)[0].path).toBe('./cluster_output');
  });

  it('normalizes paths so "./a/", "a" and "a/cartography_metrics.csv" match', () => {
    expect(normalizeArtifactPath('cartography', './a//b/')).toBe('a/b');
    expect(normalizeArtifactPath('cartography', 'a/b/cartography_metrics.csv')).toBe('a/b');
    expect(normalizeArtifactPath('clusters', '/abs/cluster_assignments.csv')).toBe('/abs');
    expect(normalizeArtifactPath('clusters', './')).toBe('.');
    expect(artifactKey('clusters', 'validation', 'x/')).toBe('clusters:validation:x');
  });
});

describe('checkPrerequisites', () => {
  it('lists what is missing over a suite, with the experiments that need it', () => {
    const suite = buildSuite('sample', { seeds: [1, 2] });
    const bindings = { [artifactKey('cartography', 'train', './cartography_output')]: 'art-1' };
    const report = checkPrerequisites(suite, bindingsResolver({}, bindings));
    expect(report.ok).toBe(false);
    expect(report.items.map((i) => [i.requirement.key, i.resolved?.artifactId ?? null])).toEqual([
      ['cartography:train:cartography_output', 'art-1'],
      ['clusters:train:cluster_output', null],
    ]);
    expect(report.missing[0].experiments).toEqual(['cluster_filter_seed1', 'cluster_filter_seed2']);
    expect(report.items[0].requirement.used_by).toEqual(['cartography_filter', 'label_smoothing', 'soft_weighting']);
    expect(report.items[0].experiments).toHaveLength(14);
  });

  it('is satisfied when everything resolves; per-experiment bindings win', () => {
    const r = bindingsResolver({ 'cartography:train:cartography_output': 'mine' }, { 'cartography:train:cartography_output': 'global' });
    const report = checkPrerequisites(buildSuite('weighting'), r);
    expect(report.ok).toBe(true);
    expect(report.items[0].resolved).toEqual({ artifactId: 'mine' });
  });
});

describe('cartographyRunSpec', () => {
  it('makes the experiment that produces a missing cartography artifact', () => {
    const [req] = requiredArtifacts(buildSuite('filtering')[1]).filter((r) => r.split === 'validation');
    expect(cartographyRunSpec(req).config.training.num_train_epochs).toBe(5);
    const spec = cartographyRunSpec(req, { training: { num_train_epochs: 1, cartography_output_dir: './elsewhere' }, app: { data_source: 'demo' } });
    expect(spec.app).toEqual({ data_source: 'demo', train_split: 'validation' });
    expect(spec.config.name).toBe('cartography_validation');
    expect(spec.config.training.enable_cartography).toBe(true);
    expect(spec.config.training.cartography_output_dir).toBe('./cartography_output_validation');
    expect(spec.config.training.max_train_samples).toBe(2000);
    expect(spec.config.training.num_train_epochs).toBe(1);
    const clusters = requiredArtifacts(buildSuite('filtering')[2])[0];
    expect(() => cartographyRunSpec(clusters)).toThrowError(/not made by a cartography run/);
  });
});
