import { createRng } from '../train/rng';

/**
 * Which rows of a split to use. "first" is the Python system's max_train_samples / max_eval_samples
 * (the first N rows, in file order); "random" is a seeded sample without replacement, offered as an
 * option. n larger than the split takes every row.
 */
export type SampleSpec = { mode: 'all' } | { mode: 'first'; n: number } | { mode: 'random'; n: number; seed: number };

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`sample size must be a non-negative integer, got ${n}`);
}

/** Row indexes selected by `spec` out of `total`, ascending (so storage can stream them chunk by chunk). */
export function sampleIndices(total: number, spec: SampleSpec): Int32Array {
  if (spec.mode === 'all') return Int32Array.from({ length: total }, (_, i) => i);
  checkN(spec.n);
  const n = Math.min(spec.n, total);
  if (spec.mode === 'first') return Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(spec.seed);
  // Partial Fisher–Yates: the first n slots of a shuffled 0..total-1.
  const idx = Int32Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + rng.nextInt(total - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, n).sort();
}

/** Applies a SampleSpec to rows already in memory. */
export function sampleRows<T>(rows: readonly T[], spec: SampleSpec): T[] {
  if (spec.mode === 'all') return rows.slice();
  if (spec.mode === 'first') {
    checkN(spec.n);
    return rows.slice(0, spec.n);
  }
  return Array.from(sampleIndices(rows.length, spec), (i) => rows[i]);
}

/** max_train_samples semantics: null/undefined keeps every row. */
export function firstN<T>(rows: readonly T[], n: number | null | undefined): T[] {
  return n === null || n === undefined ? rows.slice() : sampleRows(rows, { mode: 'first', n });
}
