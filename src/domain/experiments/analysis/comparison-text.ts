/**
 * Plain-text tables of the grouped statistics and the comparisons with the baseline, for the
 * CLI and for copying into notes. Unavailable numbers print as "n/a", never as NaN.
 */
import type { ExperimentAnalysis } from './compare';
import type { SampleSummary } from './descriptive';
import { METRIC_KEYS, type MetricKey } from './rows';

const METRIC_TITLE: Record<MetricKey, string> = { eval_f1: 'F1', eval_exact_match: 'Exact match' };

function fix(x: number | null, digits: number, signed = false): string {
  if (x === null) return 'n/a';
  const s = x.toFixed(digits);
  return signed && x >= 0 ? `+${s}` : s;
}

export function formatP(p: number | null): string {
  if (p === null) return 'n/a';
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

function summaryCell(s: SampleSummary, digits: number): string {
  if (s.mean === null) return 'n/a';
  const sd = s.sd === null ? '' : ` ± ${s.sd.toFixed(digits)}`;
  const ci = s.ci95 === null ? '' : ` [${s.ci95.lower.toFixed(digits)}, ${s.ci95.upper.toFixed(digits)}]`;
  return `${s.mean.toFixed(digits)}${sd}${ci}`;
}

/** Left-aligned text columns with two spaces between them; the first row is the header. */
export function alignColumns(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The per-configuration table: runs, failures, seeds, and mean ± sd [95% CI] of F1, EM and duration. */
export function formatGroupTable(analysis: Pick<ExperimentAnalysis, 'groups'>, digits = 2): string {
  const rows: string[][] = [['configuration', 'runs', 'failed', 'seeds', 'F1', 'Exact match', 'duration (s)']];
  for (const g of analysis.groups) {
    rows.push([
      g.label,
      String(g.runs),
      String(g.failed),
      g.seeds.map((s) => (s.seed === null ? 'none' : String(s.seed))).join(',') || '-',
      summaryCell(g.eval_f1, digits),
      summaryCell(g.eval_exact_match, digits),
      summaryCell(g.duration_seconds, 1),
    ]);
  }
  return alignColumns(rows, new Set([1, 2]));
}

/** One block per metric: difference to the baseline with CI, test, raw and Holm p, stars, Cohen's d. */
export function formatComparisonTable(analysis: ExperimentAnalysis, digits = 2): string {
  if (analysis.baseline === null) return `No comparison: ${analysis.baselineNote ?? 'no baseline group'}.`;
  if (analysis.comparisons.length === 0) return `No comparison: "${analysis.baseline}" is the only configuration.`;
  const base = analysis.groups.find((g) => g.key === analysis.baseline);
  const blocks: string[] = [
    `Comparison with baseline "${base?.label ?? analysis.baseline}": difference = configuration − baseline, 95% CI;` +
      ` paired t-test when the seeds match, Welch otherwise; Holm across the ${analysis.comparisons.length} comparison(s) of each metric;` +
      ' stars from the Holm-adjusted p (*** <.001, ** <.01, * <.05, ns).',
  ];
  for (const metric of METRIC_KEYS) {
    const rows: string[][] = [['configuration', 'n', 'test', 'difference', '95% CI', 't', 'df', 'p', 'p (Holm)', 'sig', "Cohen's d"]];
    const notes: string[] = [];
    for (const c of analysis.comparisons) {
      const m = c.metrics[metric];
      rows.push([
        c.label,
        `${m.nCandidate} vs ${m.nBaseline}`,
        m.test,
        fix(m.meanDiff, digits, true),
        m.ci95 ? `[${fix(m.ci95.lower, digits, true)}, ${fix(m.ci95.upper, digits, true)}]` : 'n/a',
        fix(m.t, 3),
        m.df === null ? 'n/a' : Number.isInteger(m.df) ? String(m.df) : m.df.toFixed(2),
        formatP(m.p),
        formatP(m.pHolm),
        m.stars ?? 'n/a',
        m.cohensD === null ? 'n/a' : `${m.cohensD.toFixed(2)} (${m.effect})`,
      ]);
      const why = [...(m.test === 'welch' && c.pairingNote ? [`unpaired: ${c.pairingNote}`] : []), ...m.notes];
      if (why.length) notes.push(`  ${c.label}: ${why.join('; ')}`);
    }
    blocks.push(`${METRIC_TITLE[metric]} (${metric})\n${alignColumns(rows)}${notes.length ? `\n${notes.join('\n')}` : ''}`);
  }
  return blocks.join('\n\n');
}
