/**
 * CSV for the analysis tables. Fields are quoted per RFC 4180 (only when they contain a comma, a
 * double quote, CR or LF; quotes doubled), records end in CRLF unless told otherwise.
 *
 * Grouped table (`groupedTableCsv`, one row per configuration), columns in this order:
 *   group, label, runs, failed, seeds,
 *   eval_f1_n, eval_f1_mean, eval_f1_sd, eval_f1_ci95_low, eval_f1_ci95_high,
 *   eval_exact_match_n, eval_exact_match_mean, eval_exact_match_sd, eval_exact_match_ci95_low, eval_exact_match_ci95_high,
 *   duration_seconds_n, duration_seconds_mean, duration_seconds_sd, duration_seconds_ci95_low, duration_seconds_ci95_high,
 *   eval_f1_by_seed, eval_exact_match_by_seed, duration_seconds_by_seed,
 *   cartography_filter, cluster_filter, label_smoothing, soft_weighting
 * `seeds` lists the successful runs' seeds separated by ";" ("none" for a run without seed);
 * `*_by_seed` lists "seed:value" pairs the same way. sd and CI are empty for n < 2.
 *
 * Comparison table (`comparisonTableCsv`, one row per configuration and metric), columns:
 *   group, label, baseline, metric, test, paired_seeds, n_baseline, n_group, baseline_mean, group_mean,
 *   mean_diff, diff_pct, ci95_low, ci95_high, t, df, p, p_holm, stars, stars_raw, cohens_d, effect, notes
 * mean_diff = group − baseline; stars come from p_holm ("n/a" when untested, as in the Python
 * ablation script); notes say why a value is empty.
 *
 * Numbers are written in JavaScript's shortest round-trip form; missing values are empty fields.
 */
import type { ConfigGroup, ExperimentAnalysis, SeedRun } from './compare';
import { METRIC_KEYS, STRATEGY_FLAGS } from './rows';

export type CsvCell = string | number | boolean | null | undefined;

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`CSV cell must be a finite number, got ${value}`);
    return String(value);
  }
  const s = String(value);
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[], lineEnding: '\r\n' | '\n' = '\r\n'): string {
  const lines = [header, ...rows].map((r, i) => {
    if (r.length !== header.length) throw new RangeError(`CSV row ${i} has ${r.length} fields, the header has ${header.length}`);
    return r.map(csvField).join(',');
  });
  return lines.map((l) => l + lineEnding).join('');
}

/**
 * Parses RFC 4180 text (CRLF or LF, quoted fields with doubled quotes, a final newline optional)
 * into records of strings. `source` names the file in error messages.
 */
export function parseCsv(text: string, source: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  // True once the current record has any content, so a lone `""` at the end still counts as a field.
  let pending = false;
  let i = 0;
  let line = 1;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < s.length) {
    const c = s[i];
    if (c !== '\r' && c !== '\n') pending = true;
    if (c === '"' && field === '') {
      const startLine = line;
      i++;
      for (;;) {
        if (i >= s.length) throw new SyntaxError(`${source}: quoted field starting on line ${startLine} is not closed`);
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (s[i] === '\n') line++;
        field += s[i++];
      }
      if (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') {
        throw new SyntaxError(`${source}, line ${line}: unexpected character after a closing quote`);
      }
      continue;
    }
    if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      pending = false;
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
    } else {
      field += c;
      i++;
    }
  }
  if (pending) {
    record.push(field);
    records.push(record);
  }
  return records;
}

export const GROUPED_TABLE_COLUMNS = [
  'group',
  'label',
  'runs',
  'failed',
  'seeds',
  ...(['eval_f1', 'eval_exact_match', 'duration_seconds'] as const).flatMap((m) => [
    `${m}_n`,
    `${m}_mean`,
    `${m}_sd`,
    `${m}_ci95_low`,
    `${m}_ci95_high`,
  ]),
  'eval_f1_by_seed',
  'eval_exact_match_by_seed',
  'duration_seconds_by_seed',
  ...STRATEGY_FLAGS,
] as const;

export const COMPARISON_TABLE_COLUMNS = [
  'group',
  'label',
  'baseline',
  'metric',
  'test',
  'paired_seeds',
  'n_baseline',
  'n_group',
  'baseline_mean',
  'group_mean',
  'mean_diff',
  'diff_pct',
  'ci95_low',
  'ci95_high',
  't',
  'df',
  'p',
  'p_holm',
  'stars',
  'stars_raw',
  'cohens_d',
  'effect',
  'notes',
] as const;

const seedLabel = (s: number | null): string => (s === null ? 'none' : String(s));

function bySeed(runs: readonly SeedRun[], field: 'eval_f1' | 'eval_exact_match' | 'duration_seconds'): string {
  return runs
    .filter((r) => r[field] !== null)
    .map((r) => `${seedLabel(r.seed)}:${r[field]}`)
    .join(';');
}

function groupRow(g: ConfigGroup): CsvCell[] {
  const stats = (['eval_f1', 'eval_exact_match', 'duration_seconds'] as const).flatMap((m) => {
    const s = g[m];
    return [s.n, s.mean, s.sd, s.ci95?.lower ?? null, s.ci95?.upper ?? null];
  });
  return [
    g.key,
    g.label,
    g.runs,
    g.failed,
    g.seeds.map((r) => seedLabel(r.seed)).join(';'),
    ...stats,
    bySeed(g.seeds, 'eval_f1'),
    bySeed(g.seeds, 'eval_exact_match'),
    bySeed(g.seeds, 'duration_seconds'),
    ...STRATEGY_FLAGS.map((f) => g.strategies[f]),
  ];
}

export function groupedTableCsv(analysis: Pick<ExperimentAnalysis, 'groups'>, lineEnding: '\r\n' | '\n' = '\r\n'): string {
  return toCsv(GROUPED_TABLE_COLUMNS, analysis.groups.map(groupRow), lineEnding);
}

export function comparisonTableCsv(analysis: Pick<ExperimentAnalysis, 'comparisons'>, lineEnding: '\r\n' | '\n' = '\r\n'): string {
  const rows: CsvCell[][] = [];
  for (const c of analysis.comparisons) {
    for (const metric of METRIC_KEYS) {
      const m = c.metrics[metric];
      const notes = [...(m.test === 'welch' && c.pairingNote ? [`not paired: ${c.pairingNote}`] : []), ...m.notes];
      rows.push([
        c.group,
        c.label,
        c.baseline,
        metric,
        m.test,
        c.pairedSeeds.join(';'),
        m.nBaseline,
        m.nCandidate,
        m.baselineMean,
        m.candidateMean,
        m.meanDiff,
        m.diffPct,
        m.ci95?.lower ?? null,
        m.ci95?.upper ?? null,
        m.t,
        m.df,
        m.p,
        m.pHolm,
        m.stars ?? 'n/a',
        m.starsRaw ?? 'n/a',
        m.cohensD,
        m.effect,
        notes.join('; '),
      ]);
    }
  }
  return toCsv(COMPARISON_TABLE_COLUMNS, rows, lineEnding);
}
