/** Shared layout helpers for the chart renderers. */
import { extent } from 'd3';
import type { PlotFrame } from './axes';
import type { ChartSize } from './svg';

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const DEFAULT_MARGINS: Margins = { top: 50, right: 36, bottom: 64, left: 78 };

export function plotFrame(size: ChartSize, m: Margins = DEFAULT_MARGINS): PlotFrame {
  return { left: m.left, top: m.top, right: size.width - m.right, bottom: size.height - m.bottom };
}

/**
 * A domain covering the values with a margin on each side (matplotlib's 5% default), and a unit
 * window around a single repeated value so the scale never collapses.
 */
export function paddedDomain(values: readonly number[], pad = 0.05): [number, number] {
  const [lo, hi] = extent(values) as [number | undefined, number | undefined];
  if (lo === undefined || hi === undefined) return [0, 1];
  if (lo === hi) {
    const w = lo === 0 ? 1 : Math.abs(lo) * 0.01;
    return [lo - w, hi + w];
  }
  const m = (hi - lo) * pad;
  return [lo - m, hi + m];
}

/** Number shown in tooltips and descriptions. */
export function fmt(x: number, digits = 2): string {
  return x.toFixed(digits);
}
