/**
 * Importing the Python system's clustering output as a 'clusters' artifact: cluster_assignments.csv
 * (required), cluster_statistics.csv and cluster_metadata.json (optional). Parsed and validated by
 * the domain readers (errors name file, line, field), cross-checked against each other, then
 * checked against the dataset split's ids before anything is stored.
 */
import { ArtifactParseError } from '../../domain/cartography/errors';
import { checkCoverage, type CoverageReport } from '../../domain/cartography/coverage';
import { ASSIGNMENTS_FILE, STATISTICS_FILE, parseAssignmentsCsv, parseStatisticsCsv } from '../../domain/clustering/cluster-files';
import type { ClusterAssignmentRow, ClusterStatisticsRow } from '../../domain/clustering/types';
import { countStatistics } from './clusters-view';

export const METADATA_FILE = 'cluster_metadata.json';

export interface ParsedClusters {
  source: string;
  assignments: ClusterAssignmentRow[];
  statistics: ClusterStatisticsRow[];
  metadata?: Record<string, unknown>;
  notes: string[];
}

type Role = 'assignments' | 'statistics' | 'metadata';

function roleOf(name: string, text: string): Role {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return 'metadata';
  if (lower.includes('statistic')) return 'statistics';
  if (lower.includes('assignment')) return 'assignments';
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  if (/(^|,)persistence(,|$)/.test(header) || /(^|,)mean_norm(,|$)/.test(header)) return 'statistics';
  if (/(^|,)id(,|$)/.test(header) && /(^|,)cluster(,|$)/.test(header)) return 'assignments';
  throw new ArtifactParseError(name, null, null, `not a clustering file: expected ${ASSIGNMENTS_FILE}, ${STATISTICS_FILE} or ${METADATA_FILE}`);
}

export function parseClusterFiles(files: readonly { name: string; text: string }[]): ParsedClusters {
  const byRole = new Map<Role, { name: string; text: string }>();
  for (const f of files) {
    const role = roleOf(f.name, f.text);
    const prev = byRole.get(role);
    if (prev) throw new Error(`Two ${role} files picked (${prev.name}, ${f.name}); pick one of each`);
    byRole.set(role, f);
  }
  const a = byRole.get('assignments');
  if (!a) throw new Error(`${ASSIGNMENTS_FILE} is required (the statistics and metadata alone say nothing about the rows)`);
  const assignments = parseAssignmentsCsv(a.text, a.name);
  if (assignments.length === 0) throw new ArtifactParseError(a.name, null, null, 'no rows');
  const notes: string[] = [];
  let statistics: ClusterStatisticsRow[];
  const s = byRole.get('statistics');
  if (s) {
    statistics = parseStatisticsCsv(s.text, s.name);
    // The two files must describe the same clustering.
    const counted = new Map(countStatistics(assignments).map((r) => [r.cluster, r.size]));
    for (const row of statistics) {
      const size = counted.get(row.cluster);
      if (size === undefined) throw new ArtifactParseError(s.name, `cluster ${row.cluster}`, 'cluster', `cluster ${row.cluster} has no row in ${a.name}`);
      if (size !== row.size) throw new ArtifactParseError(s.name, `cluster ${row.cluster}`, 'size', `says ${row.size} rows but ${a.name} has ${size}`);
      counted.delete(row.cluster);
    }
    if (counted.size) throw new ArtifactParseError(s.name, null, 'cluster', `has no row for cluster(s) ${[...counted.keys()].join(', ')} of ${a.name}`);
  } else {
    statistics = countStatistics(assignments);
    notes.push(`no ${STATISTICS_FILE}: sizes and percentages counted from the assignments; mean_norm, std_norm and persistence need the embeddings and are left empty`);
  }
  let metadata: Record<string, unknown> | undefined;
  const m = byRole.get('metadata');
  if (m) {
    let v: unknown;
    try {
      v = JSON.parse(m.text);
    } catch (e) {
      throw new ArtifactParseError(m.name, null, null, `not valid JSON (${(e as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ArtifactParseError(m.name, null, null, 'expected a JSON object');
    metadata = v as Record<string, unknown>;
  }
  if (assignments.some((r) => !Number.isFinite(r.dim1) || !Number.isFinite(r.dim2))) notes.push('some rows have no dim1/dim2: the 2-D map is not available for this clustering');
  if (assignments.some((r) => r.cluster_probability === null)) notes.push('no cluster_probability column: a min_cluster_probability filter cannot apply');
  return { source: [a.name, s?.name, m?.name].filter(Boolean).join(' + '), assignments, statistics, metadata, notes };
}

export interface CheckedClusters extends ParsedClusters {
  coverage: CoverageReport;
  storable: boolean;
}

export function checkClusterImport(parsed: ParsedClusters, datasetIds: Iterable<string>): CheckedClusters {
  const coverage = checkCoverage(
    parsed.assignments.map((r) => r.id),
    datasetIds,
  );
  return { ...parsed, coverage, storable: coverage.coveredRows > 0 };
}
