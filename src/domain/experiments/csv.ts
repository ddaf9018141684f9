import { PyFloat, compareCodePoints, pyFloatRepr, pyRepr, pyStr, type PyJson } from '../config/pyjson';
import { configToPyDict } from '../config/serialize';
import type { ExperimentConfig } from '../config/types';
import type { AnalysisRow } from './analysis/rows';
import { resultToPyDict, type ExperimentResult } from './result';

/**
 * `results.csv` as Python's analysis writes it (origin-system.md §9.1): the row
 * `load_experiment_results` builds from each `results.json` + `config.json`, the columns pandas
 * derives from those rows (union of keys in first-seen order), rows sorted by timestamp with
 * missing ones last, and `DataFrame.to_csv(index=False)` formatting:
 * - a column of bools → True/False; with a missing value it becomes object dtype, still True/False;
 * - a column of ints → digits; with a missing value (NaN) pandas makes it float64 → `2000.0`;
 * - a column of numbers with any float → float64, each written as Python repr (`3.0`, `5e-05`);
 * - missing values (None, NaN, absent keys) → empty; other columns → Python `str()` of each value;
 * - csv.QUOTE_MINIMAL quoting, "\n" line ends (pandas' os.linesep on POSIX).
 * Rows keep Python value types (PyFloat for floats), so imported Python files format exactly.
 */

/** One row: column → value, in insertion order (a Map, so integer-like metric names keep their place). */
export type ResultsRow = Map<string, PyJson>;

type Obj = { [key: string]: PyJson };
const isObj = (v: PyJson | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PyFloat) && !(v instanceof Map);

const get = (o: PyJson | undefined, key: string): PyJson | undefined => (isObj(o) ? o[key] : undefined);

export class ResultsRowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsRowError';
  }
}

/**
 * The row Python's `load_experiment_results` builds from a parsed results.json and config.json
 * (null when the experiment has no config.json). Throws where Python's loop would raise and skip
 * the experiment (non-object results, metrics that are not a dict).
 */
export function pythonAnalysisRow(result: PyJson, config: PyJson | null, where = 'results.json'): ResultsRow {
  if (!isObj(result)) throw new ResultsRowError(`${where}: expected a JSON object`);
  const row: ResultsRow = new Map();
  for (const key of ['experiment_name', 'config_hash', 'success', 'duration_seconds', 'timestamp', 'error']) {
    row.set(key, result[key] ?? null);
  }
  const metrics = 'metrics' in result ? result.metrics : {};
  if (!isObj(metrics)) throw new ResultsRowError(`${where}: metrics: expected an object, got ${pyRepr(metrics)}`);
  for (const [k, v] of Object.entries(metrics)) row.set(k, v);
  const cfg: PyJson = config ?? {};
  if (!isObj(cfg)) throw new ResultsRowError(`${where}: config.json is not a JSON object`);
  const training = 'training' in cfg ? cfg.training : {};
  if (!isObj(training)) throw new ResultsRowError(`${where}: config.json training: expected an object`);
  for (const key of ['seed', 'num_train_epochs', 'learning_rate', 'max_train_samples', 'max_eval_samples']) {
    row.set(key, training[key] ?? null);
  }
  for (const key of ['cartography_filter', 'cluster_filter', 'label_smoothing', 'soft_weighting']) {
    const sub = key in training ? training[key] : {};
    if (!isObj(sub)) throw new ResultsRowError(`${where}: config.json training.${key}: expected an object`);
    row.set(key, 'enabled' in sub ? sub.enabled : false);
  }
  return row;
}

/** The row for one of our records (same rules as for Python's files). */
export function resultsRowFromRecord(result: ExperimentResult, config: ExperimentConfig | null): ResultsRow {
  return pythonAnalysisRow(resultToPyDict(result), config ? configToPyDict(config) : null, result.experiment_name);
}

const isNA = (v: PyJson | undefined): boolean =>
  v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v)) || (v instanceof PyFloat && Number.isNaN(v.value));

type Kind = 'bool' | 'int' | 'float' | 'other';
function kindOf(v: PyJson): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof PyFloat) return 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'other';
}

const numberOf = (v: PyJson): number => (v instanceof PyFloat ? v.value : Number(v as number | bigint));

/** Python `str(value)` as the csv module writes an object cell. */
function pyCellStr(v: PyJson): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) || isObj(v) || v instanceof Map) return pyRepr(v);
  return pyStr(v as Exclude<PyJson, PyJson[] | Obj | Map<string, PyJson>>);
}

type ColumnFormat = (v: PyJson | undefined) => string;

/** How pandas would write one column, from the dtype it infers for the column's values. */
function columnFormatter(values: ReadonlyArray<PyJson | undefined>): ColumnFormat {
  const present = values.filter((v) => !isNA(v)) as PyJson[];
  const hasNA = present.length < values.length;
  const kinds = new Set(present.map(kindOf));
  const only = (...ks: Kind[]) => present.length > 0 && [...kinds].every((k) => ks.includes(k));
  if (!hasNA && only('bool')) return (v) => ((v as boolean) ? 'True' : 'False');
  if (!hasNA && only('int')) return (v) => pyStr(v as number | bigint);
  if (only('int', 'float')) return (v) => (isNA(v) ? '' : pyFloatRepr(numberOf(v as PyJson)));
  return (v) => (isNA(v) ? '' : pyCellStr(v as PyJson));
}

/** Python csv QUOTE_MINIMAL. */
function csvQuote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Rows in pandas' `sort_values("timestamp")` order: by string, missing last, ties in input order. */
export function sortResultsRows(rows: readonly ResultsRow[]): ResultsRow[] {
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => {
      const x = a.row.get('timestamp');
      const y = b.row.get('timestamp');
      const xa = isNA(x);
      const ya = isNA(y);
      if (xa || ya) return xa && ya ? a.i - b.i : xa ? 1 : -1;
      return compareCodePoints(pyCellStr(x as PyJson), pyCellStr(y as PyJson)) || a.i - b.i;
    })
    .map((e) => e.row);
}

/** Union of the rows' keys in first-seen order (pandas' DataFrame-from-records columns). */
export function resultsColumns(rows: readonly ResultsRow[]): string[] {
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const k of row.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        cols.push(k);
      }
    }
  }
  return cols;
}

/** The results.csv text for these rows (sorted here); "" when there are none (Python writes no file then). */
export function resultsCsvText(rows: readonly ResultsRow[]): string {
  if (rows.length === 0) return '';
  const columns = resultsColumns(rows);
  const sorted = sortResultsRows(rows);
  const formats = columns.map((c) => columnFormatter(sorted.map((r) => r.get(c))));
  const lines = [columns.map(csvQuote).join(',')];
  for (const row of sorted) lines.push(columns.map((c, j) => csvQuote(formats[j](row.get(c)))).join(','));
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Bridge to the analysis module's typed row

const num = (v: PyJson | undefined): number | null => {
  if (v instanceof PyFloat) return Number.isNaN(v.value) ? null : v.value;
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'bigint') return Number(v);
  return null;
};
const str = (v: PyJson | undefined): string | null => (typeof v === 'string' ? v : null);

/** The analysis module's `AnalysisRow` for a results row (non-numeric metric values become null). */
export function toAnalysisRow(row: ResultsRow): AnalysisRow {
  return {
    experiment_name: str(row.get('experiment_name')) ?? '',
    config_hash: str(row.get('config_hash')) ?? '',
    success: row.get('success') === true,
    duration_seconds: num(row.get('duration_seconds')),
    timestamp: str(row.get('timestamp')),
    error: str(row.get('error')),
    eval_exact_match: num(row.get('eval_exact_match')),
    eval_f1: num(row.get('eval_f1')),
    seed: num(row.get('seed')),
    num_train_epochs: num(row.get('num_train_epochs')),
    learning_rate: num(row.get('learning_rate')),
    max_train_samples: num(row.get('max_train_samples')),
    max_eval_samples: num(row.get('max_eval_samples')),
    cartography_filter: row.get('cartography_filter') === true,
    cluster_filter: row.get('cluster_filter') === true,
    label_smoothing: row.get('label_smoothing') === true,
    soft_weighting: row.get('soft_weighting') === true,
  };
}
