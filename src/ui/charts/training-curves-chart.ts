/**
 * Training curves of selected runs: training loss (top) and eval F1 (bottom) against the
 * optimizer step, one colour (and, past eight runs, dash pattern) per run.
 */
import { line, scaleLinear } from 'd3';
import { axisBottom, axisLeft, legendRows, type PlotFrame } from './axes';
import { fmt, paddedDomain } from './layout';
import { seriesStyle } from './palette';
import { chartTitle, el, emptyMessage, escapeXml, fitLabel, resolveSize, svgDocument, text, type ChartOptions } from './svg';

/** One entry of a run's log history (the HF Trainer `log_history` shape, reduced to what is drawn). */
export interface LogHistoryEntry {
  step: number;
  loss?: number;
  eval_f1?: number;
  learning_rate?: number;
}

export interface RunHistory {
  name: string;
  history: readonly LogHistoryEntry[];
}

function checkRuns(runs: readonly RunHistory[]): void {
  runs.forEach((r, k) => {
    if (typeof r.name !== 'string' || r.name === '') throw new TypeError(`training curves: run ${k} needs a name`);
    r.history.forEach((e, i) => {
      if (!Number.isFinite(e.step) || e.step < 0) throw new TypeError(`training curves: run "${r.name}", entry ${i}: step must be a finite number >= 0, got ${e.step}`);
      for (const key of ['loss', 'eval_f1', 'learning_rate'] as const) {
        const v = e[key];
        if (v !== undefined && !Number.isFinite(v)) throw new TypeError(`training curves: run "${r.name}", entry ${i}: ${key} must be a finite number, got ${v}`);
      }
    });
  });
}

type Series = { name: string; points: [number, number][]; style: ReturnType<typeof seriesStyle> };

function seriesOf(runs: readonly RunHistory[], key: 'loss' | 'eval_f1'): Series[] {
  return runs.map((r, i) => ({
    name: r.name,
    style: seriesStyle(i),
    points: r.history
      .filter((e) => e[key] !== undefined)
      .map((e) => [e.step, e[key] as number] as [number, number])
      .sort((a, b) => a[0] - b[0]),
  }));
}

function panel(
  series: Series[],
  x: ReturnType<typeof scaleLinear<number, number>>,
  f: PlotFrame,
  yLabel: string,
  xLabel: string,
  empty: string,
  cls: string,
  markers: boolean,
): string {
  const all = series.flatMap((s) => s.points.map((p) => p[1]));
  if (all.length === 0) {
    return (
      el('rect', { x: f.left, y: f.top, width: f.right - f.left, height: f.bottom - f.top, fill: 'none', stroke: '#dddddd' }) +
      text((f.left + f.right) / 2, (f.top + f.bottom) / 2, empty, { 'text-anchor': 'middle', fill: '#555555', 'font-size': 14 })
    );
  }
  const y = scaleLinear().domain(paddedDomain(all)).nice().range([f.bottom, f.top]);
  const ax = axisBottom(x, f, { label: xLabel });
  const ay = axisLeft(y, f, { label: yLabel, ticks: 5 });
  const gen = line<[number, number]>()
    .x((p) => x(p[0]))
    .y((p) => y(p[1]));
  const marks = series
    .map((s) => {
      if (s.points.length === 0) return '';
      const path = el('path', { class: cls, d: gen(s.points) as string, fill: 'none', stroke: s.style.color, 'stroke-width': 2, 'stroke-dasharray': s.style.dash }, el('title', {}, escapeXml(s.name)));
      const dots = markers
        ? s.points
            .map((p) =>
              el(
                'circle',
                { class: `${cls}-point`, cx: x(p[0]), cy: y(p[1]), r: 3.5, fill: s.style.color, stroke: '#ffffff', 'stroke-width': 1 },
                el('title', {}, escapeXml(`${s.name}, step ${p[0]}: ${yLabel} ${fmt(p[1], 3)}`)),
              ),
            )
            .join('')
        : '';
      return path + dots;
    })
    .join('');
  return ax.grid + ay.grid + marks + ax.axis + ay.axis;
}

export function trainingCurvesChart(runs: readonly RunHistory[], opts: ChartOptions = {}): string {
  checkRuns(runs);
  const size = resolveSize(opts, 800, 600);
  const id = opts.id ?? 'training-curves';
  const title = opts.title ?? 'Training loss and eval F1 by step';
  const steps = runs.flatMap((r) => r.history.map((e) => e.step));
  if (steps.length === 0) {
    return svgDocument({ id, ...size, title, desc: 'No run has logged steps.', body: chartTitle(size.width, title) + emptyMessage(size, 'No logged steps') });
  }
  const left = 78;
  const right = size.width - 36;
  const legendItems = runs.map((r, i) => ({ label: fitLabel(r.name, 12, 180), symbol: { kind: 'line' as const, color: seriesStyle(i).color, dash: seriesStyle(i).dash } }));
  const leg = legendRows(legendItems, left, 42, right - left);
  const top = 42 + leg.height + 18;
  const bottom = size.height - 60;
  const mid = top + (bottom - top) / 2;
  const topFrame: PlotFrame = { left, right, top, bottom: mid - 24 };
  const bottomFrame: PlotFrame = { left, right, top: mid + 18, bottom };
  const x = scaleLinear().domain([0, Math.max(1, ...steps)]).nice().range([left, right]);
  const body =
    chartTitle(size.width, title) +
    leg.svg +
    panel(seriesOf(runs, 'loss'), x, topFrame, 'Training loss', '', 'No training loss logged', 'loss-line', false) +
    panel(seriesOf(runs, 'eval_f1'), x, bottomFrame, 'Eval F1', 'Step', 'No evaluation logged', 'eval-line', true);
  const desc = `Line charts of training loss (top) and eval F1 (bottom) against step for ${runs.length} run(s): ${runs
    .map((r) => {
      const evals = r.history.filter((e) => e.eval_f1 !== undefined);
      const last = evals.length ? `, last eval F1 ${fmt(evals.reduce((a, b) => (b.step >= a.step ? b : a)).eval_f1 as number)}` : '';
      return `${r.name} (${r.history.length} entries${last})`;
    })
    .join('; ')}.`;
  return svgDocument({ id, ...size, title, desc, body });
}
