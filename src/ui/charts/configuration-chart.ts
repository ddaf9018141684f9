/**
 * Per-configuration chart: for every configuration its mean (dot) with the 95% CI (bar with
 * caps), every seed's run as a small point, a dashed reference line at the baseline mean, and at
 * the right the difference to the baseline with the Holm-adjusted significance stars.
 * Configurations are rows, so long names stay readable.
 */
import { scaleLinear } from 'd3';
import type { ExperimentAnalysis, GroupComparison } from '../../domain/experiments/analysis/compare';
import type { MetricKey } from '../../domain/experiments/analysis/rows';
import { axisBottom, categoryAxisLeft, legendRows, type LegendItem } from './axes';
import { DEFAULT_MARGINS, fmt, paddedDomain, plotFrame } from './layout';
import { MUTED_INK, OKABE_ITO } from './palette';
import { chartTitle, el, emptyMessage, escapeXml, estimateTextWidth, fitLabel, resolveSize, svgDocument, text, type ChartOptions } from './svg';

const METRIC_LABEL: Record<MetricKey | 'duration_seconds', string> = {
  eval_f1: 'F1',
  eval_exact_match: 'Exact Match',
  duration_seconds: 'Duration (s)',
};

const MEAN_COLOR = OKABE_ITO.blue;
const SEED_COLOR = OKABE_ITO.orange;
const BASELINE_COLOR = OKABE_ITO.vermillion;

export interface ConfigurationChartOptions extends ChartOptions {
  /** default eval_f1 */
  metric?: MetricKey;
}

function diffLabel(c: GroupComparison | undefined, metric: MetricKey): string {
  if (!c) return '';
  const m = c.metrics[metric];
  if (m.meanDiff === null) return '';
  const sign = m.meanDiff >= 0 ? '+' : '−';
  return `${sign}${fmt(Math.abs(m.meanDiff))} ${m.stars ?? 'untested'}`;
}

/**
 * Vertical positions of seed points relative to the row centre: a strip just above the CI bar
 * (so the mean dot never hides a seed), spread a little so equal values stay visible.
 */
function seedOffsets(count: number, rowHeight: number): number[] {
  const centre = -Math.min(14, rowHeight * 0.3);
  const spread = Math.min(4, rowHeight * 0.08);
  if (count <= 1) return [centre];
  return Array.from({ length: count }, (_, i) => centre - spread + (2 * spread * i) / (count - 1));
}

export function configurationChart(analysis: ExperimentAnalysis, opts: ConfigurationChartOptions = {}): string {
  const metric = opts.metric ?? 'eval_f1';
  const label = METRIC_LABEL[metric];
  const groups = analysis.groups.filter((g) => g[metric].n > 0);
  const height = opts.height ?? Math.max(500, 140 + groups.length * 44);
  const size = resolveSize({ ...opts, height });
  const id = opts.id ?? `configurations-${metric}`;
  const title = opts.title ?? `${label} by configuration: mean, 95% CI and seeds`;
  if (groups.length === 0) {
    return svgDocument({ id, ...size, title, desc: `No configuration has a ${label} value.`, body: chartTitle(size.width, title) + emptyMessage(size, `${label} data not available`) });
  }
  const baseline = analysis.groups.find((g) => g.key === analysis.baseline);
  const cmpByKey = new Map(analysis.comparisons.map((c) => [c.group, c]));
  const labels = groups.map((g) => fitLabel(g.label, 12, size.width * 0.3));
  const labelWidth = Math.max(...labels.map((l) => estimateTextWidth(l, 12)));
  const diffWidth = analysis.baseline ? 118 : 16;
  const f = plotFrame(size, { ...DEFAULT_MARGINS, top: 88, left: labelWidth + 20, right: diffWidth });
  const values: number[] = [];
  for (const g of groups) {
    for (const s of g.seeds) if (s[metric] !== null) values.push(s[metric] as number);
    const ci = g[metric].ci95;
    if (ci) values.push(ci.lower, ci.upper);
  }
  const x = scaleLinear().domain(paddedDomain(values)).nice().range([f.left, f.right]);
  const band = (f.bottom - f.top) / groups.length;
  const ax = axisBottom(x, f, { label });
  const baseMean = baseline?.[metric].mean ?? null;

  const rows = groups
    .map((g, i) => {
      const cy = f.top + band * (i + 0.5);
      const s = g[metric];
      const isBase = g.key === analysis.baseline;
      const seedRuns = g.seeds.filter((r) => r[metric] !== null);
      const offsets = seedOffsets(seedRuns.length, band);
      const seeds = seedRuns
        .map((r, k) =>
          el(
            'circle',
            { class: 'seed-point', cx: x(r[metric] as number), cy: cy + offsets[k], r: 4, fill: SEED_COLOR, 'fill-opacity': 0.85, stroke: '#7a5500', 'stroke-width': 0.8 },
            el('title', {}, escapeXml(`${r.experiment_name} (seed ${r.seed ?? 'none'}): ${label} ${fmt(r[metric] as number)}`)),
          ),
        )
        .join('');
      const ci = s.ci95
        ? el('line', { class: 'ci', x1: x(s.ci95.lower), x2: x(s.ci95.upper), y1: cy, y2: cy, stroke: MEAN_COLOR, 'stroke-width': 2.5 }) +
          el('line', { x1: x(s.ci95.lower), x2: x(s.ci95.lower), y1: cy - 7, y2: cy + 7, stroke: MEAN_COLOR, 'stroke-width': 2.5 }) +
          el('line', { x1: x(s.ci95.upper), x2: x(s.ci95.upper), y1: cy - 7, y2: cy + 7, stroke: MEAN_COLOR, 'stroke-width': 2.5 })
        : '';
      const ciText = s.ci95 ? `, 95% CI ${fmt(s.ci95.lower)} to ${fmt(s.ci95.upper)}` : ', no CI (one run)';
      const mean = el(
        'circle',
        { class: 'mean', cx: x(s.mean as number), cy, r: 6.5, fill: MEAN_COLOR, stroke: '#ffffff', 'stroke-width': 1.5 },
        el('title', {}, escapeXml(`${g.label}: mean ${label} ${fmt(s.mean as number)} (n=${s.n}${ciText})`)),
      );
      const stripe = i % 2 === 1 ? el('rect', { x: f.left, y: cy - band / 2, width: f.right - f.left, height: band, fill: '#f6f6f6' }) : '';
      const diff = isBase
        ? text(f.right + 8, cy, 'baseline', { dy: '0.32em', fill: BASELINE_COLOR, 'font-size': 12 })
        : text(f.right + 8, cy, diffLabel(cmpByKey.get(g.key), metric), { dy: '0.32em', 'font-size': 12, class: 'diff-label' });
      return { stripe, marks: ci + seeds + mean + diff, label: labels[i], y: cy, bold: isBase };
    });

  const baseLine =
    baseMean === null
      ? ''
      : el('line', { class: 'baseline-line', x1: x(baseMean), x2: x(baseMean), y1: f.top - 4, y2: f.bottom, stroke: BASELINE_COLOR, 'stroke-width': 1.5, 'stroke-dasharray': '6 4' });
  const items: LegendItem[] = [
    { label: 'mean', symbol: { kind: 'dot', color: MEAN_COLOR } },
    { label: '95% CI', symbol: { kind: 'errorbar', color: MEAN_COLOR } },
    { label: 'seed run', symbol: { kind: 'dot', color: SEED_COLOR } },
    ...(baseMean === null ? [] : [{ label: 'baseline mean', symbol: { kind: 'line' as const, color: BASELINE_COLOR, dash: '6 4' } }]),
  ];
  const note = analysis.baseline
    ? text(size.width - 8, size.height - 8, 'right: difference to baseline, stars from Holm-adjusted p (*** <.001, ** <.01, * <.05, ns)', { 'text-anchor': 'end', 'font-size': 11, fill: MUTED_INK })
    : '';
  const body =
    chartTitle(size.width, title) +
    legendRows(items, f.left, 44, size.width - f.left - 8).svg +
    rows.map((r) => r.stripe).join('') +
    ax.grid +
    baseLine +
    rows.map((r) => r.marks).join('') +
    ax.axis +
    categoryAxisLeft(rows.map((r) => ({ label: r.label, y: r.y, bold: r.bold })), f) +
    note;
  const descParts = groups.map((g) => {
    const s = g[metric];
    const c = cmpByKey.get(g.key)?.metrics[metric];
    const vs = c && c.meanDiff !== null ? `, ${diffLabel(cmpByKey.get(g.key), metric)} vs baseline` : '';
    return `${g.label} ${fmt(s.mean as number)} (n=${s.n}${vs})`;
  });
  const desc = `Dot plot of mean ${label} per configuration with 95% confidence intervals and individual seed runs${baseMean === null ? '' : `; dashed line at the baseline mean ${fmt(baseMean)}`}. ${descParts.join('; ')}.`;
  return svgDocument({ id, ...size, title, desc, body });
}
