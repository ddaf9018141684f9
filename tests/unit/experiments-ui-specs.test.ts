import { describe, expect, it } from 'vitest';
import { buildConfigs, defaultForm, type ExperimentForm } from '../../src/ui/state/experiments-form';
import {
  baseAppSettings,
  candidatesFor,
  cartographyRunsAhead,
  EVAL_SPEEDUP,
  resolveBindings,
  specsFor,
  throughputFromHistory,
  type ArtifactOption,
  type PastRun,
} from '../../src/ui/state/experiments-specs';
import { artifactKey, checkPrerequisites } from '../../src/domain/config/prerequisites';
import { parseAppSettings } from '../../src/domain/config/schema';
import { createBaselineConfig } from '../../src/domain/config/factories';
import { planExperiments } from '../../src/domain/experiments/plan';

const form = (patch: Partial<ExperimentForm> = {}): ExperimentForm => ({ ...defaultForm(), datasetId: 'ds1', maxTrain: '64', maxEval: '32', ...patch });

const art = (id: string, kind: 'cartography' | 'clusters', split: string, createdAt: string, rows = 64): ArtifactOption => ({ id, kind, name: `${kind} ${id}`, split, createdAt, rows });

const CART_TRAIN = artifactKey('cartography', 'train', './cartography_output');
const CART_VAL = artifactKey('cartography', 'validation', './cartography_output_validation');
const CLUSTERS_TRAIN = artifactKey('clusters', 'train', './cluster_output');
const CLUSTERS_VAL = artifactKey('clusters', 'validation', './cluster_output_validation');

describe('binding prerequisites to stored artifacts', () => {
  const f = form({ suite: 'filtering' });
  const report = checkPrerequisites(buildConfigs(f));
  const artifacts = [
    art('old', 'cartography', 'train', '2026-01-01T00:00:00Z'),
    art('new', 'cartography', 'train', '2026-02-01T00:00:00Z'),
    art('val', 'cartography', 'validation', '2026-01-15T00:00:00Z'),
    art('other-split', 'clusters', 'test', '2026-01-15T00:00:00Z'),
  ];

  it('lists the filtering suite\'s requirements: train and validation cartography and clusters', () => {
    expect(report.items.map((i) => i.requirement.key)).toEqual([CART_TRAIN, CART_VAL, CLUSTERS_TRAIN, CLUSTERS_VAL]);
    expect(report.items.map((i) => i.experiments)).toEqual([['cartography_filter'], ['cartography_filter'], ['cluster_filter'], ['cluster_filter']]);
  });

  it('offers artifacts of the same kind and split, newest first; the split follows the form\'s split names', () => {
    const item = (key: string) => report.items.find((i) => i.requirement.key === key)!;
    expect(candidatesFor(item(CART_TRAIN), artifacts, f).map((a) => a.id)).toEqual(['new', 'old']);
    expect(candidatesFor(item(CART_VAL), artifacts, f).map((a) => a.id)).toEqual(['val']);
    expect(candidatesFor(item(CLUSTERS_TRAIN), artifacts, f)).toEqual([]);
    expect(candidatesFor(item(CLUSTERS_VAL), artifacts, f)).toEqual([]);
    // A dataset whose eval split is called "dev": validation requirements look there.
    const dev = [art('d', 'cartography', 'dev', '2026-01-01T00:00:00Z')];
    expect(candidatesFor(item(CART_VAL), dev, { trainSplit: 'train', evalSplit: 'dev' }).map((a) => a.id)).toEqual(['d']);
  });

  it('binds the newest by default, the chosen one when chosen, nothing for "" and never a requirement made ahead', () => {
    let b = resolveBindings(report, artifacts, f, {}, []);
    expect(b.get(CART_TRAIN)).toEqual({ kind: 'bound', artifact: artifacts[1] });
    expect(b.get(CART_VAL)).toMatchObject({ kind: 'bound', artifact: { id: 'val' } });
    expect(b.get(CLUSTERS_TRAIN)).toEqual({ kind: 'missing' });
    b = resolveBindings(report, artifacts, f, { [CART_TRAIN]: 'old' }, []);
    expect(b.get(CART_TRAIN)).toMatchObject({ kind: 'bound', artifact: { id: 'old' } });
    b = resolveBindings(report, artifacts, f, { [CART_TRAIN]: '' }, []);
    expect(b.get(CART_TRAIN)).toEqual({ kind: 'missing' });
    // A choice that no longer exists (deleted artifact) is not silently replaced by another.
    b = resolveBindings(report, artifacts, f, { [CART_TRAIN]: 'gone' }, []);
    expect(b.get(CART_TRAIN)).toEqual({ kind: 'missing' });
    b = resolveBindings(report, artifacts, f, {}, [CART_TRAIN, CLUSTERS_TRAIN]);
    expect(b.get(CART_TRAIN)).toEqual({ kind: 'ahead' });
    // Clusters are not made by a cartography run: "ahead" does not apply to them.
    expect(b.get(CLUSTERS_TRAIN)).toEqual({ kind: 'missing' });
  });

  it('writes the bindings each experiment needs into its app settings', () => {
    const configs = buildConfigs(f);
    const bindings = resolveBindings(report, artifacts, f, {}, []);
    const app = baseAppSettings(f, { id: 'ds1' });
    const specs = specsFor(configs, app, bindings);
    expect(specs.map((s) => s.config.name)).toEqual(['baseline', 'cartography_filter', 'cluster_filter']);
    expect(specs[0].app).toEqual({ data_source: 'dataset:ds1', model_source: 'demo', train_split: 'train', eval_split: 'validation' });
    expect(specs[1].app.artifact_bindings).toEqual({ [CART_TRAIN]: 'new', [CART_VAL]: 'val' });
    expect(specs[2].app.artifact_bindings).toBeUndefined();
    for (const s of specs) expect(parseAppSettings(s.app)).toEqual(s.app);
    // Specs do not share objects with the configs they came from (the runner snapshots them).
    specs[1].config.training.seed = 1;
    expect(configs[1].training.seed).toBe(42);
  });
});

describe('cartography runs queued ahead', () => {
  it('trains with cartography on the requirement\'s split, over the rows the suite uses, with the form\'s overrides', () => {
    const f = form({ suite: 'filtering', evalSplit: 'dev', training: { ...defaultForm().training, epochs: '1', max_length: '128' }, cartographyEpochs: '2' });
    const report = checkPrerequisites(buildConfigs(f));
    const app = baseAppSettings(f, { id: 'ds1' });
    const runs = cartographyRunsAhead(report, [CART_TRAIN, CART_VAL, CLUSTERS_TRAIN], f, app);
    expect(runs.map((r) => r.config.name)).toEqual(['cartography_train', 'cartography_validation']);
    const [train, val] = runs;
    expect(train.config.training).toMatchObject({
      enable_cartography: true,
      cartography_output_dir: './cartography_output',
      max_train_samples: 64,
      max_eval_samples: 32,
      num_train_epochs: 2,
      max_length: 128,
    });
    expect(train.app).toEqual({ data_source: 'dataset:ds1', model_source: 'demo', train_split: 'train', eval_split: 'dev' });
    // The validation requirement trains on the eval split, over the rows the suite evaluates on.
    expect(val.config.training).toMatchObject({ cartography_output_dir: './cartography_output_validation', max_train_samples: 32 });
    expect(val.app.train_split).toBe('dev');
    // Nothing ahead → no runs; the runs need no prerequisites themselves.
    expect(cartographyRunsAhead(report, [], f, app)).toEqual([]);
    expect(checkPrerequisites(runs.map((r) => r.config)).items).toEqual([]);
  });

  it('rejects a bad epoch count by field', () => {
    const f = form({ cartographyEpochs: '0' });
    const report = checkPrerequisites(buildConfigs(f));
    expect(() => cartographyRunsAhead(report, [CART_TRAIN], f, {})).toThrow(/Cartography epochs: 0 must be greater than 0/);
  });
});

describe('throughput from past runs', () => {
  const run = (patch: Partial<PastRun> & { seconds: number; rows?: number }): PastRun => ({
    spec: {
      config: createBaselineConfig({ max_train_samples: patch.rows ?? 300, max_eval_samples: 60, training: { num_train_epochs: 1, eval_strategy: 'no' } }),
      app: { model_source: 'demo' },
    },
    durationSeconds: patch.seconds,
    splitRows: { train: 3000, validation: 600 },
    createdAt: '2026-01-01T00:00:00Z',
    ...patch,
  });

  it('measures work per second on the newest comparable runs (median of three)', () => {
    // 300 train rows × 1 epoch + 60 eval rows / 3 = 320 units.
    const t = throughputFromHistory([run({ seconds: 32 })], 'demo');
    expect(t).toEqual({ trainExamplesPerSecond: 10, evalExamplesPerSecond: 10 * EVAL_SPEEDUP });
    const runs = [
      run({ seconds: 320, createdAt: '2026-01-01T00:00:00Z' }), // oldest: left out
      run({ seconds: 16, createdAt: '2026-01-02T00:00:00Z' }),
      run({ seconds: 64, createdAt: '2026-01-03T00:00:00Z' }),
      run({ seconds: 32, createdAt: '2026-01-04T00:00:00Z' }),
    ];
    expect(throughputFromHistory(runs, 'demo')?.trainExamplesPerSecond).toBe(10);
    // Another model or backend does not count; a run with a known backend must match.
    expect(throughputFromHistory(runs, 'model:x')).toBeNull();
    expect(throughputFromHistory([run({ seconds: 32, backend: 'wasm' })], 'demo', 'webgpu')).toBeNull();
    expect(throughputFromHistory([run({ seconds: 32, backend: 'webgpu' })], 'demo', 'webgpu')).not.toBeNull();
    expect(throughputFromHistory([run({ seconds: 0 })], 'demo')).toBeNull();
  });

  it('gives the plan estimates that reproduce the measured run', () => {
    const past = run({ seconds: 40 });
    const t = throughputFromHistory([past], 'demo')!;
    const plan = planExperiments([past.spec], { throughput: t, splitRows: past.splitRows });
    expect(plan.experiments[0].estimated_seconds).toBeCloseTo(40, 9);
  });
});
