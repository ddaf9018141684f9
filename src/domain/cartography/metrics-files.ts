/**
 * `cartography_metrics.csv` and `cartography_metrics.json` (origin-system.md §2.3).
 *
 * The Python system on the curriculum_training branch writes the CSV with the pandas index
 * column named `example_id` (main later renamed it `id`); its filters read the file with that
 * first column as the index, so either name works for them. We write `example_id` like the
 * branch we port and accept both on import.
 */
import { ArtifactParseError } from './errors';
import { columnIndex, formatCsv, parseCsv, parseNumberCell } from './csv';
import { isPlainObject, parsePythonJson } from './python-json';
import { pyFloat, pyFloatRepr, pyJsonDumps, type PyJsonValue } from './python-format';
import type { CartographyMetricsRow } from './types';

export const METRICS_CSV_FILE = 'cartography_metrics.csv';
export const METRICS_JSON_FILE = 'cartography_metrics.json';

const METRIC_COLUMNS = ['confidence', 'variability', 'correctness', 'num_epochs', 'start_confidence', 'end_confidence'] as const;
const ID_COLUMNS = ['example_id', 'id'] as const;
/** Room for float rounding in files written by other tools (values are probabilities or their means). */
const RANGE_EPS = 1e-9;

/** pandas writes NaN as an empty cell. */
const csvFloat = (x: number | null): string => (x === null || Number.isNaN(x) ? '' : pyFloatRepr(x));

export function serializeMetricsCsv(rows: readonly CartographyMetricsRow[]): string {
  return formatCsv(
    ['example_id', ...METRIC_COLUMNS],
    rows.map((r) => [
      r.id,
      csvFloat(r.confidence),
      csvFloat(r.variability),
      csvFloat(r.correctness),
      String(r.num_epochs),
      csvFloat(r.start_confidence),
      csvFloat(r.end_confidence),
    ]),
  );
}

export function serializeMetricsJson(rows: readonly CartographyMetricsRow[]): string {
  const obj: Record<string, PyJsonValue> = {};
  for (const r of rows) {
    obj[r.id] = {
      confidence: pyFloat(r.confidence),
      variability: pyFloat(r.variability),
      correctness: pyFloat(r.correctness),
      num_epochs: r.num_epochs,
      start_confidence: pyFloat(r.start_confidence ?? NaN),
      end_confidence: pyFloat(r.end_confidence ?? NaN),
    };
  }
  return pyJsonDumps(obj, 2);
}

/** Validates one metric value; `where` builds the error for the caller's file format. */
function checkUnit(value: number, fail: (problem: string) => never): number {
  if (!Number.isFinite(value)) fail(`must be a finite number, got ${value}`);
  if (value < -RANGE_EPS || value > 1 + RANGE_EPS) fail(`must lie in [0, 1], got ${value}`);
  return value;
}

function checkEpochs(value: number, fail: (problem: string) => never): number {
  if (!Number.isInteger(value) || value < 1) fail(`must be a positive integer, got ${value}`);
  return value;
}

function rejectDuplicate(seen: Set<string>, id: string, fail: (problem: string) => never): void {
  if (seen.has(id)) fail(`duplicate id "${id}"`);
  seen.add(id);
}

export function parseMetricsCsv(text: string, file = METRICS_CSV_FILE): CartographyMetricsRow[] {
  const table = parseCsv(text, file);
  const idCol = ID_COLUMNS.map((c) => columnIndex(table.header, c)).find((i) => i >= 0) ?? -1;
  if (idCol < 0) throw new ArtifactParseError(file, 1, 'example_id', `no id column: expected "example_id" or "id" in the header (${table.header.join(',')})`);
  const cols: Record<string, number> = {};
  for (const c of METRIC_COLUMNS) cols[c] = columnIndex(table.header, c);
  for (const required of ['confidence', 'variability', 'correctness', 'num_epochs']) {
    if (cols[required] < 0) throw new ArtifactParseError(file, 1, required, 'required column is missing from the header');
  }
  const seen = new Set<string>();
  return table.records.map(({ line, cells }) => {
    const failAt = (field: string) => (problem: string): never => {
      throw new ArtifactParseError(file, line, field, problem);
    };
    const id = cells[idCol];
    if (id === '') failAt(table.header[idCol])('empty id');
    rejectDuplicate(seen, id, failAt(table.header[idCol]));
    const num = (field: string, optional: boolean): number | null => {
      if (cols[field] < 0) return null;
      const v = parseNumberCell(cells[cols[field]], file, line, field);
      if (v === null) {
        if (optional) return null;
        failAt(field)('missing value');
      }
      return v;
    };
    const unit = (field: string, optional: boolean): number | null => {
      const v = num(field, optional);
      return v === null ? null : checkUnit(v, failAt(field));
    };
    return {
      id,
      confidence: unit('confidence', false) as number,
      variability: unit('variability', false) as number,
      correctness: unit('correctness', false) as number,
      num_epochs: checkEpochs(num('num_epochs', false) as number, failAt('num_epochs')),
      start_confidence: unit('start_confidence', true),
      end_confidence: unit('end_confidence', true),
    };
  });
}

export function parseMetricsJson(text: string, file = METRICS_JSON_FILE): CartographyMetricsRow[] {
  const data = parsePythonJson(text, file);
  if (!isPlainObject(data)) throw new ArtifactParseError(file, null, null, 'expected a JSON object keyed by example id');
  return Object.keys(data).map((id) => {
    const rec = data[id];
    const failAt = (field: string | null) => (problem: string): never => {
      throw new ArtifactParseError(file, id, field, problem);
    };
    if (!isPlainObject(rec)) failAt(null)('expected an object of metrics');
    const r = rec as Record<string, unknown>;
    const num = (field: string, optional: boolean): number | null => {
      const v = r[field];
      if (v === undefined || v === null || (optional && typeof v === 'number' && Number.isNaN(v))) {
        if (optional) return null;
        failAt(field)('missing');
      }
      if (typeof v !== 'number') failAt(field)(`expected a number, got ${JSON.stringify(v)}`);
      return v as number;
    };
    const unit = (field: string, optional: boolean): number | null => {
      const v = num(field, optional);
      return v === null ? null : checkUnit(v, failAt(field));
    };
    return {
      id,
      confidence: unit('confidence', false) as number,
      variability: unit('variability', false) as number,
      correctness: unit('correctness', false) as number,
      num_epochs: checkEpochs(num('num_epochs', false) as number, failAt('num_epochs')),
      start_confidence: unit('start_confidence', true),
      end_confidence: unit('end_confidence', true),
    };
  });
}
