import { describe, expect, it } from 'vitest';
import { tokenizerFromFiles } from '../../src/domain/qa/tokenizer-files';
import { buildWordPieceVocabulary } from '../../src/domain/qa/vocab-builder';
import { generateTexts, libraryTokenizer } from '../fixtures/qa/reference';

const CORPUS = [
  'The patient was given 40 mg of aspirin daily.',
  'The patient received insulin 10 units per day.',
  'Has the patient ever been on aspirin?',
  'Blood pressure was 120/80 mmHg; heart rate 72.',
  'Patient discharged home in stable condition.',
  'Café au lait spots noted. Naïve to insulin.',
];

describe('WordPiece vocabulary builder', () => {
  const corpus = Array.from({ length: 20 }, () => CORPUS).flat();
  const built = buildWordPieceVocabulary(corpus, { vocabSize: 300 });

  it('lays out a BERT-style uncased vocabulary', () => {
    expect(built.vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(new Set(built.vocab).size).toBe(built.vocab.length);
    expect(built.vocab.length).toBeLessThanOrEqual(300);
    for (const ch of 'abcxyz0189.,?;/') expect(built.vocab).toContain(ch);
    expect(built.vocab).toContain('##a');
    expect(built.vocab.some((t) => /[A-Z]/.test(t) && !t.startsWith('['))).toBe(false);
    // Frequent words become whole tokens, and accents are stripped before counting.
    for (const w of ['patient', 'aspirin', 'insulin', 'the', 'cafe', 'naive']) expect(built.vocab).toContain(w);
    expect(built.vocab).not.toContain('café');
  });

  it('stops merging at the frequency floor and fills up to the size when the corpus allows', () => {
    const small = buildWordPieceVocabulary(['aa aa ab'], { vocabSize: 5000, includeAsciiAlphabet: false });
    // a, b, ##a, ##b plus the one merge seen twice (aa); "ab" occurs once.
    expect(small.vocab.slice(5)).toEqual(['a', 'b', '##a', '##b', 'aa']);
    const big = buildWordPieceVocabulary(generateTexts(300, 3), { vocabSize: 400 });
    expect(big.vocab).toHaveLength(400);
  });

  it('writes tokenizer.json as Hugging Face lays it out for BERT', () => {
    const j = built.tokenizerJson;
    expect(Object.keys(j)).toEqual(['version', 'truncation', 'padding', 'added_tokens', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'model']);
    expect(j.normalizer).toEqual({ type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true });
    expect(j.pre_tokenizer).toEqual({ type: 'BertPreTokenizer' });
    expect(j.decoder).toEqual({ type: 'WordPiece', prefix: '##', cleanup: true });
    expect((j.added_tokens as unknown[])[0]).toEqual({ id: 0, content: '[PAD]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    const model = j.model as Record<string, unknown>;
    expect(Object.keys(model)).toEqual(['type', 'unk_token', 'continuing_subword_prefix', 'max_input_chars_per_word', 'vocab']);
    expect((j.post_processor as { special_tokens: unknown }).special_tokens).toEqual({
      '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
    });
    // The file text keeps the vocabulary in id order, numbers included.
    const parsed = JSON.parse(built.tokenizerJsonText) as { model: { vocab: Record<string, number> } };
    expect(parsed).toEqual(j);
    const vocabPart = built.tokenizerJsonText.slice(built.tokenizerJsonText.indexOf('"vocab": {'));
    const order = [...vocabPart.matchAll(/^ {6}("(?:[^"\\]|\\.)*"): (\d+),?$/gm)].map((m) => Number(m[2]));
    expect(order).toEqual(built.vocab.map((_, i) => i));
    expect(built.vocabTxt.split('\n').slice(0, -1)).toEqual(built.vocab);
    expect(built.tokenizerConfig.do_lower_case).toBe(true);
  });

  it('is loaded with identical ids by our tokenizer (both file forms) and @xenova/transformers', () => {
    const fromJson = tokenizerFromFiles({ tokenizerJson: built.tokenizerJsonText, tokenizerConfig: built.tokenizerConfig });
    const fromTxt = tokenizerFromFiles({ vocabTxt: built.vocabTxt, tokenizerConfig: JSON.stringify(built.tokenizerConfig) });
    const lib = libraryTokenizer(JSON.parse(built.tokenizerJsonText), built.tokenizerConfig);
    for (const text of [...CORPUS, ...generateTexts(200, 5)]) {
      const ids = Array.from(fromJson.encode(text).ids);
      expect(ids).toEqual(lib.ids(text));
      expect(Array.from(fromTxt.encode(text).ids)).toEqual(ids);
      expect(Array.from(built.tokenizer.encode(text).ids)).toEqual(ids);
    }
    expect(Array.from(fromJson.encode('The patient was given aspirin').ids).map((i) => built.vocab[i])).toEqual(['the', 'patient', 'was', 'given', 'aspirin']);
  });

  it('is deterministic and validates its options', () => {
    expect(buildWordPieceVocabulary(corpus, { vocabSize: 300 }).vocab).toEqual(built.vocab);
    expect(() => buildWordPieceVocabulary(corpus, { vocabSize: 3 })).toThrow(/vocabSize must be an integer above/);
    expect(() => buildWordPieceVocabulary(corpus, { vocabSize: 50 })).toThrow(/smaller than the special tokens plus the alphabet/);
    expect(() => buildWordPieceVocabulary(corpus, { vocabSize: 300, specialTokens: ['[PAD]', '[UNK]'] })).toThrow(/must include/);
  });
});
