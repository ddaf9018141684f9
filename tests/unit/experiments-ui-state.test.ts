import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { openLabDB, type LabDatabase } from '../../src/storage/db';
import { importDataset } from '../../src/storage/datasets';
import { saveArtifact } from '../../src/storage/artifacts';
import { ExperimentsState } from '../../src/ui/state/experiments.svelte';
import { artifactKey } from '../../src/domain/config/prerequisites';
import { buildSuite } from '../../src/domain/config/suites';
import { configHash } from '../../src/domain/config/serialize';
import type { ExperimentSpec } from '../../src/domain/config/types';
import type { QARecord } from '../../src/domain/data/types';

const rows = (n: number, prefix: string): QARecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, context: `note ${i} dose 5 mg`, question: `dose ${i}?`, answers: { text: ['5 mg'], answer_start: [12 + String(i).length] } }));

async function setup(): Promise<{ db: LabDatabase; demoId: string; otherId: string }> {
  const db = await openLabDB({ name: `exp-ui-${crypto.randomUUID()}` });
  const other = await importDataset(db, { name: 'other', source: 'file:x.json' }, { train: rows(5, 'o') });
  const demo = await importDataset(db, { name: 'demo', source: 'demo' }, { train: rows(40, 't'), validation: rows(10, 'v') });
  return { db, demoId: demo.id, otherId: other.id };
}

const CART_TRAIN = artifactKey('cartography', 'train', './cartography_output');

describe('ExperimentsState', () => {
  it('picks the demo dataset, plans the minimal suite, makes cartography first, and queues everything in order', async () => {
    const { db, demoId } = await setup();
    const queued: { label: string; specs: ExperimentSpec[] }[] = [];
    const s = new ExperimentsState({ db: () => db, enqueue: async (label, specs) => void queued.push({ label, specs }) });
    await s.load();
    expect(s.form.datasetId).toBe(demoId);
    expect([s.form.trainSplit, s.form.evalSplit]).toEqual(['train', 'validation']);

    s.form.maxTrain = '32';
    s.form.maxEval = '8';
    s.form.seeds = '42, 43';
    s.form.training.epochs = '1';
    flushSync();
    const expected = buildSuite('minimal', { max_train_samples: 32, max_eval_samples: 8, seeds: [42, 43], training: { num_train_epochs: 1 } });
    expect(s.plan.experiments.map((e) => e.config_hash)).toEqual(expected.map(configHash));
    expect(s.missing.map((m) => m.requirement.key)).toEqual([CART_TRAIN]);
    expect(s.blocked).toMatch(/Missing prerequisites: train-split cartography metrics/);
    expect(await s.queue()).toBe(false);
    expect(queued).toEqual([]);

    s.setAhead(CART_TRAIN, true);
    flushSync();
    expect(s.blocked).toBeNull();
    expect(s.plan.experiments.map((e) => e.name)).toEqual(['cartography_train', 'baseline_seed42', 'cartography_filter_seed42', 'baseline_seed43', 'cartography_filter_seed43']);
    expect(await s.queue()).toBe(true);
    expect(queued).toHaveLength(1);
    expect(queued[0].label).toBe('minimal');
    const [cart, ...suite] = queued[0].specs;
    expect(cart.config.training).toMatchObject({ enable_cartography: true, max_train_samples: 32, max_eval_samples: 8, num_train_epochs: 5 });
    expect(cart.app).toEqual({ data_source: `dataset:${demoId}`, model_source: 'demo', train_split: 'train', eval_split: 'validation' });
    expect(suite.map((x) => configHash(x.config))).toEqual(expected.map(configHash));
    // Made ahead: left unbound so the executor reads the newest metrics, i.e. the run's.
    expect(suite.every((x) => x.app.artifact_bindings === undefined)).toBe(true);
    // Queueing clears the "ahead" choice: queueing again would need the artifact or a new run.
    expect(s.ahead).toEqual([]);
  });

  it('binds a stored artifact of the dataset and split to every experiment that needs it', async () => {
    const { db, demoId, otherId } = await setup();
    const metrics = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, confidence: 0.5, variability: 0.1, correctness: 1, num_epochs: 2, start_confidence: 0.5, end_confidence: 0.5 }));
    const base = { kind: 'cartography' as const, split: 'train', createdAt: '2026-01-01T00:00:00Z' };
    await saveArtifact(db, { ...base, id: 'cart-old', name: 'old map', datasetId: demoId, data: { metrics: metrics(40) } } as never);
    await saveArtifact(db, { ...base, id: 'cart-new', name: 'new map', datasetId: demoId, createdAt: '2026-02-01T00:00:00Z', data: { metrics: metrics(20) } } as never);
    await saveArtifact(db, { ...base, id: 'cart-other', name: 'other dataset', datasetId: otherId, data: { metrics: metrics(5) } } as never);
    await saveArtifact(db, { ...base, id: 'cart-val', name: 'validation map', datasetId: demoId, split: 'validation', data: { metrics: metrics(10) } } as never);

    const queued: ExperimentSpec[][] = [];
    const s = new ExperimentsState({ db: () => db, enqueue: async (_l, specs) => void queued.push(specs) });
    await s.load();
    s.form.suite = 'weighting';
    flushSync();
    expect(s.artifacts.map((a) => a.id).sort()).toEqual(['cart-new', 'cart-old', 'cart-val']);
    // The newest train-split map by default…
    expect(s.bindings.get(CART_TRAIN)).toMatchObject({ kind: 'bound', artifact: { id: 'cart-new' } });
    s.choose(CART_TRAIN, 'cart-old');
    flushSync();
    expect(s.blocked).toBeNull();
    expect(await s.queue()).toBe(true);
    const specs = queued[0];
    expect(specs.map((x) => x.config.name)).toEqual(['baseline', 'label_smoothing', 'soft_weighting']);
    expect(specs.map((x) => x.app.artifact_bindings)).toEqual([undefined, { [CART_TRAIN]: 'cart-old' }, { [CART_TRAIN]: 'cart-old' }]);

    // Choosing none makes it missing again; another dataset has its own (no) artifacts.
    s.choose(CART_TRAIN, '');
    flushSync();
    expect(s.blocked).toMatch(/Missing prerequisites/);
    await s.selectDataset(otherId);
    flushSync();
    expect(s.form.evalSplit).toBe('train');
    expect(s.artifacts.map((a) => a.id)).toEqual(['cart-other']);
    expect(s.bindings.get(CART_TRAIN)).toMatchObject({ kind: 'bound', artifact: { id: 'cart-other' } });
  });

  it('reports a bad field and an enqueue failure without queueing', async () => {
    const { db } = await setup();
    const s = new ExperimentsState({
      db: () => db,
      enqueue: async () => {
        throw new Error('quota exceeded');
      },
    });
    await s.load();
    s.form.seeds = '42, x';
    flushSync();
    expect(s.build.error?.field).toBe('seeds');
    expect(s.blocked).toBe('Seeds: "x" is not a whole number.');
    s.form.seeds = '42';
    s.form.mode = 'custom';
    s.form.custom.cartography = false;
    flushSync();
    expect(s.blocked).toBeNull();
    expect(await s.queue()).toBe(false);
    expect(s.message).toEqual({ kind: 'error', text: 'Could not queue: quota exceeded' });
  });
});
