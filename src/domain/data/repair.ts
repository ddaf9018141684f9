import type { QARecord } from './types';

/** The occurrence of `text` in `context` closest to `near` (earlier one on ties), or -1. */
export function nearestOccurrence(context: string, text: string, near: number): number {
  if (text === '') return -1;
  let best = -1;
  let bestDist = Infinity;
  for (let pos = context.indexOf(text); pos !== -1; pos = context.indexOf(text, pos + 1)) {
    const d = Math.abs(pos - near);
    if (d < bestDist) {
      best = pos;
      bestDist = d;
    }
    // Occurrences only move further right from here on.
    if (pos > near) break;
  }
  return best;
}

/**
 * Moves each listed answer's start to the nearest occurrence of its text (and its end, when the row
 * carries answer_end, to start + len(text)). Returns null when some answer's text is not in the context.
 */
export function repairSpans(rec: QARecord, bad: readonly number[]): QARecord | null {
  const start = rec.answers.answer_start.slice();
  const end = rec.answers.answer_end?.slice();
  for (const i of bad) {
    const pos = nearestOccurrence(rec.context, rec.answers.text[i], start[i]);
    if (pos < 0) return null;
    start[i] = pos;
    if (end) end[i] = pos + rec.answers.text[i].length;
  }
  return { ...rec, answers: { text: rec.answers.text, answer_start: start, ...(end ? { answer_end: end } : {}) } };
}
