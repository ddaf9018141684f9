import { buildCustomSuite, buildSuite, type CombinedStrategy, type StrategySweep, type SuiteName } from '../../domain/config/suites';
import { importPythonConfig, type ConfigImport } from '../../domain/config/import';
import { defaultTrainingConfig, type TrainingOverrides } from '../../domain/config/defaults';
import { CARTOGRAPHY_RUN_EPOCHS } from '../../domain/config/prerequisites';
import type { ExperimentConfig, TrainingConfig } from '../../domain/config/types';

/**
 * The Experiments section's form as plain data, and its parsing into experiment configs. The
 * form holds text as typed; everything is parsed here, in one place, so a bad value names its
 * field instead of silently becoming a default. No Svelte, no storage: tested headless.
 */

// ---------------------------------------------------------------------------------------------
// Form model

export type SourceMode = 'suite' | 'custom' | 'import';

/** Common TrainingConfig overrides; '' keeps the Python default. */
export interface TrainingForm {
  epochs: string;
  learning_rate: string;
  batch_size: string;
  /** gradient_accumulation_steps; empty or 1: none (left out of the config and its hash). */
  accumulation: string;
  max_length: string;
  /**
   * Further TrainingConfig fields from a preset (the demo model's DEMO_TRAINING: warmup, weight
   * decay, logging, no checkpoints), applied under the four fields above.
   */
  preset: TrainingPreset | null;
}

export interface TrainingPreset {
  name: string;
  fields: TrainingOverrides;
}

export interface CombinedForm {
  name: string;
  cartography: boolean;
  top_fraction: string;
  clusters: boolean;
  exclude: string;
  smoothing: boolean;
  factor: string;
  weighting: boolean;
  clip: string;
}

export interface CustomForm {
  baseline: boolean;
  cartography: boolean;
  top_fractions: string;
  clusters: boolean;
  exclude_lists: string;
  min_probability: string;
  smoothing: boolean;
  factors: string;
  weighting: boolean;
  clip_ranges: string;
  combined: CombinedForm[];
  filter_validation_set: boolean;
}

export interface ExperimentForm {
  datasetId: string;
  trainSplit: string;
  evalSplit: string;
  /** "demo" or "model:<stored id>". */
  modelSource: string;
  mode: SourceMode;
  suite: SuiteName;
  /** '' = every row of the split. */
  maxTrain: string;
  maxEval: string;
  seeds: string;
  /** run_experiments.py --batch-size (overnight only). */
  suiteBatchSize: string;
  training: TrainingForm;
  custom: CustomForm;
  /** Epochs of the cartography runs made for missing prerequisites. */
  cartographyEpochs: string;
}

export function defaultCombined(): CombinedForm {
  return { name: '', cartography: true, top_fraction: '0.33', clusters: false, exclude: '-1', smoothing: true, factor: '0.6', weighting: false, clip: '0.1:10' };
}

export function defaultForm(): ExperimentForm {
  return {
    datasetId: '',
    trainSplit: 'train',
    evalSplit: 'validation',
    modelSource: 'demo',
    mode: 'suite',
    suite: 'minimal',
    maxTrain: '10000',
    maxEval: '2000',
    seeds: '42',
    suiteBatchSize: '8',
    training: { epochs: '', learning_rate: '', batch_size: '', accumulation: '', max_length: '', preset: null },
    custom: {
      baseline: true,
      cartography: true,
      top_fractions: '0.25, 0.33, 0.5',
      clusters: false,
      exclude_lists: '-1; -1, 0',
      min_probability: '',
      smoothing: false,
      factors: '0.4, 0.6, 0.8',
      weighting: false,
      clip_ranges: '0.1:10',
      combined: [],
      filter_validation_set: false,
    },
    cartographyEpochs: String(CARTOGRAPHY_RUN_EPOCHS),
  };
}

/** A form value that cannot be used; `field` names the input (its data-testid suffix). */
export class FormError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FormError';
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

const MAX_SEED = 2 ** 32 - 1;

/** "42, 43 44" → [42, 43, 44]. Commas and/or spaces separate; every seed is a whole number, once. */
export function parseSeeds(text: string, field = 'seeds'): number[] {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  if (parts.length === 0) throw new FormError(field, 'Seeds: give at least one seed, e.g. "42" or "42, 43, 44".');
  const seeds = parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new FormError(field, `Seeds: "${p}" is not a whole number.`);
    const n = Number(p);
    if (n > MAX_SEED) throw new FormError(field, `Seeds: ${p} is too large (seeds go from 0 to ${MAX_SEED}).`);
    return n;
  });
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new FormError(field, `Seeds: ${dup} is given twice (it would repeat the same experiments).`);
  return seeds;
}

/** A row limit: '' means every row (null); otherwise a whole number >= 1. */
export function parseRowLimit(text: string, field: string, label: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t) || Number(t) < 1) throw new FormError(field, `${label}: "${t}" is not a whole number of rows (leave it empty for every row).`);
  return Number(t);
}

export function parseNumber(text: string, field: string, label: string): number {
  const t = text.trim();
  const n = t === '' ? NaN : Number(t);
  if (!Number.isFinite(n)) throw new FormError(field, `${label}: "${t}" is not a number.`);
  return n;
}

export function checkRange(n: number, field: string, label: string, range: { min?: number; max?: number; minExclusive?: boolean; integer?: boolean }): number {
  if (range.integer && !Number.isInteger(n)) throw new FormError(field, `${label}: ${n} is not a whole number.`);
  if (range.min !== undefined && (range.minExclusive ? n <= range.min : n < range.min)) {
    throw new FormError(field, `${label}: ${n} must be ${range.minExclusive ? 'greater than' : 'at least'} ${range.min}.`);
  }
  if (range.max !== undefined && n > range.max) throw new FormError(field, `${label}: ${n} must be at most ${range.max}.`);
  return n;
}

/** "0.25, 0.33 0.5" → numbers, each in range. */
export function parseNumberList(text: string, field: string, label: string, range: { min?: number; max?: number; minExclusive?: boolean } = {}): number[] {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  if (parts.length === 0) throw new FormError(field, `${label}: give at least one value.`);
  const values = parts.map((p) => checkRange(parseNumber(p, field, label), field, label, range));
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup !== undefined) throw new FormError(field, `${label}: ${dup} is given twice.`);
  return values;
}

function parseIntGroup(group: string, field: string, label: string): number[] {
  const items = group.split(/[\s,]+/).filter((p) => p !== '');
  return items.map((p) => {
    if (!/^-?\d+$/.test(p)) throw new FormError(field, `${label}: "${p}" is not a cluster id (a whole number; -1 is noise).`);
    return Number(p);
  });
}

/**
 * Cluster exclusion lists, one experiment each: "-1; -1, 0; -1, 1" or "[-1], [-1, 0]".
 * "[]" (or an empty bracket) excludes nothing.
 */
export function parseExclusionLists(text: string, field = 'custom-clusters-values', label = 'Cluster exclusions'): number[][] {
  const t = text.trim();
  let groups: string[];
  if (t.includes('[')) {
    const stripped = t.replace(/\[[^\]]*\]/g, '').replace(/[\s,;]/g, '');
    if (stripped !== '') throw new FormError(field, `${label}: write each list in brackets, e.g. "[-1], [-1, 0]", or separate lists with ";".`);
    groups = [...t.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]);
  } else {
    groups = t.split(';').map((g) => g.trim()).filter((g) => g !== '');
  }
  if (groups.length === 0) throw new FormError(field, `${label}: give at least one list of cluster ids, e.g. "-1" or "-1; -1, 0".`);
  const lists = groups.map((g) => parseIntGroup(g, field, label));
  const keys = lists.map((l) => l.join(','));
  const dup = keys.findIndex((k, i) => keys.indexOf(k) !== i);
  if (dup !== -1) throw new FormError(field, `${label}: [${lists[dup].join(', ')}] is given twice.`);
  return lists;
}

/** One clip range "min:max" (also "min-max" with non-negative numbers, or "min max"). */
export function parseClipRange(text: string, field: string, label: string): [number, number] {
  const t = text.trim();
  const m = /^(-?[\d.eE+-]+)\s*[:\s]\s*(-?[\d.eE+-]+)$/.exec(t) ?? /^([\d.eE+]+)\s*-\s*([\d.eE+]+)$/.exec(t);
  if (!m) throw new FormError(field, `${label}: "${t}" is not a range; write min:max, e.g. 0.1:10.`);
  const min = parseNumber(m[1], field, label);
  const max = parseNumber(m[2], field, label);
  if (!(min > 0)) throw new FormError(field, `${label}: the minimum weight ${min} must be greater than 0.`);
  if (!(max >= min)) throw new FormError(field, `${label}: in ${t} the maximum must be at least the minimum.`);
  return [min, max];
}

/** "0.1:10, 0.1:5" → ranges. */
export function parseClipRanges(text: string, field = 'custom-weighting-values', label = 'Weight clip ranges'): Array<[number, number]> {
  const parts = text.split(/[,;]/).map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new FormError(field, `${label}: give at least one range, e.g. 0.1:10.`);
  const ranges = parts.map((p) => parseClipRange(p, field, label));
  const keys = ranges.map((r) => r.join(':'));
  const dup = keys.findIndex((k, i) => keys.indexOf(k) !== i);
  if (dup !== -1) throw new FormError(field, `${label}: ${keys[dup]} is given twice.`);
  return ranges;
}

/** The common training overrides of the form; only fields the user filled are set. */
export function trainingOverrides(form: TrainingForm): TrainingOverrides {
  const o: TrainingOverrides = { ...form.preset?.fields };
  if (form.epochs.trim() !== '') o.num_train_epochs = checkRange(parseNumber(form.epochs, 'epochs', 'Epochs'), 'epochs', 'Epochs', { min: 0, minExclusive: true });
  if (form.learning_rate.trim() !== '') {
    o.learning_rate = checkRange(parseNumber(form.learning_rate, 'lr', 'Learning rate'), 'lr', 'Learning rate', { min: 0, minExclusive: true, max: 1 });
  }
  if (form.batch_size.trim() !== '') {
    const b = checkRange(parseNumber(form.batch_size, 'train-batch', 'Batch size'), 'train-batch', 'Batch size', { min: 1, integer: true, max: 4096 });
    o.per_device_train_batch_size = b;
    // Evaluation follows the training batch size unless a preset chose its own.
    if (form.preset?.fields.per_device_eval_batch_size === undefined) o.per_device_eval_batch_size = b;
  }
  if (form.accumulation.trim() !== '') {
    const a = checkRange(parseNumber(form.accumulation, 'accumulation', 'Gradient accumulation'), 'accumulation', 'Gradient accumulation', { min: 1, integer: true, max: 1024 });
    if (a > 1) o.gradient_accumulation_steps = a;
  }
  if (form.max_length.trim() !== '') {
    o.max_length = checkRange(parseNumber(form.max_length, 'max-length', 'Max length'), 'max-length', 'Max length', { min: 16, integer: true, max: 8192 });
  }
  return o;
}

/** The strategy sweeps and combinations the custom builder describes. */
export function customSweeps(c: CustomForm): { strategies: StrategySweep[]; combined: CombinedStrategy[] } {
  const strategies: StrategySweep[] = [];
  if (c.cartography) {
    strategies.push({ strategy: 'cartography_filter', top_fractions: parseNumberList(c.top_fractions, 'custom-cartography-values', 'Top fractions', { min: 0, minExclusive: true, max: 1 }) });
  }
  if (c.clusters) {
    const minProb = c.min_probability.trim() === '' ? null : checkRange(parseNumber(c.min_probability, 'custom-clusters-minprob', 'Minimum cluster probability'), 'custom-clusters-minprob', 'Minimum cluster probability', { min: 0, max: 1 });
    strategies.push({ strategy: 'cluster_filter', exclude_clusters: parseExclusionLists(c.exclude_lists), min_cluster_probability: minProb });
  }
  if (c.smoothing) {
    strategies.push({ strategy: 'label_smoothing', smoothing_factors: parseNumberList(c.factors, 'custom-smoothing-values', 'Smoothing factors', { min: 0 }) });
  }
  if (c.weighting) strategies.push({ strategy: 'soft_weighting', clip_ranges: parseClipRanges(c.clip_ranges) });

  const combined = c.combined.map((row, i): CombinedStrategy => {
    const field = `combined-${i}`;
    const label = `Combination ${i + 1}`;
    const combo: CombinedStrategy = {};
    const name = row.name.trim();
    if (name !== '') combo.name = name;
    if (row.cartography) combo.cartography_filter = { top_fraction: checkRange(parseNumber(row.top_fraction, field, `${label}, top fraction`), field, `${label}, top fraction`, { min: 0, minExclusive: true, max: 1 }) };
    if (row.clusters) {
      const lists = parseExclusionLists(row.exclude.includes('[') ? row.exclude : `[${row.exclude}]`, field, `${label}, excluded clusters`);
      if (lists.length !== 1) throw new FormError(field, `${label}, excluded clusters: give one list, e.g. "-1, 0".`);
      combo.cluster_filter = { exclude_clusters: lists[0] };
    }
    if (row.smoothing) combo.label_smoothing = { smoothing_factor: checkRange(parseNumber(row.factor, field, `${label}, smoothing factor`), field, `${label}, smoothing factor`, { min: 0 }) };
    if (row.weighting) {
      const [min, max] = parseClipRange(row.clip, field, `${label}, clip range`);
      combo.soft_weighting = { weight_clip_min: min, weight_clip_max: max };
    }
    const parts = [row.cartography, row.clusters, row.smoothing, row.weighting].filter(Boolean).length;
    if (parts < 2) throw new FormError(field, `${label}: tick at least two strategies (a single one belongs in the sweeps above).`);
    return combo;
  });
  return { strategies, combined };
}

/** An imported Python config.json. */
export interface ImportedConfig extends ConfigImport {
  file: string;
}

/**
 * The experiments the form describes, in run order. Throws FormError (a form field is wrong) or
 * SuiteError (the suite builder refused the combination, e.g. duplicate names).
 */
export function buildConfigs(form: ExperimentForm, imported: readonly ImportedConfig[] = []): ExperimentConfig[] {
  if (form.mode === 'import') {
    if (imported.length === 0) throw new FormError('import-files', 'Choose one or more Python config.json files to import.');
    return imported.map((i) => i.config);
  }
  const max_train_samples = parseRowLimit(form.maxTrain, 'max-train', 'Max train samples');
  const max_eval_samples = parseRowLimit(form.maxEval, 'max-eval', 'Max eval samples');
  const seeds = parseSeeds(form.seeds);
  const training = trainingOverrides(form.training);
  if (form.mode === 'suite') {
    const batch = form.suite === 'overnight' ? checkRange(parseNumber(form.suiteBatchSize, 'batch-size', 'Batch size'), 'batch-size', 'Batch size', { min: 1, integer: true }) : undefined;
    return buildSuite(form.suite, { max_train_samples, max_eval_samples, seeds, batch_size: batch, training });
  }
  const { strategies, combined } = customSweeps(form.custom);
  return buildCustomSuite({
    strategies,
    combined,
    include_baseline: form.custom.baseline,
    seeds,
    max_train_samples,
    max_eval_samples,
    training,
    filter_validation_set: form.custom.filter_validation_set,
  });
}

/** Reads Python config.json files; each file is imported on its own so one bad file does not hide the others. */
export function importConfigFiles(files: ReadonlyArray<{ name: string; text: string }>): { imported: ImportedConfig[]; errors: string[] } {
  const imported: ImportedConfig[] = [];
  const errors: string[] = [];
  for (const f of files) {
    try {
      imported.push({ file: f.name, ...importPythonConfig(f.text, f.name) });
    } catch (e) {
      errors.push(e instanceof Error ? e.message : `${f.name}: ${String(e)}`);
    }
  }
  return { imported, errors };
}

/** Python defaults of the overridable fields, for placeholders. */
export const PYTHON_TRAINING_DEFAULTS = (() => {
  const d = defaultTrainingConfig();
  return { epochs: d.num_train_epochs, learning_rate: d.learning_rate, batch_size: d.per_device_train_batch_size, max_length: d.max_length };
})();

/** Fields a training preset never sets: they belong to the experiment (seed, sample limits) or its strategies. */
const NOT_PRESET: ReadonlySet<string> = new Set([
  'model',
  'dataset',
  'seed',
  'max_train_samples',
  'max_eval_samples',
  'cartography_filter',
  'cluster_filter',
  'label_smoothing',
  'soft_weighting',
  'enable_cartography',
  'cartography_output_dir',
  'filter_validation_set',
  'validation_cartography_output_dir',
  'validation_cluster_assignments_path',
]);

/**
 * The training form for a preset (e.g. DEMO_TRAINING): epochs, learning rate, batch size and
 * max length go into their inputs, the other hyperparameters into `preset`.
 */
export function presetTrainingForm(name: string, t: Partial<TrainingConfig>): TrainingForm {
  const fields: TrainingOverrides = {};
  const defaults = defaultTrainingConfig() as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(t)) {
    if (v === undefined || NOT_PRESET.has(k) || ['num_train_epochs', 'learning_rate', 'per_device_train_batch_size', 'gradient_accumulation_steps', 'max_length'].includes(k)) continue;
    // Values equal to Python's defaults change nothing; leaving them out keeps the list readable.
    if (defaults[k] === v) continue;
    (fields as Record<string, unknown>)[k] = v;
  }
  const str = (v: number | undefined) => (v === undefined ? '' : String(v));
  return {
    epochs: str(t.num_train_epochs),
    learning_rate: str(t.learning_rate),
    batch_size: str(t.per_device_train_batch_size),
    accumulation: str(t.gradient_accumulation_steps),
    max_length: str(t.max_length),
    preset: Object.keys(fields).length ? { name, fields } : null,
  };
}

/** "warmup_steps=50, weight_decay=0.01": a preset's hidden fields, for display. */
export function describePreset(preset: TrainingPreset): string {
  return Object.entries(preset.fields)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}
