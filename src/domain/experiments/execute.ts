/**
 * One experiment, from loaded inputs to its result: the steps `run.py` performs between loading
 * the dataset and writing eval_metrics.json (origin-system.md §1.2), with the app's decisions —
 * filters and strategies always take effect when enabled, and a missing or non-covering artifact
 * fails the experiment with a clear message instead of training on unfiltered data.
 *
 * Storage-free: the worker (IndexedDB) and the CLI (disk) load the rows, the model and the
 * artifacts and persist the outputs.
 */
import type { QARecord } from '../data/types';
import type { ExperimentSpec } from '../config/types';
import { configHash } from '../config/serialize';
import { requiredArtifacts, type ArtifactRequirement } from '../config/prerequisites';
import { filterAmbiguous, type AmbiguousFilterReport } from '../cartography/filters';
import { filterByClusters, type ClusterFilterReport } from '../clustering/cluster-filter';
import type { CartographyMetricsRow } from '../cartography/types';
import type { ClusterAssignmentRow } from '../clustering/types';
import { makeExperimentResult, type ExperimentResult, type Metrics, type Provenance } from './result';
export { failedResult } from './failure';
import { trainAndEvaluate, type TrainRunInput, type TrainRunOutput } from '../train/trainer';
import type { QAModel } from '../model/model';
import type { WordPieceTokenizer } from '../qa/index';

export type LoadedArtifact =
  | { kind: 'cartography'; label: string; rows: CartographyMetricsRow[] }
  | { kind: 'clusters'; label: string; rows: ClusterAssignmentRow[] };

export interface ExperimentInputs {
  spec: ExperimentSpec;
  /** The whole train split (`app.train_split`, default "train"); max_train_samples is applied here. */
  trainRows: QARecord[];
  /** The whole eval split, or null when there is none; max_eval_samples is applied here. */
  evalRows: QARecord[] | null;
  model: QAModel;
  tokenizer: WordPieceTokenizer;
  /** The stored artifact bound to a requirement (see config/prerequisites.ts), or null. */
  resolveArtifact(req: ArtifactRequirement): Promise<LoadedArtifact | null>;
  provenance: Provenance;
  signal?: AbortSignal;
  onProgress?: TrainRunInput['onProgress'];
  onLog?: TrainRunInput['onLog'];
  /** Console-style lines (sizes, filter counts, map statistics), as run.py prints them. */
  onMessage?: (line: string) => void;
  checkpoints?: TrainRunInput['checkpoints'];
  padding?: TrainRunInput['padding'];
  /** Clock in epoch seconds (tests inject one). */
  now?: () => number;
}

export interface ExperimentOutputs {
  result: ExperimentResult;
  train: TrainRunOutput;
  filters: (AmbiguousFilterReport | ClusterFilterReport)[];
  /** Rows evaluated on, in order (for eval_predictions.jsonl). */
  evalRows: QARecord[];
  messages: string[];
}

/** An experiment that cannot start (bad input, missing artifact): recorded as a failed result. */
export class ExperimentSetupError extends Error {
  override name = 'ExperimentSetupError';
}

const firstN = <T>(rows: T[], n: number | null): T[] => (n == null ? rows : rows.slice(0, n));

function percent(part: number, whole: number): string {
  return whole === 0 ? '0.0%' : `${((100 * part) / whole).toFixed(1)}%`;
}

function stats(values: number[]): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, max, mean: values.length ? sum / values.length : NaN };
}

/** eps_i = min(0.3, factor × variability_i) for every example in the metrics (origin-system.md §5). */
export function smoothingMap(metrics: readonly CartographyMetricsRow[], factor: number): Map<string, number> {
  return new Map(metrics.map((m) => [m.id, Math.min(0.3, factor * m.variability)]));
}

/** w_i = clip(1 + variability_i, min, max) (origin-system.md §6). */
export function weightingMap(metrics: readonly CartographyMetricsRow[], clipMin: number, clipMax: number): Map<string, number> {
  return new Map(metrics.map((m) => [m.id, Math.min(clipMax, Math.max(clipMin, 1 + m.variability))]));
}

export async function executeExperiment(inputs: ExperimentInputs): Promise<ExperimentOutputs> {
  const { spec } = inputs;
  const config = spec.config;
  const t = config.training;
  const now = inputs.now ?? (() => Date.now() / 1000);
  const start = now();
  const messages: string[] = [];
  const say = (line: string) => {
    messages.push(line);
    inputs.onMessage?.(line);
  };
  const requirements = requiredArtifacts(config);
  const artifactCache = new Map<string, LoadedArtifact>();

  /** The artifact a strategy needs (loaded once per experiment), or a setup error saying how to make it. */
  async function need<K extends LoadedArtifact['kind']>(kind: K, split: 'train' | 'validation', use: string): Promise<Extract<LoadedArtifact, { kind: K }>> {
    const req = requirements.find((r) => r.kind === kind && r.split === split && r.used_by.includes(use as never));
    if (!req) throw new ExperimentSetupError(`Internal error: ${use} has no ${kind} requirement`);
    let art = artifactCache.get(req.key);
    if (!art) {
      const loaded = await inputs.resolveArtifact(req);
      if (!loaded) throw new ExperimentSetupError(`${req.explanation} None is available for ${req.path}. ${req.how_to_make}`);
      if (loaded.kind !== kind) throw new ExperimentSetupError(`The artifact bound to ${req.path} holds ${loaded.kind}, but ${use} needs ${kind}`);
      art = loaded;
      artifactCache.set(req.key, art);
    }
    return art as Extract<LoadedArtifact, { kind: K }>;
  }

  /** run.py's filter order: cartography, then clusters; each report kept, its warnings printed. */
  const filters: ExperimentOutputs['filters'] = [];
  async function applyFilters(rows: QARecord[], split: 'train' | 'validation'): Promise<QARecord[]> {
    const prefix = split === 'train' ? '' : 'validation_';
    let out = rows;
    if (t.cartography_filter.enabled) {
      const art = await need('cartography', split, `${prefix}cartography_filter`);
      const r = filterAmbiguous(out, art.rows, {
        topFraction: t.cartography_filter.top_fraction,
        applyRuleBasedFilter: t.cartography_filter.apply_rule_based_filter,
        source: art.label,
        split,
      });
      out = r.kept;
      filters.push(r.report);
      r.report.warnings.forEach(say);
    }
    if (t.cluster_filter.enabled) {
      const art = await need('clusters', split, `${prefix}cluster_filter`);
      const r = filterByClusters(out, art.rows, {
        excludeClusters: t.cluster_filter.exclude_clusters,
        minClusterProbability: t.cluster_filter.min_cluster_probability,
        source: art.label,
        split,
      });
      out = r.kept;
      filters.push(r.report);
      r.report.warnings.forEach(say);
    }
    return out;
  }

  // 1. Training rows: first N, then the filters.
  const original = firstN(inputs.trainRows, t.max_train_samples);
  if (original.length === 0) throw new ExperimentSetupError(`The training split has no rows (max_train_samples = ${t.max_train_samples ?? 'all'})`);
  const train = await applyFilters(original, 'train');
  say(`Original train size: ${original.length}`);
  if (train.length !== original.length) {
    say(`Filtered train size: ${train.length}`);
    say(`Removed: ${original.length - train.length} (${percent(original.length - train.length, original.length)})`);
  }
  if (train.length === 0) throw new ExperimentSetupError('The filters removed every training row');

  // 2. Eval rows: first N, then the validation filters when asked for.
  let evalRows = inputs.evalRows ? firstN(inputs.evalRows, t.max_eval_samples) : null;
  if (evalRows && t.filter_validation_set) {
    const before = evalRows.length;
    evalRows = await applyFilters(evalRows, 'validation');
    say(`Eval size: ${before} → ${evalRows.length} after validation filtering`);
  }
  if (evalRows && evalRows.length === 0) throw new ExperimentSetupError('The evaluation set is empty (after max_eval_samples and filtering)');

  // 3. Per-example strategy maps from the cartography metrics.
  let smoothingEps: Map<string, number> | undefined;
  let lossWeights: Map<string, number> | undefined;
  if (t.label_smoothing.enabled) {
    smoothingEps = smoothingMap((await need('cartography', 'train', 'label_smoothing')).rows, t.label_smoothing.smoothing_factor);
    const v = [...smoothingEps.values()];
    const s = stats(v);
    const low = v.filter((x) => x < 0.05).length;
    const mid = v.filter((x) => x >= 0.05 && x < 0.15).length;
    say(`Label smoothing (factor ${t.label_smoothing.smoothing_factor}): eps min ${s.min.toFixed(4)}, max ${s.max.toFixed(4)}, mean ${s.mean.toFixed(4)}; <0.05: ${low}, [0.05, 0.15): ${mid}, >=0.15: ${v.length - low - mid}`);
  }
  if (t.soft_weighting.enabled) {
    lossWeights = weightingMap((await need('cartography', 'train', 'soft_weighting')).rows, t.soft_weighting.weight_clip_min, t.soft_weighting.weight_clip_max);
    const s = stats([...lossWeights.values()]);
    say(`Soft weighting (clip ${t.soft_weighting.weight_clip_min}–${t.soft_weighting.weight_clip_max}): weight min ${s.min.toFixed(4)}, max ${s.max.toFixed(4)}, mean ${s.mean.toFixed(4)}`);
  }

  // 4. Train and evaluate.
  const out = await trainAndEvaluate({
    training: t,
    model: inputs.model,
    tokenizer: inputs.tokenizer,
    train,
    eval: evalRows,
    smoothingEps,
    lossWeights,
    trackCartography: t.enable_cartography,
    padding: inputs.padding,
    signal: inputs.signal,
    onProgress: inputs.onProgress,
    onLog: inputs.onLog,
    checkpoints: inputs.checkpoints,
  });
  const end = now();
  const metrics: Metrics = out.metrics ? { eval_exact_match: out.metrics.eval_exact_match, eval_f1: out.metrics.eval_f1 } : {};
  const result = makeExperimentResult({
    experiment_name: config.name,
    config_hash: configHash(config),
    success: true,
    metrics,
    start_time: start,
    end_time: end,
    provenance: inputs.provenance,
  });
  return { result, train: out, filters, evalRows: evalRows ?? [], messages };
}
