/**
 * The text summary of the Python `print_results_summary` (origin-system §9.2), reproduced
 * character for character: counts, `describe().round(4)` of the eval_* columns over successful
 * runs, the top 5 by F1 and the strategy on/off table. As in Python, a std of a single value
 * prints as "nan" and a missing pandas value as "NaN"; those are the origin's words, not numbers.
 */
import { numpyPercentile, numpyRound, pandasToString, pyFixed, type PandasColumn } from './python-format';
import { STRATEGY_FLAGS, pythonTitle, sortRowsByTimestamp, type AnalysisRow } from './rows';

const RULE = '='.repeat(100);
const THIN = '-'.repeat(100);

/** Eval columns in the order Python's DataFrame has them (metrics dict order: exact match, then F1). */
const EVAL_COLUMNS = ['eval_exact_match', 'eval_f1'] as const;
type EvalColumn = (typeof EVAL_COLUMNS)[number];

function nonNull(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

/** pandas Series.mean / std (ddof 1) with NaN skipped; NaN where pandas gives NaN. */
function pandasMean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

function pandasStd(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = pandasMean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

/** `Series.describe()` values in index order count, mean, std, min, 25%, 50%, 75%, max (null = NaN). */
function describeColumn(values: readonly (number | null)[]): (number | null)[] {
  const v = nonNull(values);
  const sorted = [...v].sort((a, b) => a - b);
  const nan = (x: number): number | null => (Number.isNaN(x) ? null : x);
  const pct = (q: number): number | null => (sorted.length ? numpyPercentile(sorted, q) : null);
  return [
    v.length,
    nan(pandasMean(v)),
    nan(pandasStd(v)),
    sorted.length ? sorted[0] : null,
    pct(0.25),
    pct(0.5),
    pct(0.75),
    sorted.length ? sorted[sorted.length - 1] : null,
  ];
}

const DESCRIBE_INDEX = ['count', 'mean', 'std', 'min', '25%', '50%', '75%', 'max'];

function hasColumn(rows: readonly AnalysisRow[], col: EvalColumn | 'duration_seconds'): boolean {
  return rows.some((r) => r[col] !== null);
}

/** `DataFrame.nlargest(5, 'eval_f1')`: NaN dropped, ties in row order. */
function top5ByF1(rows: readonly AnalysisRow[]): AnalysisRow[] {
  return rows
    .map((row, i) => ({ row, i }))
    .filter((e) => e.row.eval_f1 !== null)
    .sort((a, b) => (b.row.eval_f1 as number) - (a.row.eval_f1 as number) || a.i - b.i)
    .slice(0, 5)
    .map((e) => e.row);
}

/**
 * The stdout of Python's `print_results_summary(df)` for these runs, ending in a newline. Rows
 * are first put in the DataFrame's order (by timestamp, as `load_experiment_results` sorts), which
 * decides ties in the top 5. A column exists, as in the DataFrame, when at least one run (failed
 * ones included) has a value.
 */
export function formatResultsSummary(runs: readonly AnalysisRow[]): string {
  const rows = sortRowsByTimestamp(runs);
  const out: string[] = [];
  const print = (s = ''): void => {
    out.push(s);
  };
  if (rows.length === 0) {
    print('No results to summarize');
    return `${out.join('\n')}\n`;
  }
  print(RULE);
  print('EXPERIMENT RESULTS SUMMARY');
  print(RULE);
  const total = rows.length;
  const ok = rows.filter((r) => r.success);
  print(`\nTotal experiments: ${total}`);
  print(`Successful: ${ok.length}`);
  print(`Failed: ${total - ok.length}`);
  if (ok.length === 0) {
    print('\n[WARNING] No successful experiments to analyze');
    return `${out.join('\n')}\n`;
  }

  print(`\n${THIN}`);
  print('PERFORMANCE METRICS (successful experiments only)');
  print(THIN);
  const metricCols = EVAL_COLUMNS.filter((c) => hasColumn(rows, c));
  if (metricCols.length) {
    const cols: PandasColumn[] = metricCols.map((c) => ({
      header: c,
      kind: 'float',
      values: describeColumn(ok.map((r) => r[c])).map((v) => (v === null ? null : numpyRound(v, 4))),
    }));
    print(pandasToString(cols, DESCRIBE_INDEX));
  } else {
    print('No evaluation metrics found');
  }

  print(`\n${THIN}`);
  print('TOP 5 EXPERIMENTS BY F1 SCORE');
  print(THIN);
  if (hasColumn(rows, 'eval_f1')) {
    const top = top5ByF1(ok);
    const cols: PandasColumn[] = [{ header: 'experiment_name', kind: 'string', values: top.map((r) => r.experiment_name) }];
    cols.push({ header: 'eval_f1', kind: 'float', values: top.map((r) => r.eval_f1) });
    if (hasColumn(rows, 'eval_exact_match')) {
      cols.push({ header: 'eval_exact_match', kind: 'float', values: top.map((r) => r.eval_exact_match) });
    }
    // A column with no value in any run is an object column of None in pandas.
    cols.push(
      hasColumn(rows, 'duration_seconds')
        ? { header: 'duration_seconds', kind: 'float', values: top.map((r) => r.duration_seconds) }
        : { header: 'duration_seconds', kind: 'none', length: top.length },
    );
    print(pandasToString(cols, null));
  } else {
    print('F1 metric not available');
  }

  print(`\n${THIN}`);
  print('PERFORMANCE BY STRATEGY');
  print(THIN);
  for (const flag of STRATEGY_FLAGS) {
    const enabled = ok.filter((r) => r[flag]);
    const disabled = ok.filter((r) => !r[flag]);
    if (enabled.length > 0 && disabled.length > 0 && hasColumn(rows, 'eval_f1')) {
      const line = (label: string, group: AnalysisRow[]): string => {
        const f1 = nonNull(group.map((r) => r.eval_f1));
        return `  ${label} ${String(group.length).padStart(3)} experiments | Mean F1: ${pyFixed(pandasMean(f1), 4)} | Std: ${pyFixed(pandasStd(f1), 4)}`;
      };
      print(`\n${pythonTitle(flag)}:`);
      print(line('Enabled: ', enabled));
      print(line('Disabled:', disabled));
    }
  }
  print(`\n${RULE}`);
  return `${out.join('\n')}\n`;
}
