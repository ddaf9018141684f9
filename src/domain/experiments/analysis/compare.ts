/**
 * Grouping of runs by configuration with the seed left out, and the comparison of every group
 * with a baseline group: mean difference with 95% CI, a paired t-test when both groups ran
 * exactly the same seeds (pairs matched by seed) and Welch's test otherwise, Cohen's d, and
 * Holm's correction across the comparisons of one metric (one family per metric). Significance
 * stars are taken from the Holm-adjusted p; the raw p is kept beside it.
 */
import { summarize, type Interval, type SampleSummary } from './descriptive';
import { cohensD, type EffectMagnitude } from './effect-size';
import { holmAdjust, significanceStars, type Significance } from './multiple-testing';
import { pairedTTest, welchTTest, type TTestResult } from './t-tests';
import {
  METRIC_KEYS,
  STRATEGY_FLAGS,
  nameWithoutSeed,
  type AnalysisRow,
  type MetricKey,
  type StrategyFlag,
} from './rows';

/** 'name': experiment name without `_seed{N}` (default; the suites encode the config in the name). 'fingerprint': `config_fingerprint`. */
export type GroupBy = 'name' | 'fingerprint';

/** One successful run of a group. */
export interface SeedRun {
  seed: number | null;
  experiment_name: string;
  config_hash: string;
  eval_f1: number | null;
  eval_exact_match: number | null;
  duration_seconds: number | null;
}

export interface ConfigGroup {
  /** grouping key: the name without seed suffix, or the config fingerprint */
  key: string;
  /** display name: the name without seed suffix (several names joined by " / " when a fingerprint spans them) */
  label: string;
  /** all runs of the group, failed ones included */
  runs: number;
  failed: number;
  /** successful runs, ordered by seed (runs without seed last) */
  seeds: SeedRun[];
  eval_f1: SampleSummary;
  eval_exact_match: SampleSummary;
  duration_seconds: SampleSummary;
  /** strategy flags of the group's first run */
  strategies: Record<StrategyFlag, boolean>;
}

export interface MetricComparison {
  metric: MetricKey;
  /** paired when the seed sets match exactly, Welch otherwise */
  test: 'paired' | 'welch';
  nBaseline: number;
  nCandidate: number;
  baselineMean: number | null;
  candidateMean: number | null;
  /** candidate − baseline (for the paired test: the mean of the per-seed differences, the same number) */
  meanDiff: number | null;
  /** 100 · meanDiff / baselineMean, as Python's delta_pct; null when the baseline mean is 0 or missing */
  diffPct: number | null;
  /** 95% CI of meanDiff on the test's df */
  ci95: Interval | null;
  t: number | null;
  df: number | null;
  /** raw two-sided p */
  p: number | null;
  /** Holm-adjusted p across all comparisons of this metric */
  pHolm: number | null;
  /** stars from pHolm; null when untested */
  stars: Significance | null;
  /** stars from the raw p (what the Python ablation script printed) */
  starsRaw: Significance | null;
  cohensD: number | null;
  effect: EffectMagnitude | null;
  /** why a number above is missing; empty when everything was computed */
  notes: string[];
}

export interface GroupComparison {
  group: string;
  label: string;
  baseline: string;
  /** seeds of the pairs when the test is paired, else [] */
  pairedSeeds: number[];
  /** why the runs could not be paired, null when paired */
  pairingNote: string | null;
  metrics: Record<MetricKey, MetricComparison>;
}

export interface ExperimentAnalysis {
  groupBy: GroupBy;
  groups: ConfigGroup[];
  /** key of the baseline group, null when none was found */
  baseline: string | null;
  /** set when baseline is null */
  baselineNote: string | null;
  /** every non-baseline group in group order */
  comparisons: GroupComparison[];
}

export interface AnalysisOptions {
  groupBy?: GroupBy;
  /** key of the baseline group; default: the group named "baseline" (runs "baseline" or "baseline_seed{N}") */
  baseline?: string;
}

const NUMERIC_FIELDS = [
  'duration_seconds',
  'eval_exact_match',
  'eval_f1',
  'seed',
  'num_train_epochs',
  'learning_rate',
  'max_train_samples',
  'max_eval_samples',
] as const;

function checkRow(row: AnalysisRow, i: number, groupBy: GroupBy): void {
  const where = `analysis row ${i}${typeof row.experiment_name === 'string' ? ` (${row.experiment_name})` : ''}`;
  if (typeof row.experiment_name !== 'string' || row.experiment_name === '') {
    throw new TypeError(`${where}: experiment_name must be a non-empty string`);
  }
  if (typeof row.success !== 'boolean') throw new TypeError(`${where}: success must be a boolean`);
  for (const f of NUMERIC_FIELDS) {
    const v = row[f];
    if (v !== null && !(typeof v === 'number' && Number.isFinite(v))) {
      throw new TypeError(`${where}: ${f} must be a finite number or null, got ${String(v)}`);
    }
  }
  if (row.seed !== null && !Number.isInteger(row.seed)) throw new TypeError(`${where}: seed must be an integer, got ${row.seed}`);
  if (groupBy === 'fingerprint' && (typeof row.config_fingerprint !== 'string' || row.config_fingerprint === '')) {
    throw new TypeError(`${where}: config_fingerprint is required to group by fingerprint`);
  }
}

function groupKey(row: AnalysisRow, groupBy: GroupBy): string {
  return groupBy === 'name' ? nameWithoutSeed(row.experiment_name) : (row.config_fingerprint as string);
}

function present(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

/** Groups runs by configuration, in order of first appearance. */
export function groupRuns(rows: readonly AnalysisRow[], groupBy: GroupBy = 'name'): ConfigGroup[] {
  rows.forEach((r, i) => checkRow(r, i, groupBy));
  const byKey = new Map<string, AnalysisRow[]>();
  for (const row of rows) {
    const k = groupKey(row, groupBy);
    const list = byKey.get(k);
    if (list) list.push(row);
    else byKey.set(k, [row]);
  }
  return [...byKey.entries()].map(([key, members]) => {
    const ok = members.filter((r) => r.success);
    const seeds: SeedRun[] = ok
      .map((r) => ({
        seed: r.seed,
        experiment_name: r.experiment_name,
        config_hash: r.config_hash,
        eval_f1: r.eval_f1,
        eval_exact_match: r.eval_exact_match,
        duration_seconds: r.duration_seconds,
      }))
      .map((s, i) => ({ s, i }))
      .sort((a, b) => (a.s.seed ?? Infinity) - (b.s.seed ?? Infinity) || a.i - b.i)
      .map((e) => e.s);
    const names = [...new Set(members.map((r) => nameWithoutSeed(r.experiment_name)))];
    const first = members[0];
    return {
      key,
      label: names.join(' / '),
      runs: members.length,
      failed: members.length - ok.length,
      seeds,
      eval_f1: summarize(present(seeds.map((s) => s.eval_f1))),
      eval_exact_match: summarize(present(seeds.map((s) => s.eval_exact_match))),
      duration_seconds: summarize(present(seeds.map((s) => s.duration_seconds))),
      strategies: Object.fromEntries(STRATEGY_FLAGS.map((f) => [f, first[f]])) as Record<StrategyFlag, boolean>,
    };
  });
}

function listSeeds(seeds: readonly (number | null)[]): string {
  return seeds.map((s) => (s === null ? 'none' : String(s))).join(', ');
}

/**
 * Pairs two groups' values of one metric by seed. Pairing needs every run to carry a seed, no
 * seed twice in a group, and the same seed set on both sides; otherwise the reason is returned.
 */
function pairBySeed(
  candidate: readonly SeedRun[],
  baseline: readonly SeedRun[],
  metric: MetricKey,
): { seeds: number[]; a: number[]; b: number[] } | { reason: string } {
  const c = candidate.filter((s) => s[metric] !== null);
  const b = baseline.filter((s) => s[metric] !== null);
  const cs = c.map((s) => s.seed);
  const bs = b.map((s) => s.seed);
  if (cs.includes(null) || bs.includes(null)) return { reason: 'some runs have no seed, so they cannot be paired' };
  if (new Set(cs).size !== cs.length || new Set(bs).size !== bs.length) {
    return { reason: 'a seed occurs more than once in a group, so pairs are ambiguous' };
  }
  const setB = new Set(bs);
  if (cs.length !== bs.length || !cs.every((s) => setB.has(s))) {
    return { reason: `seed sets differ (baseline: ${listSeeds(bs)}; this group: ${listSeeds(cs)})` };
  }
  const bBySeed = new Map(b.map((s) => [s.seed as number, s[metric] as number]));
  const seeds = (cs as number[]).slice().sort((x, y) => x - y);
  const cBySeed = new Map(c.map((s) => [s.seed as number, s[metric] as number]));
  return { seeds, a: seeds.map((s) => cBySeed.get(s) as number), b: seeds.map((s) => bBySeed.get(s) as number) };
}

function compareMetric(candidate: ConfigGroup, baseline: ConfigGroup, metric: MetricKey): { cmp: MetricComparison; pairedSeeds: number[] | null; pairingNote: string | null } {
  const pairing = pairBySeed(candidate.seeds, baseline.seeds, metric);
  const a = present(candidate.seeds.map((s) => s[metric]));
  const b = present(baseline.seeds.map((s) => s[metric]));
  const test: TTestResult = 'reason' in pairing ? welchTTest(a, b) : pairedTTest(pairing.a, pairing.b);
  const d = cohensD(a, b);
  const notes: string[] = [];
  if (!test.ok) notes.push(test.reason);
  if (!d.ok) notes.push(d.reason);
  const baselineMean = baseline[metric].mean;
  const candidateMean = candidate[metric].mean;
  const meanDiff = test.meanDiff;
  return {
    cmp: {
      metric,
      test: test.kind === 'paired' ? 'paired' : 'welch',
      nBaseline: b.length,
      nCandidate: a.length,
      baselineMean,
      candidateMean,
      meanDiff,
      diffPct: meanDiff !== null && baselineMean !== null && baselineMean !== 0 ? (100 * meanDiff) / baselineMean : null,
      ci95: test.ci95,
      t: test.ok ? test.t : null,
      df: test.ok ? test.df : null,
      p: test.ok ? test.p : null,
      pHolm: null,
      stars: null,
      starsRaw: test.ok ? significanceStars(test.p) : null,
      cohensD: d.ok ? d.d : null,
      effect: d.ok ? d.magnitude : null,
      notes,
    },
    pairedSeeds: 'reason' in pairing ? null : pairing.seeds,
    pairingNote: 'reason' in pairing ? pairing.reason : null,
  };
}

function defaultBaseline(groups: readonly ConfigGroup[]): ConfigGroup | undefined {
  return groups.find((g) => g.key === 'baseline') ?? groups.find((g) => g.label.split(' / ').includes('baseline'));
}

/** Compares every group with the baseline group; Holm runs over the comparisons of each metric. */
export function compareWithBaseline(
  groups: readonly ConfigGroup[],
  baselineKey?: string,
): { baseline: string | null; baselineNote: string | null; comparisons: GroupComparison[] } {
  let base: ConfigGroup | undefined;
  if (baselineKey !== undefined) {
    base = groups.find((g) => g.key === baselineKey);
    if (!base) {
      throw new RangeError(`baseline group "${baselineKey}" not found; groups are: ${groups.map((g) => `"${g.key}"`).join(', ')}`);
    }
  } else {
    base = defaultBaseline(groups);
    if (!base) {
      return { baseline: null, baselineNote: 'no group named "baseline"; choose a baseline group to compare against', comparisons: [] };
    }
  }
  const baseline = base;
  const comparisons: GroupComparison[] = groups
    .filter((g) => g !== baseline)
    .map((g) => {
      const f1 = compareMetric(g, baseline, 'eval_f1');
      const em = compareMetric(g, baseline, 'eval_exact_match');
      // F1 decides how the group is reported as paired; both metrics come from the same runs.
      return {
        group: g.key,
        label: g.label,
        baseline: baseline.key,
        pairedSeeds: f1.pairedSeeds ?? [],
        pairingNote: f1.pairingNote,
        metrics: { eval_f1: f1.cmp, eval_exact_match: em.cmp },
      };
    });
  for (const metric of METRIC_KEYS) {
    const adjusted = holmAdjust(comparisons.map((c) => c.metrics[metric].p));
    comparisons.forEach((c, i) => {
      const m = c.metrics[metric];
      m.pHolm = adjusted[i];
      m.stars = m.pHolm === null ? null : significanceStars(m.pHolm);
    });
  }
  return { baseline: baseline.key, baselineNote: null, comparisons };
}

/** Groups the runs and compares each group with the baseline. */
export function analyzeExperiments(rows: readonly AnalysisRow[], options: AnalysisOptions = {}): ExperimentAnalysis {
  const groupBy = options.groupBy ?? 'name';
  const groups = groupRuns(rows, groupBy);
  const { baseline, baselineNote, comparisons } = compareWithBaseline(groups, options.baseline);
  return { groupBy, groups, baseline, baselineNote, comparisons };
}
