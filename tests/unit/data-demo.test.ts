import { describe, it, expect, afterEach } from 'vitest';
import { generateDemoDataset, DEMO_DATASET_NAME, NOISE_KINDS } from '../../src/domain/data/demo/generator';
import { checkRow } from '../../src/domain/data/normalize';
import { exampleId } from '../../src/domain/data/example-id';
import { seedDemoDataset } from '../../src/worker/import-job';
import { openLabDB, type LabDatabase } from '../../src/storage/db';
import { listDatasets, deleteDataset, readFirstRows } from '../../src/storage/datasets';
import { freshDbName } from '../fixtures/data/helpers';

const demo = generateDemoDataset();
const all = [...demo.train, ...demo.validation];

describe('demo dataset', () => {
  it('has about 3,000 train and 600 validation rows, generated well under a second', () => {
    const t0 = performance.now();
    generateDemoDataset({ seed: 5 });
    // Generous for a shared 2-core machine; about 0.2 s when idle.
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(demo.train).toHaveLength(3000);
    expect(demo.validation).toHaveLength(600);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateDemoDataset()).toEqual(demo);
    expect(generateDemoDataset({ seed: 43 }).train[0]).not.toEqual(demo.train[0]);
  });

  it('every answer validates (text == context[start:end]) and every id is the md5 id, unique per split', () => {
    for (const r of all) {
      const checked = checkRow({ file: 'demo', split: 'train', index: 0, where: '', value: r });
      expect(checked.problems).toEqual([]);
      expect(r.id).toBe(exampleId(r.question, r.context));
    }
    expect(new Set(demo.train.map((r) => r.id)).size).toBe(demo.train.length);
    expect(new Set(demo.validation.map((r) => r.id)).size).toBe(demo.validation.length);
  });

  it('has short clinical contexts (60–150 words) and short answers', () => {
    for (const r of all) {
      const words = r.context.split(/\s+/).length;
      expect(words).toBeGreaterThanOrEqual(60);
      expect(words).toBeLessThanOrEqual(150);
      expect(r.answers.text[0].split(/\s+/).length).toBeLessThanOrEqual(12);
    }
    const meanAnswerWords = all.reduce((a, r) => a + r.answers.text[0].split(/\s+/).length, 0) / all.length;
    expect(meanAnswerWords).toBeLessThan(4);
    const questions = new Set(all.map((r) => r.question.replace(/ (of|on|for|given|started on|take) .*$/, '')));
    expect(questions.size).toBeGreaterThan(10);
    expect(all.some((r) => /^What is the dosage of /.test(r.question))).toBe(true);
    expect(all.some((r) => /^Has the patient ever been on /.test(r.question))).toBe(true);
    expect(all.some((r) => /^When was the .* done\?$/.test(r.question))).toBe(true);
    expect(all.some((r) => /^Why was the patient given /.test(r.question))).toBe(true);
  });

  it('about 8% of each split is noisy, of every kind, and noise is only where recorded', () => {
    for (const split of [demo.train, demo.validation]) {
      const share = split.filter((r) => r.noise).length / split.length;
      expect(share).toBeGreaterThan(0.07);
      expect(share).toBeLessThan(0.09);
    }
    const kinds = new Set(all.map((r) => r.noise).filter(Boolean));
    expect([...kinds].sort()).toEqual([...NOISE_KINDS].sort());
  });

  it('conflicting duplicates re-ask a clean question of the same note with another answer', () => {
    const dups = demo.train.filter((r) => r.noise === 'conflicting_duplicate');
    expect(dups.length).toBeGreaterThan(50);
    const words = (q: string) => new Set(q.toLowerCase().match(/[a-z0-9']+/g));
    const jaccard = (a: Set<string>, b: Set<string>) => [...a].filter((w) => b.has(w)).length / new Set([...a, ...b]).size;
    let matched = 0;
    for (const d of dups) {
      const siblings = demo.train.filter((r) => !r.noise && r.context === d.context && r.question !== d.question && jaccard(words(r.question), words(d.question)) >= 0.6);
      if (siblings.length) {
        matched++;
        expect(siblings.some((s) => s.answers.text[0] !== d.answers.text[0])).toBe(true);
      }
    }
    expect(matched / dups.length).toBeGreaterThan(0.9);
  });

  it('shifted spans are near the true span; the clean rows answer their question type', () => {
    for (const r of demo.train.filter((x) => !x.noise && /^What is the dosage of /.test(x.question))) expect(r.answers.text[0]).toMatch(/^[\d.]+ (mg|mcg|units|g|mEq|puffs|mg\/kg)/);
    for (const r of demo.train.filter((x) => !x.noise && /^When was/.test(x.question))) expect(r.answers.text[0]).toMatch(/^\d\d\/\d\d\/\d{4}$/);
  });
});

describe('seeding the demo dataset', () => {
  let db: LabDatabase;
  afterEach(() => db?.close());

  it('stores it once with source "demo"; does not bring it back after a delete unless forced', async () => {
    db = await openLabDB({ name: freshDbName() });
    const meta = await seedDemoDataset(db);
    expect(meta).toMatchObject({ name: DEMO_DATASET_NAME, source: 'demo', splits: { train: { rows: 3000 }, validation: { rows: 600 } } });
    expect(await seedDemoDataset(db)).toBeNull();
    expect((await readFirstRows(db, meta!.id, 'train', 2))).toEqual(demo.train.slice(0, 2));
    await deleteDataset(db, meta!.id);
    expect(await seedDemoDataset(db)).toBeNull();
    expect(await listDatasets(db)).toEqual([]);
    const again = await seedDemoDataset(db, { force: true });
    expect((await listDatasets(db)).map((d) => d.id)).toEqual([again!.id]);
  });
});
