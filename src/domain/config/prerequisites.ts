import { DEFAULT_CLUSTER_DIR, makeExperimentConfig, makeTrainingConfig, mergeOverrides, type TrainingOverrides } from './defaults';
import { pyStr } from './pyjson';
import type { AppSettings, ExperimentConfig, ExperimentSpec } from './types';

/**
 * Which stored artifacts an experiment needs before it can start (origin-system.md §10.3):
 * train-split cartography metrics for the cartography filter, label smoothing and soft weighting;
 * cluster assignments for the cluster filter; validation-split versions of the filter inputs when
 * `filter_validation_set` is on (Python only filters validation with the filters that are enabled).
 *
 * Resolving Python paths to stored artifacts: configs keep Python's directory fields
 * (`cartography_output_dir`, `cluster_assignments_path`) because they are hashed. The app maps
 * each (kind, split, normalized path) to a stored artifact id through bindings keyed by
 * `artifactKey()`: when the app produces an artifact "for" a path (e.g. the cartography run made
 * from a requirement below), the runner records `bindings[artifactKey(kind, split, path)] = id`,
 * and `bindingsResolver(bindings)` answers the lookups. Bindings can live globally (settings) or
 * per experiment (`AppSettings.artifact_bindings`), the latter taking precedence.
 */

export type RequiredArtifactKind = 'cartography' | 'clusters';
export type ArtifactSplit = 'train' | 'validation';
export type ArtifactUse =
  | 'cartography_filter'
  | 'label_smoothing'
  | 'soft_weighting'
  | 'cluster_filter'
  | 'validation_cartography_filter'
  | 'validation_cluster_filter';

/** How to produce a missing artifact with the app (one click). */
export type MakeArtifact =
  | {
      type: 'cartography_run';
      split: ArtifactSplit;
      /** The Python path the result is bound to. */
      output_dir: string;
      /** First N rows of the split to train on (null: all); covers what the experiment uses. */
      max_samples: number | null;
      num_train_epochs: number;
    }
  | {
      type: 'clustering';
      split: ArtifactSplit;
      output_dir: string;
      max_samples: number | null;
    };

export interface ArtifactRequirement {
  /** `artifactKey(kind, split, path)`: identity of the requirement and key of its binding. */
  key: string;
  kind: RequiredArtifactKind;
  split: ArtifactSplit;
  /** The path as the config writes it (for clusters, run.py's default when the config has null). */
  path: string;
  /** Config fields that point at it, e.g. "training.label_smoothing.cartography_output_dir". */
  fields: string[];
  used_by: ArtifactUse[];
  /** Why it is needed, in words. */
  explanation: string;
  /** How to make it, in words. */
  how_to_make: string;
  /** The equivalent Python commands (guide's workflow). */
  python_commands: string[];
  make: MakeArtifact;
}

const USE_WORDS: Record<ArtifactUse, string> = {
  cartography_filter: 'cartography filtering',
  label_smoothing: 'label smoothing',
  soft_weighting: 'soft weighting',
  cluster_filter: 'cluster filtering',
  validation_cartography_filter: 'cartography filtering of the validation set',
  validation_cluster_filter: 'cluster filtering of the validation set',
};

/** Number of epochs the guide recommends for cartography runs. */
export const CARTOGRAPHY_RUN_EPOCHS = 5;

/**
 * Canonical form of a Python path for matching: "./a//b/" and "a/b" are the same directory, and
 * a path naming the CSV itself (which run.py accepts) means its directory.
 */
export function normalizeArtifactPath(kind: RequiredArtifactKind, path: string): string {
  let p = path.trim().replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  const file = kind === 'cartography' ? 'cartography_metrics.csv' : 'cluster_assignments.csv';
  if (p === file) p = '.';
  else if (p.endsWith(`/${file}`)) p = p.slice(0, -file.length - 1);
  const abs = p.startsWith('/');
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  const out = (abs ? '/' : '') + parts.join('/');
  return out === '' ? '.' : out;
}

export function artifactKey(kind: RequiredArtifactKind, split: ArtifactSplit, path: string): string {
  return `${kind}:${split}:${normalizeArtifactPath(kind, path)}`;
}

function fmtLimit(n: number | null): string {
  return n === null ? 'all rows' : `the first ${n} rows`;
}

function cartographyRequirement(split: ArtifactSplit, path: string, maxSamples: number | null): Omit<ArtifactRequirement, 'fields' | 'used_by' | 'explanation'> {
  const limitArg = maxSamples === null ? [] : ['--max_train_samples', pyStr(maxSamples)];
  const python =
    split === 'train'
      ? ['python', 'run.py', '--do_train', '--do_eval', '--enable_cartography', '--cartography_output_dir', path, ...limitArg, '--num_train_epochs', '5', '--output_dir', './initial_training']
      : ['python', 'run.py', '--do_train', '--enable_cartography', '--train_split', 'validation', ...limitArg, '--num_train_epochs', '5', '--cartography_output_dir', path, '--output_dir', './initial_training_validation'];
  return {
    key: artifactKey('cartography', split, path),
    kind: 'cartography',
    split,
    path,
    how_to_make:
      `Run a cartography training on the ${split} split (cartography tracking on, ${CARTOGRAPHY_RUN_EPOCHS} epochs, ${fmtLimit(maxSamples)})` +
      (split === 'validation' ? ': a throwaway model trained on the validation rows, as the Python workflow does' : '') +
      `; its metrics are stored and bound to ${path}.`,
    python_commands: [python.join(' ')],
    make: { type: 'cartography_run', split, output_dir: path, max_samples: maxSamples, num_train_epochs: CARTOGRAPHY_RUN_EPOCHS },
  };
}

function clusterRequirement(split: ArtifactSplit, path: string, maxSamples: number | null): Omit<ArtifactRequirement, 'fields' | 'used_by' | 'explanation'> {
  const limit = maxSamples === null ? [] : ['--max_samples', pyStr(maxSamples)];
  return {
    key: artifactKey('clusters', split, path),
    kind: 'clusters',
    split,
    path,
    how_to_make:
      `Extract embeddings of the ${split} split (${fmtLimit(maxSamples)}) with a fine-tuned model, e.g. the one a cartography run leaves, ` +
      `then cluster them with HDBSCAN; the assignments are stored and bound to ${path}.`,
    python_commands: [
      ['python', 'extract_embeddings.py', '--model_path', './initial_training', '--split', split, ...limit, '--output_dir', `./embeddings_output_${split}`].join(' '),
      ['python', 'cluster_analysis.py', '--embedding_dir', `./embeddings_output_${split}`, '--split', split, '--output_dir', path].join(' '),
    ],
    make: { type: 'clustering', split, output_dir: path, max_samples: maxSamples },
  };
}

/** The artifacts one experiment needs, deduplicated by (kind, split, path), in a stable order. */
export function requiredArtifacts(config: ExperimentConfig): ArtifactRequirement[] {
  const t = config.training;
  const byKey = new Map<string, ArtifactRequirement>();
  const add = (base: Omit<ArtifactRequirement, 'fields' | 'used_by' | 'explanation'>, field: string, use: ArtifactUse) => {
    let req = byKey.get(base.key);
    if (!req) {
      req = { ...base, fields: [], used_by: [], explanation: '' };
      byKey.set(base.key, req);
    }
    if (!req.fields.includes(field)) req.fields.push(field);
    if (!req.used_by.includes(use)) req.used_by.push(use);
  };

  if (t.cartography_filter.enabled) {
    add(cartographyRequirement('train', t.cartography_filter.cartography_output_dir, t.max_train_samples), 'training.cartography_filter.cartography_output_dir', 'cartography_filter');
  }
  if (t.label_smoothing.enabled) {
    add(cartographyRequirement('train', t.label_smoothing.cartography_output_dir, t.max_train_samples), 'training.label_smoothing.cartography_output_dir', 'label_smoothing');
  }
  if (t.soft_weighting.enabled) {
    add(cartographyRequirement('train', t.soft_weighting.cartography_output_dir, t.max_train_samples), 'training.soft_weighting.cartography_output_dir', 'soft_weighting');
  }
  if (t.cluster_filter.enabled) {
    add(clusterRequirement('train', t.cluster_filter.cluster_assignments_path ?? DEFAULT_CLUSTER_DIR, t.max_train_samples), 'training.cluster_filter.cluster_assignments_path', 'cluster_filter');
  }
  if (t.filter_validation_set && t.cartography_filter.enabled) {
    add(
      cartographyRequirement('validation', t.validation_cartography_output_dir, t.max_eval_samples),
      'training.validation_cartography_output_dir',
      'validation_cartography_filter',
    );
  }
  if (t.filter_validation_set && t.cluster_filter.enabled) {
    add(
      clusterRequirement('validation', t.validation_cluster_assignments_path, t.max_eval_samples),
      'training.validation_cluster_assignments_path',
      'validation_cluster_filter',
    );
  }

  for (const req of byKey.values()) {
    const what = req.kind === 'cartography' ? `${req.split}-split cartography metrics (cartography_metrics.csv)` : `${req.split}-split cluster assignments (cluster_assignments.csv)`;
    const uses = req.used_by.map((u) => USE_WORDS[u]);
    req.explanation = `${capitalize(joinWords(uses))} ${uses.length > 1 ? 'read' : 'reads'} the ${what} from ${req.path}; they must cover the rows the experiment uses.`;
  }
  return [...byKey.values()];
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Resolution

export interface ResolvedArtifact {
  artifactId: string;
  /** Shown in plans, e.g. the artifact's name. */
  label?: string;
}

/** Looks a requirement up in the app's store; null/undefined when it is not there. */
export type ArtifactResolver = (req: ArtifactRequirement) => ResolvedArtifact | null | undefined;

/** A resolver over `artifactKey → artifact id` bindings; `preferred` (per-experiment) wins over `fallback`. */
export function bindingsResolver(preferred: Record<string, string> = {}, fallback: Record<string, string> = {}): ArtifactResolver {
  return (req) => {
    const id = preferred[req.key] ?? fallback[req.key];
    return id === undefined ? null : { artifactId: id };
  };
}

export interface PrerequisiteItem {
  requirement: ArtifactRequirement;
  /** Names of the experiments that need it. */
  experiments: string[];
  resolved: ResolvedArtifact | null;
}

export interface PrerequisiteReport {
  /** True when every requirement resolved. */
  ok: boolean;
  items: PrerequisiteItem[];
  missing: PrerequisiteItem[];
}

/**
 * Requirements of a list of experiments, merged across experiments (same key → one item listing
 * every experiment), each resolved. The fields/uses lists of merged items are unions.
 */
export function checkPrerequisites(configs: readonly ExperimentConfig[], resolve: ArtifactResolver = () => null): PrerequisiteReport {
  const byKey = new Map<string, PrerequisiteItem>();
  for (const config of configs) {
    for (const req of requiredArtifacts(config)) {
      const item = byKey.get(req.key);
      if (!item) {
        byKey.set(req.key, { requirement: { ...req, fields: [...req.fields], used_by: [...req.used_by] }, experiments: [config.name], resolved: null });
        continue;
      }
      if (!item.experiments.includes(config.name)) item.experiments.push(config.name);
      for (const f of req.fields) if (!item.requirement.fields.includes(f)) item.requirement.fields.push(f);
      for (const u of req.used_by) if (!item.requirement.used_by.includes(u)) item.requirement.used_by.push(u);
      // Cover the largest row count any experiment asks for (null = all rows wins).
      const a = item.requirement.make.max_samples;
      const b = req.make.max_samples;
      item.requirement.make.max_samples = a === null || b === null ? null : Math.max(a, b);
    }
  }
  const items = [...byKey.values()];
  for (const item of items) item.resolved = resolve(item.requirement) ?? null;
  const missing = items.filter((i) => i.resolved === null);
  return { ok: missing.length === 0, items, missing };
}

/**
 * The experiment that produces a missing cartography artifact: cartography tracking on the
 * requirement's split, writing to its path, by default 5 epochs over the rows the experiments use
 * (`options.training` may change those). The caller binds the stored result to
 * `requirement.key` afterwards.
 */
export function cartographyRunSpec(
  requirement: ArtifactRequirement,
  options: { training?: TrainingOverrides; app?: AppSettings } = {},
): ExperimentSpec {
  if (requirement.make.type !== 'cartography_run') throw new Error(`cartographyRunSpec: ${requirement.key} is not made by a cartography run`);
  const make = requirement.make;
  // The requirement's row count and epochs are defaults the caller may change; the output binding is not.
  const training = makeTrainingConfig(
    mergeOverrides(mergeOverrides({ max_train_samples: make.max_samples, num_train_epochs: make.num_train_epochs }, options.training ?? {}), {
      enable_cartography: true,
      cartography_output_dir: make.output_dir,
    }),
  );
  const config = makeExperimentConfig(
    `cartography_${make.split}`,
    `Cartography tracking on the ${make.split} split (${training.num_train_epochs} epochs), metrics bound to ${make.output_dir}`,
    training,
  );
  return { config, app: { ...options.app, train_split: make.split } };
}
