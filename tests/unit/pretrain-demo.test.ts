// The demo base's pretraining: a corpus of notes disjoint from the demo dataset, BERT's masking,
// and MLM steps that learn (a tiny model, a few steps).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import { demoContexts, demoPretrainingCorpus } from '../../src/domain/data/demo/corpus';
import { createDemoModel, DEMO_TINY_SHAPE } from '../../src/domain/train/demo-model';
import { createMlmHead, maskBatch, pretrainMlm, spanMaskBatch } from '../../src/domain/train/pretrain';
import { createRng } from '../../src/domain/train/rng';

describe('demo pretraining corpus', () => {
  it('holds no context of the demo dataset (train or validation), no duplicate, and is deterministic', () => {
    const a = demoPretrainingCorpus({ notes: 3000, seed: 7 });
    const demo = demoContexts();
    expect(demo.size).toBeGreaterThan(500);
    expect(a.notes).toHaveLength(3000);
    expect(a.notes.filter((n) => demo.has(n))).toEqual([]);
    expect(new Set(a.notes).size).toBe(3000);
    expect(demoPretrainingCorpus({ notes: 3000, seed: 7 }).notes).toEqual(a.notes);
    expect(demoPretrainingCorpus({ notes: 50, seed: 8 }).notes).not.toEqual(a.notes.slice(0, 50));
    // No question or answer text: notes are contexts only.
    expect(a.notes.every((n) => !n.includes('?'))).toBe(true);
    expect(() => demoPretrainingCorpus({ notes: 10, seed: 42 })).toThrow(/differ from the demo dataset/);
  });

  it('ends each note with recap lists that restate its medications and tests, which demo contexts never have', () => {
    const plain = demoPretrainingCorpus({ notes: 200, seed: 7, recap: false }).notes;
    const withRecap = demoPretrainingCorpus({ notes: 200, seed: 7 }).notes;
    const demo = demoContexts();
    expect([...demo].some((c) => /medications: /.test(c))).toBe(false);
    withRecap.forEach((note, i) => {
      expect(note.startsWith(`${plain[i]} `)).toBe(true);
      const recap = note.slice(plain[i].length + 1);
      const meds = /^(?:Discharge medications|Medications on discharge|Current medications): (.*?)\. (?:Studies|Results|Diagnostics): /.exec(recap);
      expect(meds, recap).not.toBeNull();
      // Every listed drug is one the note itself mentions (case aside).
      for (const item of meds![1].split('; ')) expect(plain[i].toLowerCase()).toContain(item.split(/ \d| for | \(/)[0]);
    });
  });
});

describe('MLM masking', () => {
  it('chooses ~15% of the real, non-special tokens; 80% become [MASK], 10% random, 10% stay; labels are the originals', () => {
    const n = 20000;
    const ids = Int32Array.from({ length: n }, (_, i) => (i % 100 === 0 ? 1 : 5 + (i % 50)));
    const attention = Int32Array.from({ length: n }, (_, i) => (i % 10 === 9 ? 0 : 1));
    const m = maskBatch(ids, attention, createRng(3), { vocabSize: 60, maskId: 4, special: new Set([1]) });
    const real = ids.filter((id, i) => attention[i] && id !== 1).length;
    expect(m.positions.length / real).toBeGreaterThan(0.13);
    expect(m.positions.length / real).toBeLessThan(0.17);
    let masked = 0;
    let kept = 0;
    m.positions.forEach((pos, k) => {
      expect(attention[pos]).toBe(1);
      expect(ids[pos]).not.toBe(1);
      expect(m.labels[k]).toBe(ids[pos]);
      if (m.inputIds[pos] === 4) masked++;
      else if (m.inputIds[pos] === ids[pos]) kept++;
    });
    expect(masked / m.positions.length).toBeGreaterThan(0.75);
    expect(masked / m.positions.length).toBeLessThan(0.85);
    expect(kept / m.positions.length).toBeGreaterThan(0.07); // 10% kept, plus random draws of the same id
    // Elsewhere nothing changes.
    const chosen = new Set(m.positions);
    ids.forEach((id, i) => chosen.has(i) || expect(m.inputIds[i]).toBe(id));
  });
});

describe('span masking', () => {
  it('masks whole words in spans, ~15% of each row, each span replaced as one, labels the originals', () => {
    // Rows of T = 200: [CLS] then words of 1–3 pieces (continuations are ids ≥ 40), 20 pads.
    const T = 200;
    const rows = 40;
    const rng = createRng(11);
    const ids = new Int32Array(rows * T);
    const attention = new Int32Array(rows * T);
    const wordOf = new Int32Array(rows * T).fill(-1);
    let word = 0;
    for (let r = 0; r < rows; r++) {
      ids[r * T] = 1;
      attention[r * T] = 1;
      let i = r * T + 1;
      while (i < r * T + 180) {
        const pieces = 1 + rng.nextInt(3);
        for (let k = 0; k < pieces && i < r * T + 180; k++, i++) {
          ids[i] = k === 0 ? 5 + rng.nextInt(30) : 40 + rng.nextInt(10);
          attention[i] = 1;
          wordOf[i] = word;
        }
        word++;
      }
    }
    const continuation = new Set(Array.from({ length: 10 }, (_, k) => 40 + k));
    const m = spanMaskBatch(ids, attention, T, createRng(3), { vocabSize: 60, maskId: 4, special: new Set([1]), continuation });
    const chosen = new Set(m.positions);
    // Whole words only: every piece of a chosen word is chosen.
    for (const pos of chosen) {
      for (let i = pos - 3; i <= pos + 3; i++) if (i >= 0 && wordOf[i] === wordOf[pos]) expect(chosen.has(i)).toBe(true);
    }
    for (let r = 0; r < rows; r++) {
      const inRow = m.positions.filter((p) => p >= r * T && p < (r + 1) * T).length;
      expect(inRow / 179).toBeGreaterThan(0.1);
      expect(inRow / 179).toBeLessThan(0.2);
    }
    // Spans are longer than one word on average, and never touch [CLS] or padding.
    const words = new Set(m.positions.map((p) => wordOf[p]));
    let runs = 0;
    for (const w of words) if (!words.has(w - 1)) runs++;
    expect(words.size / runs).toBeGreaterThan(2);
    m.positions.forEach((pos, k) => {
      expect(attention[pos]).toBe(1);
      expect(ids[pos]).not.toBe(1);
      expect(m.labels[k]).toBe(ids[pos]);
    });
    ids.forEach((id, i) => chosen.has(i) || expect(m.inputIds[i]).toBe(id));
    // Each word's pieces share one fate: all [MASK] or none.
    for (const w of words) {
      const pieces = m.positions.filter((p) => wordOf[p] === w);
      const masked = pieces.filter((p) => m.inputIds[p] === 4).length;
      if (masked) expect(masked).toBe(pieces.length);
    }
  });
});

describe('MLM pretraining steps', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('lower the masked-token loss of a tiny model on the corpus', async () => {
    const demo = createDemoModel({ seed: 1, shape: DEMO_TINY_SHAPE });
    const tok = demo.tokenizer;
    const notes = demoPretrainingCorpus({ notes: 200, seed: 7 }).notes;
    const sequences = notes.map((note) => {
      const e = tok.encodePair(note.split('. ')[0], note);
      return { ids: e.ids.subarray(0, 128), tokenTypeIds: e.tokenTypeIds.subarray(0, 128) };
    });
    const rng = createRng(5);
    const head = createMlmHead(demo.config, rng);
    const tensors = tf.memory().numTensors;
    const r = await pretrainMlm(demo.model, head, { sequences, steps: 60, batchSize: 8, learningRate: 3e-3, warmupSteps: 6, weightDecay: 0.01, bucket: 16, rng, special: new Set([tok.clsId, tok.sepId, tok.padId]), maskId: tok.maskId!, padId: tok.padId, logEvery: 20 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r.firstLoss).toBeGreaterThan(Math.log(demo.config.vocabSize) - 1.5);
    expect(r.finalLoss).toBeLessThan(r.firstLoss - 1);
    for (const v of head.values()) v.dispose();
    demo.model.dispose();
  });
});
