import {
  DEFAULT_CARTOGRAPHY_DIR,
  DEFAULT_CLUSTER_DIR,
  DEFAULT_VALIDATION_CARTOGRAPHY_DIR,
  DEFAULT_VALIDATION_CLUSTER_PATH,
  makeExperimentConfig,
  makeTrainingConfig,
  mergeOverrides,
  type TrainingOverrides,
} from './defaults';
import {
  createBaselineConfig,
  createCartographyFilterConfig,
  createClusterFilterConfig,
  createLabelSmoothingConfig,
  createSoftWeightingConfig,
  describeCartographyFilter,
  describeClusterFilter,
  describeLabelSmoothing,
  describeSoftWeighting,
  type FactoryCommon,
} from './factories';
import { pyFloatRepr } from './pyjson';
import { parseExperimentConfig } from './schema';
import type { ExperimentConfig } from './types';

/**
 * The suites of `run_experiments.py` (origin-system.md §10.2) with Python's names, descriptions
 * and parameters, plus a generic builder (strategies × values × seeds, and combinations).
 *
 * Seeds: `sample` and `overnight` expand over seeds exactly as Python does (`{name}_seed{s}`).
 * Python's `minimal`, `filtering` and `weighting` ignore `--seeds` and always use seed 42 with
 * unsuffixed names; we reproduce that for the default seeds ([42]) and, as an app extension,
 * repeat them per seed with a `_seed{s}` suffix when other seeds are asked for.
 *
 * `output_dir` stays Python's "./experiments" (it is hashed); where files go is the caller's choice.
 */

export const SUITE_NAMES = ['minimal', 'sample', 'filtering', 'weighting', 'overnight'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

export interface SuiteInfo {
  name: SuiteName;
  description: string;
  /** Experiments per seed. */
  perSeed: number;
  /** Whether Python expands this suite over `--seeds`. */
  pythonUsesSeeds: boolean;
}

export const SUITES: Readonly<Record<SuiteName, SuiteInfo>> = {
  minimal: { name: 'minimal', description: 'Baseline and cartography filtering (quick check, no validation filtering)', perSeed: 2, pythonUsesSeeds: false },
  sample: {
    name: 'sample',
    description: 'Baseline, cartography filtering at 25/33/50%, cluster filtering, label smoothing at 0.4/0.6/0.8, soft weighting',
    perSeed: 9,
    pythonUsesSeeds: true,
  },
  filtering: { name: 'filtering', description: 'Baseline, cartography filtering and cluster filtering on training + validation', perSeed: 3, pythonUsesSeeds: false },
  weighting: { name: 'weighting', description: 'Baseline, label smoothing (0.6) and soft weighting (0.1–10)', perSeed: 3, pythonUsesSeeds: false },
  overnight: {
    name: 'overnight',
    description:
      'Baseline, cartography filtering at 25/33/50/67%, three cluster exclusions, smoothing at 0.3/0.5/0.7/0.9, weighting caps 5/10/20 and two combinations; batch size from the options, no checkpoints',
    perSeed: 17,
    pythonUsesSeeds: true,
  },
};

/** `run_experiments.py` options, with its CLI defaults. */
export interface SuiteOptions {
  /** `--max-train-samples`, default 10000 (null: all rows, an app extension). */
  max_train_samples?: number | null;
  /** `--max-eval-samples`, default 2000. */
  max_eval_samples?: number | null;
  /** `--cartography-dir`, default "./cartography_output". */
  cartography_dir?: string;
  /** `--validation-cartography-dir`, default "./cartography_output_validation". */
  validation_cartography_dir?: string;
  /** `--cluster-dir`, default "./cluster_output". */
  cluster_dir?: string;
  /** `--seeds`, default [42]. */
  seeds?: number[];
  /** `--batch-size`, default 8 (overnight only, as in Python). */
  batch_size?: number;
  /** App extension: TrainingConfig fields applied to every experiment (e.g. 1 epoch for a demo). Changes hashes. */
  training?: TrainingOverrides;
}

export class SuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuiteError';
  }
}

interface Resolved {
  max_train_samples: number | null;
  max_eval_samples: number | null;
  cartography_dir: string;
  validation_cartography_dir: string;
  cluster_dir: string;
  seeds: number[];
  batch_size: number;
  training: TrainingOverrides;
}

function resolve(opts: SuiteOptions): Resolved {
  const seeds = opts.seeds ?? [42];
  if (seeds.length === 0) throw new SuiteError('seeds: give at least one seed');
  for (const s of seeds) if (!Number.isInteger(s) || s < 0 || s > 2 ** 32 - 1) throw new SuiteError(`seeds: ${s} is not a seed (a whole number from 0 to 4294967295)`);
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new SuiteError(`seeds: ${dup} is given twice (each seed would produce the same experiments)`);
  const batch_size = opts.batch_size ?? 8;
  if (!Number.isInteger(batch_size) || batch_size < 1) throw new SuiteError(`batch_size: must be a whole number >= 1, got ${batch_size}`);
  return {
    max_train_samples: opts.max_train_samples === undefined ? 10000 : opts.max_train_samples,
    max_eval_samples: opts.max_eval_samples === undefined ? 2000 : opts.max_eval_samples,
    cartography_dir: opts.cartography_dir ?? DEFAULT_CARTOGRAPHY_DIR,
    validation_cartography_dir: opts.validation_cartography_dir ?? DEFAULT_VALIDATION_CARTOGRAPHY_DIR,
    cluster_dir: opts.cluster_dir ?? DEFAULT_CLUSTER_DIR,
    seeds,
    batch_size,
    training: opts.training ?? {},
  };
}

function common(r: Resolved, seed: number, extra: TrainingOverrides = {}): FactoryCommon {
  return {
    seed,
    max_train_samples: r.max_train_samples,
    max_eval_samples: r.max_eval_samples,
    training: mergeOverrides(r.training, extra),
  };
}

/** Python's `int(x * k)` (truncation toward zero), used in suite names. */
export const pyIntTimes = (x: number, k: number): number => Math.trunc(x * k);

/** Single-seed Python suites: exact at the default seed, repeated with `_seed{s}` otherwise. */
function perSeedOrPython(r: Resolved, build: (seed: number, suffix: string) => ExperimentConfig[]): ExperimentConfig[] {
  if (r.seeds.length === 1 && r.seeds[0] === 42) return build(42, '');
  return r.seeds.flatMap((s) => build(s, `_seed${s}`));
}

function minimal(r: Resolved): ExperimentConfig[] {
  return perSeedOrPython(r, (seed, sfx) => [
    createBaselineConfig({ name: `baseline${sfx}`, ...common(r, seed) }),
    createCartographyFilterConfig({ name: `cartography_filter${sfx}`, cartography_dir: r.cartography_dir, ...common(r, seed) }),
  ]);
}

function sample(r: Resolved): ExperimentConfig[] {
  const out: ExperimentConfig[] = [];
  for (const seed of r.seeds) {
    const sfx = `_seed${seed}`;
    out.push(createBaselineConfig({ name: `baseline${sfx}`, ...common(r, seed) }));
    for (const fraction of [0.25, 0.33, 0.5]) {
      out.push(
        createCartographyFilterConfig({
          name: `cartography_top${pyIntTimes(fraction, 100)}${sfx}`,
          cartography_dir: r.cartography_dir,
          top_fraction: fraction,
          ...common(r, seed),
        }),
      );
    }
    out.push(createClusterFilterConfig({ name: `cluster_filter${sfx}`, cluster_path: r.cluster_dir, exclude_clusters: [-1], ...common(r, seed) }));
    for (const factor of [0.4, 0.6, 0.8]) {
      out.push(
        createLabelSmoothingConfig({
          name: `label_smooth${pyIntTimes(factor, 10)}${sfx}`,
          cartography_dir: r.cartography_dir,
          smoothing_factor: factor,
          ...common(r, seed),
        }),
      );
    }
    out.push(createSoftWeightingConfig({ name: `soft_weight${sfx}`, cartography_dir: r.cartography_dir, ...common(r, seed) }));
  }
  return out;
}

function filtering(r: Resolved): ExperimentConfig[] {
  return perSeedOrPython(r, (seed, sfx) => [
    createBaselineConfig({ name: `baseline${sfx}`, ...common(r, seed) }),
    makeExperimentConfig(
      `cartography_filter${sfx}`,
      'Cartography filtering on training + validation',
      makeTrainingConfig(
        mergeOverrides(r.training, {
          seed,
          max_train_samples: r.max_train_samples,
          max_eval_samples: r.max_eval_samples,
          cartography_filter: { enabled: true, cartography_output_dir: r.cartography_dir, top_fraction: 0.33 },
          filter_validation_set: true,
          validation_cartography_output_dir: r.validation_cartography_dir,
        }),
      ),
    ),
    makeExperimentConfig(
      `cluster_filter${sfx}`,
      'Cluster filtering on training + validation',
      makeTrainingConfig(
        mergeOverrides(r.training, {
          seed,
          max_train_samples: r.max_train_samples,
          max_eval_samples: r.max_eval_samples,
          cluster_filter: { enabled: true, cluster_assignments_path: r.cluster_dir, exclude_clusters: [-1] },
          filter_validation_set: true,
          validation_cluster_assignments_path: DEFAULT_VALIDATION_CLUSTER_PATH,
        }),
      ),
    ),
  ]);
}

function weighting(r: Resolved): ExperimentConfig[] {
  return perSeedOrPython(r, (seed, sfx) => [
    createBaselineConfig({ name: `baseline${sfx}`, ...common(r, seed) }),
    createLabelSmoothingConfig({ name: `label_smoothing${sfx}`, cartography_dir: r.cartography_dir, smoothing_factor: 0.6, ...common(r, seed) }),
    createSoftWeightingConfig({ name: `soft_weighting${sfx}`, cartography_dir: r.cartography_dir, ...common(r, seed) }),
  ]);
}

/** Combined-strategy description (the overnight combinations' Python text is not in the spec; this is ours). */
export function describeCombined(config: ExperimentConfig): string {
  const t = config.training;
  const parts: string[] = [];
  if (t.cartography_filter.enabled) parts.push(lowerFirst(describeCartographyFilter(t.cartography_filter.top_fraction)));
  if (t.cluster_filter.enabled) parts.push(lowerFirst(describeClusterFilter(t.cluster_filter.exclude_clusters)));
  if (t.label_smoothing.enabled) parts.push(lowerFirst(describeLabelSmoothing(t.label_smoothing.smoothing_factor)));
  if (t.soft_weighting.enabled) parts.push(lowerFirst(describeSoftWeighting(t.soft_weighting.weight_clip_min, t.soft_weighting.weight_clip_max)));
  const text = `Combined strategies: ${parts.map((p) => p.replace(/^training with /, '')).join(' + ')}`;
  return t.filter_validation_set ? `${text} (filters also applied to validation)` : text;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function overnight(r: Resolved): ExperimentConfig[] {
  const out: ExperimentConfig[] = [];
  const runtime: TrainingOverrides = { per_device_train_batch_size: r.batch_size, per_device_eval_batch_size: r.batch_size, save_strategy: 'no' };
  const valCart: TrainingOverrides = { filter_validation_set: true, validation_cartography_output_dir: r.validation_cartography_dir };
  const valCluster: TrainingOverrides = { filter_validation_set: true, validation_cluster_assignments_path: DEFAULT_VALIDATION_CLUSTER_PATH };
  for (const seed of r.seeds) {
    const sfx = `_seed${seed}`;
    out.push(createBaselineConfig({ name: `baseline${sfx}`, ...common(r, seed, runtime) }));
    for (const fraction of [0.25, 0.33, 0.5, 0.67]) {
      out.push(
        createCartographyFilterConfig({
          name: `cart_filter_${pyIntTimes(fraction, 100)}${sfx}`,
          cartography_dir: r.cartography_dir,
          top_fraction: fraction,
          ...common(r, seed, { ...runtime, ...valCart }),
        }),
      );
    }
    for (const exclude of [[-1], [-1, 0], [-1, 1]]) {
      out.push(
        createClusterFilterConfig({
          name: `cluster_excl_${exclude.map((c) => Math.abs(c)).join('_')}${sfx}`,
          cluster_path: r.cluster_dir,
          exclude_clusters: exclude,
          ...common(r, seed, { ...runtime, ...valCluster }),
        }),
      );
    }
    for (const factor of [0.3, 0.5, 0.7, 0.9]) {
      out.push(
        createLabelSmoothingConfig({
          name: `smooth_${pyIntTimes(factor, 10)}${sfx}`,
          cartography_dir: r.cartography_dir,
          smoothing_factor: factor,
          ...common(r, seed, runtime),
        }),
      );
    }
    for (const max of [5, 10, 20]) {
      out.push(
        createSoftWeightingConfig({
          name: `weight_max${max}${sfx}`,
          cartography_dir: r.cartography_dir,
          weight_clip_min: 0.1,
          weight_clip_max: max,
          ...common(r, seed, runtime),
        }),
      );
    }
    out.push(
      combinedConfig(`combined_cart_smooth${sfx}`, {
        ...common(r, seed),
        training: mergeOverrides(r.training, {
          ...runtime,
          ...valCart,
          cartography_filter: { enabled: true, cartography_output_dir: r.cartography_dir, top_fraction: 0.33 },
          label_smoothing: { enabled: true, cartography_output_dir: r.cartography_dir, smoothing_factor: 0.6 },
        }),
      }),
    );
    out.push(
      combinedConfig(`combined_cluster_weight${sfx}`, {
        ...common(r, seed),
        training: mergeOverrides(r.training, {
          ...runtime,
          ...valCluster,
          cluster_filter: { enabled: true, cluster_assignments_path: r.cluster_dir, exclude_clusters: [-1] },
          soft_weighting: { enabled: true, cartography_output_dir: r.cartography_dir, weight_clip_min: 0.1, weight_clip_max: 10.0 },
        }),
      }),
    );
  }
  return out;
}

function combinedConfig(name: string, c: FactoryCommon): ExperimentConfig {
  const training = makeTrainingConfig(
    mergeOverrides(c.training ?? {}, { seed: c.seed, max_train_samples: c.max_train_samples ?? null, max_eval_samples: c.max_eval_samples ?? null }),
  );
  const config = makeExperimentConfig(name, '', training);
  config.description = describeCombined(config);
  return config;
}

const BUILDERS: Record<SuiteName, (r: Resolved) => ExperimentConfig[]> = { minimal, sample, filtering, weighting, overnight };

export function isSuiteName(name: string): name is SuiteName {
  return (SUITE_NAMES as readonly string[]).includes(name);
}

/** The experiments of a named suite, in Python's order. Throws SuiteError on bad options or configs. */
export function buildSuite(name: SuiteName, options: SuiteOptions = {}): ExperimentConfig[] {
  if (!isSuiteName(name)) throw new SuiteError(`unknown suite ${JSON.stringify(name)}; choose one of ${SUITE_NAMES.join(', ')}`);
  const configs = BUILDERS[name](resolve(options));
  return finish(configs, `suite ${name}`);
}

/** Number of experiments a suite yields for a number of seeds (the same whether Python would expand or not). */
export function suiteSize(name: SuiteName, seedCount: number): number {
  return SUITES[name].perSeed * seedCount;
}

// ---------------------------------------------------------------------------------------------
// Generic builder

export type StrategySweep =
  | { strategy: 'cartography_filter'; top_fractions: number[]; cartography_dir?: string; apply_rule_based_filter?: boolean }
  | { strategy: 'cluster_filter'; exclude_clusters: number[][]; cluster_dir?: string; min_cluster_probability?: number | null }
  | { strategy: 'label_smoothing'; smoothing_factors: number[]; cartography_dir?: string }
  | { strategy: 'soft_weighting'; clip_ranges: Array<[min: number, max: number]>; cartography_dir?: string };

/** Several strategies in one experiment; omitted parts stay off. */
export interface CombinedStrategy {
  /** Experiment name before the seed suffix; default `combined_{cart|cluster|smooth|weight...}`. */
  name?: string;
  cartography_filter?: { top_fraction?: number; cartography_dir?: string; apply_rule_based_filter?: boolean };
  cluster_filter?: { exclude_clusters?: number[]; cluster_dir?: string; min_cluster_probability?: number | null };
  label_smoothing?: { smoothing_factor?: number; cartography_dir?: string };
  soft_weighting?: { weight_clip_min?: number; weight_clip_max?: number; cartography_dir?: string };
}

export interface CustomSuiteSpec {
  /** One experiment per value per seed. */
  strategies?: StrategySweep[];
  /** One experiment per combination per seed. */
  combined?: CombinedStrategy[];
  /** Add `baseline_seed{s}` per seed (default true). */
  include_baseline?: boolean;
  seeds?: number[];
  max_train_samples?: number | null;
  max_eval_samples?: number | null;
  /** Other TrainingConfig fields for every experiment (epochs, batch size, learning rate, ...). */
  training?: TrainingOverrides;
  /** Also filter the validation set in experiments that filter (as the filtering suite does). */
  filter_validation_set?: boolean;
  validation_cartography_dir?: string;
  validation_cluster_path?: string;
}

/** Name token of a value: Python-style `int(x*k)` when that is exact, else the repr with "." → "p". */
export function valueToken(x: number, k: number): string {
  const t = Math.trunc(x * k);
  if (t / k === x) return String(t);
  return pyFloatRepr(x).replaceAll('-', 'm').replace('.', 'p').replace('+', '');
}

function clusterToken(exclude: readonly number[]): string {
  return exclude.length ? exclude.map((c) => Math.abs(c)).join('_') : 'none';
}

function weightName(min: number, max: number): string {
  if (min === 0.1 && max === 10) return 'soft_weight';
  if (min === 0.1) return `soft_weight_max${valueToken(max, 1)}`;
  return `soft_weight_min${valueToken(min, 10)}_max${valueToken(max, 1)}`;
}

/** Strategies × values × seeds (+ combinations, + baseline), named as the Python suites name them. */
export function buildCustomSuite(spec: CustomSuiteSpec): ExperimentConfig[] {
  const r = resolve({
    seeds: spec.seeds,
    max_train_samples: spec.max_train_samples,
    max_eval_samples: spec.max_eval_samples,
    training: spec.training,
  });
  const sweeps = spec.strategies ?? [];
  const combos = spec.combined ?? [];
  const includeBaseline = spec.include_baseline ?? true;
  if (!includeBaseline && sweeps.length === 0 && combos.length === 0) throw new SuiteError('the suite is empty: add a baseline, a strategy or a combination');
  const valCart: TrainingOverrides = spec.filter_validation_set
    ? { filter_validation_set: true, validation_cartography_output_dir: spec.validation_cartography_dir ?? DEFAULT_VALIDATION_CARTOGRAPHY_DIR }
    : {};
  const valCluster: TrainingOverrides = spec.filter_validation_set
    ? { filter_validation_set: true, validation_cluster_assignments_path: spec.validation_cluster_path ?? DEFAULT_VALIDATION_CLUSTER_PATH }
    : {};

  const out: ExperimentConfig[] = [];
  for (const seed of r.seeds) {
    const sfx = `_seed${seed}`;
    if (includeBaseline) out.push(createBaselineConfig({ name: `baseline${sfx}`, ...common(r, seed) }));
    for (const sweep of sweeps) {
      switch (sweep.strategy) {
        case 'cartography_filter':
          requireValues(sweep.top_fractions, 'cartography_filter.top_fractions');
          for (const f of sweep.top_fractions) {
            out.push(
              createCartographyFilterConfig({
                name: `cartography_top${valueToken(f, 100)}${sfx}`,
                cartography_dir: sweep.cartography_dir,
                top_fraction: f,
                ...common(r, seed, { ...valCart, cartography_filter: { apply_rule_based_filter: sweep.apply_rule_based_filter ?? false } }),
              }),
            );
          }
          break;
        case 'cluster_filter':
          requireValues(sweep.exclude_clusters, 'cluster_filter.exclude_clusters');
          for (const ex of sweep.exclude_clusters) {
            out.push(
              createClusterFilterConfig({
                name: `cluster_excl_${clusterToken(ex)}${sfx}`,
                cluster_path: sweep.cluster_dir,
                exclude_clusters: ex,
                ...common(r, seed, { ...valCluster, cluster_filter: { min_cluster_probability: sweep.min_cluster_probability ?? null } }),
              }),
            );
          }
          break;
        case 'label_smoothing':
          requireValues(sweep.smoothing_factors, 'label_smoothing.smoothing_factors');
          for (const f of sweep.smoothing_factors) {
            out.push(
              createLabelSmoothingConfig({
                name: `label_smooth${valueToken(f, 10)}${sfx}`,
                cartography_dir: sweep.cartography_dir,
                smoothing_factor: f,
                ...common(r, seed),
              }),
            );
          }
          break;
        case 'soft_weighting':
          requireValues(sweep.clip_ranges, 'soft_weighting.clip_ranges');
          for (const [min, max] of sweep.clip_ranges) {
            out.push(
              createSoftWeightingConfig({
                name: `${weightName(min, max)}${sfx}`,
                cartography_dir: sweep.cartography_dir,
                weight_clip_min: min,
                weight_clip_max: max,
                ...common(r, seed),
              }),
            );
          }
          break;
      }
    }
    for (const combo of combos) {
      const parts: string[] = [];
      const o: TrainingOverrides = {};
      if (combo.cartography_filter) {
        parts.push('cart');
        Object.assign(o, valCart);
        o.cartography_filter = {
          enabled: true,
          cartography_output_dir: combo.cartography_filter.cartography_dir ?? DEFAULT_CARTOGRAPHY_DIR,
          top_fraction: combo.cartography_filter.top_fraction ?? 0.33,
          apply_rule_based_filter: combo.cartography_filter.apply_rule_based_filter ?? false,
        };
      }
      if (combo.cluster_filter) {
        parts.push('cluster');
        Object.assign(o, valCluster);
        o.cluster_filter = {
          enabled: true,
          cluster_assignments_path: combo.cluster_filter.cluster_dir ?? DEFAULT_CLUSTER_DIR,
          exclude_clusters: combo.cluster_filter.exclude_clusters ?? [-1],
          min_cluster_probability: combo.cluster_filter.min_cluster_probability ?? null,
        };
      }
      if (combo.label_smoothing) {
        parts.push('smooth');
        o.label_smoothing = {
          enabled: true,
          cartography_output_dir: combo.label_smoothing.cartography_dir ?? DEFAULT_CARTOGRAPHY_DIR,
          smoothing_factor: combo.label_smoothing.smoothing_factor ?? 0.6,
        };
      }
      if (combo.soft_weighting) {
        parts.push('weight');
        o.soft_weighting = {
          enabled: true,
          cartography_output_dir: combo.soft_weighting.cartography_dir ?? DEFAULT_CARTOGRAPHY_DIR,
          weight_clip_min: combo.soft_weighting.weight_clip_min ?? 0.1,
          weight_clip_max: combo.soft_weighting.weight_clip_max ?? 10.0,
        };
      }
      if (parts.length < 2) throw new SuiteError(`combined ${combo.name ?? `#${combos.indexOf(combo) + 1}`}: a combination needs at least two strategies`);
      const base = combo.name ?? `combined_${parts.join('_')}`;
      out.push(combinedConfig(`${base}${sfx}`, { ...common(r, seed), training: mergeOverrides(r.training, o) }));
    }
  }
  return finish(out, 'custom suite');
}

function requireValues(values: readonly unknown[], field: string): void {
  if (values.length === 0) throw new SuiteError(`${field}: give at least one value`);
}

/** Validates every config (ranges, names) and rejects duplicate experiment names. */
function finish(configs: ExperimentConfig[], what: string): ExperimentConfig[] {
  const seen = new Map<string, number>();
  configs.forEach((c, i) => {
    const prev = seen.get(c.name);
    if (prev !== undefined) {
      throw new SuiteError(`${what}: experiments ${prev + 1} and ${i + 1} are both named ${JSON.stringify(c.name)}; give the combination an explicit name or use distinct values`);
    }
    seen.set(c.name, i);
  });
  return configs.map((c) => {
    try {
      return parseExperimentConfig(c, `${what}, experiment ${c.name}`);
    } catch (e) {
      throw new SuiteError((e as Error).message);
    }
  });
}
