import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { startFakeHub, type FakeHub } from '../helpers/hub-server';
import { downloadModelRepo } from '../../src/domain/hub/model-repo';
import { getHubModel } from '../../src/storage/model-cache';
import { listModels, loadModel } from '../../src/storage/models';
import { openLabDB } from '../../src/storage/db';

const fixture = '../shared/reference/parity/electra-tiny';
const config = readFileSync(`${fixture}/config.json`);
const weights = new Uint8Array(readFileSync(`${fixture}/model.safetensors`));
const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'dose'].join('\n');

let hub: FakeHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

let n = 0;
const db = () => openLabDB({ name: `hub-model-${Date.now()}-${n++}` });

describe('Hub model download', () => {
  it('fetches config, tokenizer and safetensors through resolve URLs (with the CDN redirect)', async () => {
    hub = await startFakeHub({ models: { 'org/tiny': { 'config.json': config, 'vocab.txt': vocab, 'model.safetensors': weights, 'pytorch_model.bin': 'unused' } } });
    const seen: number[] = [];
    const files = await downloadModelRepo('org/tiny', { endpoint: hub.endpoint, onProgress: (p) => seen.push(p.overall) });
    expect(files.config.model_type).toBe('electra');
    expect(files.tokenizer.kind).toBe('vocab.txt');
    expect(files.weights.name).toBe('model.safetensors');
    expect(Buffer.from(files.weights.bytes).equals(Buffer.from(weights))).toBe(true);
    expect(hub.requests).not.toContain('/org/tiny/resolve/main/pytorch_model.bin');
    expect(seen.at(-1)).toBe(config.byteLength + vocab.length + weights.byteLength);
  });

  it('works against a mirror without the model API, falling back to pytorch_model.bin', async () => {
    hub = await startFakeHub({ modelApi: false, models: { tiny: { 'config.json': config, 'tokenizer.json': '{"model":{"type":"WordPiece"}}', 'pytorch_model.bin': 'PK-bytes' } } });
    const files = await downloadModelRepo('tiny', { endpoint: hub.endpoint });
    expect(files.tokenizer.kind).toBe('tokenizer.json');
    expect(files.weights.name).toBe('pytorch_model.bin');
  });

  it('names what is missing or malformed', async () => {
    hub = await startFakeHub({ models: { 'a/noweights': { 'config.json': config, 'vocab.txt': vocab }, 'a/badjson': { 'config.json': '{oops', 'vocab.txt': vocab, 'model.safetensors': weights } } });
    await expect(downloadModelRepo('a/unknown', { endpoint: hub.endpoint })).rejects.toThrow(/not found.*config\.json/);
    await expect(downloadModelRepo('a/noweights', { endpoint: hub.endpoint })).rejects.toThrow(/neither model\.safetensors nor pytorch_model\.bin/);
    await expect(downloadModelRepo('a/badjson', { endpoint: hub.endpoint })).rejects.toThrow(/config\.json is not valid JSON/);
    await expect(downloadModelRepo('not a repo!', { endpoint: hub.endpoint })).rejects.toThrow(/not a Hub model id/);
  });

  it('can be cancelled', async () => {
    hub = await startFakeHub({ models: { 'org/tiny': { 'config.json': config, 'vocab.txt': vocab, 'model.safetensors': weights } } });
    const c = new AbortController();
    c.abort();
    await expect(downloadModelRepo('org/tiny', { endpoint: hub.endpoint, signal: c.signal })).rejects.toThrow(/abort/i);
  });

  it('caches the download: a second request touches no network', async () => {
    hub = await startFakeHub({ models: { 'org/tiny': { 'config.json': config, 'vocab.txt': vocab, 'model.safetensors': weights } } });
    const database = await db();
    const first = await getHubModel(database, 'org/tiny', { endpoint: hub.endpoint });
    expect(first.fromCache).toBe(false);
    const before = hub.requests.length;
    await hub.close();
    hub = null;
    const second = await getHubModel(database, 'org/tiny', { endpoint: 'http://127.0.0.1:9' });
    expect(second.fromCache).toBe(true);
    expect(before).toBeGreaterThan(0);
    expect(new Uint8Array(second.model.weights!.bytes)).toEqual(weights);
    const listed = await listModels(database);
    expect(listed.map((m) => m.id)).toEqual(['hub:org/tiny@main']);
    expect((await loadModel(database, 'hub:org/tiny@main'))?.meta.config.hidden_size).toBe(32);
    database.close();
  });
});
