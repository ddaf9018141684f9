/**
 * Builds an uncased BERT-style WordPiece vocabulary from a corpus, the way Hugging Face's
 * WordPieceTrainer does: words from the BERT normalizer and pre-tokenizer, an alphabet of single
 * characters (plain and "##"-continued), then byte-pair merges by frequency until the size is reached.
 * The result is written as tokenizer.json / tokenizer_config.json / vocab.txt, loadable by our
 * tokenizer and by @xenova/transformers with identical ids. It makes the demo model's tokenizer.
 */
import { BertTextSplitter, type BertNormalizerOptions } from './normalizer';
import { WordPieceTokenizer, type WordPieceTokenizerSpec } from './tokenizer';
import { tokenizerConfigFromSpec, tokenizerJsonFromSpec, tokenizerJsonText, vocabTxtFromSpec } from './tokenizer-files';

export interface VocabBuilderOptions {
  /** Total size, special tokens included. */
  vocabSize: number;
  /** A merge must occur at least this often (counted over word occurrences); default 2. */
  minFrequency?: number;
  /** Default [PAD], [UNK], [CLS], [SEP], [MASK] (ids 0-4). */
  specialTokens?: readonly string[];
  /** Always include printable ASCII (lowercase) so that any ASCII word has a non-[UNK] spelling; default true. */
  includeAsciiAlphabet?: boolean;
  /** At most this many distinct corpus characters (the most frequent); default 1000. */
  maxAlphabet?: number;
  /** model_max_length written to tokenizer_config.json; default 512. */
  modelMaxLength?: number;
}

export interface BuiltVocabulary {
  /** Tokens by id. */
  vocab: string[];
  spec: WordPieceTokenizerSpec;
  tokenizer: WordPieceTokenizer;
  /** tokenizer.json as an object (what @xenova/transformers takes) and as the file text to write. */
  tokenizerJson: Record<string, unknown>;
  tokenizerJsonText: string;
  tokenizerConfig: Record<string, unknown>;
  vocabTxt: string;
}

const UNCASED: BertNormalizerOptions = { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true };
const PREFIX = '##';
const MAX_WORD_CHARS = 100;
/** Symbol ids stay below 2^21, so a pair packs into one safe integer. */
const PAIR_BASE = 2 ** 21;

/** Max-heap of (count, pair key); entries go stale when counts change and are checked on pop. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  private above(i: number, j: number): boolean {
    return this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.keys[i] < this.keys[j]);
  }
  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): { count: number; key: number } | null {
    if (this.keys.length === 0) return null;
    const top = { count: this.counts[0], key: this.keys[0] };
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.keys.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.keys.length && this.above(l, m)) m = l;
        if (r < this.keys.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

function checkOptions(o: VocabBuilderOptions, specials: readonly string[]): void {
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < specials.length + 1) {
    throw new Error(`vocab builder: vocabSize must be an integer above the ${specials.length} special tokens, got ${o.vocabSize}`);
  }
  if (o.vocabSize >= PAIR_BASE) throw new Error(`vocab builder: vocabSize must be below ${PAIR_BASE}`);
  if (new Set(specials).size !== specials.length) throw new Error('vocab builder: special tokens must be distinct');
  if (!specials.includes('[UNK]') || !specials.includes('[CLS]') || !specials.includes('[SEP]') || !specials.includes('[PAD]')) {
    throw new Error('vocab builder: special tokens must include [PAD], [UNK], [CLS] and [SEP]');
  }
}

export function buildWordPieceVocabulary(corpus: Iterable<string>, options: VocabBuilderOptions): BuiltVocabulary {
  const specials = options.specialTokens ?? ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  checkOptions(options, specials);
  const minFrequency = options.minFrequency ?? 2;
  const splitter = new BertTextSplitter(UNCASED);

  // 1. Word frequencies.
  const wordCounts = new Map<string, number>();
  let i = 0;
  for (const text of corpus) {
    if (typeof text !== 'string') throw new Error(`vocab builder: corpus item ${i} is not a string`);
    splitter.forEachWord(text, 0, text.length, (word, _s, _e, n) => {
      if (n <= MAX_WORD_CHARS) wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
    });
    i++;
  }

  // 2. Alphabet: the most frequent characters, with ASCII guaranteed.
  const charCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) for (const ch of word) charCounts.set(ch, (charCounts.get(ch) ?? 0) + count);
  const alphabet = new Set(
    [...charCounts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, options.maxAlphabet ?? 1000)
      .map(([ch]) => ch),
  );
  if (options.includeAsciiAlphabet ?? true) {
    for (let c = 33; c < 127; c++) {
      const ch = String.fromCharCode(c);
      if (ch.toLowerCase() === ch) alphabet.add(ch);
    }
  }
  const chars = [...alphabet].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const splitterForKinds = (ch: string): boolean => splitter.words(`a${ch}`).length === 1; // can it continue a word?

  const tokens: string[] = [...specials];
  const index = new Map<string, number>();
  const add = (t: string): number => {
    let id = index.get(t);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(t);
      index.set(t, id);
    }
    return id;
  };
  specials.forEach((t) => index.set(t, tokens.indexOf(t)));
  for (const ch of chars) add(ch);
  for (const ch of chars) if (splitterForKinds(ch)) add(PREFIX + ch);
  if (tokens.length > options.vocabSize) {
    throw new Error(`vocab builder: vocabSize ${options.vocabSize} is smaller than the special tokens plus the alphabet (${tokens.length}); raise it or lower maxAlphabet`);
  }

  // 3. Words as symbol sequences; words with a character outside the alphabet cannot be spelled.
  const words: Int32Array[] = [];
  const freqs: number[] = [];
  for (const [word, count] of wordCounts) {
    const cps = [...word];
    if (cps.length < 2 || !cps.every((c) => alphabet.has(c))) continue;
    const seq = new Int32Array(cps.length);
    let ok = true;
    cps.forEach((c, k) => {
      const id = index.get(k === 0 ? c : PREFIX + c);
      if (id === undefined) ok = false;
      else seq[k] = id;
    });
    if (!ok) continue;
    words.push(seq);
    freqs.push(count);
  }

  // 4. Merges: the most frequent adjacent pair (ties: lowest pair key, i.e. earliest symbols) until full.
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const heap = new PairHeap();
  const bump = (key: number, delta: number, w: number, touched: Set<number>): void => {
    pairCount.set(key, (pairCount.get(key) ?? 0) + delta);
    if (delta > 0) {
      let set = pairWords.get(key);
      if (set === undefined) pairWords.set(key, (set = new Set()));
      set.add(w);
    }
    touched.add(key);
  };
  const initial = new Set<number>();
  words.forEach((seq, w) => {
    for (let k = 0; k + 1 < seq.length; k++) bump(seq[k] * PAIR_BASE + seq[k + 1], freqs[w], w, initial);
  });
  for (const key of initial) heap.push(pairCount.get(key)!, key);

  while (tokens.length < options.vocabSize && heap.size > 0) {
    const top = heap.pop()!;
    const current = pairCount.get(top.key) ?? 0;
    if (current !== top.count) continue; // stale entry
    if (current < minFrequency) break;
    const a = Math.floor(top.key / PAIR_BASE);
    const b = top.key % PAIR_BASE;
    const merged = tokens[a] + tokens[b].slice(PREFIX.length);
    const m = add(merged);
    const touched = new Set<number>();
    for (const w of pairWords.get(top.key) ?? []) {
      const seq = words[w];
      let has = false;
      for (let k = 0; k + 1 < seq.length; k++) if (seq[k] === a && seq[k + 1] === b) has = true;
      if (!has) continue;
      for (let k = 0; k + 1 < seq.length; k++) bump(seq[k] * PAIR_BASE + seq[k + 1], -freqs[w], w, touched);
      const next: number[] = [];
      for (let k = 0; k < seq.length; k++) {
        if (k + 1 < seq.length && seq[k] === a && seq[k + 1] === b) {
          next.push(m);
          k++;
        } else {
          next.push(seq[k]);
        }
      }
      const ns = Int32Array.from(next);
      words[w] = ns;
      for (let k = 0; k + 1 < ns.length; k++) bump(ns[k] * PAIR_BASE + ns[k + 1], freqs[w], w, touched);
    }
    pairCount.delete(top.key);
    pairWords.delete(top.key);
    for (const key of touched) {
      const c = pairCount.get(key) ?? 0;
      if (c > 0) heap.push(c, key);
      else pairCount.delete(key);
    }
  }

  const vocab = new Map<string, number>(tokens.map((t, id) => [t, id]));
  const spec: WordPieceTokenizerSpec = {
    vocab,
    unkToken: '[UNK]',
    continuingSubwordPrefix: PREFIX,
    maxInputCharsPerWord: MAX_WORD_CHARS,
    normalizer: { ...UNCASED },
    addedTokens: specials.map((content, id) => ({ id, content, singleWord: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    clsToken: '[CLS]',
    sepToken: '[SEP]',
    padToken: '[PAD]',
    maskToken: specials.includes('[MASK]') ? '[MASK]' : null,
    modelMaxLength: options.modelMaxLength ?? 512,
  };
  return {
    vocab: tokens,
    spec,
    tokenizer: new WordPieceTokenizer(spec),
    tokenizerJson: tokenizerJsonFromSpec(spec),
    tokenizerJsonText: tokenizerJsonText(spec),
    tokenizerConfig: tokenizerConfigFromSpec(spec),
    vocabTxt: vocabTxtFromSpec(spec),
  };
}
