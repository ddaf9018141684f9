import { describe, it, expect } from 'vitest';
import { openDB } from 'idb';
import { openLabDB, MIGRATIONS } from '../../src/storage/db';
import { DB_VERSION } from '../../src/storage/schema';

let n = 0;
const freshName = () => `test-db-${Date.now()}-${n++}`;

describe('IndexedDB schema', () => {
  it('creates every store the app needs at the current version', async () => {
    const db = await openLabDB({ name: freshName() });
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(
      ['artifacts', 'datasets', 'examples', 'experiments', 'modelFiles', 'models', 'queue', 'runs', 'settings'].sort(),
    );
    expect(Object.keys(MIGRATIONS).map(Number)).toEqual(Array.from({ length: DB_VERSION }, (_, i) => i + 1));
    db.close();
  });

  it('upgrades a v1 database and keeps its data', async () => {
    const name = freshName();
    // A database exactly as schema v1 left it, written with raw idb (not our code path).
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('datasets', { keyPath: 'id' });
        db.createObjectStore('examples', { keyPath: ['datasetId', 'split', 'chunk'] }).createIndex('byDataset', 'datasetId');
        db.createObjectStore('artifacts', { keyPath: 'id' });
      },
    });
    await v1.put('datasets', { id: 'd1', name: 'old', source: 'file:x.json', splits: { train: { rows: 1, chunks: 1, bytes: 10 } }, createdAt: 't' });
    await v1.put('examples', { datasetId: 'd1', split: 'train', chunk: 0, rows: [{ id: 'a', context: 'c', question: 'q', answers: { text: ['c'], answer_start: [0] } }] });
    await v1.put('artifacts', { id: 'a1', kind: 'cartography', name: 'x', datasetId: 'd1', split: 'train', createdAt: 't', data: [1, 2] });
    v1.close();

    const db = await openLabDB({ name });
    expect(db.version).toBe(DB_VERSION);
    expect((await db.get('datasets', 'd1'))?.name).toBe('old');
    expect((await db.getAllFromIndex('examples', 'bySplit', ['d1', 'train'])).length).toBe(1);
    expect((await db.getAllFromIndex('artifacts', 'byKind', 'cartography')).map((a) => a.id)).toEqual(['a1']);
    await db.put('runs', { id: 'r1', experimentId: 'e1', result: {}, createdAt: 't' });
    expect(await db.count('runs')).toBe(1);
    db.close();
  });

  it('upgrading a v3 database relabels its demo experiments as from scratch, and only those', async () => {
    // A database as version 3 left it: our own steps 1–3 through a raw connection.
    const old = freshName();
    const raw = await openDB(old, 3, {
      upgrade(db, oldVersion, _new, tx) {
        for (let v = oldVersion + 1; v <= 3; v++) MIGRATIONS[v](db as never, tx as never);
      },
    });
    const spec = (model_source?: string) => ({ config: { name: 'x' }, app: { data_source: 'demo', ...(model_source === undefined ? {} : { model_source }) } });
    await raw.put('experiments', { id: 'e-demo', name: 'a', configHash: 'h', config: spec('demo'), createdAt: 't' });
    await raw.put('experiments', { id: 'e-none', name: 'b', configHash: 'h', config: spec(), createdAt: 't' });
    await raw.put('experiments', { id: 'e-stored', name: 'c', configHash: 'h', config: spec('model:m1'), createdAt: 't' });
    raw.close();

    const db = await openLabDB({ name: old });
    expect(db.version).toBe(DB_VERSION);
    const source = async (id: string) => ((await db.get('experiments', id))?.config as { app: { model_source?: string } }).app.model_source;
    expect(await source('e-demo')).toBe('demo-scratch');
    expect(await source('e-none')).toBe('demo-scratch');
    expect(await source('e-stored')).toBe('model:m1');
    expect((await db.get('experiments', 'e-demo'))?.name).toBe('a');
    db.close();
  });

  it('a second connection asking for a newer version makes the old one close instead of blocking', async () => {
    const name = freshName();
    let told = false;
    const db = await openLabDB({ name, onVersionChange: () => (told = true) });
    await db.put('datasets', { id: 'keep', name: 'k', source: 'demo', splits: {}, createdAt: 't' });
    const newer = await openDB(name, DB_VERSION + 1, { upgrade() {} });
    expect(told).toBe(true);
    expect((await newer.get('datasets', 'keep'))).toBeTruthy();
    newer.close();
  });
});
