/**
 * Training dynamics and cartography metrics (origin-system.md §2). Field names follow the
 * Python system's files so that rows serialize without renaming.
 */

/** What one training epoch recorded for one example (§2.1): gold start/end probabilities and token-level correctness. */
export interface EpochDynamics {
  start_prob: number;
  end_prob: number;
  correct: boolean;
}

/**
 * `dynamics[exampleId][epoch]`, epochs 0-based as `int(state.epoch)` gives them. This is the
 * shape of `training_dynamics_epoch_N.json` (whose epoch keys are the strings "0", "1", ...).
 * Examples are enumerated in object key order; note that JavaScript lists integer-like keys
 * (e.g. "42") before other strings, which only affects the order rows are written in.
 */
export type TrainingDynamics = Record<string, Record<number, EpochDynamics>>;

/** One row of `cartography_metrics.csv` (§2.2). */
export interface CartographyMetricsRow {
  id: string;
  /** Mean over epochs of sqrt(p_start · p_end). */
  confidence: number;
  /** Population standard deviation of the same per-epoch values. */
  variability: number;
  /** Fraction of epochs in which both argmaxes hit the gold positions. */
  correctness: number;
  num_epochs: number;
  /** Mean p_start; null when the source (allenai td_metrics.jsonl) does not have it. */
  start_confidence: number | null;
  /** Mean p_end; null when the source does not have it. */
  end_confidence: number | null;
}

export type CartographyCategory = 'easy' | 'hard' | 'ambiguous';

export const CARTOGRAPHY_CATEGORIES: readonly CartographyCategory[] = ['easy', 'hard', 'ambiguous'];

/** The thresholds a categorization used (medians over the metrics file unless given). */
export interface CategoryThresholds {
  confidence: number;
  /** Median variability plus the variability margin. */
  variability: number;
}
