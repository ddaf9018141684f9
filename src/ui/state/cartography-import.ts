/**
 * Importing cartography from files, as a pure step the Cartography section runs before it stores
 * anything: recognise each file, parse and validate it with the domain readers (errors name the
 * file, line or record, and field), turn dynamics into metrics, and check the ids against the
 * dataset split the import is for.
 *
 * Accepted: one metrics file (`cartography_metrics.csv`, `cartography_metrics.json`, allenai's
 * `td_metrics.jsonl`) or one or more `training_dynamics_epoch_N.json` files. The dynamics files
 * are cumulative (epoch N's file holds epochs 0..N−1), so the one with the highest N is used.
 */
import { checkCoverage, type CoverageReport } from '../../domain/cartography/coverage';
import { ArtifactParseError } from '../../domain/cartography/errors';
import { computeMetrics } from '../../domain/cartography/metrics';
import { parseMetricsCsv, parseMetricsJson } from '../../domain/cartography/metrics-files';
import { parseDynamics, parseDynamicsFileName } from '../../domain/cartography/dynamics-file';
import { parseTdMetricsJsonl } from '../../domain/cartography/td-metrics';
import type { CartographyMetricsRow, TrainingDynamics } from '../../domain/cartography/types';

export type CartographyFileKind = 'metrics-csv' | 'metrics-json' | 'dynamics' | 'td-metrics';

export interface ImportFile {
  name: string;
  text: string;
}

export const KIND_LABEL: Record<CartographyFileKind, string> = {
  'metrics-csv': 'cartography metrics (CSV)',
  'metrics-json': 'cartography metrics (JSON)',
  dynamics: 'training dynamics',
  'td-metrics': 'allenai td_metrics.jsonl',
};

/**
 * What a file holds, by name first (the names the Python tools write), then by content for
 * renamed files: a CSV header, JSON Lines records with `guid`, or a JSON object whose first
 * record has epoch keys ("0": {...}) or metric keys.
 */
export function detectKind(file: ImportFile): CartographyFileKind {
  const name = file.name.toLowerCase();
  if (parseDynamicsFileName(file.name) !== null) return 'dynamics';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'td-metrics';
  if (name.endsWith('.csv')) return 'metrics-csv';
  const head = file.text.slice(0, 4096).replace(/^\uFEFF/, '').trimStart();
  if (name.endsWith('.json') || head.startsWith('{')) {
    if (/^\{\s*"[^"]*"\s*:\s*\{\s*"\d+"\s*:/.test(head)) return 'dynamics';
    if (/^\{\s*"[^"]*"\s*:\s*\{/.test(head)) return 'metrics-json';
    if (/^\{[^\n]*"guid"/.test(head)) return 'td-metrics';
    if (name.endsWith('.json')) return 'metrics-json';
  }
  if (/^[^\n,]*,(confidence|variability)/.test(head)) return 'metrics-csv';
  throw new ArtifactParseError(file.name, null, null, 'not a cartography file: expected cartography_metrics.csv/.json, training_dynamics_epoch_N.json or td_metrics.jsonl');
}

export interface ParsedCartography {
  kind: CartographyFileKind;
  /** The file(s) the metrics came from. */
  source: string;
  rows: CartographyMetricsRow[];
  dynamics?: TrainingDynamics;
  /** Epochs of the run, when the files say. */
  epochs?: number;
  notes: string[];
}

export interface ParseOptions {
  /** For td_metrics.jsonl: the run's epochs, to turn correctness counts into fractions. */
  numEpochs?: number;
}

function checkUniqueIds(rows: readonly CartographyMetricsRow[], file: string): void {
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.id)) throw new ArtifactParseError(file, r.id, 'id', `example id "${r.id}" appears more than once`);
    seen.add(r.id);
  }
}

/** Parses the picked files into one set of metrics rows (see the module comment for what is accepted). */
export function parseCartographyFiles(files: readonly ImportFile[], options: ParseOptions = {}): ParsedCartography {
  if (files.length === 0) throw new Error('No file picked');
  const kinds = files.map((f) => ({ file: f, kind: detectKind(f) }));
  const dyn = kinds.filter((k) => k.kind === 'dynamics');
  const other = kinds.filter((k) => k.kind !== 'dynamics');
  if (other.length > 1 || (other.length === 1 && dyn.length > 0)) {
    throw new Error(`Pick one metrics file or training_dynamics_epoch_N.json files, not a mix: got ${kinds.map((k) => `${k.file.name} (${KIND_LABEL[k.kind]})`).join(', ')}`);
  }
  const notes: string[] = [];
  if (other.length === 1) {
    const { file, kind } = other[0];
    let rows: CartographyMetricsRow[];
    let epochs: number | undefined;
    if (kind === 'metrics-csv') rows = parseMetricsCsv(file.text, file.name);
    else if (kind === 'metrics-json') rows = parseMetricsJson(file.text, file.name);
    else {
      const td = parseTdMetricsJsonl(file.text, file.name, { numEpochs: options.numEpochs });
      rows = td.rows;
      epochs = td.epochsSource === 'given' ? td.epochs : undefined;
      notes.push(...td.notes);
    }
    if (rows.length === 0) throw new ArtifactParseError(file.name, null, null, 'no examples in the file');
    checkUniqueIds(rows, file.name);
    if (epochs === undefined && kind !== 'td-metrics') {
      const e = new Set(rows.map((r) => r.num_epochs));
      if (e.size === 1) epochs = [...e][0];
    }
    return { kind, source: file.name, rows, epochs, notes };
  }

  // Cumulative dynamics: the latest file has every epoch; the earlier ones must agree with it.
  const byEpoch = dyn
    .map((k) => ({ file: k.file, n: parseDynamicsFileName(k.file.name) }))
    .sort((a, b) => (b.n ?? 0) - (a.n ?? 0));
  const latest = byEpoch[0];
  const dynamics = parseDynamics(latest.file.text, latest.file.name);
  const ids = Object.keys(dynamics);
  if (ids.length === 0) throw new ArtifactParseError(latest.file.name, null, null, 'no examples in the file');
  let maxEpoch = -1;
  for (const id of ids) for (const e of Object.keys(dynamics[id])) maxEpoch = Math.max(maxEpoch, Number(e));
  const epochs = latest.n ?? maxEpoch + 1;
  if (byEpoch.length > 1) notes.push(`used ${latest.file.name} (the files are cumulative); ${byEpoch.slice(1).map((b) => b.file.name).join(', ')} not needed`);
  const incomplete = ids.filter((id) => Object.keys(dynamics[id]).length < epochs).length;
  if (incomplete > 0) notes.push(`${incomplete} examples were recorded in fewer than ${epochs} epochs; their metrics use the epochs recorded`);
  return { kind: 'dynamics', source: latest.file.name, rows: computeMetrics(dynamics), dynamics, epochs, notes };
}

export interface CheckedImport extends ParsedCartography {
  coverage: CoverageReport;
  /** True when at least one dataset row is covered: a file that covers none is for another dataset. */
  storable: boolean;
}

/** The parse result checked against the ids of the dataset split (in stored order). */
export function checkImport(parsed: ParsedCartography, datasetIds: Iterable<string>): CheckedImport {
  const coverage = checkCoverage(
    parsed.rows.map((r) => r.id),
    datasetIds,
  );
  return { ...parsed, coverage, storable: coverage.coveredRows > 0 };
}
