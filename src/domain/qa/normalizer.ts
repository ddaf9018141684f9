/**
 * BERT normalization and pre-tokenization that keep, for every normalized character, the span of
 * the original character it came from. This is what lets tokens carry offsets into the original
 * text although normalization changes lengths (NFD accent stripping, removed control characters,
 * lowercasing that expands a character).
 *
 * The semantics are those of Hugging Face `tokenizers` (Rust), applied per code point:
 *   clean_text: drop U+0000, U+FFFD and C* (except \t \n \r); map White_Space to ' '
 *   handle_chinese_chars: CJK ideographs become words of their own
 *   strip_accents (null: follows lowercase): NFD, then drop Mn
 *   lowercase: per code point (no final-sigma context rule), after accent stripping
 * BertPreTokenizer: split on White_Space (removed) and isolate punctuation.
 *
 * Offsets are UTF-16 code-unit indices into the original string, so `text.slice(start, end)` works.
 * For text without astral characters they equal the Python (code point) offsets.
 */
import { isBertControl, isBertPunctuation, isBertWhitespace, isChineseChar, isNonspacingMark } from './unicode-classes';

export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  /** null: strip accents exactly when lowercasing (the Hugging Face default). */
  stripAccents: boolean | null;
  lowercase: boolean;
}

/** Kind of a normalized character for the pre-tokenizer. */
const WORD = 0;
const SPACE = 1;
const PUNCT = 2;

/** What one original code point becomes. */
interface CodePointResult {
  chars: string[];
  kinds: number[];
  /** A CJK ideograph: the normalizer surrounded it with spaces, so it forms a word of its own. */
  isolated: boolean;
}

const DROPPED: CodePointResult = { chars: [], kinds: [], isolated: false };

/**
 * Receives each pre-token ("word") in order. `starts[k]`/`ends[k]` are the original UTF-16 span of
 * the k-th normalized code point of `word`; the arrays are reused between calls (copy to keep).
 */
export type WordCallback = (word: string, starts: readonly number[], ends: readonly number[], length: number) => void;

export class BertTextSplitter {
  readonly options: Readonly<BertNormalizerOptions>;
  private readonly strip: boolean;
  private readonly cache = new Map<number, CodePointResult>();
  private readonly asciiChar: string[] = [];
  private readonly asciiKind: Int8Array = new Int8Array(128); // -1 dropped
  private readonly wordStarts: number[] = [];
  private readonly wordEnds: number[] = [];

  /** `options === null` means the tokenizer has no normalizer: only pre-tokenization applies. */
  constructor(options: BertNormalizerOptions | null) {
    this.options = options ?? { cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false };
    this.strip = this.options.stripAccents ?? this.options.lowercase;
    for (let cp = 0; cp < 128; cp++) {
      const r = this.computeCodePoint(cp);
      if (r.chars.length === 0) {
        this.asciiKind[cp] = -1;
        this.asciiChar.push('');
      } else {
        this.asciiKind[cp] = r.kinds[0];
        this.asciiChar.push(r.chars[0]);
      }
    }
  }

  /** Normalization of one code point, following the order of the Rust BertNormalizer. */
  private computeCodePoint(cp: number): CodePointResult {
    const o = this.options;
    let ch = String.fromCodePoint(cp);
    if (o.cleanText) {
      if (cp === 0 || cp === 0xfffd || isBertControl(cp)) return DROPPED;
      if (isBertWhitespace(cp)) ch = ' ';
    }
    const isolated = o.handleChineseChars && isChineseChar(cp);
    let pieces: string[] = [ch];
    if (this.strip) {
      pieces = [];
      for (const d of ch.normalize('NFD')) {
        if (!isNonspacingMark(d.codePointAt(0)!)) pieces.push(d);
      }
    }
    if (o.lowercase) {
      const lowered: string[] = [];
      // Lowercasing a lone code point applies no context rule (Σ → σ), as Rust's char::to_lowercase.
      for (const p of pieces) for (const l of p.toLowerCase()) lowered.push(l);
      pieces = lowered;
    }
    const kinds = pieces.map((p) => {
      const c = p.codePointAt(0)!;
      if (isBertWhitespace(c)) return SPACE;
      if (isBertPunctuation(c)) return PUNCT;
      return WORD;
    });
    return { chars: pieces, kinds, isolated };
  }

  private codePoint(cp: number): CodePointResult {
    let r = this.cache.get(cp);
    if (r === undefined) {
      r = this.computeCodePoint(cp);
      this.cache.set(cp, r);
    }
    return r;
  }

  /**
   * Normalizes `text[from, to)` and calls `onWord` for every pre-token, in order.
   * Words never span across `from`/`to`, which is how added tokens split the text first.
   */
  forEachWord(text: string, from: number, to: number, onWord: WordCallback): void {
    const starts = this.wordStarts;
    const ends = this.wordEnds;
    let word = '';
    let n = 0;
    const flush = (): void => {
      if (n > 0) {
        onWord(word, starts, ends, n);
        word = '';
        n = 0;
      }
    };
    let i = from;
    while (i < to) {
      let cp = text.codePointAt(i)!;
      let width = 1;
      if (cp > 0xffff) {
        if (i + 1 < to) width = 2;
        else cp = text.charCodeAt(i); // a surrogate pair cut by the range end: keep the halves apart
      }
      if (cp < 128) {
        const kind = this.asciiKind[cp];
        if (kind === WORD) {
          word += this.asciiChar[cp];
          starts[n] = i;
          ends[n] = i + 1;
          n++;
        } else if (kind === SPACE) {
          flush();
        } else if (kind === PUNCT) {
          flush();
          starts[0] = i;
          ends[0] = i + 1;
          onWord(this.asciiChar[cp], starts, ends, 1);
        }
      } else {
        const r = this.codePoint(cp);
        if (r.isolated) flush();
        for (let k = 0; k < r.chars.length; k++) {
          const kind = r.kinds[k];
          if (kind === WORD) {
            word += r.chars[k];
            starts[n] = i;
            ends[n] = i + width;
            n++;
          } else if (kind === SPACE) {
            flush();
          } else {
            flush();
            starts[0] = i;
            ends[0] = i + width;
            onWord(r.chars[k], starts, ends, 1);
          }
        }
        if (r.isolated) flush();
      }
      i += width;
    }
    flush();
  }

  /** Pre-tokens of `text` with their original spans (allocating; for tests, vocab building and inspection). */
  words(text: string): { word: string; start: number; end: number }[] {
    const out: { word: string; start: number; end: number }[] = [];
    this.forEachWord(text, 0, text.length, (word, s, e, n) => out.push({ word, start: s[0], end: e[n - 1] }));
    return out;
  }
}
