/**
 * results.csv as the Python analysis writes it (`export_results_csv`, origin-system §9.1) and
 * reads back into analysis rows.
 *
 * Writing follows pandas `to_csv(index=False)`: the RESULTS_CSV_COLUMNS order, an eval_* column
 * only when some run has that metric (pandas builds columns from the keys it saw), booleans as
 * True/False, floats in Python repr (`3.0`, `5e-05`), an integer column that has a missing value
 * written as floats (`10000.0`, pandas' NaN promotion), missing values empty, LF line endings.
 */
import { parseCsv, toCsv, type CsvCell } from './csv';
import { pyFloatRepr } from './python-format';
import { RESULTS_CSV_COLUMNS, type AnalysisRow, type ResultsCsvColumn } from './rows';

const INT_COLUMNS = new Set<ResultsCsvColumn>(['seed', 'max_train_samples', 'max_eval_samples']);
const FLOAT_COLUMNS = new Set<ResultsCsvColumn>([
  'duration_seconds',
  'eval_exact_match',
  'eval_f1',
  'num_train_epochs',
  'learning_rate',
]);
const OPTIONAL_METRICS = new Set<ResultsCsvColumn>(['eval_exact_match', 'eval_f1']);

/** The columns pandas would write for these rows. */
export function resultsCsvColumns(rows: readonly AnalysisRow[]): ResultsCsvColumn[] {
  return RESULTS_CSV_COLUMNS.filter((c) => !OPTIONAL_METRICS.has(c) || rows.some((r) => r[c] !== null));
}

export function resultsCsv(rows: readonly AnalysisRow[]): string {
  const columns = resultsCsvColumns(rows);
  const promoted = new Set(columns.filter((c) => INT_COLUMNS.has(c) && rows.some((r) => r[c] === null)));
  const cell = (row: AnalysisRow, c: ResultsCsvColumn): CsvCell => {
    const v = row[c];
    if (v === null) return null;
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    if (typeof v === 'number') {
      if (FLOAT_COLUMNS.has(c) || promoted.has(c)) return pyFloatRepr(v);
      return String(v);
    }
    return v;
  };
  return toCsv(columns, rows.map((r) => columns.map((c) => cell(r, c))), '\n');
}

/**
 * Reads a results.csv (ours or the Python system's) into analysis rows. experiment_name and
 * success are required columns; any other known column may be absent (its field is then null,
 * or false for a strategy flag). Unknown columns are ignored. Throws naming file, line and column.
 */
export function parseResultsCsv(text: string, fileName: string): AnalysisRow[] {
  const records = parseCsv(text, fileName).filter((r) => !(r.length === 1 && r[0] === ''));
  if (records.length === 0) throw new SyntaxError(`${fileName}: empty file, expected a header row`);
  const header = records[0];
  const col = new Map(header.map((h, i) => [h.trim(), i]));
  for (const required of ['experiment_name', 'success'] as const) {
    if (!col.has(required)) throw new SyntaxError(`${fileName}: missing column "${required}"`);
  }
  return records.slice(1).map((rec, k) => {
    const line = k + 2;
    if (rec.length !== header.length) {
      throw new SyntaxError(`${fileName}, record ${line}: ${rec.length} fields, the header has ${header.length}`);
    }
    const raw = (c: ResultsCsvColumn): string | null => {
      const i = col.get(c);
      return i === undefined ? null : rec[i];
    };
    const where = (c: string): string => `${fileName}, record ${line}${rec[col.get('experiment_name') as number] ? ` (${rec[col.get('experiment_name') as number]})` : ''}, column ${c}`;
    const num = (c: ResultsCsvColumn): number | null => {
      const s = raw(c);
      if (s === null || s.trim() === '' || s.trim().toLowerCase() === 'nan') return null;
      const v = Number(s.trim());
      if (!Number.isFinite(v)) throw new TypeError(`${where(c)}: expected a number, got "${s}"`);
      return v;
    };
    const int = (c: ResultsCsvColumn): number | null => {
      const v = num(c);
      if (v !== null && !Number.isInteger(v)) throw new TypeError(`${where(c)}: expected an integer, got "${raw(c)}"`);
      return v;
    };
    const bool = (c: ResultsCsvColumn, required: boolean): boolean => {
      const s = raw(c)?.trim() ?? '';
      if (s === 'True' || s === 'true' || s === '1') return true;
      if (s === 'False' || s === 'false' || s === '0') return false;
      if (s === '' && !required) return false;
      throw new TypeError(`${where(c)}: expected True or False, got "${s}"`);
    };
    const str = (c: ResultsCsvColumn): string | null => {
      const s = raw(c);
      return s === null || s === '' ? null : s;
    };
    const name = str('experiment_name');
    if (name === null) throw new TypeError(`${where('experiment_name')}: empty experiment name`);
    return {
      experiment_name: name,
      config_hash: str('config_hash') ?? '',
      success: bool('success', true),
      duration_seconds: num('duration_seconds'),
      timestamp: str('timestamp'),
      error: str('error'),
      eval_exact_match: num('eval_exact_match'),
      eval_f1: num('eval_f1'),
      seed: int('seed'),
      num_train_epochs: num('num_train_epochs'),
      learning_rate: num('learning_rate'),
      max_train_samples: int('max_train_samples'),
      max_eval_samples: int('max_eval_samples'),
      cartography_filter: bool('cartography_filter', false),
      cluster_filter: bool('cluster_filter', false),
      label_smoothing: bool('label_smoothing', false),
      soft_weighting: bool('soft_weighting', false),
    };
  });
}
