// The training worker's embedding extraction (src/worker/handlers/embeddings.ts) with a tiny
// ELECTRA on the wasm backend: batching with bucket padding gives the same vectors as one example
// padded to max_length; the [CLS] half repeats when the answer was truncated away; cancellation;
// and the database path that stores an 'embeddings' artifact.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import { extractEmbeddingsTo } from '../../src/worker/embed-records';
import { embedRecords, effectiveMaxLength } from '../../src/domain/clustering/embed-records';
import { CancelledError } from '../../src/worker/protocol';
import { throwIfCancelled } from '../../src/worker/router';
import { generateDemoDataset } from '../../src/domain/data/demo/generator';
import { demoVocabulary } from '../../src/domain/train/demo-model';
import { tokenizerFromFiles } from '../../src/domain/qa/tokenizer-files';
import { embeddingInput, type WordPieceTokenizer } from '../../src/domain/qa/index';
import { parseHfConfig } from '../../src/domain/model/config';
import { createModelInputs, disposeModelInputs, QAModel } from '../../src/domain/model/model';
import type { QARecord } from '../../src/domain/data/types';
import { openLabDB } from '../../src/storage/db';
import { importDataset } from '../../src/storage/datasets';
import { saveModel } from '../../src/storage/models';
import { getArtifact } from '../../src/storage/artifacts';

let rows: QARecord[];
let tokenizer: WordPieceTokenizer;
let tokenizerJson: string;
let tokenizerConfig: Record<string, unknown>;

const HIDDEN = 8;

function tinyConfigJson(positions: number) {
  return {
    model_type: 'electra',
    vocab_size: tokenizer.vocabSize,
    embedding_size: HIDDEN,
    hidden_size: HIDDEN,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 16,
    max_position_embeddings: positions,
  };
}

const tinyModel = (positions = 96, seed = 5) => QAModel.fromConfig(parseHfConfig(tinyConfigJson(positions)), { seed });

/** One example alone, padded to maxLength as Python pads it, composed by hand. */
function referenceEmbedding(model: QAModel, record: QARecord, maxLength: number): Float32Array {
  const { encoding, answerTokens } = embeddingInput(record, tokenizer, maxLength);
  const T = maxLength;
  const inputIds = new Int32Array(T).fill(tokenizer.padId);
  inputIds.set(encoding.ids);
  const attentionMask = new Int32Array(T);
  attentionMask.fill(1, 0, encoding.ids.length);
  const tokenTypeIds = new Int32Array(T);
  tokenTypeIds.set(encoding.tokenTypeIds);
  const inputs = createModelInputs(model.config, { batchSize: 1, seqLen: T, inputIds, attentionMask, tokenTypeIds }, { withGradPlan: false });
  const h = tf.tidy(() => model.forward(inputs, { training: false }).lastHiddenState);
  disposeModelInputs(inputs);
  const values = h.dataSync() as Float32Array;
  h.dispose();
  const out = new Float32Array(2 * HIDDEN);
  out.set(values.subarray(0, HIDDEN));
  if (answerTokens.length === 0) out.set(values.subarray(0, HIDDEN), HIDDEN);
  else {
    for (const t of answerTokens) for (let j = 0; j < HIDDEN; j++) out[HIDDEN + j] += values[t * HIDDEN + j] / answerTokens.length;
  }
  return out;
}

beforeAll(async () => {
  await initNodeBackend('wasm');
  const data = generateDemoDataset();
  rows = data.train.slice(0, 24);
  const built = demoVocabulary(data);
  tokenizerJson = built.tokenizerJsonText;
  tokenizerConfig = built.tokenizerConfig as Record<string, unknown>;
  tokenizer = tokenizerFromFiles({ tokenizerJson, tokenizerConfig });
});

describe('embedRecords', () => {
  it('batches with bucket padding and matches one example padded to max_length, [CLS] ; answer mean', async () => {
    const model = tinyModel(96);
    const sample = rows.slice(0, 7);
    const progress: number[] = [];
    const out = await embedRecords(model, tokenizer, sample, { batchSize: 3, onProgress: (p) => progress.push(p.done) });
    expect(out.dim).toBe(2 * HIDDEN);
    expect(out.maxLength).toBe(96);
    expect(out.ids).toEqual(sample.map((r) => r.id));
    expect(out.data.length).toBe(7 * 2 * HIDDEN);
    expect(progress).toEqual([0, 3, 6, 7]);
    sample.forEach((r, i) => {
      const ref = referenceEmbedding(model, r, 96);
      const got = out.data.subarray(i * 2 * HIDDEN, (i + 1) * 2 * HIDDEN);
      for (let j = 0; j < 2 * HIDDEN; j++) expect(got[j]).toBeCloseTo(ref[j], 4);
    });
    model.dispose();
  });

  it('gives the same vectors with one fixed shape (max_length, full batches) as with buckets', async () => {
    const model = tinyModel(96);
    const sample = rows.slice(0, 7);
    const bucket = await embedRecords(model, tokenizer, sample, { batchSize: 3 });
    const fixed = await embedRecords(model, tokenizer, sample, { batchSize: 3, padding: 'max_length' });
    expect(fixed.ids).toEqual(bucket.ids);
    for (let i = 0; i < bucket.data.length; i++) expect(fixed.data[i]).toBeCloseTo(bucket.data[i], 4);
    model.dispose();
  });

  it('repeats the [CLS] vector when the answer was truncated away, and counts those rows', async () => {
    // 24 positions keep only the first few context tokens: most demo answers fall outside.
    const model = tinyModel(24);
    const out = await embedRecords(model, tokenizer, rows, { batchSize: 8, maxLength: 512 });
    expect(out.maxLength).toBe(24);
    let repeated = 0;
    rows.forEach((r, i) => {
      const v = out.data.subarray(i * 2 * HIDDEN, (i + 1) * 2 * HIDDEN);
      const truncated = embeddingInput(r, tokenizer, 24).answerTokens.length === 0;
      const same = Array.from(v.subarray(0, HIDDEN)).every((x, j) => x === v[HIDDEN + j]);
      expect(same).toBe(truncated);
      if (truncated) repeated++;
    });
    expect(repeated).toBeGreaterThan(0);
    expect(out.noAnswerTokens).toBe(repeated);
    model.dispose();
  });

  it('clamps the length to the model positions and rejects bad settings', () => {
    const model = tinyModel(32);
    expect(effectiveMaxLength(model)).toBe(32);
    expect(effectiveMaxLength(model, 16)).toBe(16);
    expect(() => effectiveMaxLength(model, 2)).toThrow(/max length/);
    return expect(embedRecords(model, tokenizer, rows, { batchSize: 0 })).rejects.toThrow(/batch size/).finally(() => model.dispose());
  });

  it('stops between batches when cancelled', async () => {
    const model = tinyModel(64);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = embedRecords(model, tokenizer, rows, {
      batchSize: 4,
      checkCancelled: () => throwIfCancelled(controller.signal),
      onProgress: (p) => {
        seen.push(p.done);
        if (p.done === 4) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toEqual([0, 4]);
    model.dispose();
  });
});

describe('extractEmbeddingsTo (the worker handler against IndexedDB)', () => {
  it('reads the first N rows and a stored model, and stores an embeddings artifact', async () => {
    const db = await openLabDB({ name: `emb-${crypto.randomUUID()}` });
    const meta = await importDataset(db, { name: 'tiny demo', source: 'demo' }, { train: rows.slice(0, 12), validation: rows.slice(12, 14) });
    const model = tinyModel(64, 9);
    const { safetensors } = await model.exportHf();
    await saveModel(
      db,
      { id: 'run:test', name: 'tiny run', source: 'run:test', createdAt: new Date().toISOString(), config: tinyConfigJson(64), tokenizer: { kind: 'tokenizer.json', json: JSON.parse(tokenizerJson), tokenizerConfig }, bytes: safetensors.byteLength },
      { name: 'model.safetensors', bytes: safetensors.slice().buffer },
    );
    const expected = await embedRecords(model, tokenizer, rows.slice(0, 10), { batchSize: 10 });
    model.dispose();

    const progress: { done: number; total: number }[] = [];
    const res = await extractEmbeddingsTo(
      db,
      { modelId: 'run:test', datasetId: meta.id, split: 'train', maxSamples: 10, batchSize: 4 },
      { signal: new AbortController().signal, progress: (p) => progress.push(p) },
    );
    expect(res).toMatchObject({ n: 10, dim: 2 * HIDDEN, maxLength: 64 });
    expect(progress.at(-1)).toEqual({ done: 10, total: 10 });
    const art = await getArtifact(db, res.artifactId, 'embeddings');
    expect(art).not.toBeNull();
    expect(art!.datasetId).toBe(meta.id);
    expect(art!.split).toBe('train');
    expect(art!.data.modelId).toBe('run:test');
    expect(art!.data.ids).toEqual(rows.slice(0, 10).map((r) => r.id));
    expect(art!.data.data).toBeInstanceOf(Float32Array);
    for (let i = 0; i < expected.data.length; i++) expect(art!.data.data[i]).toBeCloseTo(expected.data[i], 5);

    await expect(
      extractEmbeddingsTo(db, { modelId: 'run:test', datasetId: meta.id, split: 'test', batchSize: 4 }, { signal: new AbortController().signal, progress: () => {} }),
    ).rejects.toThrow(/no "test" split/);
    await expect(
      extractEmbeddingsTo(db, { modelId: 'run:missing', datasetId: meta.id, split: 'train', batchSize: 4 }, { signal: new AbortController().signal, progress: () => {} }),
    ).rejects.toThrow(/No stored model/);
    db.close();
  });
});
