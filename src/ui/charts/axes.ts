/**
 * Axes, grid lines and legends drawn from d3 scales as SVG strings.
 */
import type { ScaleLinear } from 'd3';
import { GRID, INK, MUTED_INK } from './palette';
import { el, estimateTextWidth, escapeXml, num, text } from './svg';

/** The plot area in pixels. */
export interface PlotFrame {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface LinearAxisOptions {
  label: string;
  /** approximate tick count (d3 picks round values) */
  ticks?: number;
  /** tick label formatter; default d3's tickFormat for the scale */
  format?: (v: number) => string;
  /** only integer ticks (for counts and indices) */
  integer?: boolean;
  /** draw grid lines across the plot (default true) */
  grid?: boolean;
}

export interface AxisParts {
  /** grid lines, to be drawn under the data */
  grid: string;
  /** axis line, ticks and labels, drawn over the data */
  axis: string;
}

function tickValues(scale: ScaleLinear<number, number>, o: LinearAxisOptions, fallback: number): number[] {
  const t = scale.ticks(o.ticks ?? fallback);
  return o.integer ? t.filter((v) => Number.isInteger(v)) : t;
}

function tickFormatter(scale: ScaleLinear<number, number>, o: LinearAxisOptions, fallback: number): (v: number) => string {
  if (o.format) return o.format;
  if (o.integer) return (v) => String(v);
  return scale.tickFormat(o.ticks ?? fallback);
}

export function axisBottom(scale: ScaleLinear<number, number>, f: PlotFrame, o: LinearAxisOptions): AxisParts {
  const ticks = tickValues(scale, o, 8);
  const fmt = tickFormatter(scale, o, 8);
  const grid =
    o.grid === false ? '' : ticks.map((v) => el('line', { x1: scale(v), x2: scale(v), y1: f.top, y2: f.bottom, stroke: GRID })).join('');
  const axis =
    el('line', { x1: f.left, x2: f.right, y1: f.bottom, y2: f.bottom, stroke: INK }) +
    ticks
      .map(
        (v) =>
          el('line', { x1: scale(v), x2: scale(v), y1: f.bottom, y2: f.bottom + 5, stroke: INK }) +
          text(scale(v), f.bottom + 19, fmt(v), { 'text-anchor': 'middle', fill: MUTED_INK }),
      )
      .join('') +
    (o.label ? text((f.left + f.right) / 2, f.bottom + 42, o.label, { 'text-anchor': 'middle', 'font-size': 14, class: 'axis-label' }) : '');
  return { grid: el('g', { class: 'grid' }, grid), axis: el('g', { class: 'axis axis-x' }, axis) };
}

export function axisLeft(scale: ScaleLinear<number, number>, f: PlotFrame, o: LinearAxisOptions): AxisParts {
  const ticks = tickValues(scale, o, 6);
  const fmt = tickFormatter(scale, o, 6);
  const labels = ticks.map(fmt);
  const widest = Math.max(0, ...labels.map((l) => estimateTextWidth(l, 12)));
  const grid =
    o.grid === false ? '' : ticks.map((v) => el('line', { x1: f.left, x2: f.right, y1: scale(v), y2: scale(v), stroke: GRID })).join('');
  const labelX = f.left - widest - 22;
  const axis =
    el('line', { x1: f.left, x2: f.left, y1: f.top, y2: f.bottom, stroke: INK }) +
    ticks
      .map(
        (v, i) =>
          el('line', { x1: f.left - 5, x2: f.left, y1: scale(v), y2: scale(v), stroke: INK }) +
          text(f.left - 8, scale(v), labels[i], { 'text-anchor': 'end', dy: '0.32em', fill: MUTED_INK }),
      )
      .join('') +
    el(
      'text',
      { transform: `translate(${num(labelX)},${num((f.top + f.bottom) / 2)}) rotate(-90)`, 'text-anchor': 'middle', 'font-size': 14, class: 'axis-label' },
      escapeXml(o.label),
    );
  return { grid: el('g', { class: 'grid' }, grid), axis: el('g', { class: 'axis axis-y' }, axis) };
}

/** Category labels left of the plot at the given vertical centres. */
export function categoryAxisLeft(
  categories: readonly { label: string; y: number; bold?: boolean }[],
  f: PlotFrame,
): string {
  return el(
    'g',
    { class: 'axis axis-y' },
    el('line', { x1: f.left, x2: f.left, y1: f.top, y2: f.bottom, stroke: INK }) +
      categories
        .map((c) => text(f.left - 8, c.y, c.label, { 'text-anchor': 'end', dy: '0.32em', 'font-weight': c.bold ? 700 : null }))
        .join(''),
  );
}

export type LegendSymbol =
  | { kind: 'line'; color: string; dash?: string | null }
  | { kind: 'dot'; color: string; hollow?: boolean }
  | { kind: 'bar'; color: string }
  | { kind: 'errorbar'; color: string };

export interface LegendItem {
  label: string;
  symbol: LegendSymbol;
}

function legendSymbol(s: LegendSymbol, x: number, y: number): string {
  switch (s.kind) {
    case 'line':
      return el('line', { x1: x, x2: x + 22, y1: y, y2: y, stroke: s.color, 'stroke-width': 2.5, 'stroke-dasharray': s.dash ?? null });
    case 'dot':
      return el('circle', {
        cx: x + 11,
        cy: y,
        r: 5,
        fill: s.hollow ? '#ffffff' : s.color,
        stroke: s.color,
        'stroke-width': 1.5,
        class: 'legend-symbol',
      });
    case 'bar':
      return el('rect', { x: x + 4, y: y - 6, width: 14, height: 12, fill: s.color });
    case 'errorbar':
      return (
        el('line', { x1: x, x2: x + 22, y1: y, y2: y, stroke: s.color, 'stroke-width': 2 }) +
        el('line', { x1: x, x2: x, y1: y - 5, y2: y + 5, stroke: s.color, 'stroke-width': 2 }) +
        el('line', { x1: x + 22, x2: x + 22, y1: y - 5, y2: y + 5, stroke: s.color, 'stroke-width': 2 })
      );
  }
}

/** Width a legend will take, for placing it. */
export function legendWidth(items: readonly LegendItem[]): number {
  return 40 + Math.max(0, ...items.map((i) => estimateTextWidth(i.label, 12)));
}

/** A vertical legend box with its top-right corner at (right, top). */
export function legend(items: readonly LegendItem[], right: number, top: number): string {
  if (items.length === 0) return '';
  const w = legendWidth(items);
  const h = 10 + items.length * 20;
  const x = right - w;
  return el(
    'g',
    { class: 'legend' },
    el('rect', { x, y: top, width: w, height: h, fill: '#ffffff', 'fill-opacity': 0.9, stroke: '#bbbbbb', rx: 3 }) +
      items
        .map((it, i) => {
          const y = top + 15 + i * 20;
          return legendSymbol(it.symbol, x + 8, y) + text(x + 36, y, it.label, { dy: '0.32em' });
        })
        .join(''),
  );
}

/**
 * A legend box starting at (left, top) with items side by side, wrapping onto further lines
 * beyond `maxWidth`. Returns the markup and the height it takes.
 */
export function legendRows(items: readonly LegendItem[], left: number, top: number, maxWidth: number): { svg: string; height: number } {
  if (items.length === 0) return { svg: '', height: 0 };
  const widths = items.map((it) => 44 + estimateTextWidth(it.label, 12));
  const lines: { item: LegendItem; x: number; line: number }[] = [];
  let x = 8;
  let lineNo = 0;
  let widest = 0;
  items.forEach((item, i) => {
    if (x > 8 && x + widths[i] > maxWidth) {
      lineNo++;
      x = 8;
    }
    lines.push({ item, x, line: lineNo });
    x += widths[i];
    widest = Math.max(widest, x);
  });
  const height = 26 + lineNo * 20;
  const parts = lines.map(({ item, x: ix, line }) => {
    const y = top + 13 + line * 20;
    return legendSymbol(item.symbol, left + ix, y) + text(left + ix + 28, y, item.label, { dy: '0.32em' });
  });
  const box = el('rect', { x: left, y: top, width: Math.min(maxWidth, widest) + 8, height, fill: '#ffffff', stroke: '#bbbbbb', rx: 3 });
  return { svg: el('g', { class: 'legend' }, box + parts.join('')), height };
}
