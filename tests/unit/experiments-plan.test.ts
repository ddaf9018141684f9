import { describe, expect, it } from 'vitest';
import { expectedCartographyKeep, formatDuration, formatPlan, planExperiments } from '../../src/domain/experiments/plan';
import { buildSuite } from '../../src/domain/config/suites';
import { artifactKey, bindingsResolver } from '../../src/domain/config/prerequisites';
import { createBaselineConfig } from '../../src/domain/config/factories';
import { configJsonText } from '../../src/domain/config/serialize';

describe('dry-run plan', () => {
  it('lists experiments with hashes, folders, commands and the artifacts each needs', () => {
    const suite = buildSuite('minimal');
    const plan = planExperiments(suite);
    expect(plan.experiments.map((e) => [e.index, e.name, e.config_hash, e.dir_name, e.output_path])).toEqual([
      [1, 'baseline', '70bb89f8', 'baseline_70bb89f8', './experiments/baseline_70bb89f8'],
      [2, 'cartography_filter', 'b398602c', 'cartography_filter_b398602c', './experiments/cartography_filter_b398602c'],
    ]);
    expect(plan.experiments[0].config_json).toBe(configJsonText(suite[0]));
    expect(plan.experiments[1].python_command.startsWith('python run.py --do_train --do_eval --model google/electra-small-discriminator')).toBe(true);
    expect(plan.experiments[0].ready).toBe(true);
    expect(plan.experiments[1].ready).toBe(false);
    expect(plan.experiments[1].artifacts.map((a) => [a.requirement.key, a.resolved])).toEqual([['cartography:train:cartography_output', null]]);
    expect(plan.prerequisites.missing.map((m) => m.experiments)).toEqual([['cartography_filter']]);
    expect(plan.total_estimated_seconds).toBeNull();
  });

  it('marks artifacts found by the lookup or by per-experiment bindings', () => {
    const suite = buildSuite('filtering');
    const global = bindingsResolver({}, { [artifactKey('cartography', 'train', './cartography_output')]: 'cart-train' });
    const specs = suite.map((config, i) => ({
      config,
      app: i === 2 ? { artifact_bindings: { 'clusters:train:cluster_output': 'clu-train', 'clusters:validation:cluster_output_validation': 'clu-val' } } : {},
    }));
    const plan = planExperiments(specs, { resolve: global });
    // App settings never enter the hash.
    expect(plan.experiments.map((e) => e.config_hash)).toEqual(planExperiments(suite).experiments.map((e) => e.config_hash));
    expect(plan.experiments[1].artifacts.map((a) => a.resolved?.artifactId ?? null)).toEqual(['cart-train', null]);
    expect(plan.experiments[2].ready).toBe(true);
    expect(plan.prerequisites.missing.map((m) => m.requirement.key)).toEqual(['cartography:validation:cartography_output_validation']);
    expect(formatPlan(plan)).toContain('MISSING PREREQUISITES:\n- Cartography filtering of the validation set reads the validation-split cartography metrics');
  });

  it('estimates time from a throughput', () => {
    const config = createBaselineConfig({ max_train_samples: 1000, max_eval_samples: 200, training: { eval_strategy: 'no', num_train_epochs: 2 } });
    const plan = planExperiments([config], { throughput: { trainExamplesPerSecond: 100, evalExamplesPerSecond: 50, overheadSeconds: 5 } });
    // 5 s overhead + 1000 rows × 2 epochs / 100 + one final eval of 200 rows / 50
    expect(plan.experiments[0].estimated_seconds).toBe(5 + 20 + 4);
    expect(plan.total_estimated_seconds).toBe(29);

    // eval every 500 steps: 10000 rows / batch 8 × 3 epochs = 3750 steps → 7 evaluations + the final one.
    const [base, cart] = buildSuite('minimal');
    const p2 = planExperiments([base, cart], { throughput: { trainExamplesPerSecond: 1000, evalExamplesPerSecond: 2000 } });
    expect(p2.experiments[0].estimated_seconds).toBe(30 + 8);
    expect(p2.experiments[1].train_rows).toBe(Math.round(10000 * expectedCartographyKeep(0.33)));
    // 6650 rows × 3 epochs / 1000 + (floor(2496 steps / 500) + 1) evaluations × 1 s
    expect(p2.experiments[1].estimated_seconds).toBeCloseTo(19.95 + 5, 10);
    expect(formatDuration(p2.total_estimated_seconds!)).toBe('1m 03s');

    const unknown = planExperiments([createBaselineConfig()], { throughput: { trainExamplesPerSecond: 1, evalExamplesPerSecond: 1 } });
    expect(unknown.total_estimated_seconds).toBeNull();
    expect(unknown.warnings[0]).toMatch(/no time estimate/);
    const known = planExperiments([createBaselineConfig()], { throughput: { trainExamplesPerSecond: 10, evalExamplesPerSecond: 10 }, splitRows: { train: 100, validation: 10 } });
    expect(known.experiments[0].estimated_seconds).toBe(30 + 1);
  });

  it('warns when two experiments share a folder', () => {
    const plan = planExperiments([createBaselineConfig(), createBaselineConfig()]);
    expect(plan.warnings[0]).toMatch(/experiments 1 and 2 share the folder baseline_/);
    expect(formatPlan(plan)).toContain('EXPERIMENT 2/2: baseline');
    expect(formatDuration(3725)).toBe('1h 02m');
  });
});
