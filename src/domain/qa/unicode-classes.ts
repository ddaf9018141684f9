/**
 * Character classes of the Hugging Face `tokenizers` BERT normalizer and pre-tokenizer
 * (the Rust library behind the fast tokenizers the Python system used), by code point.
 */

const OTHER = /^\p{C}$/u; // Cc, Cf, Cs, Co, Cn: what Rust's `is_other()` calls control
const PUNCTUATION = /^\p{P}$/u;
const NONSPACING_MARK = /^\p{Mn}$/u;

/** Rust `char::is_whitespace` (the Unicode White_Space property); BERT adds \t \n \r, already in it. */
export function isBertWhitespace(cp: number): boolean {
  if (cp <= 0x20) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  if (cp < 0x85) return false;
  return (
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** BERT "control": any Unicode C* category except \t \n \r, which count as whitespace instead. */
export function isBertControl(cp: number): boolean {
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return false;
  if (cp < 0x80) return cp < 0x20 || cp === 0x7f;
  return OTHER.test(String.fromCodePoint(cp));
}

/** ASCII punctuation (33-47, 58-64, 91-96, 123-126, which includes symbols such as $ + < = > ^ ` | ~) or Unicode P*. */
export function isBertPunctuation(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
  }
  return PUNCTUATION.test(String.fromCodePoint(cp));
}

/**
 * The CJK ideograph blocks BERT isolates. The ranges are those of the Rust implementation,
 * including its 0x2B920 lower bound for Extension E (Python's slow tokenizer says 0x2B820).
 */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Unicode Mn, the marks accent stripping removes after NFD. */
export function isNonspacingMark(cp: number): boolean {
  if (cp < 0x300) return false;
  return NONSPACING_MARK.test(String.fromCodePoint(cp));
}
