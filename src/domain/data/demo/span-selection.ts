/**
 * Recurring span selection (Ram et al., "Few-Shot Question Answering by Pretraining Span
 * Selection", ACL 2021 — Splinter): a self-supervised pretraining task in the shape of extractive
 * QA, built from raw text alone. A pretraining note restates its facts in its closing lists (the
 * recap); a span of a recap item that occurs exactly once in the note body is replaced by [MASK],
 * the item becomes the query, and the model must point at that span in the body. No question
 * templates and no answer annotations are used: the "answer" is the text's own repetition.
 *
 * It teaches what masked-LM on the same text did not carry over to fine-tuning: a token of the
 * context scoring itself against an entity named in the query (which drug's sentence a dose
 * belongs to). Pure and deterministic for its seed.
 */
import type { QARecord } from '../types';
import { createRng, deriveSeed, type Rng } from '../../train/rng';

export interface SpanSelectionOptions {
  seed: number;
  /** Longest masked span, in words (Splinter: 10 tokens). */
  maxWords?: number;
  /** The mask written into the query; a special token of the tokenizer. */
  maskToken?: string;
}

export interface NoteWithRecap {
  context: string;
  recap: string;
}

// Spans made only of these say nothing about the fact being restated.
const FUNCTION_WORDS = new Set(['for', 'on', 'the', 'of', 'since', 'started', 'a', 'an', 'and', 'in', 'at', 'with', 'to', 'was']);

interface Word {
  text: string;
  start: number;
  end: number;
}

/** Words with their character offsets; punctuation around a word is not part of it. */
function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(/[^\s,;:()]+/g)) {
    const start = m.index;
    let end = start + m[0].length;
    while (end > start && text[end - 1] === '.') end--;
    if (end > start) out.push({ text: text.slice(start, end), start, end });
  }
  return out;
}

/** Character offsets of each case-insensitive, word-bounded occurrence of `needle` in `hay`. */
function occurrences(hay: string, needle: string): number[] {
  const h = hay.toLowerCase();
  const n = needle.toLowerCase();
  const found: number[] = [];
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) {
    const before = i === 0 ? ' ' : h[i - 1];
    const after = i + n.length >= h.length ? ' ' : h[i + n.length];
    if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) found.push(i);
  }
  return found;
}

/** The recap's items: the list entries between its headings' colons and the semicolons. */
export function recapItems(recap: string): string[] {
  return recap
    .split(/(?<=\.)\s+(?=[A-Z])/)
    .map((list) => list.replace(/^[^:]*:\s*/, '').replace(/\.$/, ''))
    .flatMap((list) => list.split(/;\s*/))
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** One query per recap item that has a span occurring exactly once in the note body. */
export function spanSelectionRecords(notes: readonly NoteWithRecap[], opts: SpanSelectionOptions): QARecord[] {
  const maxWords = opts.maxWords ?? 10;
  const mask = opts.maskToken ?? '[MASK]';
  const rng: Rng = createRng(deriveSeed(opts.seed, 'span-selection'));
  const records: QARecord[] = [];
  notes.forEach((note, n) => {
    recapItems(note.recap).forEach((item, k) => {
      const w = words(item);
      const candidates: { from: number; to: number; at: number }[] = [];
      for (let i = 0; i < w.length; i++) {
        for (let j = i; j < Math.min(w.length, i + maxWords); j++) {
          const span = item.slice(w[i].start, w[j].end);
          if (w.slice(i, j + 1).every((x) => FUNCTION_WORDS.has(x.text.toLowerCase()))) continue;
          // The query must still say what it is about.
          if ([...w.slice(0, i), ...w.slice(j + 1)].every((x) => FUNCTION_WORDS.has(x.text.toLowerCase()))) continue;
          const at = occurrences(note.context, span);
          if (at.length === 1) candidates.push({ from: w[i].start, to: w[j].end, at: at[0] });
        }
      }
      if (!candidates.length) return;
      const c = candidates[rng.nextInt(candidates.length)];
      const answer = note.context.slice(c.at, c.at + (c.to - c.from));
      records.push({
        id: `span-selection-${n}-${k}`,
        context: note.context,
        question: `${item.slice(0, c.from)}${mask}${item.slice(c.to)}`,
        answers: { text: [answer], answer_start: [c.at] },
      });
    });
  });
  return records;
}
