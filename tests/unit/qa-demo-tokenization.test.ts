import { describe, expect, it } from 'vitest';
import { generateDemoDataset } from '../../src/domain/data/demo/generator';
import { goldCharSpan, makeBatch, prepareEvalFeatures, prepareTrainFeatures } from '../../src/domain/qa/features';
import { tokenizerFromFiles } from '../../src/domain/qa/tokenizer-files';
import { buildWordPieceVocabulary } from '../../src/domain/qa/vocab-builder';
import { libraryTokenizer } from '../fixtures/qa/reference';

// The demo dataset with the tokenizer the demo model uses: a vocabulary built from its training split.
const demo = generateDemoDataset();
const built = buildWordPieceVocabulary(
  demo.train.flatMap((r) => [r.question, r.context]),
  { vocabSize: 2000 },
);
const tok = tokenizerFromFiles({ tokenizerJson: built.tokenizerJsonText, tokenizerConfig: built.tokenizerConfig });
const lib = libraryTokenizer(JSON.parse(built.tokenizerJsonText), built.tokenizerConfig);

describe('demo dataset tokenization', () => {
  it('gives the library ids on every question and context of both splits, and on pairs', () => {
    const rows = [...demo.train, ...demo.validation];
    expect(rows.length).toBe(3600);
    // Each distinct text once (notes carry many questions); pair assembly is checked on a sample.
    const texts = new Set(rows.flatMap((r) => [r.question.trimStart(), r.context]));
    expect(texts.size).toBeGreaterThan(1000);
    let unk = 0;
    for (const text of texts) {
      const ours = tok.encode(text);
      expect(Array.from(ours.ids), text.slice(0, 60)).toEqual(lib.ids(text));
      for (const id of ours.ids) if (id === tok.unkId) unk++;
    }
    expect(unk).toBe(0);
    for (const r of rows.filter((_, i) => i % 20 === 0)) {
      const ours = tok.encodePair(r.question.trimStart(), r.context);
      const ref = lib.pair(r.question.trimStart(), r.context);
      expect(Array.from(ours.ids), r.id).toEqual(ref.ids);
      expect(Array.from(ours.tokenTypeIds)).toEqual(ref.typeIds);
    }
  });

  it('labels training windows on tokens that cover the gold answer', () => {
    const f = prepareTrainFeatures(demo.train, tok, { maxLength: 128 });
    let labelled = 0;
    let walkedOff = 0;
    for (let w = 0; w < f.count; w++) {
      if (!f.containsAnswer[w]) continue;
      const r = demo.train[f.exampleIndex[w]];
      const gold = goldCharSpan(r, f.exampleIndex[w])!;
      const s = f.startPositions[w];
      const e = f.endPositions[w];
      if (s > e) {
        // run_qa's start walk ran past the last context token ([SEP] or padding): Python's label too.
        expect(s).toBe(f.maxLength - 1);
        walkedOff++;
        continue;
      }
      labelled++;
      // Recover the character span of the labelled tokens through the eval offsets of the same window layout.
      const enc = tok.encode(r.context);
      const k0 = f.contextTokenOffset[w] + s - f.contextStart[w];
      const k1 = f.contextTokenOffset[w] + e - f.contextStart[w];
      expect(enc.starts[k0]).toBeLessThanOrEqual(gold.start);
      expect(enc.ends[k1]).toBeGreaterThanOrEqual(gold.end);
      if (k0 + 1 < enc.starts.length) expect(enc.starts[k0 + 1]).toBeGreaterThan(gold.start);
      if (k1 > 0) expect(enc.ends[k1 - 1]).toBeLessThan(gold.end);
    }
    expect(labelled).toBeGreaterThan(demo.train.length * 0.9);
    expect(walkedOff).toBeLessThan(labelled * 0.02);
    const b = makeBatch(f, [0, 1, 2, 3], 128);
    expect(b.inputIds.length).toBe(512);
  });

  it('builds evaluation windows whose offsets slice the gold answers out of the contexts', () => {
    const f = prepareEvalFeatures(demo.validation, tok, { maxLength: 512 });
    expect(f.count).toBe(demo.validation.length);
    let exact = 0;
    for (let w = 0; w < f.count; w++) {
      const r = demo.validation[f.exampleIndex[w]];
      const gold = goldCharSpan(r, w)!;
      let first = -1;
      let last = -1;
      for (let t = f.tokenStart[w]; t < f.tokenStart[w + 1]; t++) {
        const s = f.offsets[2 * t];
        if (s < 0) continue;
        if (first < 0 && f.offsets[2 * t + 1] > gold.start) first = t;
        if (s < gold.end) last = t;
      }
      if (r.context.slice(f.offsets[2 * first], f.offsets[2 * last + 1]) === r.context.slice(gold.start, gold.end)) exact++;
    }
    // Answers aligned on token boundaries come back exactly (shifted-span noise rows may not).
    expect(exact).toBeGreaterThan(demo.validation.length * 0.9);
  });
});
