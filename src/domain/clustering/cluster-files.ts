/**
 * `cluster_assignments.csv` and `cluster_statistics.csv` (origin-system.md §4.2), laid out as
 * pandas writes them from the Python system: no index column, floats as Python repr, the UMAP
 * coordinates as float32 (their dtype there), NaN/None as empty cells.
 */
import { ArtifactParseError } from '../cartography/errors';
import { columnIndex, formatCsv, parseCsv, parseNumberCell } from '../cartography/csv';
import { pyFloat32Repr, pyFloatRepr } from '../cartography/python-format';
import type { ClusterAssignmentRow, ClusterStatisticsRow } from './types';

export const ASSIGNMENTS_FILE = 'cluster_assignments.csv';
export const STATISTICS_FILE = 'cluster_statistics.csv';

const ASSIGNMENT_COLUMNS = ['id', 'cluster', 'dim1', 'dim2', 'cluster_probability'] as const;
const STATISTICS_COLUMNS = ['cluster', 'size', 'percentage', 'mean_norm', 'std_norm', 'persistence'] as const;

/** Rows for the file from per-point results (ids, labels and probabilities aligned; layout n × 2). */
export function buildAssignments(ids: readonly string[], labels: Int32Array, probabilities: Float64Array, layout: Float64Array | null): ClusterAssignmentRow[] {
  const n = ids.length;
  if (labels.length !== n || probabilities.length !== n) throw new RangeError(`buildAssignments: ${n} ids, ${labels.length} labels, ${probabilities.length} probabilities`);
  if (layout !== null && layout.length !== 2 * n) throw new RangeError(`buildAssignments: layout has ${layout.length / 2} points for ${n} ids`);
  return ids.map((id, i) => ({
    id,
    cluster: labels[i],
    dim1: layout ? Math.fround(layout[2 * i]) : NaN,
    dim2: layout ? Math.fround(layout[2 * i + 1]) : NaN,
    cluster_probability: probabilities[i],
  }));
}

const cell32 = (x: number): string => (Number.isNaN(x) ? '' : pyFloat32Repr(x));
const cell64 = (x: number | null): string => (x === null || Number.isNaN(x) ? '' : pyFloatRepr(x));

export function serializeAssignmentsCsv(rows: readonly ClusterAssignmentRow[]): string {
  return formatCsv(
    [...ASSIGNMENT_COLUMNS],
    rows.map((r) => [r.id, String(r.cluster), cell32(r.dim1), cell32(r.dim2), cell64(r.cluster_probability)]),
  );
}

export function serializeStatisticsCsv(rows: readonly ClusterStatisticsRow[]): string {
  return formatCsv(
    [...STATISTICS_COLUMNS],
    rows.map((r) => [String(r.cluster), String(r.size), cell64(r.percentage), cell64(r.mean_norm), cell64(r.std_norm), cell64(r.persistence)]),
  );
}

function columnsOf(header: string[], names: readonly string[]): Record<string, number> {
  const cols: Record<string, number> = {};
  for (const c of names) cols[c] = columnIndex(header, c);
  return cols;
}

function intCell(raw: string, file: string, line: number, field: string, min: number): number {
  const v = parseNumberCell(raw, file, line, field);
  if (v === null || !Number.isInteger(v) || v < min) throw new ArtifactParseError(file, line, field, `expected an integer >= ${min}, got "${raw}"`);
  return v;
}

/**
 * Reads cluster assignments. `id` and `cluster` are required; dim1/dim2 may be absent (NaN);
 * `cluster_probability` may be absent (null), in which case a probability threshold cannot
 * apply. Ids may repeat: rows of a dataset with identical question and context share an id.
 */
export function parseAssignmentsCsv(text: string, file = ASSIGNMENTS_FILE): ClusterAssignmentRow[] {
  const table = parseCsv(text, file);
  const cols = columnsOf(table.header, ASSIGNMENT_COLUMNS);
  for (const required of ['id', 'cluster']) if (cols[required] < 0) throw new ArtifactParseError(file, 1, required, `required column is missing from the header (${table.header.join(',')})`);
  return table.records.map(({ line, cells }) => {
    const id = cells[cols.id];
    if (id === '') throw new ArtifactParseError(file, line, 'id', 'empty id');
    const coord = (field: 'dim1' | 'dim2'): number => {
      if (cols[field] < 0) return NaN;
      const v = parseNumberCell(cells[cols[field]], file, line, field);
      if (v !== null && !Number.isFinite(v)) throw new ArtifactParseError(file, line, field, `expected a finite number, got "${cells[cols[field]]}"`);
      // The coordinates are float32 in the Python system (and in ours): read them back as such.
      return v === null ? NaN : Math.fround(v);
    };
    let probability: number | null = null;
    if (cols.cluster_probability >= 0) {
      probability = parseNumberCell(cells[cols.cluster_probability], file, line, 'cluster_probability');
      if (probability === null || !(probability >= 0 && probability <= 1)) {
        throw new ArtifactParseError(file, line, 'cluster_probability', `expected a probability in [0, 1], got "${cells[cols.cluster_probability]}"`);
      }
    }
    return { id, cluster: intCell(cells[cols.cluster], file, line, 'cluster', -1), dim1: coord('dim1'), dim2: coord('dim2'), cluster_probability: probability };
  });
}

export function parseStatisticsCsv(text: string, file = STATISTICS_FILE): ClusterStatisticsRow[] {
  const table = parseCsv(text, file);
  const cols = columnsOf(table.header, STATISTICS_COLUMNS);
  for (const c of STATISTICS_COLUMNS) if (cols[c] < 0) throw new ArtifactParseError(file, 1, c, 'required column is missing from the header');
  const seen = new Set<number>();
  return table.records.map(({ line, cells }) => {
    const num = (field: string, optional: boolean): number | null => {
      const v = parseNumberCell(cells[cols[field]], file, line, field);
      if (v === null) {
        if (optional) return null;
        throw new ArtifactParseError(file, line, field, 'missing value');
      }
      if (!Number.isFinite(v) || v < 0) throw new ArtifactParseError(file, line, field, `expected a finite number >= 0, got "${cells[cols[field]]}"`);
      return v;
    };
    const cluster = intCell(cells[cols.cluster], file, line, 'cluster', -1);
    if (seen.has(cluster)) throw new ArtifactParseError(file, line, 'cluster', `duplicate cluster ${cluster}`);
    seen.add(cluster);
    const percentage = num('percentage', false) as number;
    if (percentage > 100 + 1e-9) throw new ArtifactParseError(file, line, 'percentage', `must be at most 100, got ${percentage}`);
    return {
      cluster,
      size: intCell(cells[cols.size], file, line, 'size', 1),
      percentage,
      mean_norm: num('mean_norm', false) as number,
      std_norm: num('std_norm', false) as number,
      persistence: num('persistence', true),
    };
  });
}
