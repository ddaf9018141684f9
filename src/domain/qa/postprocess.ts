/**
 * From start/end logits to answer texts (postprocess_qa_predictions, origin-system.md §1.4):
 * per window the 20 highest start and end indices; pairs skipped when out of range, on a token
 * without offsets, reversed, or longer than 30 tokens; score = start + end logit (float32); the best
 * candidate over all windows of the example gives context[start offset, end offset).
 * "empty" when there is no candidate (SQuAD v1: no null answer).
 */
import type { EvalFeatures } from './features';

export interface PostprocessOptions {
  /** Default 20. */
  nBest?: number;
  /** Longest answer in tokens; default 30. */
  maxAnswerLength?: number;
}

export interface AnswerCandidate {
  text: string;
  score: number;
  startLogit: number;
  endLogit: number;
  window: number;
  startToken: number;
  endToken: number;
}

export interface PostprocessResult {
  /** Per example, in example order: the predicted answer text. */
  predictions: string[];
  /** Per example: the n-best candidates, best first (empty when the prediction is "empty"). */
  nBest: AnswerCandidate[][];
}

export const EMPTY_PREDICTION = 'empty';

/**
 * Indices of the `k` largest values, largest first. Ties go to the higher index first, as numpy's
 * `argsort(x)[-1:-k-1:-1]` does for equal keys under a stable sort.
 */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const n = values.length;
  const take = Math.min(k, n);
  const top: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) throw new Error(`logits contain NaN at index ${i}`);
    if (top.length === take && !(v >= values[top[take - 1]])) continue;
    // Insert keeping descending value, and among equal values descending index (i is the largest so far).
    let pos = top.length;
    while (pos > 0 && values[top[pos - 1]] <= v) pos--;
    top.splice(pos, 0, i);
    if (top.length > take) top.pop();
  }
  return top;
}

/**
 * Answers for every example of `features`. `startLogits[w]` / `endLogits[w]` are the logits of window
 * w at any padded length (positions past the window are ignored like Python's None offsets).
 * `contexts[e]` is the context of example e (the records the features were built from).
 */
export function postprocessQAPredictions(
  contexts: readonly string[],
  features: EvalFeatures,
  startLogits: readonly ArrayLike<number>[],
  endLogits: readonly ArrayLike<number>[],
  options: PostprocessOptions = {},
): PostprocessResult {
  const nBest = options.nBest ?? 20;
  const maxLen = options.maxAnswerLength ?? 30;
  if (startLogits.length !== features.count || endLogits.length !== features.count) {
    throw new Error(`postprocess: got ${startLogits.length} start and ${endLogits.length} end logit rows for ${features.count} windows`);
  }
  const windowsOf: number[][] = contexts.map(() => []);
  for (let w = 0; w < features.count; w++) {
    const e = features.exampleIndex[w];
    if (e >= contexts.length) throw new Error(`postprocess: window ${w} belongs to example ${e}, but only ${contexts.length} contexts were given`);
    windowsOf[e].push(w);
  }
  const predictions: string[] = [];
  const all: AnswerCandidate[][] = [];
  for (let e = 0; e < contexts.length; e++) {
    const prelim: AnswerCandidate[] = [];
    for (const w of windowsOf[e]) {
      const sl = startLogits[w];
      const el = endLogits[w];
      const from = features.tokenStart[w];
      const len = features.tokenStart[w + 1] - from;
      const startAt = (p: number): number => (p < len ? features.offsets[2 * (from + p)] : -1);
      const endAt = (p: number): number => features.offsets[2 * (from + p) + 1];
      const starts = topKIndices(sl, nBest);
      const ends = topKIndices(el, nBest);
      for (const s of starts) {
        for (const t of ends) {
          if (startAt(s) < 0 || startAt(t) < 0) continue;
          if (t < s || t - s + 1 > maxLen) continue;
          prelim.push({
            text: contexts[e].slice(startAt(s), endAt(t)),
            score: Math.fround(sl[s] + el[t]),
            startLogit: sl[s],
            endLogit: el[t],
            window: w,
            startToken: s,
            endToken: t,
          });
        }
      }
    }
    // Stable sort, best first: equal scores keep their discovery order, as Python's sorted(reverse=True).
    prelim.sort((a, b) => b.score - a.score);
    const best = prelim.slice(0, nBest);
    const empty = best.length === 0 || (best.length === 1 && best[0].text === '');
    predictions.push(empty ? EMPTY_PREDICTION : best[0].text);
    all.push(empty ? [] : best);
  }
  return { predictions, nBest: all };
}
