/**
 * The WordPiece model: greedy longest-match-first over the code points of one pre-token,
 * continuation pieces carrying a prefix ("##"). A word longer than `maxInputCharsPerWord` code
 * points, or one that cannot be covered by vocabulary pieces, becomes a single unknown token
 * spanning the whole word, as in Hugging Face `tokenizers`.
 */

export interface WordPieceOptions {
  vocab: ReadonlyMap<string, number>;
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
}

/** Pieces of one word, flat: [id, firstCodePoint, endCodePoint, id, ...] in code points of the word. */
export type WordPieces = Int32Array;

const CACHE_LIMIT = 200_000;

export class WordPieceModel {
  readonly unkId: number;
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly prefix: string;
  private readonly maxChars: number;
  /** Longest vocabulary entry in code points (prefix excluded): no longer substring can match. */
  private readonly longestPiece: number;
  private readonly cache = new Map<string, WordPieces>();

  constructor(options: WordPieceOptions) {
    this.vocab = options.vocab;
    this.prefix = options.continuingSubwordPrefix;
    this.maxChars = options.maxInputCharsPerWord;
    const unk = options.vocab.get(options.unkToken);
    if (unk === undefined) throw new Error(`WordPiece: unk_token "${options.unkToken}" is not in the vocabulary`);
    this.unkId = unk;
    let longest = 1;
    for (const token of options.vocab.keys()) {
      const body = this.prefix.length > 0 && token.startsWith(this.prefix) ? token.slice(this.prefix.length) : token;
      let n = 0;
      for (let i = 0; i < body.length; i++) {
        const c = body.charCodeAt(i);
        if (c < 0xdc00 || c > 0xdfff) n++; // count code points: skip low surrogates
      }
      if (n > longest) longest = n;
    }
    this.longestPiece = longest;
  }

  /** Pieces of `word`, whose length in code points is `codePoints`. Cached: do not mutate the result. */
  tokenize(word: string, codePoints: number): WordPieces {
    const hit = this.cache.get(word);
    if (hit !== undefined) return hit;
    const pieces = this.compute(word, codePoints);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, pieces);
    return pieces;
  }

  private compute(word: string, n: number): WordPieces {
    if (n > this.maxChars) return Int32Array.of(this.unkId, 0, n);
    // UTF-16 index of each code point boundary (identity when the word has no astral characters).
    let unit: ArrayLike<number> | null = null;
    if (word.length !== n) {
      const u = new Int32Array(n + 1);
      let k = 0;
      for (let i = 0; i < word.length; k++) {
        u[k] = i;
        i += word.codePointAt(i)! > 0xffff ? 2 : 1;
      }
      u[n] = word.length;
      unit = u;
    }
    const out: number[] = [];
    let start = 0;
    while (start < n) {
      let end = Math.min(n, start + this.longestPiece);
      let id: number | undefined;
      while (start < end) {
        const body = unit === null ? word.slice(start, end) : word.slice(unit[start], unit[end]);
        id = this.vocab.get(start > 0 ? this.prefix + body : body);
        if (id !== undefined) break;
        end--;
      }
      if (id === undefined) return Int32Array.of(this.unkId, 0, n);
      out.push(id, start, end);
      start = end;
    }
    return Int32Array.from(out);
  }
}
