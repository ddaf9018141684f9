/**
 * The shipped demo base (public/models/demo-base): laid out and named as Hugging Face's
 * ElectraForQuestionAnswering.from_pretrained expects, small enough to precache, and loadable by
 * our own loader with a seeded QA head.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { initNodeBackend } from '../../src/cli/tf-node';
import { DEMO_BASE_FOLDER, readDemoBaseFolder } from '../../src/cli/node-inputs';
import { loadDemoBase } from '../../src/domain/train/demo-base';
import { generateDemoDataset } from '../../src/domain/data/demo/generator';

const dir = DEMO_BASE_FOLDER;
const readJson = (name: string) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Record<string, unknown>;

/** The safetensors header: tensor name → dtype and shape. */
function safetensorsHeader(file: string): Record<string, { dtype: string; shape: number[] }> {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[] }>;
  delete header.__metadata__;
  return header;
}

/**
 * The state-dict names and shapes of transformers' ElectraModel under ElectraForQuestionAnswering
 * (modeling_electra.py), written out here from the library's module tree, not from our loader.
 */
function hfElectraEncoderShapes(c: Record<string, number>): Record<string, number[]> {
  const E = c.embedding_size;
  const H = c.hidden_size;
  const I = c.intermediate_size;
  const out: Record<string, number[]> = {
    'electra.embeddings.word_embeddings.weight': [c.vocab_size, E],
    'electra.embeddings.position_embeddings.weight': [c.max_position_embeddings, E],
    'electra.embeddings.token_type_embeddings.weight': [c.type_vocab_size, E],
    'electra.embeddings.LayerNorm.weight': [E],
    'electra.embeddings.LayerNorm.bias': [E],
  };
  if (E !== H) {
    out['electra.embeddings_project.weight'] = [H, E];
    out['electra.embeddings_project.bias'] = [H];
  }
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `electra.encoder.layer.${l}`;
    for (const m of ['query', 'key', 'value']) {
      out[`${p}.attention.self.${m}.weight`] = [H, H];
      out[`${p}.attention.self.${m}.bias`] = [H];
    }
    out[`${p}.attention.output.dense.weight`] = [H, H];
    out[`${p}.attention.output.dense.bias`] = [H];
    out[`${p}.attention.output.LayerNorm.weight`] = [H];
    out[`${p}.attention.output.LayerNorm.bias`] = [H];
    out[`${p}.intermediate.dense.weight`] = [I, H];
    out[`${p}.intermediate.dense.bias`] = [I];
    out[`${p}.output.dense.weight`] = [H, I];
    out[`${p}.output.dense.bias`] = [H];
    out[`${p}.output.LayerNorm.weight`] = [H];
    out[`${p}.output.LayerNorm.bias`] = [H];
  }
  return out;
}

describe('the shipped demo base', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('holds the files from_pretrained reads, at most 8 MB in all', () => {
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['config.json', 'model.safetensors', 'pretraining.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const total = files.reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it('has an ELECTRA config.json whose fields Hugging Face reads', () => {
    const c = readJson('config.json');
    expect(c.model_type).toBe('electra');
    expect(c.architectures).toEqual(['ElectraForQuestionAnswering']);
    for (const k of ['vocab_size', 'embedding_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'max_position_embeddings', 'type_vocab_size']) {
      expect(Number.isInteger(c[k]), k).toBe(true);
    }
    expect((c.hidden_size as number) % (c.num_attention_heads as number)).toBe(0);
    expect(c.hidden_act).toBe('gelu');
    expect(c.position_embedding_type).toBe('absolute');
  });

  it('names and shapes every weight as ElectraModel does, float32, with no QA head (from_pretrained initialises it)', () => {
    const c = readJson('config.json') as Record<string, number>;
    const header = safetensorsHeader(path.join(dir, 'model.safetensors'));
    const expected = hfElectraEncoderShapes(c);
    expect(Object.keys(header).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, t] of Object.entries(header)) {
      expect(t.dtype, name).toBe('F32');
      expect(t.shape, name).toEqual(expected[name]);
    }
  });

  it('ships the fast and the slow tokenizer files for the same vocabulary', () => {
    const c = readJson('config.json');
    const vocab = readFileSync(path.join(dir, 'vocab.txt'), 'utf8').split('\n').filter((l) => l !== '');
    expect(vocab.length).toBe(c.vocab_size);
    const tj = readJson('tokenizer.json') as { model: { type: string; vocab: Record<string, number> } };
    expect(tj.model.type).toBe('WordPiece');
    vocab.forEach((token, id) => expect(tj.model.vocab[token], token).toBe(id));
    const tc = readJson('tokenizer_config.json');
    expect(tc.tokenizer_class).toBe('ElectraTokenizer');
    expect(tc.do_lower_case).toBe(true);
    expect(tc.model_max_length).toBe(c.max_position_embeddings);
  });

  it('was pretrained on a corpus seeded apart from the demo dataset, and says how', () => {
    const p = readJson('pretraining.json') as { corpus: { seed: number; notes: number; tokens: number; droppedAsDemo: number }; steps: number; finalLoss: number; objective: string };
    expect(p.corpus.notes).toBeGreaterThan(1000);
    expect(p.steps).toBeGreaterThan(0);
    expect(Number.isFinite(p.finalLoss)).toBe(true);
    expect(p.objective).toMatch(/masked-lm|replaced-token/);
  });

  it('loads with our loader: the encoder from the file, the QA head from the seed', async () => {
    const files = readDemoBaseFolder();
    const a = loadDemoBase(files, 1);
    const b = loadDemoBase(files, 2);
    try {
      const enc = 'electra.encoder.layer.0.attention.self.query.weight';
      const ea = await a.model.params.get(enc)!.data();
      const eb = await b.model.params.get(enc)!.data();
      expect(Array.from(ea)).toEqual(Array.from(eb));
      const qa = await a.model.params.get('qa_outputs.weight')!.data();
      const qb = await b.model.params.get('qa_outputs.weight')!.data();
      expect(Array.from(qa)).not.toEqual(Array.from(qb));
      // Its tokenizer covers the demo data: no [UNK] in a demo context.
      const row = generateDemoDataset().validation[0];
      const ids = a.tokenizer.encodePair(row.question, row.context).ids;
      expect(Array.from(ids)).not.toContain(a.tokenizer.unkId);
    } finally {
      a.model.dispose();
      b.model.dispose();
    }
  });

  it('names the file when a shipped file is broken', () => {
    const files = readDemoBaseFolder();
    expect(() => loadDemoBase({ ...files, 'config.json': '{' }, 1, 'models/demo-base')).toThrow(/models\/demo-base\/config\.json: not valid JSON/);
    expect(() => loadDemoBase({ ...files, 'model.safetensors': new Uint8Array(16) }, 1, 'models/demo-base')).toThrow(/models\/demo-base\/model\.safetensors/);
  });
});
