/**
 * The cluster map (cluster_visualization.png's left panel): the seeded 2-D UMAP of the reduced
 * embeddings, one colour per cluster, noise grey and drawn first, cluster numbers at their
 * centres; and the bar charts of cluster sizes and persistence. Same layering as the data map:
 * SVG under (axes, legend), canvas points, SVG over (labels).
 */
import { scaleBand, scaleLinear, type ScaleLinear } from 'd3';
import { axisBottom, axisLeft, type PlotFrame } from './axes';
import { INK, MUTED_INK } from './palette';
import { el, num, svgDocument, text } from './svg';
import { SVG_POINT_LIMIT, sampleIndices, type Box } from './data-map';
import { CLUSTER_COLORS, CLUSTER_PALETTE, NOISE_COLOR, clusterColor, layoutDomains, type ClusterColumns } from '../state/clusters-view';
import type { ClusterStatisticsRow } from '../../domain/clustering/types';

export interface ClusterMapLayout {
  width: number;
  height: number;
  plot: PlotFrame;
  legend: Box;
}

export function clusterMapLayout(width: number, height: number): ClusterMapLayout {
  if (!(width >= 320 && height >= 220)) throw new RangeError(`the cluster map needs at least 320×220 px, got ${width}×${height}`);
  const legendW = 130;
  const plot = { left: 56, top: 10, right: width - 14 - legendW, bottom: height - 48 };
  return { width, height, plot, legend: { left: plot.right + 12, top: plot.top, right: width - 4, bottom: plot.bottom } };
}

export interface ClusterMapScales {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
}

export function clusterMapScales(layout: ClusterMapLayout, cols: ClusterColumns): ClusterMapScales {
  const d = layoutDomains(cols);
  return {
    x: scaleLinear().domain(d.x).range([layout.plot.left, layout.plot.right]),
    y: scaleLinear().domain(d.y).range([layout.plot.bottom, layout.plot.top]),
  };
}

/** Plot-local pixel positions (canvas coordinates); NaN where a point has no layout. */
export function projectClusterPoints(cols: ClusterColumns, scales: ClusterMapScales, layout: ClusterMapLayout): { px: Float32Array; py: Float32Array } {
  const px = new Float32Array(cols.n);
  const py = new Float32Array(cols.n);
  for (let i = 0; i < cols.n; i++) {
    px[i] = scales.x(cols.dim1[i]) - layout.plot.left;
    py[i] = scales.y(cols.dim2[i]) - layout.plot.top;
  }
  return { px, py };
}

export interface ClusterMapInput {
  columns: ClusterColumns;
  statistics: readonly ClusterStatisticsRow[];
  title?: string;
}

const LEGEND_ROWS = 16;

/** Axes, grid and the legend (largest clusters first, noise last). */
export function clusterMapUnder(input: ClusterMapInput, layout: ClusterMapLayout, scales: ClusterMapScales): string {
  const x = axisBottom(scales.x, layout.plot, { label: 'UMAP 1', ticks: 6 });
  const y = axisLeft(scales.y, layout.plot, { label: 'UMAP 2', ticks: 6 });
  const clusters = input.statistics.filter((s) => s.cluster >= 0);
  const noise = input.statistics.find((s) => s.cluster < 0);
  const shown = clusters.slice(0, LEGEND_ROWS);
  const { legend } = layout;
  let items = '';
  let ly = legend.top + 10;
  for (const s of shown) {
    items += el('circle', { cx: legend.left + 6, cy: ly, r: 5, fill: clusterColor(s.cluster) }) + text(legend.left + 16, ly, `cluster ${s.cluster} (${s.size})`, { dy: '0.32em', 'font-size': 11 });
    ly += 17;
  }
  if (clusters.length > shown.length) {
    items += text(legend.left, ly, `+ ${clusters.length - shown.length} smaller clusters`, { dy: '0.32em', 'font-size': 10, fill: MUTED_INK });
    ly += 17;
  }
  if (noise) {
    items += el('circle', { cx: legend.left + 6, cy: ly, r: 5, fill: NOISE_COLOR }) + text(legend.left + 16, ly, `noise (${noise.size})`, { dy: '0.32em', 'font-size': 11 });
    ly += 17;
  }
  if (clusters.length > CLUSTER_COLORS.length) items += text(legend.left, ly + 4, `colours repeat after ${CLUSTER_COLORS.length}`, { dy: '0.32em', 'font-size': 10, fill: MUTED_INK });
  return el('g', { class: 'cluster-map-under' }, x.grid + y.grid + x.axis + y.axis + el('g', { class: 'legend' }, items));
}

/** Cluster numbers at the mean position of their members. */
export function clusterMapOver(input: ClusterMapInput, layout: ClusterMapLayout, scales: ClusterMapScales): string {
  const { columns: c } = input;
  const sum = new Map<number, [number, number, number]>();
  for (let i = 0; i < c.n; i++) {
    if (c.labels[i] < 0 || !Number.isFinite(c.dim1[i]) || !Number.isFinite(c.dim2[i])) continue;
    const s = sum.get(c.labels[i]) ?? [0, 0, 0];
    s[0] += c.dim1[i];
    s[1] += c.dim2[i];
    s[2]++;
    sum.set(c.labels[i], s);
  }
  let out = '';
  for (const [label, [sx, sy, k]] of sum) {
    const x = scales.x(sx / k);
    const y = scales.y(sy / k);
    out += text(x, y, String(label), { 'text-anchor': 'middle', dy: '0.35em', 'font-size': 12, 'font-weight': 700, fill: INK, stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke', class: 'cluster-label' });
  }
  return el('g', { class: 'cluster-map-over' }, out);
}

export function clusterMapDescription(input: ClusterMapInput): string {
  const k = input.statistics.filter((s) => s.cluster >= 0).length;
  const noise = input.statistics.find((s) => s.cluster < 0)?.size ?? 0;
  return `2-D UMAP of ${input.columns.n} example embeddings: ${k} HDBSCAN clusters and ${noise} noise points (grey).`;
}

/** The map as one SVG with circles, a seeded sample beyond `limit` points (noted). */
export function clusterMapSvg(input: ClusterMapInput, layout: ClusterMapLayout, limit = SVG_POINT_LIMIT): { svg: string; drawn: number; note: string | null } {
  const scales = clusterMapScales(layout, input.columns);
  const { px, py } = projectClusterPoints(input.columns, scales, layout);
  const n = input.columns.n;
  const subset = sampleIndices(n, limit);
  const note = subset.length < n ? `SVG shows a seeded random sample of ${subset.length.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} points; the PNG has them all.` : null;
  const byBin: number[][] = CLUSTER_PALETTE.map(() => []);
  for (const i of subset) if (Number.isFinite(px[i]) && Number.isFinite(py[i])) byBin[input.columns.bins[i]].push(i);
  let points = '';
  byBin.forEach((list, b) => {
    if (!list.length) return;
    let g = '';
    for (const i of list) g += `<circle cx="${num(layout.plot.left + px[i])}" cy="${num(layout.plot.top + py[i])}" r="2.4"/>`;
    points += `<g fill="${CLUSTER_PALETTE[b]}" fill-opacity="${b === 0 ? 0.5 : 0.75}">${g}</g>`;
  });
  const body =
    clusterMapUnder(input, layout, scales) +
    el('g', { class: 'points' }, points) +
    clusterMapOver(input, layout, scales) +
    (note ? text(layout.width - 8, layout.height - 6, note, { 'text-anchor': 'end', 'font-size': 10, fill: MUTED_INK }) : '');
  return { svg: svgDocument({ id: 'cluster-map', width: layout.width, height: layout.height, title: input.title ?? 'Cluster map', desc: clusterMapDescription(input) + (note ? ` ${note}` : ''), body }), drawn: subset.length, note };
}

/**
 * A bar chart of one value per cluster (sizes, persistence), clusters in the statistics' order
 * (size descending), noise included for sizes only. Bars are coloured as on the map.
 */
export function clusterBarsSvg(
  statistics: readonly ClusterStatisticsRow[],
  value: 'size' | 'persistence',
  options: { width?: number; height?: number; id: string; title: string },
): string {
  const rows = statistics.filter((s) => (value === 'size' ? true : s.cluster >= 0 && s.persistence !== null && Number.isFinite(s.persistence)));
  const width = options.width ?? 420;
  const height = options.height ?? 220;
  const plot = { left: 52, top: 26, right: width - 10, bottom: height - 40 };
  const body0 = text(width / 2, 16, options.title, { 'text-anchor': 'middle', 'font-size': 13, 'font-weight': 600 });
  if (rows.length === 0) {
    return svgDocument({ id: options.id, width, height, title: options.title, desc: 'No values.', body: body0 + text(width / 2, height / 2, value === 'persistence' ? 'No persistence values (imported without statistics, or noise only).' : 'No clusters.', { 'text-anchor': 'middle', fill: MUTED_INK }) });
  }
  const vals = rows.map((r) => (value === 'size' ? r.size : (r.persistence as number)));
  const x = scaleBand<number>()
    .domain(rows.map((_, i) => i))
    .range([plot.left, plot.right])
    .paddingInner(0.15);
  const y = scaleLinear()
    .domain([0, Math.max(...vals) || 1])
    .nice()
    .range([plot.bottom, plot.top]);
  const axis = axisLeft(y, plot, { label: value === 'size' ? 'examples' : 'persistence', ticks: 4, integer: value === 'size' });
  const bars = rows
    .map((r, i) => el('rect', { x: x(i) as number, y: y(vals[i]), width: Math.max(1, x.bandwidth()), height: plot.bottom - y(vals[i]), fill: clusterColor(r.cluster), class: 'bar' }, `<title>${r.cluster < 0 ? 'noise' : `cluster ${r.cluster}`}: ${value === 'size' ? r.size : vals[i].toFixed(4)}</title>`))
    .join('');
  const every = Math.max(1, Math.ceil(rows.length / Math.floor((plot.right - plot.left) / 22)));
  const labels = rows
    .map((r, i) => (i % every === 0 ? text((x(i) as number) + x.bandwidth() / 2, plot.bottom + 14, r.cluster < 0 ? 'noise' : String(r.cluster), { 'text-anchor': 'middle', 'font-size': 10, fill: MUTED_INK }) : ''))
    .join('');
  const xLabel = text((plot.left + plot.right) / 2, height - 6, 'cluster (largest first)', { 'text-anchor': 'middle', 'font-size': 11 });
  const base = el('line', { x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom, stroke: INK });
  return svgDocument({
    id: options.id,
    width,
    height,
    title: options.title,
    desc: `${options.title}: ${rows.map((r, i) => `${r.cluster < 0 ? 'noise' : r.cluster} ${value === 'size' ? vals[i] : vals[i].toFixed(3)}`).join(', ')}.`,
    body: body0 + axis.grid + bars + base + axis.axis + labels + xLabel,
  });
}
