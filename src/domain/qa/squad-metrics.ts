/**
 * SQuAD v1.1 exact match and token F1 (the `evaluate` "squad" metric, origin-system.md §1.5),
 * reproducing Python's string semantics: `str.lower()`, `string.punctuation` (ASCII only: Unicode
 * punctuation stays), `re.sub(r"\b(a|an|the)\b", " ", ...)` with Python's Unicode-aware `\b`, and
 * `str.split()` on Python whitespace.
 */
import { pythonSplit } from './python-strings';

/** Python `string.punctuation`. */
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/**
 * Python's `\w` for str patterns is alphanumeric (str.isalnum: letters L*, digits and numerics N*)
 * plus underscore; JavaScript's `\b` only knows ASCII, so the boundary is spelled out.
 */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

export function normalizeAnswer(s: string): string {
  const lower = s.toLowerCase();
  let noPunct = '';
  for (const ch of lower) if (!PUNCTUATION.has(ch)) noPunct += ch;
  const noArticles = noPunct.replace(ARTICLES, ' ');
  return pythonSplit(noArticles).join(' ');
}

export function exactMatchScore(prediction: string, groundTruth: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(groundTruth);
}

/** Token F1 with multiset overlap; 0 when nothing overlaps (also when both normalize to nothing). */
export function f1Score(prediction: string, groundTruth: string): number {
  const pred = pythonSplit(normalizeAnswer(prediction));
  const gold = pythonSplit(normalizeAnswer(groundTruth));
  const counts = new Map<string, number>();
  for (const t of gold) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of pred) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      same++;
      counts.set(t, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / pred.length;
  const recall = same / gold.length;
  return (2 * precision * recall) / (precision + recall);
}

export interface SquadMetrics {
  eval_exact_match: number;
  eval_f1: number;
}

export interface SquadReference {
  id: string;
  answers: { text: readonly string[] };
}

function maxOverGolds<T extends number | boolean>(fn: (p: string, g: string) => T, prediction: string, golds: readonly string[], id: string): number {
  if (golds.length === 0) throw new Error(`squad metric: reference ${JSON.stringify(id)} has no gold answer (SQuAD v1.1 needs at least one)`);
  let best = -Infinity;
  for (const g of golds) best = Math.max(best, Number(fn(prediction, g)));
  return best;
}

/**
 * The squad metric over references in order, predictions looked up by id (as `evaluate` does):
 * a reference without a prediction scores 0 but still counts. Values are percentages.
 */
export function computeSquadMetrics(predictions: ReadonlyMap<string, string>, references: readonly SquadReference[]): SquadMetrics {
  if (references.length === 0) throw new Error('squad metric: no references to score');
  let em = 0;
  let f1 = 0;
  for (const ref of references) {
    const prediction = predictions.get(ref.id);
    if (prediction === undefined) continue;
    em += maxOverGolds(exactMatchScore, prediction, ref.answers.text, ref.id);
    f1 += maxOverGolds(f1Score, prediction, ref.answers.text, ref.id);
  }
  return { eval_exact_match: (100 * em) / references.length, eval_f1: (100 * f1) / references.length };
}

/** The same metric when predictions are already aligned with the references, one per reference. */
export function squadMetricsAligned(predictions: readonly string[], goldAnswers: readonly (readonly string[])[]): SquadMetrics {
  if (predictions.length !== goldAnswers.length) throw new Error(`squad metric: ${predictions.length} predictions for ${goldAnswers.length} references`);
  if (predictions.length === 0) throw new Error('squad metric: no references to score');
  let em = 0;
  let f1 = 0;
  predictions.forEach((p, i) => {
    em += maxOverGolds(exactMatchScore, p, goldAnswers[i], `#${i}`);
    f1 += maxOverGolds(f1Score, p, goldAnswers[i], `#${i}`);
  });
  return { eval_exact_match: (100 * em) / predictions.length, eval_f1: (100 * f1) / predictions.length };
}
