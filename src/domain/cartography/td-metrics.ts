/**
 * allenai/cartography's `td_metrics.jsonl` (origin-system.md §11): one JSON record per line
 * with guid, index, threshold_closeness, confidence, variability, correctness, forgetfulness.
 *
 * Two differences from our metrics matter on import:
 * - allenai's correctness is a COUNT of correct epochs; ours is a fraction. We divide by the
 *   number of epochs when the caller knows it, otherwise by the largest count in the file
 *   (the normalization allenai's own data-map plot uses), and say which one we did.
 * - allenai has no start/end confidence; those fields come back null.
 */
import { ArtifactParseError } from './errors';
import { computeExampleMetrics, sortedEpochs } from './metrics';
import type { CartographyMetricsRow, TrainingDynamics } from './types';

export const TD_METRICS_FILE = 'td_metrics.jsonl';

/** Forgetting events after first learning; 1000 when never learnt (allenai's convention). */
export function forgetfulness(correctByEpoch: readonly boolean[]): number {
  if (!correctByEpoch.some(Boolean)) return 1000;
  let learnt = false;
  let forgotten = 0;
  for (const c of correctByEpoch) {
    if (learnt && !c) {
      learnt = false;
      forgotten++;
    } else if (!learnt && c) learnt = true;
  }
  return forgotten;
}

export interface TdMetricsRecord {
  guid: string;
  index: number;
  threshold_closeness: number;
  confidence: number;
  variability: number;
  correctness: number;
  forgetfulness: number;
}

/** allenai's per-instance record from our dynamics (confidence = our geometric-mean confidence). */
export function tdMetricsFromDynamics(dynamics: TrainingDynamics): TdMetricsRecord[] {
  return Object.keys(dynamics).map((guid, index) => {
    const m = computeExampleMetrics(guid, dynamics[guid]);
    const trend = sortedEpochs(dynamics[guid]).map((e) => dynamics[guid][e].correct);
    return {
      guid,
      index,
      threshold_closeness: m.confidence * (1 - m.confidence),
      confidence: m.confidence,
      variability: m.variability,
      correctness: trend.filter(Boolean).length,
      forgetfulness: forgetfulness(trend),
    };
  });
}

export function serializeTdMetrics(records: readonly TdMetricsRecord[]): string {
  return records
    .map((r) =>
      JSON.stringify({
        guid: r.guid,
        index: r.index,
        threshold_closeness: r.threshold_closeness,
        confidence: r.confidence,
        variability: r.variability,
        correctness: r.correctness,
        forgetfulness: r.forgetfulness,
      }),
    )
    .join('\n')
    .concat(records.length ? '\n' : '');
}

export interface TdMetricsImport {
  rows: CartographyMetricsRow[];
  records: TdMetricsRecord[];
  /** The epoch count correctness was divided by. */
  epochs: number;
  epochsSource: 'given' | 'max_count_in_file';
  /** Human-readable remarks about the conversion, for the import report. */
  notes: string[];
}

export interface TdMetricsImportOptions {
  /** Epochs of the run that produced the file, when known. */
  numEpochs?: number;
}

export function parseTdMetricsJsonl(text: string, file = TD_METRICS_FILE, options: TdMetricsImportOptions = {}): TdMetricsImport {
  const records: TdMetricsRecord[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      throw new ArtifactParseError(file, line, null, `not a JSON object (${e instanceof Error ? e.message : String(e)})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ArtifactParseError(file, line, null, 'expected a JSON object');
    const o = obj as Record<string, unknown>;
    const fail = (field: string, problem: string): never => {
      throw new ArtifactParseError(file, line, field, problem);
    };
    const guidRaw = o.guid;
    if (!(typeof guidRaw === 'string' || (typeof guidRaw === 'number' && Number.isFinite(guidRaw)))) fail('guid', `expected a string or number, got ${JSON.stringify(guidRaw ?? null)}`);
    const guid = String(guidRaw);
    if (guid === '') fail('guid', 'empty guid');
    if (seen.has(guid)) fail('guid', `duplicate guid "${guid}"`);
    seen.add(guid);
    const num = (field: string): number => {
      const v = o[field];
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, `expected a finite number, got ${JSON.stringify(v ?? null)}`);
      return v as number;
    };
    const confidence = num('confidence');
    if (confidence < 0 || confidence > 1) fail('confidence', `must lie in [0, 1], got ${confidence}`);
    const variability = num('variability');
    if (variability < 0) fail('variability', `must be >= 0, got ${variability}`);
    const correctness = num('correctness');
    if (!Number.isInteger(correctness) || correctness < 0) fail('correctness', `expected a count of correct epochs (a non-negative integer), got ${correctness}`);
    const index = o.index === undefined ? records.length : num('index');
    const threshold_closeness = o.threshold_closeness === undefined ? confidence * (1 - confidence) : num('threshold_closeness');
    const forget = o.forgetfulness === undefined ? NaN : num('forgetfulness');
    records.push({ guid, index, threshold_closeness, confidence, variability, correctness, forgetfulness: forget });
  });
  if (records.length === 0) throw new ArtifactParseError(file, null, null, 'no records');

  const maxCount = records.reduce((m, r) => Math.max(m, r.correctness), 0);
  let epochs: number;
  let epochsSource: TdMetricsImport['epochsSource'];
  const notes: string[] = [];
  if (options.numEpochs !== undefined) {
    if (!Number.isInteger(options.numEpochs) || options.numEpochs < 1) throw new RangeError(`parseTdMetricsJsonl: numEpochs must be a positive integer, got ${options.numEpochs}`);
    epochs = options.numEpochs;
    epochsSource = 'given';
    const over = records.find((r) => r.correctness > epochs);
    if (over) throw new ArtifactParseError(file, over.guid, 'correctness', `count ${over.correctness} exceeds the ${epochs} epochs given for this file`);
    notes.push(`correctness converted from a count of correct epochs to a fraction by dividing by the given ${epochs} epochs`);
  } else {
    epochs = Math.max(1, maxCount);
    epochsSource = 'max_count_in_file';
    notes.push(
      `the number of epochs is unknown: correctness converted from a count to a fraction by dividing by the largest count in the file (${epochs}), ` +
        'as allenai’s data-map plot does; num_epochs is set to that value, a lower bound of the real epoch count',
    );
  }
  notes.push('allenai records carry no start/end confidence: those fields are empty');
  const rows: CartographyMetricsRow[] = records.map((r) => ({
    id: r.guid,
    confidence: r.confidence,
    variability: r.variability,
    correctness: r.correctness / epochs,
    num_epochs: epochs,
    start_confidence: null,
    end_confidence: null,
  }));
  return { rows, records, epochs, epochsSource, notes };
}
