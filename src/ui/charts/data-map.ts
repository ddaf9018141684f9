/**
 * The dataset-cartography data map (Swayamdipta et al. 2020; origin-system.md §2.3 and §11):
 * x = variability, y = confidence, colour = correctness, dashed median guides, region labels,
 * marginal histograms of variability (top) and confidence (right), and a correctness legend.
 *
 * The points go on a <canvas> (131k of them as SVG elements would make the page crawl), drawn
 * into a pixel buffer by rasterizePoints; the frame is SVG strings in two layers, `under` (grid,
 * histograms, axes) and `over` (median lines, region labels), so the live view stacks
 * under → canvas → over and the exports compose the same layers. Everything here is DOM-free.
 */
import { color, scaleLinear, interpolateViridis, type ScaleLinear } from 'd3';
import { axisBottom, axisLeft, type PlotFrame } from './axes';
import { GRID, INK, MUTED_INK, OKABE_ITO } from './palette';
import { chartTitle, el, escapeXml, fitLabel, num, svgDocument, text, FONT_FAMILY, attrs } from './svg';
import { histogram, type MapColumns } from '../state/cartography-view';
import type { CartographyCategory, CategoryThresholds } from '../../domain/cartography/types';
import { seededRandom } from '../../domain/clustering/random';

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface DataMapLayout {
  width: number;
  height: number;
  plot: PlotFrame;
  /** Variability histogram, above the plot. */
  topHist: Box;
  /** Confidence histogram, right of the plot. */
  rightHist: Box;
  /** Top of the correctness legend row. */
  legendTop: number;
  /** Height of the band above the histograms where the visible title goes; 0 without one. */
  titleBand: number;
}

const HIST_BAND = 56;
const GAP = 6;
/** Room for a visible title (figures that leave the app need one; the Cartography section has a heading instead). */
const TITLE_BAND = 32;

export interface DataMapLayoutOptions {
  /** Reserve a band on top and draw `DataMapInput.title` in it. Default false. */
  title?: boolean;
}

export function dataMapLayout(width: number, height: number, options: DataMapLayoutOptions = {}): DataMapLayout {
  if (!(width >= 240 && height >= 220)) throw new RangeError(`the data map needs at least 240×220 px, got ${width}×${height}`);
  const titleBand = options.title ? TITLE_BAND : 0;
  const left = 58;
  const top = 8 + titleBand;
  const right = 14;
  const bottom = 84;
  const plot = { left, top: top + HIST_BAND + GAP, right: width - right - HIST_BAND - GAP, bottom: height - bottom };
  return {
    width,
    height,
    plot,
    topHist: { left: plot.left, top, right: plot.right, bottom: top + HIST_BAND },
    rightHist: { left: plot.right + GAP, top: plot.top, right: plot.right + GAP + HIST_BAND, bottom: plot.bottom },
    legendTop: plot.bottom + 52,
    titleBand,
  };
}

export interface DataMapScales {
  /** variability → absolute x */
  x: ScaleLinear<number, number>;
  /** confidence → absolute y */
  y: ScaleLinear<number, number>;
}

export function dataMapScales(layout: DataMapLayout, domains: { x: [number, number]; y: [number, number] }): DataMapScales {
  const { plot } = layout;
  return {
    x: scaleLinear().domain(domains.x).range([plot.left, plot.right]),
    y: scaleLinear().domain(domains.y).range([plot.bottom, plot.top]),
  };
}

/** Correctness is shown as allenai's plot shows it: rounded to one decimal, 11 hues 0.0 … 1.0. */
export const CORRECTNESS_BINS = 11;

/**
 * Viridis (perceptually uniform, readable with the common colour-vision deficiencies), stopped
 * short of its palest yellow, which vanishes on white.
 */
export const CORRECTNESS_COLORS: readonly string[] = Array.from({ length: CORRECTNESS_BINS }, (_, i) => interpolateViridis((0.88 * i) / (CORRECTNESS_BINS - 1)));

export function correctnessBin(c: number): number {
  if (!Number.isFinite(c)) return 0;
  return Math.min(CORRECTNESS_BINS - 1, Math.max(0, Math.round(c * 10)));
}

export function correctnessBins(correctness: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(correctness.length);
  for (let i = 0; i < out.length; i++) out[i] = correctnessBin(correctness[i]);
  return out;
}

export const CATEGORY_COLORS: Record<CartographyCategory, string> = {
  easy: OKABE_ITO.bluishGreen,
  hard: OKABE_ITO.vermillion,
  ambiguous: OKABE_ITO.orange,
};

export const REGION_LABELS: Record<CartographyCategory, string> = { easy: 'easy-to-learn', hard: 'hard-to-learn', ambiguous: 'ambiguous' };

/** Screen positions of the points relative to the plot's top-left corner (canvas coordinates). */
export function projectPoints(cols: Pick<MapColumns, 'n' | 'variability' | 'confidence'>, scales: DataMapScales, layout: DataMapLayout): { px: Float32Array; py: Float32Array } {
  const px = new Float32Array(cols.n);
  const py = new Float32Array(cols.n);
  const { plot } = layout;
  // Inline the linear maps: a d3 scale call per point costs ~10× more at 131k points.
  const [dx0, dx1] = scales.x.domain();
  const [dy0, dy1] = scales.y.domain();
  const kx = (plot.right - plot.left) / (dx1 - dx0);
  const ky = (plot.top - plot.bottom) / (dy1 - dy0);
  const oy = plot.bottom - plot.top;
  for (let i = 0; i < cols.n; i++) {
    px[i] = (cols.variability[i] - dx0) * kx;
    py[i] = oy + (cols.confidence[i] - dy0) * ky;
  }
  return { px, py };
}

export interface PixelBuffer {
  /** Non-premultiplied RGBA, row-major (what ImageData holds). */
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export interface RasterOptions {
  /** Point radius in CSS pixels. */
  radius?: number;
  alpha?: number;
  /** Device pixels per CSS pixel (devicePixelRatio on screen, 2 for the PNG export). */
  scale?: number;
  /** Indices to draw (all when absent). */
  subset?: ArrayLike<number>;
}

function rgbOf(css: string): [number, number, number] {
  const c = color(css)?.rgb();
  if (!c) throw new RangeError(`not a colour: ${css}`);
  return [c.r / 255, c.g / 255, c.b / 255];
}

/** Sub-pixel positions per axis the disc stamps are made for (a quarter pixel is invisible). */
const SUBPIXEL = 4;

/** Coverage × alpha of a disc of radius r (device px) centred at each quarter-pixel offset. */
function discStamps(r: number, alpha: number): { size: number; reach: number; stamps: Float32Array[] } {
  const reach = Math.ceil(r + 0.5);
  const size = 2 * reach + 2;
  const stamps: Float32Array[] = [];
  for (let sy = 0; sy < SUBPIXEL; sy++) {
    for (let sx = 0; sx < SUBPIXEL; sx++) {
      const m = new Float32Array(size * size);
      const cx = reach + sx / SUBPIXEL;
      const cy = reach + sy / SUBPIXEL;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          // Coverage of the pixel by the disc, linear across a one-pixel rim.
          const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
          m[y * size + x] = alpha * Math.max(0, Math.min(1, r + 0.5 - d));
        }
      }
      stamps.push(m);
    }
  }
  return { size, reach, stamps };
}

/**
 * Draws antialiased discs straight into a pixel buffer, in one pass over typed arrays: the
 * buffer then goes onto a canvas with one putImageData. A path of 10⁵ arcs or rects costs the
 * canvas seconds to build and rasterise; this costs tens of milliseconds.
 *
 * Points are drawn in colour order (low correctness first, so the rarer fully-correct points end
 * on top) and, within a colour, top to bottom, which keeps the writes close together in memory
 * (twice as fast as data order). Each point stamps a precomputed disc for its quarter-pixel
 * offset, blended source-over in premultiplied float; one conversion to RGBA bytes ends it.
 */
export function rasterizePoints(
  width: number,
  height: number,
  px: Float32Array,
  py: Float32Array,
  colorBin: Uint8Array,
  palette: readonly string[],
  options: RasterOptions = {},
): PixelBuffer {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new RangeError(`rasterizePoints: size must be positive integers, got ${width}×${height}`);
  const scale = options.scale ?? 1;
  const r = (options.radius ?? 2.2) * scale;
  const { size, reach, stamps } = discStamps(r, options.alpha ?? 0.65);
  const subset = options.subset;
  const n = subset ? subset.length : px.length;
  const bins = palette.length;
  const rgb = palette.map(rgbOf);

  // Two stable counting sorts: by row, then by colour.
  const rowOf = new Uint32Array(n);
  const rowStart = new Uint32Array(height + 1);
  for (let k = 0; k < n; k++) {
    const y = Math.floor(py[subset ? subset[k] : k] * scale);
    const row = y < 0 || Number.isNaN(y) ? 0 : y >= height ? height - 1 : y;
    rowOf[k] = row;
    rowStart[row + 1]++;
  }
  for (let y = 0; y < height; y++) rowStart[y + 1] += rowStart[y];
  const byRow = new Uint32Array(n);
  for (let k = 0; k < n; k++) byRow[rowStart[rowOf[k]]++] = subset ? subset[k] : k;
  const binStart = new Uint32Array(bins + 1);
  for (let k = 0; k < n; k++) binStart[colorBin[byRow[k]] + 1]++;
  for (let b = 0; b < bins; b++) binStart[b + 1] += binStart[b];
  const order = new Uint32Array(n);
  const fill = binStart.slice(0, bins);
  for (let k = 0; k < n; k++) order[fill[colorBin[byRow[k]]]++] = byRow[k];

  const acc = new Float32Array(width * height * 4);
  for (let b = 0; b < bins; b++) {
    const cr = rgb[b][0];
    const cg = rgb[b][1];
    const cb = rgb[b][2];
    for (let k = binStart[b]; k < binStart[b + 1]; k++) {
      const i = order[k];
      const cx = px[i] * scale;
      const cy = py[i] * scale;
      if (!(cx > -reach - 1 && cy > -reach - 1 && cx < width + reach + 1 && cy < height + reach + 1)) continue;
      const bx = Math.floor(cx);
      const by = Math.floor(cy);
      const m = stamps[((((cy - by) * SUBPIXEL) | 0) * SUBPIXEL) + (((cx - bx) * SUBPIXEL) | 0)];
      const x0 = bx - reach;
      const y0 = by - reach;
      const sx0 = x0 < 0 ? -x0 : 0;
      const sx1 = x0 + size > width ? width - x0 : size;
      for (let sy = 0; sy < size; sy++) {
        const y = y0 + sy;
        if (y < 0 || y >= height) continue;
        let o = (y * width + x0 + sx0) * 4;
        const row = sy * size;
        for (let sx = sx0; sx < sx1; sx++, o += 4) {
          const a = m[row + sx];
          if (a === 0) continue;
          const keep = 1 - a;
          acc[o] = cr * a + acc[o] * keep;
          acc[o + 1] = cg * a + acc[o + 1] * keep;
          acc[o + 2] = cb * a + acc[o + 2] * keep;
          acc[o + 3] = a + acc[o + 3] * keep;
        }
      }
    }
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let o = 0; o < acc.length; o += 4) {
    const a = acc[o + 3];
    if (a <= 0) continue;
    // Uint8ClampedArray rounds to the nearest integer itself.
    data[o] = (acc[o] / a) * 255;
    data[o + 1] = (acc[o + 1] / a) * 255;
    data[o + 2] = (acc[o + 2] / a) * 255;
    data[o + 3] = a * 255;
  }
  return { data, width, height };
}

export interface DataMapInput {
  columns: MapColumns;
  thresholds: CategoryThresholds;
  domains: { x: [number, number]; y: [number, number] };
  colorBins: Uint8Array;
  title?: string;
}

function barsTop(h: ReturnType<typeof histogram>, box: Box, color: string): string {
  const bw = (box.right - box.left) / h.counts.length;
  const k = h.max === 0 ? 0 : (box.bottom - box.top - 4) / h.max;
  let out = '';
  h.counts.forEach((c, b) => {
    if (c === 0) return;
    out += el('rect', { x: box.left + b * bw, y: box.bottom - c * k, width: Math.max(0.5, bw - 0.5), height: c * k, fill: color });
  });
  return out;
}

function barsRight(h: ReturnType<typeof histogram>, box: Box, color: string): string {
  const bh = (box.bottom - box.top) / h.counts.length;
  const k = h.max === 0 ? 0 : (box.right - box.left - 4) / h.max;
  let out = '';
  h.counts.forEach((c, b) => {
    if (c === 0) return;
    // Bin b covers confidence [x0 + b·w, x0 + (b+1)·w): drawn upwards from the plot's bottom.
    out += el('rect', { x: box.left, y: box.bottom - (b + 1) * bh, width: c * k, height: Math.max(0.5, bh - 0.5), fill: color });
  });
  return out;
}

export const HISTOGRAM_COLORS = { variability: OKABE_ITO.bluishGreen, confidence: OKABE_ITO.reddishPurple } as const;

/** The correctness hues present in the data, for the legend. */
export function presentBins(colorBins: Uint8Array): number[] {
  const seen = new Uint8Array(CORRECTNESS_BINS);
  for (let i = 0; i < colorBins.length; i++) seen[colorBins[i]] = 1;
  return [...seen.keys()].filter((b) => seen[b]);
}

/** Grid, marginal histograms, axes and the legend: drawn under the points. */
export function dataMapUnder(input: DataMapInput, layout: DataMapLayout, scales: DataMapScales): string {
  const { plot } = layout;
  const xAxis = axisBottom(scales.x, plot, { label: 'variability', ticks: 6 });
  const yAxis = axisLeft(scales.y, plot, { label: 'confidence', ticks: 6 });
  const bins = 30;
  const [vx0, vx1] = input.domains.x;
  const hv = histogram(input.columns.variability, vx0, vx1, bins);
  const hc = histogram(input.columns.confidence, input.domains.y[0], input.domains.y[1], bins);
  const hist =
    el('rect', { x: layout.topHist.left, y: layout.topHist.top, width: layout.topHist.right - layout.topHist.left, height: layout.topHist.bottom - layout.topHist.top, fill: '#fbfbfb', stroke: GRID }) +
    barsTop(hv, layout.topHist, HISTOGRAM_COLORS.variability) +
    text(layout.topHist.left + 4, layout.topHist.top + 12, `variability (max bin ${hv.max})`, { 'font-size': 10, fill: MUTED_INK }) +
    el('rect', { x: layout.rightHist.left, y: layout.rightHist.top, width: layout.rightHist.right - layout.rightHist.left, height: layout.rightHist.bottom - layout.rightHist.top, fill: '#fbfbfb', stroke: GRID }) +
    barsRight(hc, layout.rightHist, HISTOGRAM_COLORS.confidence) +
    el('text', { transform: `translate(${num(layout.rightHist.right - 4)},${num(layout.rightHist.top + 4)}) rotate(90)`, 'font-size': 10, fill: MUTED_INK }, escapeXml(`confidence (max bin ${hc.max})`));
  const present = presentBins(input.colorBins);
  let lx = plot.left;
  const ly = layout.legendTop + 10;
  let legend = text(lx, ly, 'correctness', { dy: '0.32em', 'font-size': 12, fill: INK });
  lx += 78;
  for (const b of present) {
    legend += el('circle', { cx: lx + 5, cy: ly, r: 5, fill: CORRECTNESS_COLORS[b] }) + text(lx + 13, ly, (b / 10).toFixed(1), { dy: '0.32em', 'font-size': 11, fill: MUTED_INK });
    lx += 42;
  }
  const title = layout.titleBand > 0 && input.title ? chartTitle(layout.width, fitLabel(input.title, 17, layout.width - 24)) : '';
  return el('g', { class: 'data-map-under' }, title + xAxis.grid + yAxis.grid + hist + xAxis.axis + yAxis.axis + el('g', { class: 'legend' }, legend));
}

/** Median guides and region labels: drawn over the points. */
export function dataMapOver(input: DataMapInput, layout: DataMapLayout, scales: DataMapScales): string {
  const { plot } = layout;
  const mx = scales.x(Math.min(input.thresholds.variability, input.domains.x[1]));
  const my = scales.y(input.thresholds.confidence);
  const guides =
    el('line', { x1: mx, x2: mx, y1: plot.top, y2: plot.bottom, stroke: '#555555', 'stroke-dasharray': '5 4', 'stroke-width': 1.2, class: 'median-variability' }) +
    el('line', { x1: plot.left, x2: mx, y1: my, y2: my, stroke: '#555555', 'stroke-dasharray': '5 4', 'stroke-width': 1.2, class: 'median-confidence' }) +
    text(mx + 4, plot.bottom - 6, `median variability ${input.thresholds.variability.toFixed(3)}`, { 'font-size': 10, fill: MUTED_INK }) +
    text(Math.max(mx - 4, plot.left + 150), my - 5, `median confidence ${input.thresholds.confidence.toFixed(3)}`, { 'text-anchor': 'end', 'font-size': 10, fill: MUTED_INK });
  const label = (cat: CartographyCategory, x: number, y: number) => {
    const s = REGION_LABELS[cat];
    const w = s.length * 7.4 + 14;
    return el(
      'g',
      { class: `region-label region-${cat}` },
      el('rect', { x: x - w / 2, y: y - 11, width: w, height: 22, rx: 6, fill: '#ffffff', 'fill-opacity': 0.85, stroke: CATEGORY_COLORS[cat], 'stroke-width': 1.5 }) +
        text(x, y, s, { 'text-anchor': 'middle', dy: '0.35em', 'font-size': 13, 'font-weight': 600, fill: INK }),
    );
  };
  const leftMid = (plot.left + mx) / 2;
  // Kept off the plot's edges: with a median at an edge (a barely trained model has every
  // confidence near 0) the label would sit on the axis and the median captions.
  const inside = (y: number) => Math.min(plot.bottom - 30, Math.max(plot.top + 16, y));
  const labels =
    label('easy', Math.max(plot.left + 60, leftMid), inside((plot.top + my) / 2)) +
    label('hard', Math.max(plot.left + 60, leftMid), inside((my + plot.bottom) / 2)) +
    label('ambiguous', Math.min(plot.right - 50, (mx + plot.right) / 2), (plot.top + plot.bottom) / 2);
  return el('g', { class: 'data-map-over' }, guides + labels);
}

/** What every drawing of a data map at one layout needs: projected points and the SVG under and over them. */
export interface DataMapLayers {
  px: Float32Array;
  py: Float32Array;
  /** Standalone SVG document: background, grid, histograms, axes, legend (and the title band). */
  under: string;
  /** SVG body drawn over the points: median guides and region labels. */
  over: string;
}

/**
 * The layers of a data map at `layout`, as the Cartography map, the Results maps and their PNG
 * exports draw it. `doc` names the under-layer's document (decorative when a wrapper carries the label).
 */
export function dataMapLayers(input: DataMapInput, layout: DataMapLayout, doc: { id: string; title: string; desc?: string; decorative?: boolean }): DataMapLayers {
  const { width, height } = layout;
  const scales = dataMapScales(layout, input.domains);
  const { px, py } = projectPoints(input.columns, scales, layout);
  const under = svgDocument({ id: doc.id, width, height, title: doc.title, desc: doc.desc ?? dataMapDescription(input), body: dataMapUnder(input, layout, scales), decorative: doc.decorative });
  return { px, py, under, over: dataMapOver(input, layout, scales) };
}

/** A transparent SVG root for the over-layer (the under-layer carries the white background). */
export function overlayDocument(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg"${attrs({ width, height, viewBox: `0 0 ${num(width)} ${num(height)}`, 'font-family': FONT_FAMILY, 'font-size': 12, fill: INK })}>${body}</svg>`;
}

export function dataMapDescription(input: DataMapInput): string {
  return `Data map of ${input.columns.n} examples: x variability, y confidence, colour correctness; median thresholds confidence ${input.thresholds.confidence.toFixed(3)}, variability ${input.thresholds.variability.toFixed(3)}.`;
}

/** Most points an exported SVG holds; beyond it a seeded sample is drawn (and the file says so). */
export const SVG_POINT_LIMIT = 20_000;

/** A seeded sample of `k` of `n` indices, ascending (partial Fisher–Yates). */
export function sampleIndices(n: number, k: number, seed = 42): Uint32Array {
  if (k >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const idx = Uint32Array.from({ length: n }, (_, i) => i);
  const rand = seededRandom(seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, k).sort();
}

export interface DataMapSvgExport {
  svg: string;
  /** Points drawn and points in the data. */
  drawn: number;
  total: number;
  /** Set when the points were downsampled. */
  note: string | null;
}

/** The whole map as one SVG (points as circles), downsampled beyond `limit` points with a note. */
export function dataMapSvg(input: DataMapInput, layout: DataMapLayout, limit = SVG_POINT_LIMIT): DataMapSvgExport {
  const scales = dataMapScales(layout, input.domains);
  const { px, py } = projectPoints(input.columns, scales, layout);
  const n = input.columns.n;
  const subset = sampleIndices(n, limit);
  const note = subset.length < n ? `SVG shows a seeded random sample of ${subset.length.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} points; the PNG export has them all.` : null;
  // Same draw order as the canvas: by colour, low correctness first.
  const byBin: number[][] = Array.from({ length: CORRECTNESS_BINS }, () => []);
  for (const i of subset) byBin[input.colorBins[i]].push(i);
  const ox = layout.plot.left;
  const oy = layout.plot.top;
  let points = '';
  byBin.forEach((list, b) => {
    if (list.length === 0) return;
    let g = '';
    for (const i of list) g += `<circle cx="${num(ox + px[i])}" cy="${num(oy + py[i])}" r="2.2"/>`;
    points += `<g fill="${CORRECTNESS_COLORS[b]}" fill-opacity="0.65">${g}</g>`;
  });
  const title = input.title ?? 'Dataset cartography data map';
  const body =
    dataMapUnder(input, layout, scales) +
    el('g', { class: 'points' }, points) +
    dataMapOver(input, layout, scales) +
    (note ? text(layout.width - 8, layout.height - 8, note, { 'text-anchor': 'end', 'font-size': 10, fill: MUTED_INK, class: 'sample-note' }) : '');
  const svg = svgDocument({ id: 'data-map', width: layout.width, height: layout.height, title, desc: dataMapDescription(input) + (note ? ` ${note}` : ''), body });
  return { svg, drawn: subset.length, total: n, note };
}
