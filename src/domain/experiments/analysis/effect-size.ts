/**
 * Cohen's d as the Python ablation analysis (`analyze_ablations.py`) computes it:
 * d = (mean_a − mean_b) / sqrt((var_a + var_b) / 2), variances with ddof 1, for paired and
 * unpaired comparisons alike, classified at |d| 0.2 / 0.5 / 0.8.
 *
 * Departure: where both variances are zero Python reports d = 0; here d is undefined (null with a
 * reason), because a non-zero difference between two constant samples is not a null effect.
 */
import { mean, sampleVariance } from './descriptive';

export type EffectMagnitude = 'negligible' | 'small' | 'medium' | 'large';

export type CohensDResult =
  | { ok: true; d: number; magnitude: EffectMagnitude }
  | { ok: false; reason: string };

export function effectMagnitude(d: number): EffectMagnitude {
  const a = Math.abs(d);
  if (a < 0.2) return 'negligible';
  if (a < 0.5) return 'small';
  if (a < 0.8) return 'medium';
  return 'large';
}

export function cohensD(a: readonly number[], b: readonly number[]): CohensDResult {
  if (a.length < 2 || b.length < 2) {
    return { ok: false, reason: `Cohen's d needs at least 2 runs in each group, got ${a.length} and ${b.length}` };
  }
  const va = sampleVariance(a) as number;
  const vb = sampleVariance(b) as number;
  const s = Math.sqrt((va + vb) / 2);
  if (s === 0) return { ok: false, reason: "both groups have zero variance, so Cohen's d is undefined" };
  const d = ((mean(a) as number) - (mean(b) as number)) / s;
  return { ok: true, d, magnitude: effectMagnitude(d) };
}
