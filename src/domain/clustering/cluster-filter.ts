/**
 * The cluster filter (`ClusterFilter`, origin-system.md §4.3) with this app's decisions: an
 * empty `excludeClusters` excludes nothing, and a missing or non-covering assignments input
 * fails instead of returning the unfiltered data.
 *
 * Semantics kept from the Python filter: the kept set starts as every id in the assignments;
 * ids with an assignment in an excluded cluster leave it (with repeated ids, one excluded row
 * is enough, as with pandas' set difference); with a probability threshold, ids whose
 * membership probability is strictly below it leave it too; dataset rows whose id has no
 * assignment are DROPPED (the opposite of the ambiguous filter), and counted.
 */
import { checkCoverage, describeCoverage, type CoverageReport } from '../cartography/coverage';
import { FilterInputError } from '../cartography/errors';
import type { FilterResult } from '../cartography/filters';
import type { ClusterAssignmentRow } from './types';

export interface ClusterFilterOptions {
  /** Labels to remove; -1 is noise. Empty: remove none. */
  excludeClusters: readonly number[];
  /** Remove members with probability < this (strict). null/undefined: no threshold. */
  minClusterProbability?: number | null;
  /**
   * Smallest share of dataset rows that must have an assignment (default: any, i.e. > 0).
   * Unassigned rows are dropped by definition; with zero coverage the filter would drop the
   * whole dataset, which can only mean the wrong file, so that always fails.
   */
  minCoverage?: number;
  source?: string;
  split?: string;
}

export interface ClusterFilterReport {
  filter: 'cluster';
  split: string;
  source: string;
  excludeClusters: number[];
  minClusterProbability: number | null;
  inputRows: number;
  keptRows: number;
  removedRows: number;
  removed: { excluded_cluster: number; below_min_probability: number; no_assignment: number };
  /** Kept rows per cluster label. */
  keptByCluster: Record<string, number>;
  coverage: CoverageReport;
  warnings: string[];
}

export function filterByClusters<R extends { id: string }>(
  rows: readonly R[],
  assignments: readonly ClusterAssignmentRow[] | null | undefined,
  options: ClusterFilterOptions,
): FilterResult<R, ClusterFilterReport> {
  const split = options.split ?? 'train';
  const source = options.source ?? 'cluster assignments';
  const name = `cluster filter (${split})`;
  const minP = options.minClusterProbability ?? null;
  if (minP !== null && !(minP >= 0 && minP <= 1)) throw new FilterInputError(name, 'invalid_option', `min_cluster_probability must be in [0, 1], got ${minP}`);
  for (const c of options.excludeClusters) if (!Number.isInteger(c) || c < -1) throw new FilterInputError(name, 'invalid_option', `exclude_clusters holds ${c}; labels are integers >= -1`);
  const minCoverage = options.minCoverage;
  if (minCoverage !== undefined && !(minCoverage >= 0 && minCoverage <= 1)) throw new FilterInputError(name, 'invalid_option', `minCoverage must be in [0, 1], got ${minCoverage}`);
  if (!assignments || assignments.length === 0) {
    throw new FilterInputError(name, 'missing_input', `no cluster assignments (${source}); run clustering on the ${split} split first or choose an assignments artifact`);
  }

  const coverage = checkCoverage(
    assignments.map((a) => a.id),
    rows.map((r) => r.id),
  );
  if (rows.length > 0 && coverage.coveredRows === 0) {
    throw new FilterInputError(name, 'no_coverage', `the assignments (${source}) cover none of the ${rows.length} ${split} rows: ${describeCoverage(coverage)}`);
  }
  if (minCoverage !== undefined && rows.length > 0 && coverage.coverage < minCoverage) {
    throw new FilterInputError(
      name,
      'insufficient_coverage',
      `the assignments (${source}) cover ${(coverage.coverage * 100).toFixed(1)}% of the ${split} rows, below the required ${(minCoverage * 100).toFixed(1)}%: ${describeCoverage(coverage)}`,
    );
  }

  const warnings: string[] = [];
  const thresholdApplies = minP !== null && assignments.every((a) => a.cluster_probability !== null);
  if (minP !== null && !thresholdApplies) warnings.push(`the assignments (${source}) have no cluster_probability: min_cluster_probability ${minP} is not applied`);

  // Why an id leaves the kept set; the first reason found wins, exclusion before probability.
  const excluded = new Set(options.excludeClusters);
  const verdict = new Map<string, 'keep' | 'excluded_cluster' | 'below_min_probability'>();
  const clusterOfKept = new Map<string, number>();
  for (const a of assignments) {
    const prev = verdict.get(a.id);
    if (excluded.has(a.cluster)) verdict.set(a.id, 'excluded_cluster');
    else if (thresholdApplies && (a.cluster_probability as number) < (minP as number)) {
      if (prev !== 'excluded_cluster') verdict.set(a.id, 'below_min_probability');
    } else if (prev === undefined) {
      verdict.set(a.id, 'keep');
      clusterOfKept.set(a.id, a.cluster);
    }
  }

  const report: ClusterFilterReport = {
    filter: 'cluster',
    split,
    source,
    excludeClusters: [...options.excludeClusters],
    minClusterProbability: minP,
    inputRows: rows.length,
    keptRows: 0,
    removedRows: 0,
    removed: { excluded_cluster: 0, below_min_probability: 0, no_assignment: 0 },
    keptByCluster: {},
    coverage,
    warnings,
  };
  const kept: R[] = [];
  for (const row of rows) {
    const v = verdict.get(row.id);
    if (v === undefined) report.removed.no_assignment++;
    else if (v !== 'keep') report.removed[v]++;
    else {
      kept.push(row);
      const c = String(clusterOfKept.get(row.id));
      report.keptByCluster[c] = (report.keptByCluster[c] ?? 0) + 1;
    }
  }
  if (report.removed.no_assignment > 0) warnings.push(`${report.removed.no_assignment} of ${rows.length} ${split} rows have no cluster assignment and are dropped (${describeCoverage(coverage)})`);
  report.keptRows = kept.length;
  report.removedRows = rows.length - kept.length;
  return { kept, report };
}

/** The same filter on the eval rows with a validation clustering's assignments. */
export function filterValidationByClusters<R extends { id: string }>(
  rows: readonly R[],
  validationAssignments: readonly ClusterAssignmentRow[] | null | undefined,
  options: Omit<ClusterFilterOptions, 'split'>,
): FilterResult<R, ClusterFilterReport> {
  return filterByClusters(rows, validationAssignments, { ...options, split: 'validation' });
}
