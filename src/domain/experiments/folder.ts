import { unzipSync, zipSync, type Zippable } from 'fflate';
import { importAppSettings, exportAppSettingsJson, importPythonConfig, type ConfigImport } from '../config/import';
import { PyJsonSyntaxError, parsePythonJson, pyDumps, type PyJson } from '../config/pyjson';
import { ConfigValidationError, formatIssue } from '../config/schema';
import { configHash, configJsonText, experimentDirName } from '../config/serialize';
import type { AppSettings, ExperimentConfig } from '../config/types';
import { pythonAnalysisRow, resultsCsvText, resultsRowFromRecord, sortResultsRows, ResultsRowError, type ResultsRow } from './csv';
import {
  allResultsJsonText,
  buildAllResults,
  metricsToPy,
  parseAllResultsJson,
  resultFromPyDict,
  resultsJsonText,
  type AllResults,
  type ExperimentResult,
  type Metrics,
} from './result';
import { findRunCartography, resolveInTree, type FileTree, type FoundCartography } from './run-cartography';

/**
 * The experiment folder of the guide's "Output Structure", as a list of files, and back:
 *
 *   all_results.json, results.csv, experiment_results.png,
 *   {name}_{hash}/config.json, results.json, app.json (ours only),
 *   {name}_{hash}/trainer_output/{eval_metrics.json, eval_predictions.jsonl, config.json, model.safetensors, ...}
 *   {name}_{hash}/cartography_output/ (read only: a run's training dynamics, see run-cartography.ts)
 *
 * Files are formatted as Python writes them: config.json / results.json / all_results.json with
 * `json.dump(indent=2)`, eval_metrics.json and each eval_predictions line with plain
 * `json.dumps`, the model config.json as Hugging Face writes it (indent 2, sorted, newline).
 */

export interface FolderEntry {
  /** POSIX path relative to the folder (or archive) root. */
  path: string;
  bytes: Uint8Array;
}

export interface TrainerOutputFiles {
  /** Bytes as written, or the metrics (plain `json.dump`). Default: the result's metrics for a finished, non-dry run. */
  eval_metrics?: Uint8Array | Metrics;
  /** Bytes, or the rows (one `json.dumps` per line: example fields + `predicted_answer`). */
  eval_predictions?: Uint8Array | ReadonlyArray<Record<string, unknown>>;
  /** Hugging Face model config: bytes, or the dict. */
  model_config?: Uint8Array | Record<string, unknown>;
  model_safetensors?: Uint8Array;
  /** Other trainer files, paths relative to trainer_output/. */
  extra?: FolderEntry[];
}

export interface FolderExperiment {
  config: ExperimentConfig;
  /** The run's result; absent/null for an experiment that has not run (only config.json is written). */
  result?: ExperimentResult | null;
  app?: AppSettings;
  trainer_output?: TrainerOutputFiles;
}

export interface BuildFolderOptions {
  /** Folder prefix for every path, e.g. "experiments" (default: none). */
  root?: string;
  /** all_results.json content (the accumulated history); default: built from the given results. */
  all_results?: AllResults;
  /** `datetime.now().isoformat()` used when all_results is built here. */
  now?: string;
  /** experiment_results.png (rendered by the caller). */
  plot_png?: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const utf8 = (s: string) => encoder.encode(s);

const join = (...parts: string[]) => parts.filter((p) => p !== '').join('/');

export const isDryRunResult = (r: ExperimentResult): boolean => r.timestamp === null && r.metrics.dry_run === true;

/** Hugging Face `PretrainedConfig.to_json_string()`: indent 2, sorted keys, trailing newline. */
export function hfConfigJsonText(config: Record<string, unknown>): string {
  return `${pyDumps(config as PyJson, { indent: 2, sortKeys: true })}\n`;
}

/** eval_predictions.jsonl text: one `json.dumps(row)` per line. */
export function evalPredictionsJsonl(rows: ReadonlyArray<Record<string, unknown>>): string {
  return rows.map((r) => `${pyDumps(r as PyJson)}\n`).join('');
}

function trainerEntries(prefix: string, result: ExperimentResult | null, files: TrainerOutputFiles | undefined): FolderEntry[] {
  const out: FolderEntry[] = [];
  const dir = join(prefix, 'trainer_output');
  const metrics = files?.eval_metrics;
  if (metrics instanceof Uint8Array) out.push({ path: join(dir, 'eval_metrics.json'), bytes: metrics });
  else if (metrics) out.push({ path: join(dir, 'eval_metrics.json'), bytes: utf8(pyDumps(metricsToPy({ ...(result ?? emptyResult()), metrics }))) });
  else if (result && result.success && !isDryRunResult(result) && Object.keys(result.metrics).length) {
    out.push({ path: join(dir, 'eval_metrics.json'), bytes: utf8(pyDumps(metricsToPy(result))) });
  }
  const preds = files?.eval_predictions;
  if (preds) out.push({ path: join(dir, 'eval_predictions.jsonl'), bytes: preds instanceof Uint8Array ? preds : utf8(evalPredictionsJsonl(preds)) });
  const model = files?.model_config;
  if (model) out.push({ path: join(dir, 'config.json'), bytes: model instanceof Uint8Array ? model : utf8(hfConfigJsonText(model)) });
  if (files?.model_safetensors) out.push({ path: join(dir, 'model.safetensors'), bytes: files.model_safetensors });
  for (const e of files?.extra ?? []) out.push({ path: join(dir, e.path), bytes: e.bytes });
  return out;
}

function emptyResult(): ExperimentResult {
  return { experiment_name: '', config_hash: '', success: true, metrics: {}, error: null, start_time: null, end_time: null, duration_seconds: null, timestamp: null };
}

/**
 * The folder's files. When several experiments share a folder name (re-runs of one config), the
 * result with the latest timestamp is written there (Python overwrote the folder); every result
 * still appears in all_results.json. results.csv covers the folders that get a results.json
 * (Python's analysis reads exactly those) and is omitted when there are none, as Python does.
 */
export function buildExperimentFolder(experiments: readonly FolderExperiment[], options: BuildFolderOptions = {}): FolderEntry[] {
  const root = options.root ?? '';
  const byDir = new Map<string, FolderExperiment>();
  for (const e of experiments) {
    const dir = experimentDirName(e.config);
    const prev = byDir.get(dir);
    const later = (a: FolderExperiment, b: FolderExperiment) => (b.result?.timestamp ?? '') >= (a.result?.timestamp ?? '');
    if (!prev || later(prev, e)) byDir.set(dir, e);
  }

  const entries: FolderEntry[] = [];
  const rows: ResultsRow[] = [];
  for (const [dir, e] of byDir) {
    const prefix = join(root, dir);
    const hash = configHash(e.config);
    entries.push({ path: join(prefix, 'config.json'), bytes: utf8(configJsonText(e.config, hash)) });
    const result = e.result ?? null;
    if (result && !isDryRunResult(result)) {
      entries.push({ path: join(prefix, 'results.json'), bytes: utf8(resultsJsonText(result)) });
      rows.push(resultsRowFromRecord(result, e.config));
    }
    if (e.app && Object.keys(e.app).length) entries.push({ path: join(prefix, 'app.json'), bytes: utf8(exportAppSettingsJson(e.app)) });
    entries.push(...trainerEntries(prefix, result, e.trainer_output));
  }

  const results = experiments.map((e) => e.result).filter((r): r is ExperimentResult => !!r);
  let all = options.all_results;
  if (!all && results.length) {
    if (options.now === undefined) throw new Error('buildExperimentFolder: give `now` (the all_results timestamp) or `all_results`');
    all = buildAllResults(results, options.now);
  }
  const top: FolderEntry[] = [];
  if (all) top.push({ path: join(root, 'all_results.json'), bytes: utf8(allResultsJsonText(all)) });
  const csv = resultsCsvText(rows);
  if (csv) top.push({ path: join(root, 'results.csv'), bytes: utf8(csv) });
  if (options.plot_png) top.push({ path: join(root, 'experiment_results.png'), bytes: options.plot_png });
  return [...top, ...entries];
}

/** Already-compressed binaries are stored; text is deflated. */
const STORED = /\.(safetensors|png|bin|npy|zip|gz)$/i;

/** A zip of the entries (fflate). `mtime` fixes the timestamps (reproducible archives). */
export function zipFolder(entries: readonly FolderEntry[], options: { mtime?: Date | number } = {}): Uint8Array {
  const files: Zippable = {};
  for (const e of entries) {
    if (e.path in files) throw new Error(`zipFolder: ${e.path} appears twice`);
    files[e.path] = [e.bytes, { level: STORED.test(e.path) ? 0 : 6, ...(options.mtime !== undefined ? { mtime: options.mtime } : {}) }];
  }
  return zipSync(files);
}

/** The files of a zip (directories and macOS metadata left out). Throws a readable error on a broken archive. */
export function unzipFolder(bytes: Uint8Array, name = 'archive.zip'): FolderEntry[] {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new Error(`${name}: not a readable zip archive (${(e as Error).message})`);
  }
  return Object.entries(files)
    .filter(([p]) => !p.endsWith('/') && !p.startsWith('__MACOSX/') && !p.split('/').some((s) => s === '.DS_Store'))
    .map(([path, data]) => ({ path, bytes: data }));
}

// ---------------------------------------------------------------------------------------------
// Reading a folder back

export interface FolderProblem {
  file: string;
  /** Dotted field path, "" for the whole file. */
  field: string;
  message: string;
  /** True when the experiment was left out because of it (as Python's loader skips it). */
  skipped: boolean;
}

export interface ImportedExperiment {
  /** Folder name, e.g. "baseline_70bb89f8". */
  dir: string;
  /** Folder path inside the input. */
  path: string;
  result: ExperimentResult;
  /** The config in the current schema; null when config.json is missing or invalid. */
  config: ExperimentConfig | null;
  config_import: ConfigImport | null;
  app: AppSettings | null;
  /** trainer_output files by path relative to trainer_output/. */
  trainer_output: Record<string, Uint8Array>;
  /** The run's training dynamics as cartography metrics, when the folder has its files (run-cartography.ts). */
  cartography: FoundCartography | null;
  /** The row Python's analysis builds for it (from the files as written). */
  row: ResultsRow;
  warnings: string[];
}

export interface ImportedFolder {
  /** The folder that holds the experiment folders ("" for the archive root). */
  root: string;
  experiments: ImportedExperiment[];
  all_results: AllResults | null;
  /** Rows in Python's order (by timestamp, missing last): results.csv of this folder. */
  rows: ResultsRow[];
  problems: FolderProblem[];
  warnings: string[];
}

function normalizePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

const dirname = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const depth = (p: string) => (p === '' ? 0 : p.split('/').length);

function decode(bytes: Uint8Array, file: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ConfigValidationError([{ file, path: '', message: 'is not UTF-8 text' }]);
  }
}

function parseFile(bytes: Uint8Array, file: string): PyJson {
  const text = decode(bytes, file);
  try {
    return parsePythonJson(text, file);
  } catch (e) {
    if (e instanceof PyJsonSyntaxError) throw new ConfigValidationError([{ file, path: '', message: e.message.slice(file.length + 2) }]);
    throw e;
  }
}

function problemsOf(e: unknown, skipped: boolean, file: string): FolderProblem[] {
  if (e instanceof ConfigValidationError) return e.issues.map((i) => ({ file: i.file, field: i.path, message: i.message, skipped }));
  return [{ file, field: '', message: (e as Error).message, skipped }];
}

/**
 * Reads an experiments folder (ours, or the Python system's) given as files: finds the folder
 * whose immediate subfolders hold results.json (Python's discovery), validates each experiment's
 * files and returns results, configs and the analysis rows. An experiment whose results.json or
 * config.json cannot be read is skipped (as Python skips it) and reported in `problems`; a
 * config.json that is valid JSON but not a valid config keeps the experiment (config: null).
 */
export function readExperimentFolder(input: readonly FolderEntry[]): ImportedFolder {
  const files = new Map<string, Uint8Array>();
  for (const e of input) files.set(normalizePath(e.path), e.bytes);
  const problems: FolderProblem[] = [];
  const warnings: string[] = [];

  // Experiment folders: parents of a results.json that are not inside a trainer_output.
  const expDirs = [...files.keys()]
    .filter((p) => basename(p) === 'results.json' && depth(p) >= 2 && !p.split('/').includes('trainer_output'))
    .map(dirname);
  const parents = new Map<string, string[]>();
  for (const d of expDirs) parents.set(dirname(d), [...(parents.get(dirname(d)) ?? []), d]);

  let root: string;
  const allResultsPaths = [...files.keys()].filter((p) => basename(p) === 'all_results.json').sort((a, b) => depth(a) - depth(b));
  // The folder holding all_results.json is the root when experiments sit beside it; a lone
  // all_results.json (only dry runs, or nothing but the summary) still names the root.
  const withAll = allResultsPaths.map(dirname).find((d) => parents.has(d)) ?? (parents.size === 0 ? allResultsPaths.map(dirname)[0] : undefined);
  if (withAll !== undefined) root = withAll;
  else if (parents.size) {
    root = [...parents.keys()].sort((a, b) => depth(a) - depth(b) || (parents.get(b)!.length - parents.get(a)!.length))[0];
  } else {
    if (files.has('results.json')) {
      problems.push({
        file: 'results.json',
        field: '',
        message: 'found at the top level: an experiment must sit in its own folder ({name}_{hash}/results.json); add its folder or its parent',
        skipped: true,
      });
    }
    root = '';
  }
  for (const [parent, dirs] of parents) {
    if (parent !== root) warnings.push(`ignored ${dirs.length} experiment folder(s) under ${parent || '(top level)'}: only the immediate subfolders of ${root || '(top level)'} are read`);
  }

  let all_results: AllResults | null = null;
  const allPath = join(root, 'all_results.json');
  const allBytes = files.get(allPath);
  if (allBytes) {
    try {
      all_results = parseAllResultsJson(decode(allBytes, allPath), allPath);
    } catch (e) {
      problems.push(...problemsOf(e, false, allPath));
    }
  }

  const experiments: ImportedExperiment[] = [];
  for (const path of (parents.get(root) ?? []).sort()) {
    const dir = basename(path);
    const resultsPath = join(path, 'results.json');
    const configPath = join(path, 'config.json');
    const itemWarnings: string[] = [];
    let rawResult: PyJson;
    let result: ExperimentResult;
    let rawConfig: PyJson | null = null;
    try {
      rawResult = parseFile(files.get(resultsPath)!, resultsPath);
      result = resultFromPyDict(rawResult, resultsPath);
      const cfgBytes = files.get(configPath);
      if (cfgBytes) rawConfig = parseFile(cfgBytes, configPath);
    } catch (e) {
      problems.push(...problemsOf(e, true, resultsPath));
      continue;
    }

    let row: ResultsRow;
    try {
      row = pythonAnalysisRow(rawResult, rawConfig, resultsPath);
    } catch (e) {
      if (!(e instanceof ResultsRowError)) throw e;
      problems.push({ file: resultsPath, field: '', message: e.message.replace(`${resultsPath}: `, ''), skipped: true });
      continue;
    }

    let config_import: ConfigImport | null = null;
    if (rawConfig !== null) {
      try {
        config_import = importPythonConfig(decode(files.get(configPath)!, configPath), configPath);
        itemWarnings.push(...config_import.warnings.map((w) => `${configPath}: ${w}`));
      } catch (e) {
        problems.push(...problemsOf(e, false, configPath));
      }
    } else {
      itemWarnings.push(`${configPath}: missing; the analysis columns taken from the config stay empty`);
    }

    let app: AppSettings | null = null;
    const appPath = join(path, 'app.json');
    const appBytes = files.get(appPath);
    if (appBytes) {
      try {
        app = importAppSettings(decode(appBytes, appPath), appPath);
      } catch (e) {
        problems.push(...problemsOf(e, false, appPath));
      }
    }

    const trainerPrefix = `${join(path, 'trainer_output')}/`;
    const trainer_output: Record<string, Uint8Array> = {};
    for (const [p, b] of files) if (p.startsWith(trainerPrefix)) trainer_output[p.slice(trainerPrefix.length)] = b;

    if (!dir.endsWith(`_${result.config_hash}`)) {
      itemWarnings.push(`${resultsPath}: config_hash ${result.config_hash} does not match the folder name ${dir}`);
    }
    if (config_import) {
      const fileHash = config_import.stored_hash ?? config_import.file_hash;
      if (fileHash !== null && fileHash !== result.config_hash) {
        itemWarnings.push(`${resultsPath}: config_hash ${result.config_hash} differs from config.json's ${fileHash}`);
      }
      if (config_import.config.name !== result.experiment_name) {
        itemWarnings.push(`${resultsPath}: experiment_name ${JSON.stringify(result.experiment_name)} differs from config.json's name ${JSON.stringify(config_import.config.name)}`);
      }
    }
    warnings.push(...itemWarnings);
    experiments.push({ dir, path, result, config: config_import?.config ?? null, config_import, app, trainer_output, cartography: null, row, warnings: itemWarnings });
  }

  const carto = findRunCartography(
    memoryTree(files),
    experiments.map((e) => ({ key: e.path, dir: e.path, config: e.config })),
    (d) => resolveInTree(dirname(root), d),
  );
  for (const e of experiments) e.cartography = carto.found.get(e.path) ?? null;
  for (const p of carto.problems) problems.push({ file: p.file, field: p.field, message: `${p.message}; no data map for ${p.key}`, skipped: false });
  warnings.push(...carto.warnings);

  return { root, experiments, all_results, rows: sortResultsRows(experiments.map((e) => e.row)), problems, warnings };
}

/** The files of a folder given as a list, as a FileTree (directories are implied by the paths). */
function memoryTree(files: ReadonlyMap<string, Uint8Array>): FileTree {
  let byDir: Map<string, string[]> | null = null;
  return {
    list(dir) {
      if (!byDir) {
        byDir = new Map();
        for (const p of files.keys()) {
          const d = dirname(p);
          const names = byDir.get(d);
          if (names) names.push(basename(p));
          else byDir.set(d, [basename(p)]);
        }
      }
      return byDir.get(dir) ?? [];
    },
    read(file) {
      const b = files.get(file);
      if (!b) throw new Error(`${file}: not in the folder`);
      return b;
    },
    join,
  };
}

/** Reads a zip of an experiments folder. */
export function readExperimentZip(bytes: Uint8Array, name = 'archive.zip'): ImportedFolder {
  return readExperimentFolder(unzipFolder(bytes, name));
}

/** One line per problem, "file: field: message". */
export function formatFolderProblems(problems: readonly FolderProblem[]): string[] {
  return problems.map((p) => `${formatIssue({ file: p.file, path: p.field, message: p.message })}${p.skipped ? ' (experiment skipped)' : ''}`);
}
