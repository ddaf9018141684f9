/**
 * The four plots of the Python `plot_results` (origin-system §9.3), each as its own 800×500 SVG,
 * and the 2×2 figure `experiment_results.png` composes from them. Failed runs are left out, as in
 * Python; a panel without data shows the Python message ("F1 data not available", ...).
 */
import { line, scaleLinear } from 'd3';
import { sortRowsByTimestamp, STRATEGY_FLAGS, pythonTitle, type AnalysisRow } from '../../domain/experiments/analysis/rows';
import { axisBottom, axisLeft, categoryAxisLeft, legend, type LegendItem, type PlotFrame } from './axes';
import { composeGrid } from './grid';
import { DEFAULT_MARGINS, fmt, paddedDomain, plotFrame } from './layout';
import { OKABE_ITO, MUTED_INK } from './palette';
import {
  chartTitle,
  el,
  emptyMessage,
  escapeXml,
  estimateTextWidth,
  resolveSize,
  svgDocument,
  text,
  type ChartOptions,
} from './svg';

const POINT = OKABE_ITO.blue;

function tooltip(s: string): string {
  return el('title', {}, escapeXml(s));
}

function point(cx: number, cy: number, r: number, label: string, cls = 'point'): string {
  return el('circle', { class: cls, cx, cy, r, fill: POINT, 'fill-opacity': 0.75, stroke: '#ffffff', 'stroke-width': 1 }, tooltip(label));
}

function successful(rows: readonly AnalysisRow[]): AnalysisRow[] {
  return rows.filter((r) => r.success);
}

function rangeText(values: readonly number[]): string {
  return `${fmt(Math.min(...values))} to ${fmt(Math.max(...values))}`;
}

/** [0,0] "F1 Score Over Experiments": F1 of each successful run in timestamp order, line with markers. */
export function f1OverExperimentsChart(rows: readonly AnalysisRow[], opts: ChartOptions = {}): string {
  const size = resolveSize(opts);
  const id = opts.id ?? 'f1-over-experiments';
  const title = opts.title ?? 'F1 Score Over Experiments';
  // As in Python, the x position is the run's index among all successful runs in timestamp
  // order; a run without F1 leaves a gap in the line rather than shifting the others.
  const ordered = sortRowsByTimestamp(successful(rows));
  const data = ordered.map((r, i) => ({ r, i })).filter((e) => e.r.eval_f1 !== null);
  if (data.length === 0) {
    return svgDocument({ id, ...size, title, desc: 'No successful run has an F1 score.', body: chartTitle(size.width, title) + emptyMessage(size, 'F1 data not available') });
  }
  const f = plotFrame(size);
  const ys = data.map((e) => e.r.eval_f1 as number);
  const x = scaleLinear().domain([-0.3, Math.max(1, ordered.length - 1) + 0.3]).range([f.left, f.right]);
  const y = scaleLinear().domain(paddedDomain(ys)).nice().range([f.bottom, f.top]);
  const ax = axisBottom(x, f, { label: 'Experiment Number', integer: true, ticks: Math.min(10, ordered.length) });
  const ay = axisLeft(y, f, { label: 'F1 Score' });
  const path = line<AnalysisRow>()
    .defined((r) => r.eval_f1 !== null)
    .x((_, i) => x(i))
    .y((r) => y(r.eval_f1 as number))(ordered) as string;
  const body =
    chartTitle(size.width, title) +
    ax.grid +
    ay.grid +
    el('path', { class: 'series', d: path, fill: 'none', stroke: POINT, 'stroke-width': 2, 'stroke-opacity': 0.7 }) +
    data.map((e, k) => point(x(e.i), y(ys[k]), 5, `#${e.i} ${e.r.experiment_name}: F1 ${fmt(ys[k])}`)).join('') +
    ax.axis +
    ay.axis;
  const desc = `Line chart of the F1 score of ${data.length} successful run(s) in the order they started (x: experiment number). F1 ranges from ${rangeText(ys)}.`;
  return svgDocument({ id, ...size, title, desc, body });
}

/** [0,1] "F1 vs Exact Match": one point per run, with the dashed diagonal y = x from the smallest to the largest value. */
export function f1VsExactMatchChart(rows: readonly AnalysisRow[], opts: ChartOptions = {}): string {
  const size = resolveSize(opts);
  const id = opts.id ?? 'f1-vs-exact-match';
  const title = opts.title ?? 'F1 vs Exact Match';
  const data = successful(rows).filter((r) => r.eval_f1 !== null && r.eval_exact_match !== null);
  if (data.length === 0) {
    return svgDocument({ id, ...size, title, desc: 'No successful run has both F1 and exact match.', body: chartTitle(size.width, title) + emptyMessage(size, 'Metrics not available') });
  }
  const f = plotFrame(size);
  const em = data.map((r) => r.eval_exact_match as number);
  const f1 = data.map((r) => r.eval_f1 as number);
  const lo = Math.min(...em, ...f1);
  const hi = Math.max(...em, ...f1);
  const x = scaleLinear().domain(paddedDomain([...em, lo, hi])).nice().range([f.left, f.right]);
  const y = scaleLinear().domain(paddedDomain([...f1, lo, hi])).nice().range([f.bottom, f.top]);
  const ax = axisBottom(x, f, { label: 'Exact Match' });
  const ay = axisLeft(y, f, { label: 'F1 Score' });
  const emLegend: LegendItem[] = [
    { label: 'run', symbol: { kind: 'dot', color: POINT } },
    { label: 'F1 = EM', symbol: { kind: 'line', color: OKABE_ITO.vermillion, dash: '6 4' } },
  ];
  const diagonal = el('line', {
    class: 'diagonal',
    x1: x(lo),
    y1: y(lo),
    x2: x(hi),
    y2: y(hi),
    stroke: OKABE_ITO.vermillion,
    'stroke-width': 1.5,
    'stroke-dasharray': '6 4',
    'stroke-opacity': 0.8,
  });
  const body =
    chartTitle(size.width, title) +
    ax.grid +
    ay.grid +
    diagonal +
    data.map((r, i) => point(x(em[i]), y(f1[i]), 7, `${r.experiment_name}: EM ${fmt(em[i])}, F1 ${fmt(f1[i])}`)).join('') +
    ax.axis +
    ay.axis +
    // Bottom right stays empty: F1 is never below exact match, so runs sit above the diagonal.
    legend(emLegend, f.right - 8, f.bottom - 8 - (10 + emLegend.length * 20));
  const desc = `Scatter plot of F1 against exact match for ${data.length} successful run(s), with the line F1 = EM. Exact match ranges from ${rangeText(em)}, F1 from ${rangeText(f1)}.`;
  return svgDocument({ id, ...size, title, desc, body });
}

export interface StrategyChartOptions extends ChartOptions {
  /** add a bar for runs with no strategy enabled (Python draws none) */
  includeBaseline?: boolean;
}

/** [1,0] "Strategy Performance Comparison": mean F1 of the runs with each strategy enabled, horizontal bars labelled to 4 decimals. */
export function strategyComparisonChart(rows: readonly AnalysisRow[], opts: StrategyChartOptions = {}): string {
  const size = resolveSize(opts);
  const id = opts.id ?? 'strategy-comparison';
  const title = opts.title ?? 'Strategy Performance Comparison';
  const ok = successful(rows).filter((r) => r.eval_f1 !== null);
  const bars: { label: string; mean: number; n: number; baseline: boolean }[] = [];
  const meanOf = (rs: AnalysisRow[]): number => rs.reduce((s, r) => s + (r.eval_f1 as number), 0) / rs.length;
  for (const flag of STRATEGY_FLAGS) {
    const enabled = ok.filter((r) => r[flag]);
    if (enabled.length) bars.push({ label: pythonTitle(flag), mean: meanOf(enabled), n: enabled.length, baseline: false });
  }
  if (opts.includeBaseline) {
    const none = ok.filter((r) => STRATEGY_FLAGS.every((fl) => !r[fl]));
    if (none.length) bars.unshift({ label: 'None (baseline)', mean: meanOf(none), n: none.length, baseline: true });
  }
  if (bars.length === 0) {
    const msg = ok.length === 0 ? 'F1 data not available' : 'No strategy data';
    return svgDocument({ id, ...size, title, desc: 'No successful run has a strategy enabled.', body: chartTitle(size.width, title) + emptyMessage(size, msg) });
  }
  const labelWidth = Math.max(...bars.map((b) => estimateTextWidth(b.label, 12)));
  const f: PlotFrame = plotFrame(size, { ...DEFAULT_MARGINS, left: Math.min(size.width * 0.4, labelWidth + 24), right: 90 });
  const maxMean = Math.max(...bars.map((b) => b.mean), 0);
  const x = scaleLinear().domain([Math.min(0, ...bars.map((b) => b.mean)), maxMean * 1.05 || 1]).nice().range([f.left, f.right]);
  const band = (f.bottom - f.top) / bars.length;
  const barH = Math.min(48, band * 0.7);
  const ax = axisBottom(x, f, { label: 'Mean F1 Score' });
  const centres = bars.map((_, i) => f.top + band * (i + 0.5));
  const body =
    chartTitle(size.width, title) +
    ax.grid +
    bars
      .map((b, i) => {
        const x0 = x(Math.min(0, b.mean));
        const w = Math.abs(x(b.mean) - x(0));
        return (
          el(
            'rect',
            { class: 'bar', x: x0, y: centres[i] - barH / 2, width: w, height: barH, fill: b.baseline ? '#999999' : POINT, 'fill-opacity': 0.8 },
            tooltip(`${b.label}: mean F1 ${b.mean.toFixed(4)} over ${b.n} run(s)`),
          ) + text(x(b.mean) + 4, centres[i], ` ${b.mean.toFixed(4)}`, { dy: '0.32em', class: 'value-label' })
        );
      })
      .join('') +
    ax.axis +
    categoryAxisLeft(bars.map((b, i) => ({ label: b.label, y: centres[i] })), f);
  const desc = `Horizontal bar chart of the mean F1 of successful runs with each strategy enabled: ${bars
    .map((b) => `${b.label} ${b.mean.toFixed(4)} (n=${b.n})`)
    .join('; ')}.`;
  return svgDocument({ id, ...size, title, desc, body });
}

/** [1,1] "Training Efficiency": F1 against training duration in minutes. */
export function trainingEfficiencyChart(rows: readonly AnalysisRow[], opts: ChartOptions = {}): string {
  const size = resolveSize(opts);
  const id = opts.id ?? 'training-efficiency';
  const title = opts.title ?? 'Training Efficiency';
  const data = successful(rows).filter((r) => r.eval_f1 !== null && r.duration_seconds !== null);
  if (data.length === 0) {
    return svgDocument({ id, ...size, title, desc: 'No successful run has both a duration and an F1 score.', body: chartTitle(size.width, title) + emptyMessage(size, 'Duration data not available') });
  }
  const f = plotFrame(size);
  const minutes = data.map((r) => (r.duration_seconds as number) / 60);
  const f1 = data.map((r) => r.eval_f1 as number);
  const x = scaleLinear().domain(paddedDomain(minutes)).nice().range([f.left, f.right]);
  const y = scaleLinear().domain(paddedDomain(f1)).nice().range([f.bottom, f.top]);
  const ax = axisBottom(x, f, { label: 'Training Duration (minutes)' });
  const ay = axisLeft(y, f, { label: 'F1 Score' });
  const skipped = successful(rows).length - data.length;
  const body =
    chartTitle(size.width, title) +
    ax.grid +
    ay.grid +
    data.map((r, i) => point(x(minutes[i]), y(f1[i]), 7, `${r.experiment_name}: ${fmt(minutes[i], 1)} min, F1 ${fmt(f1[i])}`)).join('') +
    ax.axis +
    ay.axis +
    (skipped > 0 ? text(f.right, size.height - 8, `${skipped} run(s) without duration not shown`, { 'text-anchor': 'end', 'font-size': 11, fill: MUTED_INK }) : '');
  const desc = `Scatter plot of F1 against training duration for ${data.length} successful run(s). Duration ranges from ${rangeText(minutes)} minutes, F1 from ${rangeText(f1)}.`;
  return svgDocument({ id, ...size, title, desc, body });
}

/** The Python `experiment_results.png` figure: the four plots in a 2×2 grid under "Experiment Results Analysis". */
export function experimentResultsFigure(rows: readonly AnalysisRow[], opts: { panelWidth?: number; panelHeight?: number; title?: string } = {}): string {
  const o = { width: opts.panelWidth ?? 800, height: opts.panelHeight ?? 500 };
  return composeGrid(
    [f1OverExperimentsChart(rows, o), f1VsExactMatchChart(rows, o), strategyComparisonChart(rows, o), trainingEfficiencyChart(rows, o)],
    { columns: 2, title: opts.title ?? 'Experiment Results Analysis', id: 'experiment-results' },
  );
}
