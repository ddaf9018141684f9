// The Clusters section's pure parts: map columns and colours, the clusters × cartography cross-tab,
// counted statistics, the exclude-list parser (src/ui/state/clusters-view.ts); importing the origin's
// files with cross-checks and coverage (src/ui/state/clusters-import.ts); the cluster charts
// (src/ui/charts/cluster-map.ts).
import { describe, expect, it } from 'vitest';
import { CLUSTER_COLORS, NOISE_COLOR, clusterColor, clusterColumns, countStatistics, crossTab, layoutDomains, parseExcludeList } from '../../src/ui/state/clusters-view';
import { checkClusterImport, parseClusterFiles } from '../../src/ui/state/clusters-import';
import { clusterBarsSvg, clusterMapLayout, clusterMapScales, clusterMapSvg, projectClusterPoints } from '../../src/ui/charts/cluster-map';
import { serializeAssignmentsCsv, serializeStatisticsCsv } from '../../src/domain/clustering/cluster-files';
import type { ClusterAssignmentRow } from '../../src/domain/clustering/types';
import type { CartographyCategory } from '../../src/domain/cartography/types';

const a = (id: string, cluster: number, dim1 = cluster, dim2 = -cluster, p: number | null = cluster < 0 ? 0 : 0.9): ClusterAssignmentRow => ({ id, cluster, dim1, dim2, cluster_probability: p });

const assignments = [a('r1', 0), a('r2', 0), a('r3', 1), a('r4', -1), a('r5', 1), a('r6', 17)];

describe('cluster map columns', () => {
  it('gives noise palette bin 0 and clusters 1 + label mod the colour count', () => {
    const c = clusterColumns(assignments);
    expect(Array.from(c.labels)).toEqual([0, 0, 1, -1, 1, 17]);
    expect(Array.from(c.bins)).toEqual([1, 1, 2, 0, 2, 1 + (17 % CLUSTER_COLORS.length)]);
    expect(c.hasLayout).toBe(true);
    expect(clusterColor(-1)).toBe(NOISE_COLOR);
    expect(clusterColor(CLUSTER_COLORS.length)).toBe(CLUSTER_COLORS[0]);
    expect(clusterColumns([a('x', 0, NaN, NaN)]).hasLayout).toBe(false);
    const d = layoutDomains(c);
    expect(d.x[0]).toBeLessThan(-1);
    expect(d.x[1]).toBeGreaterThan(17);
  });

  it('projects into the plot and exports circles and bar charts', () => {
    const c = clusterColumns(assignments);
    const layout = clusterMapLayout(600, 400);
    const scales = clusterMapScales(layout, c);
    const { px, py } = projectClusterPoints(c, scales, layout);
    const w = layout.plot.right - layout.plot.left;
    const h = layout.plot.bottom - layout.plot.top;
    for (let i = 0; i < c.n; i++) {
      expect(px[i]).toBeGreaterThan(0);
      expect(px[i]).toBeLessThan(w);
      expect(py[i]).toBeGreaterThan(0);
      expect(py[i]).toBeLessThan(h);
    }
    const stats = countStatistics(assignments);
    const out = clusterMapSvg({ columns: c, statistics: stats }, layout);
    const pts = out.svg.slice(out.svg.indexOf('<g class="points">'), out.svg.indexOf('<g class="cluster-map-over">'));
    expect(pts.match(/<circle /g)).toHaveLength(6);
    expect(out.svg).toContain('noise (1)');
    const bars = clusterBarsSvg(stats, 'size', { id: 't', title: 'Sizes' });
    expect(bars.match(/class="bar"/g)).toHaveLength(4);
    expect(clusterBarsSvg(stats, 'persistence', { id: 'p', title: 'Persistence' })).toContain('No persistence values');
  });
});

describe('crossTab', () => {
  it('counts the inner join of assignments and categories with margins', () => {
    const cats = new Map<string, CartographyCategory>([
      ['r1', 'easy'],
      ['r2', 'ambiguous'],
      ['r3', 'hard'],
      ['r4', 'ambiguous'],
      ['r5', 'hard'],
      ['zz', 'easy'],
    ]);
    const t = crossTab(assignments, cats);
    expect(t.clusters).toEqual([-1, 0, 1]);
    expect(t.counts).toEqual([
      { easy: 0, hard: 0, ambiguous: 1 },
      { easy: 1, hard: 0, ambiguous: 1 },
      { easy: 0, hard: 2, ambiguous: 0 },
    ]);
    expect(t.rowTotals).toEqual([1, 2, 2]);
    expect(t.columnTotals).toEqual({ easy: 1, hard: 2, ambiguous: 2 });
    expect(t.total).toBe(5);
    expect(t.unmatched).toBe(1); // r6 has no cartography row
  });
});

describe('countStatistics and parseExcludeList', () => {
  it('counts sizes and percentages by size descending, leaving what needs the embeddings empty', () => {
    expect(countStatistics(assignments)).toEqual([
      { cluster: 0, size: 2, percentage: (2 / 6) * 100, mean_norm: NaN, std_norm: NaN, persistence: null },
      { cluster: 1, size: 2, percentage: (2 / 6) * 100, mean_norm: NaN, std_norm: NaN, persistence: null },
      { cluster: -1, size: 1, percentage: (1 / 6) * 100, mean_norm: NaN, std_norm: NaN, persistence: null },
      { cluster: 17, size: 1, percentage: (1 / 6) * 100, mean_norm: NaN, std_norm: NaN, persistence: null },
    ]);
  });

  it('parses labels separated by commas or spaces; empty means exclude nothing', () => {
    expect(parseExcludeList('-1, 3 4;3')).toEqual([-1, 3, 4]);
    expect(parseExcludeList('  ')).toEqual([]);
    expect(() => parseExcludeList('1, x')).toThrow(/"x" is not a cluster label/);
    expect(() => parseExcludeList('-2')).toThrow(/-2 is not a cluster label/);
    expect(() => parseExcludeList('1.5')).toThrow(/not a cluster label/);
  });
});

describe('parseClusterFiles', () => {
  const stats = [
    { cluster: 0, size: 2, percentage: 40, mean_norm: 1.5, std_norm: 0.5, persistence: 0.2 },
    { cluster: 1, size: 2, percentage: 40, mean_norm: 1.1, std_norm: 0.4, persistence: 0.1 },
    { cluster: -1, size: 1, percentage: 20, mean_norm: 2.5, std_norm: 0.9, persistence: null },
  ];
  const five = assignments.slice(0, 5);

  it('reads assignments with statistics and metadata, cross-checked, and reports coverage', () => {
    const out = parseClusterFiles([
      { name: 'cluster_assignments.csv', text: serializeAssignmentsCsv(five) },
      { name: 'cluster_statistics.csv', text: serializeStatisticsCsv(stats) },
      { name: 'cluster_metadata.json', text: '{"n_clusters": 2, "min_cluster_size": 10}' },
    ]);
    expect(out.assignments.map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(out.statistics).toEqual(stats);
    expect(out.metadata).toEqual({ n_clusters: 2, min_cluster_size: 10 });
    expect(out.notes).toEqual([]);
    const checked = checkClusterImport(out, ['r1', 'r2', 'r9']);
    expect(checked.coverage).toMatchObject({ coveredRows: 2, missingIds: 1, extraIds: 3, missingExamples: ['r9'] });
    expect(checked.storable).toBe(true);
    expect(checkClusterImport(out, ['q']).storable).toBe(false);
  });

  it('counts statistics when the file is absent and says so; the map is unavailable without dims', () => {
    const text = 'id,cluster\nr1,0\nr2,-1\n';
    const out = parseClusterFiles([{ name: 'cluster_assignments.csv', text }]);
    // Equal sizes: ascending labels.
    expect(out.statistics.map((s) => [s.cluster, s.size])).toEqual([
      [-1, 1],
      [0, 1],
    ]);
    expect(out.notes.join(' ')).toMatch(/no cluster_statistics\.csv/);
    expect(out.notes.join(' ')).toMatch(/no dim1\/dim2/);
    expect(out.notes.join(' ')).toMatch(/no cluster_probability/);
  });

  it('refuses files that disagree, are missing or are not clustering output', () => {
    const wrong = stats.map((s) => (s.cluster === 1 ? { ...s, size: 3 } : s));
    expect(() =>
      parseClusterFiles([
        { name: 'cluster_assignments.csv', text: serializeAssignmentsCsv(five) },
        { name: 'cluster_statistics.csv', text: serializeStatisticsCsv(wrong) },
      ]),
    ).toThrow(/cluster_statistics\.csv, record cluster 1, field "size": says 3 rows but cluster_assignments\.csv has 2/);
    expect(() => parseClusterFiles([{ name: 'cluster_statistics.csv', text: serializeStatisticsCsv(stats) }])).toThrow(/cluster_assignments\.csv is required/);
    expect(() => parseClusterFiles([{ name: 'cluster_assignments.csv', text: 'id,cluster\nr1,zero\n' }])).toThrow(/cluster_assignments\.csv, line 2, field "cluster"/);
    expect(() => parseClusterFiles([{ name: 'x.csv', text: 'a,b\n1,2\n' }])).toThrow(/x\.csv: not a clustering file/);
    expect(() => parseClusterFiles([{ name: 'cluster_metadata.json', text: '[1]' }, { name: 'cluster_assignments.csv', text: 'id,cluster\nr1,0\n' }])).toThrow(/expected a JSON object/);
  });
});
