/**
 * What the Clusters section derives from a clusters artifact, free of Svelte and the DOM:
 * the map's columns and colours, the cross-tab of clusters × cartography categories
 * (analyze_dataset.py's category_cluster_overlap.csv), the statistics of an imported
 * assignments file that came without cluster_statistics.csv, and parsing of the filter's
 * exclude list.
 */
import type { ClusterAssignmentRow, ClusterStatisticsRow } from '../../domain/clustering/types';
import type { CartographyCategory } from '../../domain/cartography/types';
import { CARTOGRAPHY_CATEGORIES } from '../../domain/cartography/types';
import { OKABE_ITO } from '../charts/palette';

export const NOISE_COLOR = '#b8b8b8';

/**
 * Cluster colours: the Okabe–Ito set first (colour-blind safe), then further distinguishable
 * hues; beyond these the colours repeat (the legend says so). Bin 0 is noise.
 */
export const CLUSTER_COLORS: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.orange,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.black,
  '#8c6d31',
  '#7b4173',
  '#3182bd',
  '#31a354',
  '#e6550d',
  '#636363',
  '#843c39',
  '#5254a3',
  '#bd9e39',
];

/** Palette for the rasterizer: index 0 noise, 1 + (label mod n) a cluster. */
export const CLUSTER_PALETTE: readonly string[] = [NOISE_COLOR, ...CLUSTER_COLORS];

export function clusterColor(label: number): string {
  return label < 0 ? NOISE_COLOR : CLUSTER_COLORS[label % CLUSTER_COLORS.length];
}

export interface ClusterColumns {
  n: number;
  dim1: Float32Array;
  dim2: Float32Array;
  labels: Int32Array;
  /** Palette index per point (0 noise). */
  bins: Uint8Array;
  /** True when every point has 2-D coordinates. */
  hasLayout: boolean;
}

export function clusterColumns(assignments: readonly ClusterAssignmentRow[]): ClusterColumns {
  const n = assignments.length;
  const dim1 = new Float32Array(n);
  const dim2 = new Float32Array(n);
  const labels = new Int32Array(n);
  const bins = new Uint8Array(n);
  let hasLayout = n > 0;
  for (let i = 0; i < n; i++) {
    const a = assignments[i];
    dim1[i] = a.dim1;
    dim2[i] = a.dim2;
    labels[i] = a.cluster;
    bins[i] = a.cluster < 0 ? 0 : 1 + (a.cluster % CLUSTER_COLORS.length);
    if (!Number.isFinite(a.dim1) || !Number.isFinite(a.dim2)) hasLayout = false;
  }
  return { n, dim1, dim2, labels, bins, hasLayout };
}

/** Extents of the layout with a 4% margin (a unit window around a single value). */
export function layoutDomains(cols: ClusterColumns): { x: [number, number]; y: [number, number] } {
  const ext = (v: Float32Array): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) continue;
      if (v[i] < lo) lo = v[i];
      if (v[i] > hi) hi = v[i];
    }
    if (lo === Infinity) return [0, 1];
    if (lo === hi) return [lo - 0.5, hi + 0.5];
    const m = (hi - lo) * 0.04;
    return [lo - m, hi + m];
  };
  return { x: ext(cols.dim1), y: ext(cols.dim2) };
}

export interface CrossTab {
  /** Cluster labels in ascending order (noise −1 first). */
  clusters: number[];
  /** counts[k][c]: rows of cluster clusters[k] in category c. */
  counts: Record<CartographyCategory, number>[];
  rowTotals: number[];
  columnTotals: Record<CartographyCategory, number>;
  total: number;
  /** Assignment ids without a cartography row (left out, as an inner join leaves them). */
  unmatched: number;
}

/** Clusters × categories over the ids both files have (pd.merge inner + pd.crosstab with margins). */
export function crossTab(assignments: readonly ClusterAssignmentRow[], categoryOf: ReadonlyMap<string, CartographyCategory>): CrossTab {
  const byCluster = new Map<number, Record<CartographyCategory, number>>();
  let unmatched = 0;
  for (const a of assignments) {
    const c = categoryOf.get(a.id);
    if (c === undefined) {
      unmatched++;
      continue;
    }
    let row = byCluster.get(a.cluster);
    if (!row) byCluster.set(a.cluster, (row = { easy: 0, hard: 0, ambiguous: 0 }));
    row[c]++;
  }
  const clusters = [...byCluster.keys()].sort((x, y) => x - y);
  const counts = clusters.map((k) => byCluster.get(k) as Record<CartographyCategory, number>);
  const columnTotals: Record<CartographyCategory, number> = { easy: 0, hard: 0, ambiguous: 0 };
  const rowTotals = counts.map((r) => {
    let t = 0;
    for (const c of CARTOGRAPHY_CATEGORIES) {
      t += r[c];
      columnTotals[c] += r[c];
    }
    return t;
  });
  return { clusters, counts, rowTotals, columnTotals, total: rowTotals.reduce((a, b) => a + b, 0), unmatched };
}

/**
 * Statistics for assignments imported without cluster_statistics.csv: sizes and percentages
 * can be counted, the norms and persistence need the embeddings (NaN / null), sorted by size
 * descending as the origin writes them.
 */
export function countStatistics(assignments: readonly ClusterAssignmentRow[]): ClusterStatisticsRow[] {
  const sizes = new Map<number, number>();
  for (const a of assignments) sizes.set(a.cluster, (sizes.get(a.cluster) ?? 0) + 1);
  const n = assignments.length;
  return [...sizes.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([cluster, size]) => ({ cluster, size, percentage: (size / n) * 100, mean_norm: NaN, std_norm: NaN, persistence: null }));
}

/** "-1, 3 4" → [-1, 3, 4]; empty → [] (exclude nothing). Throws on anything that is not an integer label. */
export function parseExcludeList(text: string): number[] {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  const out: number[] = [];
  for (const p of parts) {
    if (!/^-?\d+$/.test(p)) throw new Error(`"${p}" is not a cluster label (use integers, -1 for noise)`);
    const v = Number(p);
    if (v < -1) throw new Error(`${v} is not a cluster label (labels are -1 for noise, then 0, 1, …)`);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}
