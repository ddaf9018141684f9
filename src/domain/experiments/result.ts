import { z } from 'zod';
import { PyFloat, PyJsonSyntaxError, parsePythonJson, pyDumps, pyFloatRepr, toPlain, type PyJson } from '../config/pyjson';
import { ConfigValidationError, zodIssuesToConfigIssues } from '../config/schema';
import { configHash } from '../config/serialize';
import type { ExperimentConfig } from '../config/types';
import { pyFixed } from './analysis/python-format';
import { pyIsoformatFromTimestamp } from './pytime';

/**
 * The result record of one experiment run: Python's `ExperimentResult.to_dict()` (origin-system.md
 * §8.2) plus the app's provenance (version, commit, backend, adapter), `results.json` and the
 * accumulating `all_results.json` (§8.3, fixed to accumulate instead of being overwritten).
 */

export type MetricValue = number | string | boolean | null;
export type Metrics = Record<string, MetricValue>;

/**
 * Metric keys written as ints when integral (HF writes e.g. `"eval_samples": 2000`); every other
 * numeric metric is a float in Python (`"eval_exact_match": 50.0`).
 */
export const DEFAULT_INTEGER_METRICS: readonly string[] = ['eval_samples', 'train_samples', 'predict_samples', 'step', 'global_step'];

/** Where and how a result was produced (app extension; absent in results from the Python system). */
export interface Provenance {
  app_version?: string;
  git_commit?: string;
  /** tfjs backend: "webgpu", "webgl", "wasm", "cpu". */
  backend?: string;
  /** GPU adapter description, or e.g. "node" / "SwiftShader". */
  adapter?: string;
}

export interface ExperimentResult extends Provenance {
  experiment_name: string;
  config_hash: string;
  success: boolean;
  /** `eval_metrics.json` content: `eval_exact_match`, `eval_f1` (0–100), ...; `{dry_run: true}` for dry runs. */
  metrics: Metrics;
  error: string | null;
  /** Epoch seconds (float), or null for dry runs. */
  start_time: number | null;
  end_time: number | null;
  /** end − start, or null when either is missing or 0 (Python truthiness). */
  duration_seconds: number | null;
  /** `datetime.fromtimestamp(start_time).isoformat()`: local time, no zone; null for dry runs. */
  timestamp: string | null;
  /**
   * Metric keys Python holds as ints, when they differ from DEFAULT_INTEGER_METRICS (set on
   * import so a Python file is written back byte for byte). Not part of to_dict.
   */
  integer_metrics?: string[];
}

export const PROVENANCE_KEYS = ['app_version', 'git_commit', 'backend', 'adapter'] as const;

export interface MakeResultInput {
  experiment_name: string;
  config_hash: string;
  success: boolean;
  metrics?: Metrics;
  error?: string | null;
  start_time?: number | null;
  end_time?: number | null;
  provenance?: Provenance;
  /** Zone for the timestamp (minutes east of UTC); default: the runtime's local zone. */
  utcOffsetMinutes?: number;
}

/** A result as Python's `ExperimentResult(...)` + `to_dict()` computes it (duration, timestamp). */
export function makeExperimentResult(input: MakeResultInput): ExperimentResult {
  const start = input.start_time ?? null;
  const end = input.end_time ?? null;
  const result: ExperimentResult = {
    experiment_name: input.experiment_name,
    config_hash: input.config_hash,
    success: input.success,
    metrics: { ...(input.metrics ?? {}) },
    error: input.error ?? null,
    start_time: start,
    end_time: end,
    // Python: `if self.start_time and self.end_time` — 0 counts as missing.
    duration_seconds: start && end ? end - start : null,
    timestamp: start ? pyIsoformatFromTimestamp(start, input.utcOffsetMinutes) : null,
  };
  for (const k of PROVENANCE_KEYS) {
    const v = input.provenance?.[k];
    if (v !== undefined) result[k] = v;
  }
  return result;
}

/** What Python's dry run returns: success, `metrics={"dry_run": True}`, no times (never saved to results.json). */
export function makeDryRunResult(config: ExperimentConfig, provenance?: Provenance): ExperimentResult {
  return makeExperimentResult({
    experiment_name: config.name,
    config_hash: configHash(config),
    success: true,
    metrics: { dry_run: true },
    provenance,
  });
}

function isIntegerMetric(result: ExperimentResult, key: string): boolean {
  return (result.integer_metrics ?? DEFAULT_INTEGER_METRICS).includes(key);
}

/** The metrics dict with Python number types (floats wrapped). */
export function metricsToPy(result: ExperimentResult): { [key: string]: PyJson } {
  const out: { [key: string]: PyJson } = {};
  for (const [k, v] of Object.entries(result.metrics)) {
    out[k] = typeof v === 'number' && !(Number.isInteger(v) && isIntegerMetric(result, k)) ? new PyFloat(v) : v;
  }
  return out;
}

const pyFloatOrNull = (x: number | null): PyFloat | null => (x === null ? null : new PyFloat(x));

/** `to_dict()` in Python's key order, then the provenance keys that are set. */
export function resultToPyDict(result: ExperimentResult): { [key: string]: PyJson } {
  const d: { [key: string]: PyJson } = {
    experiment_name: result.experiment_name,
    config_hash: result.config_hash,
    success: result.success,
    metrics: metricsToPy(result),
    error: result.error,
    start_time: pyFloatOrNull(result.start_time),
    end_time: pyFloatOrNull(result.end_time),
    duration_seconds: pyFloatOrNull(result.duration_seconds),
    timestamp: result.timestamp,
  };
  for (const k of PROVENANCE_KEYS) if (result[k] !== undefined) d[k] = result[k] as string;
  return d;
}

/** `to_dict()` as plain JSON (for storage and other engineers' code). */
export function resultToDict(result: ExperimentResult): Record<string, unknown> {
  return toPlain(resultToPyDict(result)) as Record<string, unknown>;
}

/** `results.json` exactly as Python's `json.dump(to_dict(), f, indent=2)` writes it. */
export function resultsJsonText(result: ExperimentResult): string {
  return pyDumps(resultToPyDict(result), { indent: 2 });
}

// ---------------------------------------------------------------------------------------------
// Reading

const metricValue = z.union([z.number(), z.string(), z.boolean(), z.null()], {
  error: 'expected a number, string, true/false or null (nested values are not metrics)',
});
const optionalNumber = z.number().nullable().default(null);
const provenanceField = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? undefined);

export const ExperimentResultSchema = z.object({
  experiment_name: z.string().min(1, { error: 'must be a non-empty name' }),
  config_hash: z.string().min(1, { error: 'must be a non-empty hash' }),
  success: z.boolean(),
  metrics: z.record(z.string(), metricValue).default(() => ({})),
  error: z.string().nullable().default(null),
  start_time: optionalNumber,
  end_time: optionalNumber,
  duration_seconds: optionalNumber,
  timestamp: z.string().nullable().default(null),
  app_version: provenanceField,
  git_commit: provenanceField,
  backend: provenanceField,
  adapter: provenanceField,
});

type Obj = { [key: string]: PyJson };
const isPyObj = (v: PyJson | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PyFloat) && !(v instanceof Map);

/**
 * Validates a results dict (as parsed by parsePythonJson, so number types are known). `path`
 * prefixes field names in messages (e.g. "results[3]" inside all_results.json).
 */
export function resultFromPyDict(value: PyJson, file: string, path = ''): ExperimentResult {
  const plain = toPlain(value);
  const r = ExperimentResultSchema.safeParse(plain, { reportInput: true });
  if (!r.success) throw new ConfigValidationError(zodIssuesToConfigIssues(file, r.error.issues, path));
  const result: ExperimentResult = { ...r.data };
  for (const k of PROVENANCE_KEYS) if (result[k] === undefined) delete result[k];

  // Remember which metrics Python held as ints, unless the default rule already says so.
  const rawMetrics = isPyObj(value) ? value.metrics : undefined;
  if (isPyObj(rawMetrics)) {
    const literalInts = Object.keys(rawMetrics).filter((k) => typeof rawMetrics[k] === 'number' || typeof rawMetrics[k] === 'bigint');
    const defaultInts = Object.keys(rawMetrics).filter((k) => {
      const v = result.metrics[k];
      return typeof v === 'number' && Number.isInteger(v) && DEFAULT_INTEGER_METRICS.includes(k);
    });
    const same = literalInts.length === defaultInts.length && literalInts.every((k) => defaultInts.includes(k));
    if (!same) result.integer_metrics = literalInts;
  }
  return result;
}

function parseJsonText(text: string, file: string): PyJson {
  try {
    return parsePythonJson(text, file);
  } catch (e) {
    if (e instanceof PyJsonSyntaxError) throw new ConfigValidationError([{ file, path: '', message: e.message.slice(file.length + 2) }]);
    throw e;
  }
}

/** Reads a `results.json` (ours or Python's). Throws ConfigValidationError naming file and field. */
export function parseResultsJson(text: string, file = 'results.json'): ExperimentResult {
  return resultFromPyDict(parseJsonText(text, file), file);
}

// ---------------------------------------------------------------------------------------------
// all_results.json

export interface AllResults {
  /** When the file was last written (`datetime.now().isoformat()`). */
  timestamp: string;
  num_experiments: number;
  successful: number;
  failed: number;
  results: ExperimentResult[];
}

/** Identity of a run for merging: experiment name + start timestamp (dry runs: name + hash). */
export function resultKey(result: ExperimentResult): string {
  return result.timestamp === null
    ? `${result.experiment_name}\u0000${result.config_hash}\u0000dry-run`
    : `${result.experiment_name}\u0000${result.timestamp}`;
}

/** An all_results document over these results (Python's `_save_all_results` content). */
export function buildAllResults(results: readonly ExperimentResult[], timestamp: string): AllResults {
  const successful = results.filter((r) => r.success).length;
  return { timestamp, num_experiments: results.length, successful, failed: results.length - successful, results: [...results] };
}

/**
 * Adds runs to an existing all_results (app fix: Python overwrote it on every invocation). A run
 * already present (same `resultKey`) is replaced in place, so re-saving never duplicates; new runs
 * are appended in the given order. Counts are recomputed.
 */
export function mergeAllResults(existing: AllResults | null, added: readonly ExperimentResult[], timestamp: string): AllResults {
  const results = existing ? [...existing.results] : [];
  const index = new Map(results.map((r, i) => [resultKey(r), i]));
  for (const r of added) {
    const key = resultKey(r);
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, results.length);
      results.push(r);
    } else {
      results[at] = r;
    }
  }
  return buildAllResults(results, timestamp);
}

export function allResultsToPyDict(all: AllResults): { [key: string]: PyJson } {
  return {
    timestamp: all.timestamp,
    num_experiments: all.num_experiments,
    successful: all.successful,
    failed: all.failed,
    results: all.results.map(resultToPyDict),
  };
}

/** `all_results.json` as Python writes it (indent 2). */
export function allResultsJsonText(all: AllResults): string {
  return pyDumps(allResultsToPyDict(all), { indent: 2 });
}

const AllResultsHeader = z.object({
  timestamp: z.string(),
  num_experiments: z.number().int().min(0),
  successful: z.number().int().min(0),
  failed: z.number().int().min(0),
  results: z.array(z.unknown()),
});

/** Reads `all_results.json`; counts are recomputed from the results (a stale count is not an error). */
export function parseAllResultsJson(text: string, file = 'all_results.json'): AllResults {
  const raw = parseJsonText(text, file);
  const header = AllResultsHeader.safeParse(toPlain(raw), { reportInput: true });
  if (!header.success) throw new ConfigValidationError(zodIssuesToConfigIssues(file, header.error.issues));
  const rawResults = (raw as Obj).results as PyJson[];
  const results = rawResults.map((r, i) => resultFromPyDict(r, file, `results[${i}]`));
  return buildAllResults(results, header.data.timestamp);
}

// ---------------------------------------------------------------------------------------------
// Console summary

/** Python's `_print_summary()` lines (EXPERIMENT SUMMARY block), for the CLI. */
export function formatRunSummary(results: readonly ExperimentResult[]): string {
  const successful = results.filter((r) => r.success).length;
  const lines = [
    '',
    '='.repeat(80),
    'EXPERIMENT SUMMARY',
    '='.repeat(80),
    '',
    `Total experiments: ${results.length}`,
    `Successful: ${successful}`,
    `Failed: ${results.length - successful}`,
    '',
    'Results by experiment:',
    '-'.repeat(80),
  ];
  for (const r of results) {
    const status = r.success ? '✓' : '✗';
    const duration = r.duration_seconds ? `${pyFixed(r.duration_seconds, 1)}s` : 'N/A';
    let tail: string;
    if (r.success) {
      const f1 = r.metrics.eval_f1;
      const em = r.metrics.eval_exact_match;
      const isNum = (v: MetricValue | undefined) => typeof v === 'number' || typeof v === 'boolean';
      if (isNum(f1) && isNum(em)) tail = `F1=${pyFixed(Number(f1), 4)} EM=${pyFixed(Number(em), 4)}`;
      else tail = `F1=${f1 === undefined ? 'N/A' : pyValueStr(f1)} EM=${em === undefined ? 'N/A' : pyValueStr(em)}`;
    } else {
      tail = `ERROR: ${r.error === null ? 'None' : r.error}`;
    }
    lines.push(`${status} ${r.experiment_name.padEnd(30)} | ${duration.padStart(10)} | ${tail}`);
  }
  lines.push(`${'='.repeat(80)}\n`);
  return lines.join('\n');
}

function pyValueStr(v: MetricValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  // eval_* metrics are Python floats; str(float) is repr.
  if (typeof v === 'number') return pyFloatRepr(v);
  return v;
}
