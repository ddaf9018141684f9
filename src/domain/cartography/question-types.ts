/**
 * Per question type summaries (`analyze_cartography.py`, origin-system.md §2.6).
 */
import { numpyMean } from './metrics';
import type { CartographyMetricsRow } from './types';

export type QuestionType = 'temporal' | 'numerical' | 'what/which' | 'yes/no' | 'why' | 'how' | 'other';

export const QUESTION_TYPES: readonly QuestionType[] = ['temporal', 'numerical', 'what/which', 'yes/no', 'why', 'how', 'other'];

/**
 * The Python code's substring tests on the lowercased question, first match wins. They are
 * plain substring tests, so "is" also matches "this" and "time" matches "sometimes"; that is
 * what the Python system did and what its numbers mean.
 */
const RULES: readonly [QuestionType, readonly string[]][] = [
  ['temporal', ['when', 'date', 'time', 'year']],
  ['numerical', ['how many', 'how much', 'dose', 'dosage']],
  ['what/which', ['what', 'which']],
  ['yes/no', ['has', 'does', 'is', 'was', 'did']],
  ['why', ['why']],
  ['how', ['how']],
];

export function questionType(question: string): QuestionType {
  const q = question.toLowerCase();
  for (const [type, needles] of RULES) if (needles.some((w) => q.includes(w))) return type;
  return 'other';
}

export interface MetricSummary {
  mean: number;
  /** Sample standard deviation (ddof = 1, pandas' default in groupby().agg('std')); null for a single row. */
  std: number | null;
}

export interface QuestionTypeSummary {
  question_type: QuestionType;
  count: number;
  confidence: MetricSummary;
  variability: MetricSummary;
  correctness: MetricSummary;
}

function summarize(values: number[]): MetricSummary {
  const m = numpyMean(values);
  if (values.length < 2) return { mean: m, std: null };
  let s = 0;
  for (const v of values) s += (v - m) * (v - m);
  return { mean: m, std: Math.sqrt(s / (values.length - 1)) };
}

/**
 * Mean, std and count of the metrics per question type, for the rows whose question is known.
 * Types without any row are left out (as a pandas groupby leaves them out); rows come in
 * QUESTION_TYPES order.
 */
export function analyzeQuestionTypes(
  rows: readonly CartographyMetricsRow[],
  questionOf: (id: string) => string | undefined,
): QuestionTypeSummary[] {
  const groups = new Map<QuestionType, CartographyMetricsRow[]>();
  for (const r of rows) {
    const q = questionOf(r.id);
    if (q === undefined) continue;
    const t = questionType(q);
    let g = groups.get(t);
    if (!g) groups.set(t, (g = []));
    g.push(r);
  }
  const out: QuestionTypeSummary[] = [];
  for (const t of QUESTION_TYPES) {
    const g = groups.get(t);
    if (!g) continue;
    out.push({
      question_type: t,
      count: g.length,
      confidence: summarize(g.map((r) => r.confidence)),
      variability: summarize(g.map((r) => r.variability)),
      correctness: summarize(g.map((r) => r.correctness)),
    });
  }
  return out;
}
