/**
 * The `{easy,hard,ambiguous}_samples.json` selection of `analyze_cartography.py` (§2.6):
 * easy examples by confidence descending (the most confidently learnt), hard and ambiguous by
 * confidence ascending (the least).
 */
import type { Categorization } from './categories';
import type { CartographyCategory, CartographyMetricsRow } from './types';

export type CategorySamples = Record<CartographyCategory, CartographyMetricsRow[]>;

export function samplesPerCategory(
  rows: readonly CartographyMetricsRow[],
  categorization: Categorization,
  perCategory = 10,
): CategorySamples {
  if (!Number.isInteger(perCategory) || perCategory < 0) throw new RangeError(`samplesPerCategory: perCategory must be a non-negative integer, got ${perCategory}`);
  if (categorization.categories.length !== rows.length) throw new RangeError('samplesPerCategory: categorization does not belong to these rows');
  const out: CategorySamples = { easy: [], hard: [], ambiguous: [] };
  rows.forEach((r, i) => out[categorization.categories[i]].push(r));
  // Array#sort is stable, so ties keep file order, as pandas' sort_values(kind="stable") would.
  out.easy.sort((a, b) => b.confidence - a.confidence);
  out.hard.sort((a, b) => a.confidence - b.confidence);
  out.ambiguous.sort((a, b) => a.confidence - b.confidence);
  return { easy: out.easy.slice(0, perCategory), hard: out.hard.slice(0, perCategory), ambiguous: out.ambiguous.slice(0, perCategory) };
}
