/**
 * The comparison with the baseline in words, one sentence per configuration, for the Results
 * page, the summary text and the CLI (pure: no DOM, no storage).
 */
import { formatP, type ExperimentAnalysis, type MetricComparison } from '../../domain/experiments/analysis';

export interface ComparisonLine {
  group: string;
  label: string;
  /** True when the Holm-adjusted F1 p is below 0.05; null when untested. */
  differs: boolean | null;
  text: string;
}

const signed = (x: number, digits = 2) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

function testName(m: MetricComparison, seeds: number): string {
  return m.test === 'paired' ? `paired t-test over ${seeds} seeds` : "Welch's t-test";
}

function metricPhrase(m: MetricComparison, unit: string): string {
  const ci = m.ci95 ? ` (95% CI ${signed(m.ci95.lower)} to ${signed(m.ci95.upper)})` : '';
  return `${signed(m.meanDiff as number)} ${unit}${ci}`;
}

/**
 * One sentence per configuration saying whether and by how much it differs from the baseline
 * on F1 (Holm-adjusted p < 0.05), with the CI, the test, p, p_Holm, stars and Cohen's d, then
 * the exact-match difference.
 */
export function comparisonLines(analysis: ExperimentAnalysis): ComparisonLine[] {
  const base = analysis.groups.find((g) => g.key === analysis.baseline);
  const baseName = !base || base.label === 'baseline' ? 'the baseline' : `the baseline (${base.label})`;
  return analysis.comparisons.map((c) => {
    const f1 = c.metrics.eval_f1;
    const em = c.metrics.eval_exact_match;
    if (f1.meanDiff === null) {
      const g = analysis.groups.find((x) => x.key === c.group);
      const why =
        f1.nCandidate === 0
          ? `it has no successful run with an F1 score${g && g.failed ? ` (${g.failed} of ${g.runs} failed)` : ''}`
          : f1.nBaseline === 0
            ? 'the baseline has no successful run with an F1 score'
            : f1.notes.join('; ');
      return { group: c.group, label: c.label, differs: null, text: `${c.label}: no F1 comparison with ${baseName}: ${why}.` };
    }
    const tested = f1.pHolm !== null;
    const differs = tested ? (f1.pHolm as number) < 0.05 : null;
    const stats = tested
      ? `${testName(f1, c.pairedSeeds.length)}, p = ${formatP(f1.p)}, p_Holm = ${formatP(f1.pHolm)} ${f1.stars}${f1.cohensD !== null ? `, Cohen's d = ${f1.cohensD.toFixed(2)} (${f1.effect})` : ''}`
      : `not tested: ${f1.notes.join('; ')}`;
    const head =
      differs === true
        ? `${c.label} differs from ${baseName} by ${metricPhrase(f1, 'F1')}`
        : differs === false
          ? `${c.label} shows no significant difference from ${baseName}: ${metricPhrase(f1, 'F1')}`
          : `${c.label} vs ${baseName}: ${metricPhrase(f1, 'F1')}`;
    const emPart = em.meanDiff !== null ? ` Exact match: ${metricPhrase(em, 'points')}${em.pHolm !== null ? `, p_Holm = ${formatP(em.pHolm)} ${em.stars}` : ''}.` : '';
    return { group: c.group, label: c.label, differs, text: `${head}; ${stats}.${emPart}` };
  });
}
