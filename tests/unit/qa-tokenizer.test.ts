import { describe, expect, it } from 'vitest';
import { BertTextSplitter } from '../../src/domain/qa/normalizer';
import { WordPieceTokenizer } from '../../src/domain/qa/tokenizer';
import { specFromTokenizerJson, specFromVocabTxt, tokenizerFromFiles, tokenizerJsonFromSpec } from '../../src/domain/qa/tokenizer-files';
import { buildWordPieceVocabulary } from '../../src/domain/qa/vocab-builder';
import { HAND_TOKENIZER_CONFIG, HAND_VOCAB_TXT, TRICKY_TEXTS, generateTexts, libraryTokenizer } from '../fixtures/qa/reference';

const hand = tokenizerFromFiles({ vocabTxt: HAND_VOCAB_TXT, tokenizerConfig: HAND_TOKENIZER_CONFIG });
const handSpec = specFromVocabTxt(HAND_VOCAB_TXT, HAND_TOKENIZER_CONFIG);
const handLibrary = libraryTokenizer(tokenizerJsonFromSpec(handSpec), JSON.parse(HAND_TOKENIZER_CONFIG));

function tokens(tok: WordPieceTokenizer, text: string): Array<[string, number, number]> {
  const e = tok.encode(text);
  return Array.from(e.ids, (id, i) => [tok.idToToken(id)!, e.starts[i], e.ends[i]]);
}

/** Independent whole-string normalization for checking what a token's span says. */
function normalizeSlice(s: string): string {
  return s
    .replace(/[\p{C}]/gu, (c) => (c === '\t' || c === '\n' || c === '\r' ? c : ''))
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase();
}

/** Every token's original span, normalized, spells the token (or the whole word for [UNK]). */
function checkOffsets(tok: WordPieceTokenizer, text: string): void {
  const e = tok.encode(text);
  let lastEnd = 0;
  for (let i = 0; i < e.ids.length; i++) {
    const s = e.starts[i];
    const t = e.ends[i];
    expect(s).toBeGreaterThanOrEqual(lastEnd);
    expect(t).toBeGreaterThan(s);
    expect(t).toBeLessThanOrEqual(text.length);
    lastEnd = t;
    const token = tok.idToToken(e.ids[i])!;
    const slice = text.slice(s, t);
    if (e.ids[i] === tok.unkId) {
      // An unknown word: its span is a whole pre-token, so it is bounded by non-word characters.
      expect(normalizeSlice(slice).trim()).toBe(normalizeSlice(slice));
      continue;
    }
    if (['[CLS]', '[SEP]', '[MASK]', '[PAD]', '[UNK]'].includes(token)) {
      expect(slice).toBe(token);
      continue;
    }
    expect(normalizeSlice(slice), `token ${token} at [${s},${t}) of ${JSON.stringify(text)}`).toBe(token.replace(/^##/, ''));
  }
}

describe('BERT normalizer and pre-tokenizer', () => {
  const splitter = new BertTextSplitter({ cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true });

  it('keeps original spans through accent stripping and removed characters', () => {
    expect(splitter.words('Café naïve')).toEqual([
      { word: 'cafe', start: 0, end: 4 },
      { word: 'naive', start: 5, end: 10 },
    ]);
    // A decomposed accent is dropped: the word ends at the base letter, as the Rust alignments give.
    expect(splitter.words('Cafe\u0301!')).toEqual([
      { word: 'cafe', start: 0, end: 4 },
      { word: '!', start: 5, end: 6 },
    ]);
    expect(splitter.words('a\u0000b\u200bc d')).toEqual([
      { word: 'abc', start: 0, end: 5 },
      { word: 'd', start: 6, end: 7 },
    ]);
  });

  it('isolates punctuation and CJK, splits on every kind of whitespace', () => {
    expect(splitter.words('!!!...').map((w) => [w.word, w.start])).toEqual([
      ['!', 0],
      ['!', 1],
      ['!', 2],
      ['.', 3],
      ['.', 4],
      ['.', 5],
    ]);
    expect(splitter.words('ab中文cd').map((w) => w.word)).toEqual(['ab', '中', '文', 'cd']);
    expect(splitter.words('a\tb\nc\u00a0d\u3000e\u2003f').map((w) => w.word)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    // $ + < = > ^ ` | ~ are ASCII punctuation for BERT although Unicode calls them symbols.
    expect(splitter.words('a$b+c^d`e|f~g').map((w) => w.word)).toEqual(['a', '$', 'b', '+', 'c', '^', 'd', '`', 'e', '|', 'f', '~', 'g']);
  });

  it('follows the Hugging Face Rust semantics where transformers.js differs', () => {
    // All Mn marks are stripped after NFD (the library strips only U+0300-U+036F).
    expect(splitter.words('が').map((w) => w.word)).toEqual(['か']);
    expect(splitter.words('❤\ufe0f').map((w) => w.word)).toEqual(['❤']);
    // Lowercasing is per character: no final-sigma rule.
    expect(splitter.words('ΟΔΟΣ').map((w) => w.word)).toEqual(['οδοσ']);
    // Astral CJK ideographs are isolated too; offsets are UTF-16 indices.
    expect(splitter.words('a𠀀b')).toEqual([
      { word: 'a', start: 0, end: 1 },
      { word: '𠀀', start: 1, end: 3 },
      { word: 'b', start: 3, end: 4 },
    ]);
  });

  it('maps expanded characters back to their source', () => {
    // İ → NFD I + U+0307 → I → i: one normalized character for one original.
    expect(splitter.words('İx')).toEqual([{ word: 'ix', start: 0, end: 2 }]);
    // Hangul syllables decompose into jamo, every jamo pointing at its syllable.
    const w = splitter.words('한')[0];
    expect(w.word).toBe('한'.normalize('NFD'));
    expect([w.start, w.end]).toEqual([0, 1]);
  });

  it('leaves text alone when there is no normalizer, but still pre-tokenizes', () => {
    const raw = new BertTextSplitter(null);
    expect(raw.words('Café, OK').map((w) => w.word)).toEqual(['Café', ',', 'OK']);
  });
});

describe('WordPiece tokenizer with offsets (hand-made vocab.txt)', () => {
  it('gives the offsets the fast tokenizer gives', () => {
    expect(tokens(hand, 'Café naïve')).toEqual([
      ['cafe', 0, 4],
      ['naive', 5, 10],
    ]);
    expect(tokens(hand, '5mg/kg')).toEqual([
      ['5', 0, 1],
      ['##mg', 1, 3],
      ['/', 3, 4],
      ['kg', 4, 6],
    ]);
    expect(tokens(hand, '10.5 mL')).toEqual([
      ['10', 0, 2],
      ['.', 2, 3],
      ['5', 3, 4],
      ['ml', 5, 7],
    ]);
    expect(tokens(hand, 'receives')).toEqual([['receives', 0, 8]]);
    expect(hand.tokenize('Receives 5mg')).toEqual(['receives', '5', '##mg']);
    expect(tokens(hand, 'dosed naively')).toEqual([
      ['dose', 0, 4],
      ['##d', 4, 5],
      ['naive', 6, 11],
      ['##ly', 11, 13],
    ]);
  });

  it('turns words over 100 characters, and unspellable words, into one [UNK] over the word', () => {
    const long = 'a'.repeat(101);
    expect(tokens(hand, `x ${long} x`)).toEqual([
      ['x', 0, 1],
      ['[UNK]', 2, 103],
      ['x', 104, 105],
    ]);
    expect(tokens(hand, 'a'.repeat(100))).toHaveLength(100);
    expect(tokens(hand, 'glad😀 ok')).toEqual([
      ['[UNK]', 0, 6],
      ['o', 7, 8],
      ['##k', 8, 9],
    ]);
  });

  it('splits special tokens out of the raw text only when they match exactly', () => {
    expect(tokens(hand, 'a [SEP] b [mask]')).toEqual([
      ['a', 0, 1],
      ['[SEP]', 2, 7],
      ['b', 8, 9],
      ['[', 10, 11],
      ['m', 11, 12],
      ['##a', 12, 13],
      ['##s', 13, 14],
      ['##k', 14, 15],
      [']', 15, 16],
    ]);
  });

  it('maps every token of the tricky texts back to the right characters', () => {
    for (const text of TRICKY_TEXTS) checkOffsets(hand, text);
  });

  it('encodes pairs as [CLS] A [SEP] B [SEP] with types and sequence ids', () => {
    const p = hand.encodePair('what dose?', 'The dose was 5mg.');
    const toks = Array.from(p.ids, (id) => hand.idToToken(id));
    expect(toks).toEqual(['[CLS]', 'what', 'dose', '?', '[SEP]', 'the', 'dose', 'was', '5', '##mg', '.', '[SEP]']);
    expect(Array.from(p.tokenTypeIds)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(p.sequenceIds)).toEqual([-1, 0, 0, 0, -1, 1, 1, 1, 1, 1, 1, -1]);
    expect(Array.from(p.offsets.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(p.offsets.subarray(2 * 8, 2 * 10))).toEqual([13, 14, 14, 16]);
  });

  it('has the same ids as @xenova/transformers on the tricky texts', () => {
    for (const text of TRICKY_TEXTS) {
      expect(Array.from(hand.encode(text).ids), JSON.stringify(text)).toEqual(handLibrary.ids(text));
    }
    const pair = handLibrary.pair('what dose?', 'The dose was 5mg.');
    const ours = hand.encodePair('what dose?', 'The dose was 5mg.');
    expect(Array.from(ours.ids)).toEqual(pair.ids);
    expect(Array.from(ours.tokenTypeIds)).toEqual(pair.typeIds);
  });
});

describe('tokenizer files', () => {
  it('loads tokenizer.json and vocab.txt into the same tokenizer', () => {
    const json = JSON.stringify(tokenizerJsonFromSpec(handSpec));
    const fromJson = tokenizerFromFiles({ tokenizerJson: json, tokenizerConfig: HAND_TOKENIZER_CONFIG });
    for (const text of TRICKY_TEXTS) expect(fromJson.encode(text)).toEqual(hand.encode(text));
    expect(fromJson.spec.modelMaxLength).toBe(512);
    expect([fromJson.clsId, fromJson.sepId, fromJson.padId, fromJson.unkId, fromJson.maskId]).toEqual([2, 3, 0, 1, 4]);
  });

  it('reads the BertProcessing post-processor of older files and tokenizer_config casing overrides', () => {
    const json = tokenizerJsonFromSpec(handSpec);
    json.post_processor = { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] };
    const spec = specFromTokenizerJson(json, { do_lower_case: false });
    expect(spec.normalizer?.lowercase).toBe(false);
    expect(spec.clsToken).toBe('[CLS]');
    const cased = new WordPieceTokenizer(spec);
    expect(tokens(cased, 'Hello')[0][0]).toBe('[UNK]');
  });

  it('rejects malformed files with the file and field named', () => {
    expect(() => specFromTokenizerJson('{not json')).toThrow(/tokenizer\.json: not valid JSON/);
    const json = tokenizerJsonFromSpec(handSpec);
    expect(() => specFromTokenizerJson({ ...json, model: { ...(json.model as object), type: 'BPE' } })).toThrow(/model type "BPE" is not supported/);
    expect(() => specFromTokenizerJson({ ...json, normalizer: { type: 'BertNormalizer', lowercase: 'yes' } })).toThrow(/"normalizer.lowercase" must be true or false/);
    expect(() => specFromTokenizerJson({ ...json, post_processor: null })).toThrow(/post_processor/);
    expect(() => specFromTokenizerJson({ ...json, added_tokens: [{ id: -1, content: 'x' }] })).toThrow(/added_tokens\[0\]\.id/);
    expect(() => specFromVocabTxt('a\nb\n')).toThrow(/vocab\.txt: the unk_token "\[UNK\]" is not in the vocabulary/);
    expect(() => specFromVocabTxt(HAND_VOCAB_TXT, '{"do_lower_case": "no"}')).toThrow(/tokenizer_config\.json: field "do_lower_case"/);
    expect(() => tokenizerFromFiles({})).toThrow(/neither tokenizer\.json nor vocab\.txt/);
  });

  it('treats the transformers "unlimited" model_max_length as absent', () => {
    expect(specFromVocabTxt(HAND_VOCAB_TXT, { model_max_length: 1e30 }).modelMaxLength).toBeNull();
  });
});

describe('normalizer settings', () => {
  const variants = [
    { cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: true },
    { cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: false },
    { cleanText: true, handleChineseChars: false, stripAccents: null, lowercase: false },
    { cleanText: false, handleChineseChars: true, stripAccents: null, lowercase: true },
  ];

  it('apply each flag as documented', () => {
    const words = (i: number, text: string): string[] => new BertTextSplitter(variants[i]).words(text).map((w) => w.word);
    expect(words(0, 'Café')).toEqual(['café']);
    expect(words(1, 'Café')).toEqual(['Cafe']);
    expect(words(2, 'Café中文')).toEqual(['Café中文']);
    expect(words(3, 'a\u0007b')).toEqual(['a\u0007b']);
    expect(words(3, 'a\u0085b\ufeffc')).toEqual(['a', 'b\ufeffc']);
  });

  it('give the library ids under every setting', () => {
    // Without clean_text, U+0085 and U+FEFF reach the pre-tokenizer, where Rust's White_Space
    // (NEL yes, BOM no) and the library's JavaScript \s (NEL no, BOM yes) disagree; we follow Rust.
    const corpus = [...TRICKY_TEXTS, ...generateTexts(150, 23)].filter((t) => !/[\u0085\ufeff]/.test(t));
    for (const normalizer of variants) {
      const spec = { ...handSpec, normalizer };
      const ours = new WordPieceTokenizer(spec);
      const lib = libraryTokenizer(tokenizerJsonFromSpec(spec), {});
      for (const text of corpus) expect(Array.from(ours.encode(text).ids), `${JSON.stringify(normalizer)} ${JSON.stringify(text)}`).toEqual(lib.ids(text));
    }
  });
});

describe('ids equal @xenova/transformers on generated text', () => {
  const corpus = generateTexts(1500, 7);
  const built = buildWordPieceVocabulary(generateTexts(400, 11), { vocabSize: 600 });
  const generatedLibrary = libraryTokenizer(built.tokenizerJson, built.tokenizerConfig);

  it('with a builder vocabulary', () => {
    let tokensSeen = 0;
    for (const text of corpus) {
      const ours = built.tokenizer.encode(text);
      tokensSeen += ours.ids.length;
      expect(Array.from(ours.ids), JSON.stringify(text)).toEqual(generatedLibrary.ids(text));
    }
    expect(tokensSeen).toBeGreaterThan(20_000);
  });

  it('with the hand-made vocabulary, and offsets hold on every text', () => {
    for (const text of corpus.slice(0, 500)) {
      expect(Array.from(hand.encode(text).ids), JSON.stringify(text)).toEqual(handLibrary.ids(text));
      checkOffsets(hand, text);
    }
  });

  it('on pairs', () => {
    for (let i = 0; i + 1 < 200; i += 2) {
      const ref = generatedLibrary.pair(corpus[i], corpus[i + 1]);
      const ours = built.tokenizer.encodePair(corpus[i], corpus[i + 1]);
      expect(Array.from(ours.ids)).toEqual(ref.ids);
      expect(Array.from(ours.tokenTypeIds)).toEqual(ref.typeIds);
    }
  });
});
