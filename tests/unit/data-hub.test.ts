import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { listHubParquet, listHubSplitFiles, downloadHubFile, HubError } from '../../src/domain/data/hub';
import { resolveSource, importSource } from '../../src/worker/import-job';
import { openLabDB, type LabDatabase } from '../../src/storage/db';
import { readFirstRows } from '../../src/storage/datasets';
import { writeParquet, QA_COLUMNS } from '../fixtures/data/parquet-writer';
import { startFakeHub, type FakeHub } from '../fixtures/data/hub-server';
import { dumpDb, freshDbName } from '../fixtures/data/helpers';

const qa = (i: number) => {
  const context = `Patient ${i} was started on lasix ${10 + i} mg daily for edema.`;
  const text = `${10 + i} mg`;
  const start = context.indexOf(text);
  return { context, question: 'What is the dosage of lasix?', answers: { text: [text], answer_start: [start], answer_end: [start + text.length] } };
};
const shard = (from: number, n: number, codec: 'SNAPPY' | 'ZSTD' = 'SNAPPY') =>
  writeParquet(Array.from({ length: n }, (_, i) => qa(from + i)), { columns: QA_COLUMNS, codec, dictionary: true, rowGroupSize: 7 });

const big = shard(0, 400);
let hub: FakeHub;
let db: LabDatabase;

beforeAll(async () => {
  hub = await startFakeHub({
    datasets: {
      'acme/emrqa-tiny': { default: { train: [shard(0, 20), shard(20, 15, 'ZSTD')], validation: [shard(100, 5)] } },
      'acme/multi': { a: { train: [shard(0, 3)] }, b: { train: [shard(3, 4)], test: [shard(9, 2)] } },
      'acme/broken': { default: { train: [big] } },
      'acme/cut': { default: { train: [big.slice(0, big.length - 40)] } },
      'acme/slow': { default: { train: [big] } },
      'acme/gated': { default: { train: [shard(0, 2)] } },
    },
    brokenBody: ['acme/broken'],
    slow: ['acme/slow'],
    gated: ['acme/gated'],
  });
});
afterAll(() => hub.close());
afterEach(() => db?.close());

describe('Hub parquet listing', () => {
  it('lists the default config with its splits and shard URLs', async () => {
    const l = await listHubParquet('acme/emrqa-tiny', undefined, { endpoint: hub.url });
    expect(l.config).toBe('default');
    expect(Object.keys(l.splits)).toEqual(['train', 'validation']);
    expect(l.splits.train).toEqual([`${hub.url}/api/datasets/acme/emrqa-tiny/parquet/default/train/0.parquet`, `${hub.url}/api/datasets/acme/emrqa-tiny/parquet/default/train/1.parquet`]);
    expect(await listHubSplitFiles('acme/emrqa-tiny', 'default', 'validation', { endpoint: hub.url + '/' })).toEqual([
      `${hub.url}/api/datasets/acme/emrqa-tiny/parquet/default/validation/0.parquet`,
    ]);
  });

  it('asks for a config when there are several, and names them', async () => {
    await expect(listHubParquet('acme/multi', undefined, { endpoint: hub.url })).rejects.toThrow(/several configs; choose one of: a, b/);
    await expect(listHubParquet('acme/multi', 'c', { endpoint: hub.url })).rejects.toThrow(/has no config "c"; it has: a, b/);
    expect(Object.keys((await listHubParquet('acme/multi', 'b', { endpoint: hub.url })).splits)).toEqual(['train', 'test']);
  });

  it('an unknown dataset is a clear 404 message; a gated one asks for a token', async () => {
    const err = await listHubParquet('acme/nope', undefined, { endpoint: hub.url }).catch((e) => e);
    expect(err).toBeInstanceOf(HubError);
    expect(err.status).toBe(404);
    expect(err.message).toBe(`Dataset "acme/nope": not found on ${hub.url} (Repository not found). Check the dataset id, config and split.`);
    await expect(listHubParquet('acme/gated', undefined, { endpoint: hub.url })).rejects.toThrow(/access denied \(HTTP 401\).*access token/);
    expect((await listHubParquet('acme/gated', undefined, { endpoint: hub.url, token: 'hf_x' })).config).toBe('default');
  });

  it('rejects malformed ids and unreachable endpoints clearly', async () => {
    await expect(listHubParquet('../etc', undefined, { endpoint: hub.url })).rejects.toThrow(/not a Hub dataset id/);
    await expect(listHubParquet('a/b', undefined, { endpoint: 'http://127.0.0.1:9' })).rejects.toThrow(/Could not reach http:\/\/127\.0\.0\.1:9\/api\/datasets\/a\/b\/parquet/);
  });
});

describe('Hub downloads', () => {
  it('follows the redirects and reports byte progress', async () => {
    const url = `${hub.url}/api/datasets/acme/slow/parquet/default/train/0.parquet`;
    const seen: number[] = [];
    const file = await downloadHubFile(url.replace('slow', 'emrqa-tiny'), { onProgress: (p) => seen.push(p.loaded) });
    expect(file.byteLength).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(file.byteLength);
    expect(hub.requests).toContain('/datasets/acme/emrqa-tiny/resolve/refs%2Fconvert%2Fparquet/default/train/0000.parquet');
  });

  it('a body cut off mid-download is a clear error', async () => {
    const url = `${hub.url}/api/datasets/acme/broken/parquet/default/train/0.parquet`;
    await expect(downloadHubFile(url)).rejects.toThrow(new RegExp(`File acme/broken/default/train/0\\.parquet: the download (broke off after \\d+ of ${big.length} bytes|is truncated)`));
  });

  it('cancels a download in flight', async () => {
    const ctl = new AbortController();
    const url = `${hub.url}/api/datasets/acme/slow/parquet/default/train/0.parquet`;
    const p = downloadHubFile(url, { signal: ctl.signal, onProgress: (x) => x.loaded > 1000 && ctl.abort() });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('Hub import end to end', () => {
  it('downloads every shard of every split, parses and stores them as one dataset', async () => {
    db = await openLabDB({ name: freshDbName() });
    const phases = new Set<string>();
    const src = await resolveSource({ kind: 'hub', dataset: 'acme/emrqa-tiny', endpoint: hub.url }, { onProgress: (p) => phases.add(p.phase) });
    expect(src.label).toBe('hub:acme/emrqa-tiny');
    const { meta, report } = await importSource(db, src, { name: src.suggestedName, policy: 'repair', onProgress: (p) => phases.add(p.phase) });
    expect([...phases]).toEqual(['download', 'write']);
    expect(meta.splits.train.rows).toBe(35);
    expect(meta.splits.validation.rows).toBe(5);
    expect(report.generatedIds).toBe(40);
    const rows = await readFirstRows(db, meta.id, 'train');
    expect(rows[20]).toMatchObject({ ...qa(20), answers: qa(20).answers });
  });

  it('a truncated Parquet file from the Hub fails the import with a clear error and writes nothing', async () => {
    db = await openLabDB({ name: freshDbName() });
    const before = await dumpDb(db);
    const src = await resolveSource({ kind: 'hub', dataset: 'acme/cut', endpoint: hub.url });
    await expect(importSource(db, src, { name: 'cut', policy: 'repair' })).rejects.toThrow(/^acme\/cut\/default\/train\/0\.parquet: not a complete Parquet file/);
    expect(await dumpDb(db)).toEqual(before);
  });

  it('asks for splits that exist', async () => {
    await expect(resolveSource({ kind: 'hub', dataset: 'acme/multi', config: 'a', splits: ['validation'], endpoint: hub.url })).rejects.toThrow(
      /has no split "validation"; it has: train/,
    );
  });
});
