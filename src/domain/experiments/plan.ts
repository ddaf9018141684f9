import { pythonCommandLine, toCliArgs } from '../config/cli-args';
import {
  bindingsResolver,
  checkPrerequisites,
  requiredArtifacts,
  type ArtifactRequirement,
  type ArtifactResolver,
  type PrerequisiteReport,
  type ResolvedArtifact,
} from '../config/prerequisites';
import { configHash, configJsonText, experimentDirName, experimentOutputPath } from '../config/serialize';
import type { AppSettings, ExperimentConfig, ExperimentSpec } from '../config/types';

/**
 * The dry run: what a suite would do, without training anything. For each experiment: name,
 * hash, folder `{name}_{hash}`, the `config.json` Python's dry run writes, the `run.py` command
 * it prints, the artifacts it needs and whether they are stored, and an estimated duration.
 */

export interface ThroughputEstimate {
  /** Training examples per second (one forward+backward per example per epoch). */
  trainExamplesPerSecond: number;
  /** Evaluation examples per second (forward + postprocess). */
  evalExamplesPerSecond: number;
  /** Fixed cost per experiment: model load, tokenization, saving (seconds). */
  overheadSeconds?: number;
}

export interface PlanOptions {
  /** Looks artifacts up in the store; per-experiment `app.artifact_bindings` are consulted first. */
  resolve?: ArtifactResolver;
  throughput?: ThroughputEstimate;
  /** Rows available per split, used when max_*_samples is null or larger than the split. */
  splitRows?: { train?: number; validation?: number };
}

export interface PlannedArtifact {
  requirement: ArtifactRequirement;
  resolved: ResolvedArtifact | null;
}

export interface PlannedExperiment {
  /** 1-based, as in Python's "EXPERIMENT i/n" banner. */
  index: number;
  name: string;
  description: string;
  config_hash: string;
  /** `{name}_{hash}` */
  dir_name: string;
  /** `{output_dir}/{name}_{hash}` as Python prints it. */
  output_path: string;
  /** The config.json Python's dry run writes (it saves configs even in dry-run). */
  config_json: string;
  cli_args: string[];
  python_command: string;
  artifacts: PlannedArtifact[];
  /** True when every artifact it needs is stored. */
  ready: boolean;
  /** Rows trained on per epoch after sample limits and the expected filter reduction (null: unknown). */
  train_rows: number | null;
  eval_rows: number | null;
  estimated_seconds: number | null;
}

export interface ExperimentPlan {
  experiments: PlannedExperiment[];
  /** Artifacts over the whole plan, deduplicated, each with the experiments that need it. */
  prerequisites: PrerequisiteReport;
  total_estimated_seconds: number | null;
  warnings: string[];
}

const isSpec = (x: ExperimentConfig | ExperimentSpec): x is ExperimentSpec => 'config' in x && 'app' in x;

/**
 * Expected share of rows the cartography filter keeps: all easy and hard rows (half, by the
 * median split) plus `top_fraction` of the ambiguous half.
 */
export function expectedCartographyKeep(topFraction: number): number {
  return 0.5 + 0.5 * topFraction;
}

function limitRows(limit: number | null, available: number | undefined): number | null {
  if (limit === null) return available ?? null;
  return available === undefined ? limit : Math.min(limit, available);
}

function estimate(config: ExperimentConfig, options: PlanOptions): { train: number | null; eval: number | null; seconds: number | null } {
  const t = config.training;
  let train = limitRows(t.max_train_samples, options.splitRows?.train);
  let evalRows = limitRows(t.max_eval_samples, options.splitRows?.validation);
  if (t.cartography_filter.enabled) {
    const keep = expectedCartographyKeep(t.cartography_filter.top_fraction);
    if (train !== null) train = Math.round(train * keep);
    if (evalRows !== null && t.filter_validation_set) evalRows = Math.round(evalRows * keep);
  }
  const tp = options.throughput;
  if (!tp || train === null || evalRows === null) return { train, eval: evalRows, seconds: null };
  const stepsPerEpoch = Math.max(1, Math.floor(Math.ceil(train / t.per_device_train_batch_size) / (t.gradient_accumulation_steps ?? 1)));
  const totalSteps = Math.ceil(stepsPerEpoch * t.num_train_epochs);
  // Evaluations during training as the config's eval_strategy asks, plus the final one.
  const periodic = t.eval_strategy === 'steps' ? Math.floor(totalSteps / t.eval_steps) : t.eval_strategy === 'epoch' ? Math.ceil(t.num_train_epochs) : 0;
  const seconds =
    (tp.overheadSeconds ?? 0) + (train * t.num_train_epochs) / tp.trainExamplesPerSecond + ((periodic + 1) * evalRows) / tp.evalExamplesPerSecond;
  return { train, eval: evalRows, seconds };
}

/** Builds the dry-run plan of a list of experiments (configs, or configs with app settings). */
export function planExperiments(items: ReadonlyArray<ExperimentConfig | ExperimentSpec>, options: PlanOptions = {}): ExperimentPlan {
  const specs: ExperimentSpec[] = items.map((x) => (isSpec(x) ? x : { config: x, app: {} as AppSettings }));
  const globalResolve = options.resolve ?? (() => null);
  const warnings: string[] = [];
  const dirs = new Map<string, number>();

  const experiments = specs.map(({ config, app }, i): PlannedExperiment => {
    const hash = configHash(config);
    const dir = experimentDirName(config, hash);
    const prev = dirs.get(dir);
    if (prev !== undefined) warnings.push(`experiments ${prev + 1} and ${i + 1} share the folder ${dir}: the later run replaces the earlier one's files`);
    else dirs.set(dir, i);
    const own = bindingsResolver(app.artifact_bindings ?? {});
    const artifacts = requiredArtifacts(config).map((requirement) => ({
      requirement,
      resolved: own(requirement) ?? globalResolve(requirement) ?? null,
    }));
    const est = estimate(config, options);
    return {
      index: i + 1,
      name: config.name,
      description: config.description,
      config_hash: hash,
      dir_name: dir,
      output_path: experimentOutputPath(config, hash),
      config_json: configJsonText(config, hash),
      cli_args: toCliArgs(config, hash),
      python_command: pythonCommandLine(config),
      artifacts,
      ready: artifacts.every((a) => a.resolved !== null),
      train_rows: est.train,
      eval_rows: est.eval,
      estimated_seconds: est.seconds,
    };
  });

  // Plan-wide view: an artifact counts as available when any experiment resolved it.
  const resolvedByKey = new Map<string, ResolvedArtifact>();
  for (const e of experiments) for (const a of e.artifacts) if (a.resolved) resolvedByKey.set(a.requirement.key, a.resolved);
  const prerequisites = checkPrerequisites(
    specs.map((s) => s.config),
    (req) => resolvedByKey.get(req.key) ?? globalResolve(req) ?? null,
  );
  const secs = experiments.map((e) => e.estimated_seconds);
  const total_estimated_seconds = secs.length && secs.every((s) => s !== null) ? (secs as number[]).reduce((a, b) => a + b, 0) : null;
  if (options.throughput && total_estimated_seconds === null) {
    warnings.push('some experiments use all rows of a split whose size is unknown: no time estimate for them');
  }
  if (experiments.some((e) => e.artifacts.some((a) => a.requirement.kind === 'clusters')) && options.throughput) {
    warnings.push('cluster filtering is estimated without its (data-dependent) reduction of the training rows');
  }
  return { experiments, prerequisites, total_estimated_seconds, warnings };
}

/** "1h 02m", "4m 05s", "12s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

/** The plan as text: Python's dry-run banners and commands, then artifacts and estimates. */
export function formatPlan(plan: ExperimentPlan): string {
  const n = plan.experiments.length;
  const lines: string[] = ['='.repeat(80), `EXPERIMENT RUNNER: ${n} experiments to run`, '='.repeat(80)];
  for (const e of plan.experiments) {
    lines.push('', '='.repeat(80), `EXPERIMENT ${e.index}/${n}: ${e.name}`, `Description: ${e.description}`, `Output: ${e.output_path}`, '='.repeat(80), '');
    lines.push('[DRY RUN] Would execute:', e.python_command, '');
    for (const a of e.artifacts) {
      lines.push(`  needs ${a.requirement.kind} (${a.requirement.split}) at ${a.requirement.path}: ${a.resolved ? `stored as ${a.resolved.label ?? a.resolved.artifactId}` : 'MISSING'}`);
    }
    if (e.estimated_seconds !== null) lines.push(`  estimated time: ${formatDuration(e.estimated_seconds)} (${e.train_rows} train rows per epoch, ${e.eval_rows} eval rows)`);
  }
  lines.push('');
  if (plan.prerequisites.missing.length) {
    lines.push('MISSING PREREQUISITES:');
    for (const m of plan.prerequisites.missing) {
      lines.push(`- ${m.requirement.explanation}`, `  needed by: ${m.experiments.join(', ')}`, `  how to make it: ${m.requirement.how_to_make}`);
      for (const c of m.requirement.python_commands) lines.push(`  (Python: ${c})`);
    }
  } else {
    lines.push('All prerequisites are available.');
  }
  if (plan.total_estimated_seconds !== null) lines.push(`Estimated total time: ${formatDuration(plan.total_estimated_seconds)}`);
  for (const w of plan.warnings) lines.push(`[WARNING] ${w}`);
  return lines.join('\n');
}
