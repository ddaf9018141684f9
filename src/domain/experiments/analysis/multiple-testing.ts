/**
 * Holm–Bonferroni step-down adjustment (R `p.adjust(p, "holm")`): with the m available p-values
 * sorted ascending, adjusted_(i) = min(1, max_{j<=i} (m − j + 1) · p_(j)). The running maximum keeps
 * the adjusted values in the same order as the raw ones. Entries that are null (comparisons
 * without a test) are not part of the family and stay null.
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const idx: number[] = [];
  pValues.forEach((p, i) => {
    if (p === null) return;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`p-value ${i} must lie in [0, 1], got ${p}`);
    idx.push(i);
  });
  // Stable order for ties keeps the result independent of how equal p-values are listed.
  idx.sort((x, y) => (pValues[x] as number) - (pValues[y] as number) || x - y);
  const m = idx.length;
  const out: (number | null)[] = pValues.map(() => null);
  let running = 0;
  idx.forEach((orig, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * (pValues[orig] as number)));
    out[orig] = running;
  });
  return out;
}

export type Significance = '***' | '**' | '*' | 'ns';

/** The stars of the Python ablation analysis: *** p < .001, ** p < .01, * p < .05, else ns. */
export function significanceStars(p: number): Significance {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p-value must lie in [0, 1], got ${p}`);
  if (p < 0.001) return '***';
  if (p < 0.01) return '**';
  if (p < 0.05) return '*';
  return 'ns';
}
