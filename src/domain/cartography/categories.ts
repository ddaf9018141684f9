/**
 * Easy / hard / ambiguous by median thresholds (`categorize_examples`, origin-system.md §2.4).
 */
import { median } from './quantile';
import type { CartographyCategory, CartographyMetricsRow, CategoryThresholds } from './types';

export interface CategorizeOptions {
  /** Added to the variability threshold (main's `--*_variability_margin`). Default 0. */
  variabilityMargin?: number;
  /** Fixed thresholds instead of the medians of `rows` (the margin is still added to variability). */
  thresholds?: { confidence: number; variability: number };
}

export interface Categorization {
  thresholds: CategoryThresholds;
  /** One category per input row, aligned with the input. */
  categories: CartographyCategory[];
  counts: Record<CartographyCategory, number>;
}

/** The category of one example given the thresholds. */
export function categoryOf(confidence: number, variability: number, t: CategoryThresholds): CartographyCategory {
  if (variability > t.variability) return 'ambiguous';
  return confidence >= t.confidence ? 'easy' : 'hard';
}

/**
 * Categorizes every row. Thresholds default to the medians over all rows:
 * variability above the threshold is ambiguous whatever the confidence; otherwise easy when
 * confidence >= its median, hard below it.
 */
export function categorize(rows: readonly CartographyMetricsRow[], options: CategorizeOptions = {}): Categorization {
  const margin = options.variabilityMargin ?? 0;
  if (!Number.isFinite(margin)) throw new RangeError(`categorize: variabilityMargin must be finite, got ${margin}`);
  let base = options.thresholds;
  if (base === undefined) {
    if (rows.length === 0) throw new RangeError('categorize: no metrics rows to take medians from');
    base = { confidence: median(rows.map((r) => r.confidence)), variability: median(rows.map((r) => r.variability)) };
  }
  const thresholds: CategoryThresholds = { confidence: base.confidence, variability: base.variability + margin };
  const counts: Record<CartographyCategory, number> = { easy: 0, hard: 0, ambiguous: 0 };
  const categories = rows.map((r) => {
    const c = categoryOf(r.confidence, r.variability, thresholds);
    counts[c]++;
    return c;
  });
  return { thresholds, categories, counts };
}

/** id → category for lookups by dataset row. */
export function categoryById(rows: readonly CartographyMetricsRow[], categorization: Categorization): Map<string, CartographyCategory> {
  const m = new Map<string, CartographyCategory>();
  rows.forEach((r, i) => m.set(r.id, categorization.categories[i]));
  return m;
}
