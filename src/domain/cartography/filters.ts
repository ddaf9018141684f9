/**
 * The ambiguous-question filter (`AmbiguousQuestionFilter`, origin-system.md §3.1) with this
 * app's decisions: `topFraction` and `applyRuleBasedFilter` take effect, and a missing or
 * non-covering metrics input is an error instead of a silent fall-back to unfiltered data.
 */
import { categorize } from './categories';
import { checkCoverage, describeCoverage, type CoverageReport } from './coverage';
import { FilterInputError } from './errors';
import { pandasQuantile } from './quantile';
import type { CartographyCategory, CartographyMetricsRow, CategoryThresholds } from './types';

/** What the filter needs of a dataset row (QARecord satisfies it). */
export interface FilterableRow {
  id: string;
  question: string;
}

/** First words that make a question "well formed" for the rule-based filter (§3.1). */
export const QUESTION_FIRST_WORDS: ReadonlySet<string> = new Set([
  'what', 'when', 'where', 'why', 'how', 'who', 'which', 'has', 'have', 'is', 'are', 'was', 'were',
  'does', 'do', 'did', 'can', 'could', 'should', 'would',
]);

/** Lowercased first whitespace-separated word; '' for an empty question. */
export function questionFirstWord(question: string): string {
  const words = question.toLowerCase().trim().split(/\s+/);
  return words[0] ?? '';
}

export interface AmbiguousFilterOptions {
  /** Share of the ambiguous examples to KEEP, the most unstable ones; in (0, 1]. */
  topFraction: number;
  /** Also drop kept ambiguous rows whose question does not start with a question word. */
  applyRuleBasedFilter: boolean;
  /** Added to the median variability threshold (main's variability margin). Default 0. */
  variabilityMargin?: number;
  /**
   * Smallest share of dataset rows whose id must be in the metrics (default: any, i.e. > 0).
   *
   * Why not demand full coverage by default: partial coverage is part of the guide's own
   * workflow (validation cartography is computed on the first 2000 validation rows and then
   * applied to the eval set; a cartography run may use fewer training rows than the run that
   * filters), and the filter's defined behaviour keeps rows the metrics do not mention. Zero
   * coverage, however, can only mean the wrong file (another dataset, split or id scheme): the
   * "filter" would silently do nothing, which is exactly the Python failure mode we refuse. So
   * zero coverage always fails, partial coverage proceeds with a warning and the counts in the
   * report, and a caller that wants strictness sets this (1 = every row must be covered).
   */
  minCoverage?: number;
  /** Where the metrics came from, for messages (e.g. an artifact name or file path). */
  source?: string;
  /** Split name for messages ("train", "validation"). */
  split?: string;
}

export interface AmbiguousFilterReport {
  filter: 'ambiguous';
  split: string;
  source: string;
  topFraction: number;
  applyRuleBasedFilter: boolean;
  inputRows: number;
  keptRows: number;
  removedRows: number;
  /** Median thresholds used for the categories (variability includes the margin). */
  thresholds: CategoryThresholds;
  /** Instability cut among ambiguous examples; null when the metrics have no ambiguous example. */
  instabilityThreshold: number | null;
  /** Categories over the whole metrics file. */
  metricsCategories: Record<CartographyCategory, number>;
  kept: { easy: number; hard: number; top_ambiguous: number; absent_from_metrics: number };
  removed: { ambiguous_below_threshold: number; rule_based_first_word: number };
  coverage: CoverageReport;
  warnings: string[];
}

export interface FilterResult<R, Report> {
  kept: R[];
  report: Report;
}

/** instability = (1 − confidence) + variability. */
export function instability(row: Pick<CartographyMetricsRow, 'confidence' | 'variability'>): number {
  return 1 - row.confidence + row.variability;
}

/**
 * Keeps easy and hard examples, the `topFraction` most unstable ambiguous ones (instability at
 * or above the pandas linear quantile at 1 − topFraction), and rows whose id the metrics do
 * not mention. Rows come back in input order.
 */
export function filterAmbiguous<R extends FilterableRow>(
  rows: readonly R[],
  metrics: readonly CartographyMetricsRow[] | null | undefined,
  options: AmbiguousFilterOptions,
): FilterResult<R, AmbiguousFilterReport> {
  const split = options.split ?? 'train';
  const source = options.source ?? 'cartography metrics';
  const name = `ambiguous filter (${split})`;
  const { topFraction, applyRuleBasedFilter } = options;
  if (!(topFraction > 0 && topFraction <= 1)) throw new FilterInputError(name, 'invalid_option', `top_fraction must be in (0, 1], got ${topFraction}`);
  const minCoverage = options.minCoverage;
  if (minCoverage !== undefined && !(minCoverage >= 0 && minCoverage <= 1)) throw new FilterInputError(name, 'invalid_option', `minCoverage must be in [0, 1], got ${minCoverage}`);
  if (!metrics || metrics.length === 0) {
    throw new FilterInputError(name, 'missing_input', `no cartography metrics (${source}); run cartography on the ${split} split first or choose a metrics artifact`);
  }

  const coverage = checkCoverage(
    metrics.map((m) => m.id),
    rows.map((r) => r.id),
  );
  if (rows.length > 0 && coverage.coveredRows === 0) {
    throw new FilterInputError(name, 'no_coverage', `the metrics (${source}) cover none of the ${rows.length} ${split} rows: ${describeCoverage(coverage)}`);
  }
  if (minCoverage !== undefined && rows.length > 0 && coverage.coverage < minCoverage) {
    throw new FilterInputError(
      name,
      'insufficient_coverage',
      `the metrics (${source}) cover ${(coverage.coverage * 100).toFixed(1)}% of the ${split} rows, below the required ${(minCoverage * 100).toFixed(1)}%: ${describeCoverage(coverage)}`,
    );
  }

  const cat = categorize(metrics, { variabilityMargin: options.variabilityMargin });
  const byId = new Map<string, { category: CartographyCategory; instability: number }>();
  const ambiguousInstability: number[] = [];
  metrics.forEach((m, i) => {
    const s = instability(m);
    byId.set(m.id, { category: cat.categories[i], instability: s });
    if (cat.categories[i] === 'ambiguous') ambiguousInstability.push(s);
  });
  const threshold = ambiguousInstability.length ? pandasQuantile(ambiguousInstability, 1 - topFraction) : null;

  const warnings: string[] = [];
  if (coverage.coverage < 1 && rows.length > 0) {
    warnings.push(`${coverage.missingRows} of ${coverage.datasetRows} ${split} rows have no cartography metrics and are kept unfiltered (${describeCoverage(coverage)})`);
  }
  if (threshold === null) warnings.push('the metrics contain no ambiguous example: nothing is removed');

  const report: AmbiguousFilterReport = {
    filter: 'ambiguous',
    split,
    source,
    topFraction,
    applyRuleBasedFilter,
    inputRows: rows.length,
    keptRows: 0,
    removedRows: 0,
    thresholds: cat.thresholds,
    instabilityThreshold: threshold,
    metricsCategories: cat.counts,
    kept: { easy: 0, hard: 0, top_ambiguous: 0, absent_from_metrics: 0 },
    removed: { ambiguous_below_threshold: 0, rule_based_first_word: 0 },
    coverage,
    warnings,
  };
  const kept: R[] = [];
  for (const row of rows) {
    const m = byId.get(row.id);
    if (m === undefined) {
      report.kept.absent_from_metrics++;
      kept.push(row);
    } else if (m.category !== 'ambiguous') {
      report.kept[m.category]++;
      kept.push(row);
    } else if (threshold !== null && m.instability < threshold) {
      report.removed.ambiguous_below_threshold++;
    } else if (applyRuleBasedFilter && !QUESTION_FIRST_WORDS.has(questionFirstWord(row.question))) {
      report.removed.rule_based_first_word++;
    } else {
      report.kept.top_ambiguous++;
      kept.push(row);
    }
  }
  report.keptRows = kept.length;
  report.removedRows = rows.length - kept.length;
  return { kept, report };
}

/**
 * `filter_validation_set`: the same filter on the eval rows, with the metrics of a validation
 * cartography run (§2.5, §3.2).
 */
export function filterValidationAmbiguous<R extends FilterableRow>(
  rows: readonly R[],
  validationMetrics: readonly CartographyMetricsRow[] | null | undefined,
  options: Omit<AmbiguousFilterOptions, 'split'>,
): FilterResult<R, AmbiguousFilterReport> {
  return filterAmbiguous(rows, validationMetrics, { ...options, split: 'validation' });
}
