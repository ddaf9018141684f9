/**
 * The one input shape of the analysis: a flat row per experiment run, the same row the Python
 * `load_experiment_results` builds (origin-system §9.1) and `export_results_csv` writes.
 *
 * Mapping from the results.csv columns (§9.1, in that order) and from our own records:
 *
 * | results.csv column   | field                 | from results.json / config.json                     |
 * |----------------------|-----------------------|-----------------------------------------------------|
 * | experiment_name      | experiment_name       | results.experiment_name                             |
 * | config_hash          | config_hash           | results.config_hash (8 hex chars)                   |
 * | success              | success               | results.success ("True"/"False" in the CSV)         |
 * | duration_seconds     | duration_seconds      | results.duration_seconds; empty → null              |
 * | timestamp            | timestamp             | results.timestamp (local ISO, no zone); empty → null|
 * | error                | error                 | results.error; empty → null                         |
 * | eval_exact_match     | eval_exact_match      | results.metrics.eval_exact_match (0–100); → null    |
 * | eval_f1              | eval_f1               | results.metrics.eval_f1 (0–100); empty → null       |
 * | seed                 | seed                  | config.training.seed                                |
 * | num_train_epochs     | num_train_epochs      | config.training.num_train_epochs                    |
 * | learning_rate        | learning_rate         | config.training.learning_rate                       |
 * | max_train_samples    | max_train_samples     | config.training.max_train_samples (pandas may write 10000.0) |
 * | max_eval_samples     | max_eval_samples      | config.training.max_eval_samples                    |
 * | cartography_filter   | cartography_filter    | config.training.cartography_filter.enabled          |
 * | cluster_filter       | cluster_filter        | config.training.cluster_filter.enabled              |
 * | label_smoothing      | label_smoothing       | config.training.label_smoothing.enabled             |
 * | soft_weighting       | soft_weighting        | config.training.soft_weighting.enabled              |
 * | (none)               | config_fingerprint    | optional: a hash of the config with name, description and seed left out, set by the caller to group by configuration instead of by name |
 *
 * Missing values are `null` (an empty CSV cell, a JSON null or an absent key), never NaN.
 */
export interface AnalysisRow {
  experiment_name: string;
  config_hash: string;
  success: boolean;
  duration_seconds: number | null;
  timestamp: string | null;
  error: string | null;
  eval_exact_match: number | null;
  eval_f1: number | null;
  seed: number | null;
  num_train_epochs: number | null;
  learning_rate: number | null;
  max_train_samples: number | null;
  max_eval_samples: number | null;
  cartography_filter: boolean;
  cluster_filter: boolean;
  label_smoothing: boolean;
  soft_weighting: boolean;
  config_fingerprint?: string;
}

/** The results.csv columns in the order the Python analysis writes them. */
export const RESULTS_CSV_COLUMNS = [
  'experiment_name',
  'config_hash',
  'success',
  'duration_seconds',
  'timestamp',
  'error',
  'eval_exact_match',
  'eval_f1',
  'seed',
  'num_train_epochs',
  'learning_rate',
  'max_train_samples',
  'max_eval_samples',
  'cartography_filter',
  'cluster_filter',
  'label_smoothing',
  'soft_weighting',
] as const;

export type ResultsCsvColumn = (typeof RESULTS_CSV_COLUMNS)[number];

/** The four strategy flags, in the order Python prints and plots them. */
export const STRATEGY_FLAGS = ['cartography_filter', 'cluster_filter', 'label_smoothing', 'soft_weighting'] as const;
export type StrategyFlag = (typeof STRATEGY_FLAGS)[number];

/** The metrics the comparison covers. */
export const METRIC_KEYS = ['eval_f1', 'eval_exact_match'] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

/** Python's `col.replace('_', ' ').title()`, e.g. "cartography_filter" → "Cartography Filter". */
export function pythonTitle(name: string): string {
  return name.replace(/_/g, ' ').replace(/[A-Za-z]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());
}

/**
 * Row order of the Python analysis: by timestamp string, missing timestamps last. ISO strings of
 * the same format sort chronologically as strings. Ties keep their input order.
 */
export function sortRowsByTimestamp<R extends Pick<AnalysisRow, 'timestamp'>>(rows: readonly R[]): R[] {
  return rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => {
      const a = x.row.timestamp;
      const b = y.row.timestamp;
      if (a === b) return x.i - y.i;
      if (a === null) return 1;
      if (b === null) return -1;
      return a < b ? -1 : a > b ? 1 : x.i - y.i;
    })
    .map((e) => e.row);
}

const SEED_SUFFIX = /_seed(\d+)$/;

/** The configuration name with the `_seed{N}` suffix the suites append removed ("baseline_seed42" → "baseline"). */
export function nameWithoutSeed(experimentName: string): string {
  return experimentName.replace(SEED_SUFFIX, '');
}

/** The seed encoded in a `_seed{N}` suffix, or null. */
export function seedFromName(experimentName: string): number | null {
  const m = SEED_SUFFIX.exec(experimentName);
  return m ? Number(m[1]) : null;
}
