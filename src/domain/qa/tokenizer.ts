/**
 * A BERT/ELECTRA WordPiece tokenizer that returns character offsets into the original text, as the
 * Hugging Face fast tokenizers do (`return_offsets_mapping=True`). JavaScript tokenizers return ids
 * only, and QA features need offsets to place answers, so the pipeline is rebuilt here:
 * added tokens → normalizer (with alignment) → BertPreTokenizer → WordPiece → [CLS] A [SEP] B [SEP].
 */
import { IntBuffer } from './int-buffer';
import { BertTextSplitter, type BertNormalizerOptions } from './normalizer';
import { WordPieceModel } from './wordpiece';

/** An entry of tokenizer.json `added_tokens`. */
export interface AddedTokenSpec {
  id: number;
  content: string;
  singleWord: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** Everything that defines the tokenizer, already validated (see tokenizer-files.ts for parsing). */
export interface WordPieceTokenizerSpec {
  /** token → id of the WordPiece model, added tokens excluded. */
  vocab: ReadonlyMap<string, number>;
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  /** null: the tokenizer has no normalizer. */
  normalizer: BertNormalizerOptions | null;
  addedTokens: readonly AddedTokenSpec[];
  /** Tokens the post-processor puts around the sequences. */
  clsToken: string;
  sepToken: string;
  padToken: string;
  maskToken: string | null;
  /** tokenizer_config.json `model_max_length`; null when absent or the "unlimited" sentinel. */
  modelMaxLength: number | null;
}

/** Tokens of one text, no special tokens. `starts`/`ends` are UTF-16 offsets into the text. */
export interface TextEncoding {
  ids: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
}

/** A `[CLS] A [SEP] B [SEP]` encoding as the fast tokenizer returns it. */
export interface PairEncoding {
  ids: Int32Array;
  tokenTypeIds: Int32Array;
  /** -1 for special tokens (Python None), 0 for the first text, 1 for the second. */
  sequenceIds: Int8Array;
  /** [start, end) per token, flat (2 per token); special tokens get (0, 0). */
  offsets: Int32Array;
}

interface AddedMatch {
  start: number;
  end: number;
  id: number;
}

const WORD_CHAR = /^[\p{L}\p{N}_]$/u;

function isWordCharAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  let cp = text.codePointAt(index)!;
  // Look at the whole code point when `index` is the low half of a pair.
  if (cp >= 0xdc00 && cp <= 0xdfff && index > 0) cp = text.codePointAt(index - 1)!;
  return WORD_CHAR.test(String.fromCodePoint(cp));
}

function isSpaceCode(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a) || c === 0x1680 || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f;
}

export class WordPieceTokenizer {
  readonly spec: Readonly<WordPieceTokenizerSpec>;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly unkId: number;
  readonly maskId: number | null;
  /** One more than the largest id (the embedding matrix needs at least this many rows). */
  readonly vocabSize: number;
  private readonly splitter: BertTextSplitter;
  private readonly model: WordPieceModel;
  private readonly tokenToIdMap = new Map<string, number>();
  private readonly idToTokenList: string[] = [];
  private readonly added: readonly AddedTokenSpec[];
  private readonly ids = new IntBuffer();
  private readonly starts = new IntBuffer();
  private readonly ends = new IntBuffer();

  constructor(spec: WordPieceTokenizerSpec) {
    this.spec = spec;
    this.splitter = new BertTextSplitter(spec.normalizer);
    this.model = new WordPieceModel(spec);
    let maxId = -1;
    for (const [token, id] of spec.vocab) {
      this.tokenToIdMap.set(token, id);
      this.idToTokenList[id] = token;
      if (id > maxId) maxId = id;
    }
    for (const t of spec.addedTokens) {
      this.tokenToIdMap.set(t.content, t.id);
      this.idToTokenList[t.id] = t.content;
      if (t.id > maxId) maxId = t.id;
    }
    this.vocabSize = maxId + 1;
    // Longest first, so that the leftmost-longest match wins among tokens starting at one place.
    this.added = [...spec.addedTokens].filter((t) => t.content.length > 0).sort((a, b) => b.content.length - a.content.length);
    this.unkId = this.model.unkId;
    this.clsId = this.requireId(spec.clsToken, 'cls token');
    this.sepId = this.requireId(spec.sepToken, 'sep token');
    this.padId = this.requireId(spec.padToken, 'pad token');
    this.maskId = spec.maskToken === null ? null : (this.tokenToIdMap.get(spec.maskToken) ?? null);
  }

  private requireId(token: string, what: string): number {
    const id = this.tokenToIdMap.get(token);
    if (id === undefined) throw new Error(`tokenizer: the ${what} "${token}" is not in the vocabulary`);
    return id;
  }

  tokenToId(token: string): number | undefined {
    return this.tokenToIdMap.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenList[id];
  }

  /** Token strings of `text` (no special tokens), e.g. ["the", "dose", "##s"]. */
  tokenize(text: string): string[] {
    return Array.from(this.encode(text).ids, (id) => this.idToTokenList[id]);
  }

  /** Normalized pre-tokens with their original spans (what WordPiece sees). */
  preTokenize(text: string): { word: string; start: number; end: number }[] {
    return this.splitter.words(text);
  }

  /** Tokens of `text` without special tokens; offsets are UTF-16 indices into `text`. */
  encode(text: string): TextEncoding {
    this.ids.clear();
    this.starts.clear();
    this.ends.clear();
    this.encodeInto(text, this.ids, this.starts, this.ends);
    return { ids: this.ids.toInt32Array(), starts: this.starts.toInt32Array(), ends: this.ends.toInt32Array() };
  }

  /** Appends the tokens of `text` to the given buffers (no special tokens). */
  encodeInto(text: string, ids: IntBuffer, starts: IntBuffer, ends: IntBuffer): void {
    const onWord = (word: string, s: readonly number[], e: readonly number[], n: number): void => {
      const pieces = this.model.tokenize(word, n);
      for (let k = 0; k < pieces.length; k += 3) {
        ids.push(pieces[k]);
        starts.push(s[pieces[k + 1]]);
        ends.push(e[pieces[k + 2] - 1]);
      }
    };
    let from = 0;
    for (const m of this.findAddedTokens(text)) {
      if (m.start > from) this.splitter.forEachWord(text, from, m.start, onWord);
      ids.push(m.id);
      starts.push(m.start);
      ends.push(m.end);
      from = m.end;
    }
    if (from < text.length) this.splitter.forEachWord(text, from, text.length, onWord);
  }

  /** `[CLS] first [SEP] second [SEP]` without truncation. */
  encodePair(first: string, second: string): PairEncoding {
    return this.assemblePair(this.encode(first), this.encode(second), 0, Number.MAX_SAFE_INTEGER);
  }

  /** `[CLS] a [SEP] b[from, to) [SEP]` from already encoded texts. */
  assemblePair(a: TextEncoding, b: TextEncoding, from: number, to: number): PairEncoding {
    const stop = Math.min(to, b.ids.length);
    const nb = Math.max(0, stop - from);
    const n = a.ids.length + nb + 3;
    const ids = new Int32Array(n);
    const types = new Int32Array(n);
    const seq = new Int8Array(n);
    const offsets = new Int32Array(2 * n);
    let p = 0;
    ids[p] = this.clsId;
    seq[p++] = -1;
    for (let i = 0; i < a.ids.length; i++, p++) {
      ids[p] = a.ids[i];
      offsets[2 * p] = a.starts[i];
      offsets[2 * p + 1] = a.ends[i];
    }
    ids[p] = this.sepId;
    seq[p++] = -1;
    for (let i = from; i < stop; i++, p++) {
      ids[p] = b.ids[i];
      types[p] = 1;
      seq[p] = 1;
      offsets[2 * p] = b.starts[i];
      offsets[2 * p + 1] = b.ends[i];
    }
    ids[p] = this.sepId;
    types[p] = 1;
    seq[p] = -1;
    return { ids, tokenTypeIds: types, sequenceIds: seq, offsets };
  }

  /**
   * Added tokens in the original text, leftmost-longest and non-overlapping. Like the Rust
   * implementation, `single_word` tokens must not touch word characters, and `lstrip`/`rstrip`
   * swallow the neighbouring whitespace into the token's span. Tokens marked `normalized` are matched
   * against the original text too (as transformers.js does), not against the normalized text.
   */
  private findAddedTokens(text: string): AddedMatch[] {
    const matches: AddedMatch[] = [];
    if (this.added.length === 0) return matches;
    let pos = 0;
    while (pos < text.length) {
      let best: AddedTokenSpec | null = null;
      let bestAt = -1;
      for (const t of this.added) {
        let at = text.indexOf(t.content, pos);
        while (at >= 0 && t.singleWord && (isWordCharAt(text, at - 1) || isWordCharAt(text, at + t.content.length))) {
          at = text.indexOf(t.content, at + 1);
        }
        if (at >= 0 && (bestAt < 0 || at < bestAt)) {
          best = t;
          bestAt = at;
        }
      }
      if (best === null) break;
      let start = bestAt;
      let end = bestAt + best.content.length;
      const floor = matches.length > 0 ? matches[matches.length - 1].end : 0;
      if (best.lstrip) while (start > floor && isSpaceCode(text.charCodeAt(start - 1))) start--;
      if (best.rstrip) while (end < text.length && isSpaceCode(text.charCodeAt(end))) end++;
      matches.push({ start, end, id: best.id });
      pos = end;
    }
    return matches;
  }
}
