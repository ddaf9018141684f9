import { cartographyRunSpec, requiredArtifacts, type ArtifactSplit, type PrerequisiteItem, type PrerequisiteReport, type RequiredArtifactKind } from '../../domain/config/prerequisites';
import type { AppSettings, ExperimentConfig, ExperimentSpec } from '../../domain/config/types';
import { planExperiments, type ThroughputEstimate } from '../../domain/experiments/plan';
import type { DatasetListing } from '../../storage/datasets';
import { checkRange, parseNumber, parseRowLimit, trainingOverrides, type ExperimentForm } from './experiments-form';

/**
 * From parsed configs to what the runner gets: prerequisites bound to stored artifacts (or made
 * by cartography runs queued ahead), the app settings of every spec, and time estimates measured
 * on past runs. Pure functions, tested headless.
 */

// ---------------------------------------------------------------------------------------------
// Artifacts and specs

/** A stored artifact as the prerequisite selectors show it. */
export interface ArtifactOption {
  id: string;
  kind: RequiredArtifactKind;
  name: string;
  split: string;
  createdAt: string;
  /** Rows it has metrics or assignments for. */
  rows: number;
}

/** The dataset split a requirement's split refers to: the experiment's train split or its eval split. */
export function splitNameOf(split: ArtifactSplit, form: Pick<ExperimentForm, 'trainSplit' | 'evalSplit'>): string {
  return split === 'train' ? form.trainSplit : form.evalSplit;
}

/** Stored artifacts that can satisfy a requirement (same kind, same dataset split), newest first. */
export function candidatesFor(item: PrerequisiteItem, artifacts: readonly ArtifactOption[], form: Pick<ExperimentForm, 'trainSplit' | 'evalSplit'>): ArtifactOption[] {
  const split = splitNameOf(item.requirement.split, form);
  return artifacts.filter((a) => a.kind === item.requirement.kind && a.split === split).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export type BindingState =
  | { kind: 'bound'; artifact: ArtifactOption }
  | { kind: 'ahead' }
  | { kind: 'missing' };

/**
 * How each requirement is satisfied: the artifact the user chose (`choices[key]`, '' = none), else
 * the newest matching one (what the executor would pick anyway), or a cartography run queued
 * ahead of the suite (which takes precedence: the suite must read the fresh metrics).
 */
export function resolveBindings(
  report: PrerequisiteReport,
  artifacts: readonly ArtifactOption[],
  form: Pick<ExperimentForm, 'trainSplit' | 'evalSplit'>,
  choices: Readonly<Record<string, string>>,
  ahead: readonly string[],
): Map<string, BindingState> {
  const out = new Map<string, BindingState>();
  for (const item of report.items) {
    const key = item.requirement.key;
    if (ahead.includes(key) && item.requirement.make.type === 'cartography_run') {
      out.set(key, { kind: 'ahead' });
      continue;
    }
    const candidates = candidatesFor(item, artifacts, form);
    const chosen = choices[key];
    const artifact = chosen === undefined ? candidates[0] : candidates.find((a) => a.id === chosen);
    out.set(key, artifact ? { kind: 'bound', artifact } : { kind: 'missing' });
  }
  return out;
}

/** The app settings every experiment of the form shares (bindings are added per experiment). */
export function baseAppSettings(form: ExperimentForm, dataset: Pick<DatasetListing, 'id'> | null): AppSettings {
  const app: AppSettings = { model_source: form.modelSource, train_split: form.trainSplit, eval_split: form.evalSplit };
  if (dataset) app.data_source = `dataset:${dataset.id}`;
  return app;
}

/**
 * One spec per config, each with `artifact_bindings` for the requirements it has that are bound.
 * Requirements made by a run queued ahead stay unbound: the executor then takes the newest
 * artifact of that kind and split, i.e. the one the run ahead produced.
 */
export function specsFor(configs: readonly ExperimentConfig[], app: AppSettings, bindings: ReadonlyMap<string, BindingState>): ExperimentSpec[] {
  return configs.map((config) => {
    const own: Record<string, string> = {};
    for (const req of requiredArtifacts(config)) {
      const b = bindings.get(req.key);
      if (b?.kind === 'bound') own[req.key] = b.artifact.id;
    }
    const spec: ExperimentSpec = { config: structuredClone(config), app: { ...app } };
    if (Object.keys(own).length) spec.app.artifact_bindings = own;
    return spec;
  });
}

/**
 * The cartography runs that make the requirements marked "ahead": cartography tracking on the
 * requirement's split (the form's train or eval split), with the suite's data, model, eval limit
 * and common training overrides, and the given number of epochs.
 */
export function cartographyRunsAhead(
  report: PrerequisiteReport,
  ahead: readonly string[],
  form: ExperimentForm,
  app: AppSettings,
): ExperimentSpec[] {
  const items = report.items.filter((i) => ahead.includes(i.requirement.key) && i.requirement.make.type === 'cartography_run');
  if (items.length === 0) return [];
  const epochs = checkRange(parseNumber(form.cartographyEpochs, 'cart-epochs', 'Cartography epochs'), 'cart-epochs', 'Cartography epochs', { min: 0, minExclusive: true });
  const common = form.mode === 'import' ? {} : trainingOverrides(form.training);
  const maxEval = form.mode === 'import' ? null : parseRowLimit(form.maxEval, 'max-eval', 'Max eval samples');
  return items.map((item) => {
    const spec = cartographyRunSpec(item.requirement, { training: { ...common, num_train_epochs: epochs, max_eval_samples: maxEval }, app: { ...app } });
    spec.app.train_split = splitNameOf(item.requirement.split, form);
    spec.app.eval_split = form.evalSplit;
    return spec;
  });
}

// ---------------------------------------------------------------------------------------------
// Time estimates from past runs

/** A finished run as far as estimating throughput goes. */
export interface PastRun {
  spec: ExperimentSpec;
  durationSeconds: number;
  backend?: string;
  /** Rows of the run's train and eval splits when its dataset is still stored. */
  splitRows: { train?: number; validation?: number };
  createdAt: string;
}

/** Evaluation (forward only) processes about three times as many examples per second as training (forward + backward). */
export const EVAL_SPEEDUP = 3;

/**
 * Throughput measured on the most recent successful runs with the same model (and backend when
 * known): each run's work (train rows × epochs + evaluated rows / EVAL_SPEEDUP, as the plan counts
 * it) divided by its duration; the median of up to three runs. Overheads are folded into the rate,
 * so estimates err on the slow side. Null without a comparable run.
 */
export function throughputFromHistory(runs: readonly PastRun[], modelSource: string, backend?: string): ThroughputEstimate | null {
  const rates: number[] = [];
  const comparable = runs
    .filter((r) => r.spec.app.model_source === modelSource && (backend === undefined || r.backend === undefined || r.backend === backend))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const r of comparable) {
    if (!(r.durationSeconds > 0)) continue;
    const work = planExperiments([r.spec], { throughput: { trainExamplesPerSecond: 1, evalExamplesPerSecond: EVAL_SPEEDUP }, splitRows: r.splitRows }).experiments[0]
      .estimated_seconds;
    if (work === null || !(work > 0)) continue;
    rates.push(work / r.durationSeconds);
    if (rates.length === 3) break;
  }
  if (rates.length === 0) return null;
  rates.sort((a, b) => a - b);
  const rate = rates[Math.floor(rates.length / 2)];
  return { trainExamplesPerSecond: rate, evalExamplesPerSecond: rate * EVAL_SPEEDUP };
}
