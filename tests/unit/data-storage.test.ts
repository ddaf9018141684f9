import { describe, it, expect, afterEach } from 'vitest';
import { openLabDB, type LabDatabase } from '../../src/storage/db';
import { EXAMPLES_PER_CHUNK } from '../../src/storage/schema';
import {
  importDataset,
  listDatasets,
  renameDataset,
  deleteDataset,
  readRowRange,
  readSplitRows,
  readFirstRows,
  readSample,
  countRows,
  findDatasetByName,
  DatasetExistsError,
  StorageQuotaError,
  ImportAbortedError,
} from '../../src/storage/datasets';
import { importSource, resolveSource, inspectSource } from '../../src/worker/import-job';
import type { QARecord } from '../../src/domain/data/types';
import { collect, dumpDb, freshDbName, jsonl, row } from '../fixtures/data/helpers';

const mk = (i: number): QARecord => ({
  id: `r${i}`,
  context: `Patient ${i} takes lasix ${i} mg daily.`,
  question: `Dose ${i}?`,
  answers: { text: [`${i} mg`], answer_start: [`Patient ${i} takes lasix `.length] },
});
const many = (n: number, from = 0) => Array.from({ length: n }, (_, i) => mk(from + i));

async function* slowly(rows: QARecord[], every = 500, failAt = -1): AsyncGenerator<QARecord> {
  for (let i = 0; i < rows.length; i++) {
    // A real macrotask gap, as a file or network read makes: the transaction must survive it.
    if (i % every === 0) await new Promise((r) => setTimeout(r, 2));
    if (i === failAt) throw new Error(`source failed at row ${i}`);
    yield rows[i];
  }
}

let db: LabDatabase;
async function fresh() {
  db = await openLabDB({ name: freshDbName() });
  return db;
}
afterEach(() => db?.close());

describe('importDataset', () => {
  it('writes splits in chunks through real async gaps, and reads them back', async () => {
    await fresh();
    const train = many(4500);
    const meta = await importDataset(db, { name: 'ds', source: 'file:x.jsonl', importNotes: () => ['n1'] }, { train: slowly(train), validation: many(3, 9000) });
    expect(meta.splits.train).toMatchObject({ rows: 4500, chunks: Math.ceil(4500 / EXAMPLES_PER_CHUNK) });
    expect(meta.splits.validation).toMatchObject({ rows: 3, chunks: 1 });
    expect(meta.importNotes).toEqual(['n1']);
    expect(await db.count('examples')).toBe(meta.splits.train.chunks + 1);
    expect(await collect(readSplitRows(db, meta.id, 'train'))).toEqual(train);
    expect(await readRowRange(db, meta.id, 'train', 1995, 10)).toEqual(train.slice(1995, 2005));
    expect(await readFirstRows(db, meta.id, 'train', 3)).toEqual(train.slice(0, 3));
    expect(await countRows(db, meta.id)).toBe(4503);
    const sample = await readSample(db, meta.id, 'train', { mode: 'random', n: 50, seed: 3 });
    expect(sample).toHaveLength(50);
    expect(sample).toEqual(await readSample(db, meta.id, 'train', { mode: 'random', n: 50, seed: 3 }));
    const list = await listDatasets(db);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: 'ds', totalRows: 4503 });
    expect(list[0].totalBytes).toBeGreaterThan(4500 * 40);
  });

  it('refuses a name clash unless asked to replace, and replacing removes every old chunk', async () => {
    await fresh();
    const first = await importDataset(db, { name: 'same', source: 'demo' }, { train: many(2500) });
    await expect(importDataset(db, { name: 'same', source: 'demo' }, { train: many(1) })).rejects.toBeInstanceOf(DatasetExistsError);
    expect((await listDatasets(db)).map((d) => d.id)).toEqual([first.id]);
    const second = await importDataset(db, { name: 'same', source: 'demo' }, { train: many(5) }, { replace: true });
    expect((await listDatasets(db)).map((d) => d.id)).toEqual([second.id]);
    expect(await db.count('examples')).toBe(1);
  });

  it('a source that fails midway leaves the database exactly as before', async () => {
    await fresh();
    await importDataset(db, { name: 'keep', source: 'demo' }, { train: many(2100) });
    await db.put('settings', 'v', 'k');
    const before = await dumpDb(db);
    await expect(importDataset(db, { name: 'new', source: 'x' }, { train: slowly(many(5000), 300, 4500) })).rejects.toThrow(/source failed at row 4500/);
    // Same name with replace: the old dataset must survive the failure too.
    await expect(importDataset(db, { name: 'keep', source: 'x' }, { train: slowly(many(3000), 300, 2999) }, { replace: true })).rejects.toThrow(/source failed/);
    expect(await dumpDb(db)).toEqual(before);
  });

  it('a cancelled import leaves the database exactly as before', async () => {
    await fresh();
    await importDataset(db, { name: 'keep', source: 'demo' }, { train: many(10) });
    const before = await dumpDb(db);
    const ctl = new AbortController();
    let seen = 0;
    const progress: number[] = [];
    const source = (async function* () {
      for await (const r of slowly(many(8000), 100)) {
        if (++seen === 4100) ctl.abort();
        yield r;
      }
    })();
    const err = await importDataset(db, { name: 'big', source: 'x' }, { train: source }, { signal: ctl.signal, onProgress: (p) => progress.push(p.totalRows) }).catch((e) => e);
    expect(err).toBeInstanceOf(ImportAbortedError);
    expect(err.message).toMatch(/nothing was written/);
    expect(progress).toContain(4000);
    expect(await dumpDb(db)).toEqual(before);
  });

  it('a quota error inside the transaction leaves the database as before and says how much space was needed', async () => {
    await fresh();
    await importDataset(db, { name: 'keep', source: 'demo' }, { train: many(10) });
    const before = await dumpDb(db);
    const proto = globalThis.IDBObjectStore.prototype;
    const put = proto.put;
    let puts = 0;
    proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'examples' && ++puts === 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
    let err: unknown;
    try {
      err = await importDataset(db, { name: 'huge', source: 'x' }, { train: slowly(many(6000)) }, { estimate: async () => ({ usage: 900_000, quota: 1_000_000 }), expectedBytes: 5_000_000 }).catch((e) => e);
    } finally {
      proto.put = put;
    }
    expect(err).toBeInstanceOf(StorageQuotaError);
    const q = err as StorageQuotaError;
    expect(q.needed).toBe(5_000_000);
    expect(q.available).toBe(100_000);
    expect(q.message).toMatch(/needs about 4\.8 MB but only 98 KB is available\. Nothing was written/);
    expect(await dumpDb(db)).toEqual(before);
  });

  it('rejects a dataset with no name or no splits', async () => {
    await fresh();
    await expect(importDataset(db, { name: ' ', source: 'x' }, { train: [] })).rejects.toThrow(/needs a name/);
    await expect(importDataset(db, { name: 'a', source: 'x' }, {})).rejects.toThrow(/at least one split/);
  });
});

describe('rename and delete', () => {
  it('renames unless the name is taken; deletes meta and chunks together', async () => {
    await fresh();
    const a = await importDataset(db, { name: 'a', source: 'x' }, { train: many(2500) });
    const b = await importDataset(db, { name: 'b', source: 'x' }, { train: many(2) });
    await expect(renameDataset(db, a.id, 'b')).rejects.toBeInstanceOf(DatasetExistsError);
    expect((await renameDataset(db, a.id, ' c ')).name).toBe('c');
    expect((await findDatasetByName(db, 'c'))?.id).toBe(a.id);
    expect(await deleteDataset(db, a.id)).toBe(true);
    expect(await deleteDataset(db, a.id)).toBe(false);
    expect((await listDatasets(db)).map((d) => d.id)).toEqual([b.id]);
    expect((await db.getAll('examples')).every((c) => c.datasetId === b.id)).toBe(true);
    await expect(readRowRange(db, a.id, 'train', 0, 1)).rejects.toThrow(/No dataset/);
    await expect(readRowRange(db, b.id, 'test', 0, 1)).rejects.toThrow(/has no split "test" \(it has: train\)/);
  });
});

describe('importing files end to end (parse → validate → store)', () => {
  const good = row('Lasix 40 mg daily.', 'What is the dosage of lasix?', '40 mg');
  const shifted = { context: 'Aspirin 81 mg.', question: 'Aspirin dose?', answers: { text: ['81 mg'], answer_start: [7] } };

  it('imports two files as two splits, with the repair policy and a report', async () => {
    await fresh();
    const src = await resolveSource({
      kind: 'files',
      files: [
        { name: 'train.jsonl', data: new Blob([jsonl([good, shifted, { context: 'x' }])]), split: 'train' },
        { name: 'dev.json', data: new TextEncoder().encode(JSON.stringify([good])).buffer, split: 'validation' },
      ],
    });
    const preview = await inspectSource(src, 'repair');
    expect(preview.totals).toEqual({ read: 4, kept: 3, repaired: 1, skipped: 1 });
    expect(await db.count('datasets')).toBe(0);
    const { meta, report } = await importSource(db, src, { name: 'mine', policy: 'repair' });
    expect(report.totals).toEqual(preview.totals);
    expect(meta.source).toBe('file:train.jsonl,dev.json');
    expect(meta.splits.train.rows).toBe(2);
    expect(meta.splits.validation.rows).toBe(1);
    expect(meta.importNotes?.join('\n')).toMatch(/1 rows repaired/);
    const rows = await readFirstRows(db, meta.id, 'train');
    expect(rows[1].answers.answer_start).toEqual([8]);
  });

  it('a row with a 5 MB context is validated, repaired and stored whole', async () => {
    await fresh();
    const context = 'The patient was stable overnight. '.repeat(160_000) + 'Lasix 40 mg daily was given.';
    expect(context.length).toBeGreaterThan(5_000_000);
    const start = context.indexOf('40 mg');
    const src = await resolveSource({
      kind: 'files',
      files: [{ name: 'big.jsonl', data: new Blob([jsonl([{ context, question: 'Dose of lasix?', answers: { text: ['40 mg'], answer_start: [start - 3] } }])]), split: 'train' }],
    });
    const { meta, report } = await importSource(db, src, { name: 'big', policy: 'repair' });
    expect(report.totals).toMatchObject({ read: 1, kept: 1, repaired: 1 });
    const [stored] = await readFirstRows(db, meta.id, 'train');
    expect(stored.context).toBe(context);
    expect(stored.answers.answer_start).toEqual([start]);
  });

  it('a file with zero rows, or with no usable row, is refused and nothing is written', async () => {
    await fresh();
    const before = await dumpDb(db);
    const empty = await resolveSource({ kind: 'files', files: [{ name: 'e.json', data: new Blob(['[]']), split: 'train' }] });
    await expect(importSource(db, empty, { name: 'e', policy: 'repair' })).rejects.toThrow(/holds no rows/);
    const bad = await resolveSource({ kind: 'files', files: [{ name: 'b.jsonl', data: new Blob([jsonl([{ context: 1 }, { q: 2 }])]), split: 'train' }] });
    await expect(importSource(db, bad, { name: 'b', policy: 'skip' })).rejects.toThrow(/None of the 2 rows is usable/);
    expect(await dumpDb(db)).toEqual(before);
  });

  it('a truncated JSON file fails the whole import and writes nothing', async () => {
    await fresh();
    const before = await dumpDb(db);
    const text = JSON.stringify(Array.from({ length: 3000 }, () => good)).slice(0, -100);
    const src = await resolveSource({ kind: 'files', files: [{ name: 'cut.json', data: new Blob([text]), split: 'train' }] });
    await expect(importSource(db, src, { name: 'cut', policy: 'repair' })).rejects.toThrow(/cut\.json: the JSON array ends before its closing/);
    expect(await dumpDb(db)).toEqual(before);
  });
});
