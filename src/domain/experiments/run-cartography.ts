/**
 * Which cartography files of an experiments folder belong to which run, so that imported runs
 * and `--mode analyze` can draw each run's data map. Two places are searched, in order:
 *
 * 1. `{experiment}/cartography_output/`: where our CLI writes a run's dynamics when the
 *    configured directory already holds metrics (it never overwrites them). Only that run's.
 * 2. The config's `training.cartography_output_dir` when `enable_cartography` is on, resolved as
 *    run.py resolved it: from the directory the suite ran in (the experiments folder's parent,
 *    as with the default `./experiments` and `./cartography_output`). run.py rewrites that
 *    directory on every run, so it is attributed only when exactly one experiment of the folder
 *    writes there; otherwise it says so in `warnings`.
 *
 * In a directory, `cartography_metrics.csv` is read (what every Python consumer reads), else
 * `cartography_metrics.json`, else the last `training_dynamics_epoch_N.json` (the files are
 * cumulative) with the metrics computed from it as the callback does at the end of training.
 */
import { ArtifactParseError } from '../cartography/errors';
import { METRICS_CSV_FILE, METRICS_JSON_FILE, parseMetricsCsv, parseMetricsJson } from '../cartography/metrics-files';
import { parseDynamics, parseDynamicsFileName } from '../cartography/dynamics-file';
import { computeMetrics } from '../cartography/metrics';
import type { CartographyMetricsRow } from '../cartography/types';
import type { ExperimentConfig } from '../config/types';

/** The folder inside an experiment folder that holds its own cartography files. */
export const RUN_CARTOGRAPHY_DIR = 'cartography_output';

/** Read access to a folder, on disk or in memory. */
export interface FileTree {
  /** Names of the files directly inside `dir`; [] when there is no such directory. */
  list(dir: string): string[];
  read(file: string): Uint8Array;
  join(dir: string, name: string): string;
}

export type CartographyFileKind = 'metrics-csv' | 'metrics-json' | 'dynamics';

/** The file to read among the names of one directory, or null when it holds none. */
export function pickCartographyFile(names: readonly string[]): { name: string; kind: CartographyFileKind } | null {
  if (names.includes(METRICS_CSV_FILE)) return { name: METRICS_CSV_FILE, kind: 'metrics-csv' };
  if (names.includes(METRICS_JSON_FILE)) return { name: METRICS_JSON_FILE, kind: 'metrics-json' };
  let best: { name: string; n: number } | null = null;
  for (const name of names) {
    const n = parseDynamicsFileName(name);
    if (n !== null && (!best || n > best.n)) best = { name, n };
  }
  return best ? { name: best.name, kind: 'dynamics' } : null;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The metrics rows of one cartography file; ArtifactParseError names the file, record and field. */
export function parseCartographyFile(bytes: Uint8Array, file: string, kind: CartographyFileKind): CartographyMetricsRow[] {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new ArtifactParseError(file, null, null, 'is not UTF-8 text');
  }
  const rows = kind === 'metrics-csv' ? parseMetricsCsv(text, file) : kind === 'metrics-json' ? parseMetricsJson(text, file) : computeMetrics(parseDynamics(text, file));
  if (rows.length === 0) throw new ArtifactParseError(file, null, null, 'holds no examples');
  return rows;
}

export interface CartographyCandidate {
  /** The caller's key for the run. */
  key: string;
  /** The experiment folder's path in the tree. */
  dir: string;
  config: ExperimentConfig | null;
}

export interface FoundCartography {
  /** The file the rows were read from (a path in the tree). */
  file: string;
  rows: CartographyMetricsRow[];
}

export interface CartographyProblem {
  key: string;
  file: string;
  /** The field or record at fault, "" for the whole file. */
  field: string;
  message: string;
}

export interface CartographySearch {
  found: Map<string, FoundCartography>;
  /** Files that were there but unreadable (the run then has no map). */
  problems: CartographyProblem[];
  /** Shared directories that could not be attributed to one run. */
  warnings: string[];
}

function readDir(tree: FileTree, dir: string, key: string, out: CartographySearch): FoundCartography | null {
  const pick = pickCartographyFile(tree.list(dir));
  if (!pick) return null;
  const file = tree.join(dir, pick.name);
  try {
    return { file, rows: parseCartographyFile(tree.read(file), file, pick.kind) };
  } catch (e) {
    if (e instanceof ArtifactParseError) {
      out.problems.push({ key, file, field: [e.record === null ? '' : `record ${e.record}`, e.field ?? ''].filter(Boolean).join(', '), message: e.message.slice(e.message.indexOf(': ') + 2) });
    } else {
      out.problems.push({ key, file, field: '', message: (e as Error).message });
    }
    return null;
  }
}

/**
 * The cartography metrics of each candidate run that has them (see the module comment).
 * `resolveConfigDir` turns a config's `cartography_output_dir` into a path of the tree, or null
 * when it cannot be inside it (an absolute path in a zip, say).
 */
export function findRunCartography(tree: FileTree, candidates: readonly CartographyCandidate[], resolveConfigDir: (dir: string) => string | null): CartographySearch {
  const out: CartographySearch = { found: new Map(), problems: [], warnings: [] };
  const writers = new Map<string, CartographyCandidate[]>();
  for (const c of candidates) {
    if (!c.config?.training.enable_cartography) continue;
    const dir = resolveConfigDir(c.config.training.cartography_output_dir);
    if (dir !== null) writers.set(dir, [...(writers.get(dir) ?? []), c]);
  }
  for (const [dir, runs] of writers) {
    if (runs.length > 1 && pickCartographyFile(tree.list(dir))) {
      out.warnings.push(
        `${dir}: written by ${runs.length} runs with enable_cartography (${runs.map((r) => r.key).join(', ')}); it holds whichever ran last, so no run's data map is taken from it`,
      );
    }
  }
  for (const c of candidates) {
    let got = readDir(tree, tree.join(c.dir, RUN_CARTOGRAPHY_DIR), c.key, out);
    if (!got && c.config?.training.enable_cartography) {
      const dir = resolveConfigDir(c.config.training.cartography_output_dir);
      if (dir !== null && writers.get(dir)?.length === 1) got = readDir(tree, dir, c.key, out);
    }
    if (got) out.found.set(c.key, got);
  }
  return out;
}

/**
 * A relative POSIX path joined to `base` and normalised ("." and ".." resolved), or null when
 * it is absolute or climbs above the tree's root.
 */
export function resolveInTree(base: string, p: string): string | null {
  const rel = p.replace(/\\/g, '/');
  if (/^([A-Za-z]:)?\//.test(rel) || rel.startsWith('~')) return null;
  const parts: string[] = [];
  for (const seg of [...base.split('/'), ...rel.split('/')]) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}
