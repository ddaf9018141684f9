// Shared crafted runs for the analysis tests: 3 seeds of baseline and cartography (paired),
// label smoothing with one failed seed plus seed 44 (unpaired, Welch), soft weighting with one run.
import type { AnalysisRow } from '../../src/domain/experiments/analysis/rows';

export function run(over: Partial<AnalysisRow> & Pick<AnalysisRow, 'experiment_name'>): AnalysisRow {
  return {
    config_hash: '00000000',
    success: true,
    duration_seconds: 600,
    timestamp: '2025-01-02T10:00:00.000001',
    error: null,
    eval_exact_match: 60,
    eval_f1: 70,
    seed: 42,
    num_train_epochs: 3,
    learning_rate: 5e-5,
    max_train_samples: 10000,
    max_eval_samples: 2000,
    cartography_filter: false,
    cluster_filter: false,
    label_smoothing: false,
    soft_weighting: false,
    ...over,
  };
}

const failure = { success: false, eval_f1: null, eval_exact_match: null, error: "Command '[...]' returned non-zero exit status 1." };

/** Also the input from which the pandas reference outputs in the summary and CSV tests were produced. */
export const suiteRows: AnalysisRow[] = [
  run({ experiment_name: 'baseline_seed42', config_hash: '4ea7e299', duration_seconds: 612.5, timestamp: '2025-01-02T10:00:00.000001', eval_exact_match: 61.25, eval_f1: 72.03125, seed: 42 }),
  run({ experiment_name: 'cartography_top33_seed42', config_hash: 'aaaa0001', duration_seconds: 455.25, timestamp: '2025-01-02T10:11:00.000001', eval_exact_match: 63.4, eval_f1: 73.91, seed: 42, cartography_filter: true }),
  run({ experiment_name: 'label_smooth6_seed42', config_hash: 'aaaa0002', duration_seconds: 12.0, timestamp: '2025-01-02T10:20:00.000001', ...failure, seed: 42, label_smoothing: true }),
  run({ experiment_name: 'baseline_seed43', config_hash: 'bbbb0001', duration_seconds: 600.0, timestamp: '2025-01-02T11:00:00.000001', eval_exact_match: 60.8, eval_f1: 71.5, seed: 43 }),
  run({ experiment_name: 'cartography_top33_seed43', config_hash: 'bbbb0002', duration_seconds: null, timestamp: '2025-01-02T11:11:00.000001', eval_exact_match: 62.9, eval_f1: 73.2, seed: 43, cartography_filter: true }),
  run({ experiment_name: 'label_smooth6_seed43', config_hash: 'bbbb0003', duration_seconds: 630.125, timestamp: '2025-01-02T11:20:00.000001', eval_exact_match: 61.0, eval_f1: 72.4, seed: 43, label_smoothing: true }),
  run({ experiment_name: 'baseline_seed44', config_hash: 'cccc0001', duration_seconds: 605.0, timestamp: '2025-01-02T12:00:00.000001', eval_exact_match: 61.7, eval_f1: 72.6, seed: 44 }),
  run({ experiment_name: 'cartography_top33_seed44', config_hash: 'cccc0002', duration_seconds: 450.0, timestamp: '2025-01-02T12:11:00.000001', eval_exact_match: 64.1, eval_f1: 74.35, seed: 44, cartography_filter: true }),
];

/** suiteRows plus label_smooth6_seed44 and a single soft-weighting run, for the comparison tests. */
export const comparisonRows: AnalysisRow[] = [
  ...suiteRows,
  run({ experiment_name: 'label_smooth6_seed44', config_hash: 'cccc0003', timestamp: '2025-01-02T12:20:00.000001', eval_exact_match: 61.9, eval_f1: 72.9, seed: 44, label_smoothing: true }),
  run({ experiment_name: 'soft_weight_seed42', config_hash: 'aaaa0004', timestamp: '2025-01-02T10:30:00.000001', eval_exact_match: 62, eval_f1: 73, seed: 42, soft_weighting: true }),
];
