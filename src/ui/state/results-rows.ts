/**
 * The Results section's table logic, free of Svelte and IndexedDB: stored runs → validated
 * entries with their Python results.csv row and analysis row, the table's columns (the Python
 * results.csv columns first, then the app's provenance), filters, sorting and the runs CSV.
 */
import { PyFloat, parsePythonJson, pyRepr, type PyJson } from '../../domain/config/pyjson';
import { parseAppSettings, parseExperimentConfig, ConfigValidationError, formatIssue } from '../../domain/config/schema';
import { configHash } from '../../domain/config/serialize';
import type { AppSettings, ExperimentConfig } from '../../domain/config/types';
import { ExperimentResultSchema, resultToPyDict, type ExperimentResult } from '../../domain/experiments/result';
import { isDryRunResult } from '../../domain/experiments/folder';
import { pythonAnalysisRow, resultsColumns, resultsRowFromRecord, sortResultsRows, toAnalysisRow, type ResultsRow } from '../../domain/experiments/csv';
import { analyzeExperiments, nameWithoutSeed, STRATEGY_FLAGS, toCsv, type AnalysisRow, type CsvCell, type ExperimentAnalysis, type GroupBy, type StrategyFlag } from '../../domain/experiments/analysis';
import { IMPORT_SUITE_PREFIX, type StoredRun } from '../../storage/results';

/** Provenance columns shown after the Python ones. */
export const PROVENANCE_COLUMNS = ['backend', 'adapter', 'app_version', 'git_commit'] as const;
/** Where the run came from: the suite id, or "import:<name>". */
export const SOURCE_COLUMN = 'source';

export interface ResultEntry {
  runId: string;
  experimentId: string;
  /** Suite id, "import:<name>" for imports, "" when the run has none. */
  source: string;
  imported: boolean;
  result: ExperimentResult;
  /** Validated config; null when missing or invalid (its row columns stay empty, as in Python). */
  config: ExperimentConfig | null;
  app: AppSettings | null;
  /** The row Python's analysis builds (results.csv). */
  row: ResultsRow;
  /** The analysis module's row, with `config_fingerprint` set. */
  analysis: AnalysisRow;
  createdAt: string;
}

export interface EntryProblem {
  runId: string;
  message: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A hash of the config with name, description and seed left out: runs that differ only in seed
 * share it, so grouping by it puts every seed of one configuration together whatever the names.
 */
export function configFingerprint(config: ExperimentConfig): string {
  return configHash({ ...config, name: '', description: '', training: { ...config.training, seed: 0 } });
}

function parseResult(value: unknown, where: string): ExperimentResult {
  const r = ExperimentResultSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`${where}: result field ${issue.path.join('.') || '(record)'}: ${issue.message}`);
  }
  const result: ExperimentResult = { ...r.data };
  for (const k of ['app_version', 'git_commit', 'backend', 'adapter'] as const) if (result[k] === undefined) delete result[k];
  // Which metrics Python held as ints is kept with the record (imports), never guessed from JSON numbers.
  const ints = isObj(value) ? value.integer_metrics : undefined;
  if (Array.isArray(ints) && ints.every((k) => typeof k === 'string')) result.integer_metrics = ints as string[];
  return result;
}

function message(e: unknown): string {
  if (e instanceof ConfigValidationError) return e.issues.map(formatIssue).join('; ');
  return e instanceof Error ? e.message : String(e);
}

/**
 * Entries for the stored runs. A run whose result cannot be read is left out and reported; a
 * config that cannot be read keeps the run (its config columns stay empty) and is reported.
 * Dry runs are left out: like Python, they are never results.
 */
export function entriesFromStored(stored: readonly StoredRun[]): { entries: ResultEntry[]; problems: EntryProblem[] } {
  const entries: ResultEntry[] = [];
  const problems: EntryProblem[] = [];
  for (const { run, experiment } of stored) {
    let result: ExperimentResult;
    try {
      result = parseResult(run.result, `run ${run.id}`);
    } catch (e) {
      problems.push({ runId: run.id, message: message(e) });
      continue;
    }
    if (isDryRunResult(result)) continue;
    const source = run.suiteId ?? experiment?.suiteId ?? '';
    const imported = source.startsWith(IMPORT_SUITE_PREFIX);
    const spec = experiment?.config;
    let config: ExperimentConfig | null = null;
    let app: AppSettings | null = null;
    let configJson: string | null = null;
    if (!experiment) problems.push({ runId: run.id, message: `run ${run.id}: its experiment record ${run.experimentId} is missing; config columns left empty` });
    else if (isObj(spec)) {
      // ExperimentSpec {config, app[, import]}; a bare config (older records) is read too.
      const rawConfig = 'training' in spec ? spec : spec.config;
      if (isObj(spec.import) && typeof spec.import.configJson === 'string') configJson = spec.import.configJson;
      if (rawConfig !== null && rawConfig !== undefined) {
        try {
          config = parseExperimentConfig(rawConfig, `experiment ${experiment.id}`);
        } catch (e) {
          problems.push({ runId: run.id, message: message(e) });
        }
      }
      if (isObj(spec.app)) {
        try {
          app = parseAppSettings(spec.app, `experiment ${experiment.id} app`);
        } catch (e) {
          problems.push({ runId: run.id, message: message(e) });
        }
      }
    }
    let row: ResultsRow;
    try {
      // An import's row is built from its config.json as written, exactly as Python's loader does.
      row = configJson !== null ? pythonAnalysisRow(resultToPyDict(result), parsePythonJson(configJson, 'config.json'), run.id) : resultsRowFromRecord(result, config);
    } catch (e) {
      row = resultsRowFromRecord(result, config);
      problems.push({ runId: run.id, message: `${message(e)}; its row uses the validated config` });
    }
    const analysis: AnalysisRow = {
      ...toAnalysisRow(row),
      config_fingerprint: config ? `cfg:${configFingerprint(config)}` : `name:${nameWithoutSeed(result.experiment_name)}`,
    };
    entries.push({ runId: run.id, experimentId: run.experimentId, source, imported, result, config, app, row, analysis, createdAt: run.createdAt });
  }
  // The Python order: by timestamp, missing last.
  const order = new Map(sortResultsRows(entries.map((e) => e.row)).map((r, i) => [r, i]));
  entries.sort((a, b) => (order.get(a.row) as number) - (order.get(b.row) as number));
  return { entries, problems };
}

// ---------------------------------------------------------------------------------------------
// Columns and cells

/** The table's columns: the Python results.csv columns of these runs, then provenance and source. */
export function tableColumns(entries: readonly ResultEntry[]): string[] {
  const python = entries.length
    ? resultsColumns(entries.map((e) => e.row))
    : ['experiment_name', 'config_hash', 'success', 'duration_seconds', 'timestamp', 'error', 'eval_exact_match', 'eval_f1', 'seed', 'num_train_epochs', 'learning_rate', 'max_train_samples', 'max_eval_samples', ...STRATEGY_FLAGS];
  return [...python, ...PROVENANCE_COLUMNS, SOURCE_COLUMN];
}

export type Cell = string | number | boolean | null;

function plainCell(v: PyJson | undefined): Cell {
  if (v === undefined || v === null) return null;
  if (v instanceof PyFloat) return Number.isNaN(v.value) ? null : v.value;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return pyRepr(v);
}

export function cellValue(e: ResultEntry, column: string): Cell {
  if (column === SOURCE_COLUMN) return e.source === '' ? null : e.source;
  if ((PROVENANCE_COLUMNS as readonly string[]).includes(column)) return e.result[column as (typeof PROVENANCE_COLUMNS)[number]] ?? null;
  return plainCell(e.row.get(column));
}

const DIGITS: Record<string, number> = { eval_f1: 2, eval_exact_match: 2, duration_seconds: 1 };

/** Display text of a cell ("—" for missing). */
export function formatCell(column: string, v: Cell): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') {
    if (column === 'learning_rate') return String(v);
    if (column in DIGITS) return v.toFixed(DIGITS[column]);
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Filtering and sorting

export type TriState = 'any' | 'on' | 'off';

export interface ResultsFilter {
  /** Case-insensitive substring of the experiment name or config hash. */
  text: string;
  success: 'all' | 'success' | 'failed';
  strategies: Record<StrategyFlag, TriState>;
  /** Source (suite id or "import:<name>"); "" for all. */
  source: string;
}

export function emptyFilter(): ResultsFilter {
  return { text: '', success: 'all', strategies: Object.fromEntries(STRATEGY_FLAGS.map((f) => [f, 'any'])) as Record<StrategyFlag, TriState>, source: '' };
}

export function filterEntries(entries: readonly ResultEntry[], f: ResultsFilter): ResultEntry[] {
  const needle = f.text.trim().toLowerCase();
  return entries.filter((e) => {
    if (needle && !e.result.experiment_name.toLowerCase().includes(needle) && !e.result.config_hash.toLowerCase().includes(needle)) return false;
    if (f.success === 'success' && !e.result.success) return false;
    if (f.success === 'failed' && e.result.success) return false;
    for (const flag of STRATEGY_FLAGS) {
      const want = f.strategies[flag];
      if (want !== 'any' && e.analysis[flag] !== (want === 'on')) return false;
    }
    return f.source === '' || e.source === f.source;
  });
}

export interface SortSpec {
  column: string;
  direction: 'asc' | 'desc';
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Sorted by one column; missing values last in both directions; ties keep the Python order. */
export function sortEntries(entries: readonly ResultEntry[], sort: SortSpec): ResultEntry[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return entries
    .map((e, i) => ({ e, i, v: cellValue(e, sort.column) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      let c: number;
      if (typeof a.v === 'number' && typeof b.v === 'number') c = a.v - b.v;
      else if (typeof a.v === 'boolean' && typeof b.v === 'boolean') c = Number(a.v) - Number(b.v);
      else c = collator.compare(String(a.v), String(b.v));
      return c * sign || a.i - b.i;
    })
    .map((x) => x.e);
}

/** Distinct sources in first-seen order. */
export function sourcesOf(entries: readonly ResultEntry[]): string[] {
  return [...new Set(entries.map((e) => e.source).filter((s) => s !== ''))];
}

/** The table as CSV (RFC 4180, CRLF): its columns in order; booleans True/False as in results.csv. */
export function runsTableCsv(entries: readonly ResultEntry[], columns: readonly string[]): string {
  const cell = (v: Cell): CsvCell => (typeof v === 'boolean' ? (v ? 'True' : 'False') : v);
  return toCsv(columns, entries.map((e) => columns.map((c) => cell(cellValue(e, c)))));
}

// ---------------------------------------------------------------------------------------------
// Analysis

/** The analysis of these runs, or why it could not be made. A baseline that is not a group falls back to the default. */
export function analyzeEntries(entries: readonly ResultEntry[], groupBy: GroupBy, baseline: string): { analysis: ExperimentAnalysis | null; error: string | null } {
  try {
    const rows = entries.map((e) => e.analysis);
    const first = analyzeExperiments(rows, { groupBy });
    if (baseline && baseline !== first.baseline && first.groups.some((g) => g.key === baseline)) {
      return { analysis: analyzeExperiments(rows, { groupBy, baseline }), error: null };
    }
    return { analysis: first, error: null };
  } catch (e) {
    return { analysis: null, error: e instanceof Error ? e.message : String(e) };
  }
}
