import { describe, it, expect, beforeAll } from 'vitest';
import { ImportClient, ImportWorkerError, type ImportPort } from '../../src/worker/import-client';
import type { ImportEvent } from '../../src/worker/import-protocol';
import { openLabDB } from '../../src/storage/db';
import { listDatasets } from '../../src/storage/datasets';
import { dumpDb, freshDbName, jsonl, row } from '../fixtures/data/helpers';

/**
 * Runs the real worker module in this process: `self` is a stand-in that delivers messages
 * asynchronously in both directions, as a dedicated worker would.
 */
let client: ImportClient;
beforeAll(async () => {
  const toWorker: ((ev: { data: unknown }) => void)[] = [];
  const toClient: ((ev: MessageEvent) => void)[] = [];
  (globalThis as unknown as { self: unknown }).self = {
    addEventListener: (_: string, fn: (ev: { data: unknown }) => void) => toWorker.push(fn),
    postMessage: (data: ImportEvent) => setTimeout(() => toClient.forEach((fn) => fn({ data } as MessageEvent))),
  };
  await import('../../src/worker/import.worker');
  const port: ImportPort = {
    postMessage: (data) => setTimeout(() => toWorker.forEach((fn) => fn({ data }))),
    addEventListener: (_, fn) => toClient.push(fn),
  };
  client = new ImportClient(port);
});

const good = row('Lasix 40 mg daily.', 'What is the dosage of lasix?', '40 mg');
const shifted = { context: 'Aspirin 81 mg.', question: 'Aspirin dose?', answers: { text: ['81 mg'], answer_start: [7] } };

describe('import worker protocol', () => {
  it('seeds the demo dataset, inspects a file, then imports it with the chosen policy', async () => {
    const dbName = freshDbName();
    const demo = await client.call('seed-demo', { dbName });
    expect(demo?.source).toBe('demo');
    const source = { kind: 'files' as const, files: [{ name: 'notes.jsonl', data: new Blob([jsonl([good, shifted, good])]), split: 'train' }] };
    const progress: string[] = [];
    const inspected = await client.call('inspect', { source, policy: 'skip' }, { onProgress: (p) => progress.push(p.phase) });
    expect(inspected.suggestedName).toBe('notes');
    expect(inspected.report.totals).toMatchObject({ read: 3, kept: 2, skipped: 1 });
    expect(inspected.report.counts.duplicate_id).toBe(1);
    expect(progress).toContain('read');
    const done = await client.call('import', { source, policy: 'repair', name: 'notes', dbName });
    expect(done.report.totals).toMatchObject({ read: 3, kept: 3, repaired: 1 });
    const db = await openLabDB({ name: dbName });
    expect((await listDatasets(db)).map((d) => d.name).sort()).toEqual(['Demo clinical notes (emrQA-style)', 'notes']);
    db.close();
  });

  it('reports errors with their name, e.g. a name clash', async () => {
    const dbName = freshDbName();
    const source = { kind: 'files' as const, files: [{ name: 'a.jsonl', data: new Blob([jsonl([good])]), split: 'train' }] };
    await client.call('import', { source, policy: 'repair', name: 'a', dbName });
    const err = await client.call('import', { source, policy: 'repair', name: 'a', dbName }).catch((e) => e);
    expect(err).toBeInstanceOf(ImportWorkerError);
    expect(err.name).toBe('DatasetExistsError');
    expect(err.message).toMatch(/"a" already exists/);
  });

  it('cancelling an import aborts its transaction: the database is as before', async () => {
    const dbName = freshDbName();
    await client.call('seed-demo', { dbName });
    const db = await openLabDB({ name: dbName });
    const before = await dumpDb(db);
    const rows = Array.from({ length: 12000 }, (_, i) => row(`Patient ${i} takes lasix ${i} mg daily.`, `Dose ${i}?`, `${i} mg`));
    const source = { kind: 'files' as const, files: [{ name: 'big.jsonl', data: new Blob([jsonl(rows)]), split: 'train' }] };
    const ctl = new AbortController();
    const err = await client
      .call('import', { source, policy: 'repair', name: 'big', dbName }, { signal: ctl.signal, onProgress: (p) => p.phase === 'write' && p.rows >= 2000 && ctl.abort() })
      .catch((e) => e);
    expect(err).toMatchObject({ name: 'AbortError' });
    expect(await dumpDb(db)).toEqual(before);
    db.close();
  });
});
