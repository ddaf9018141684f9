import { z } from 'zod';
import {
  defaultCartographyFilter,
  defaultClusterFilter,
  defaultLabelSmoothing,
  defaultSoftWeighting,
  defaultTrainingConfig,
  DEFAULT_CARTOGRAPHY_DIR,
  DEFAULT_EXPERIMENTS_DIR,
  DEFAULT_VALIDATION_CARTOGRAPHY_DIR,
  DEFAULT_VALIDATION_CLUSTER_PATH,
} from './defaults';
import type { AppSettings, ExperimentConfig, TrainingConfig } from './types';

/**
 * Validation of experiment configs. Missing fields take Python's defaults (as the dataclasses do
 * when `ExperimentConfig.load` passes a dict without them); unknown fields are rejected (the
 * dataclasses raise TypeError on them too); values are range-checked so a bad config fails here
 * and not hours into a suite.
 */

/** One thing wrong with an input, located by file and dotted field path. */
export interface ConfigIssue {
  file: string;
  /** e.g. "training.cluster_filter.exclude_clusters[1]"; "" for the whole document. */
  path: string;
  message: string;
}

export class ConfigValidationError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigValidationError';
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.path ? `${issue.file}: ${issue.path}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

const nonEmpty = (what: string) => z.string().min(1, { error: `must be a non-empty ${what}` });
const int = (min: number, max = Number.MAX_SAFE_INTEGER, hint = '') =>
  z
    .number()
    .int({ error: `must be a whole number${hint}` })
    .min(min, { error: `must be at least ${min}${hint}` })
    .max(max, { error: `must be at most ${max}${hint}` });
const finite = () => z.number();

const strDir = (dflt: string) => nonEmpty('path').default(dflt);

const experimentName = z
  .string()
  .min(1, { error: 'must be a non-empty name' })
  .refine((s) => !/[/\\\u0000-\u001f]/.test(s) && s !== '.' && s !== '..', {
    error: 'is used as a folder name: no "/", "\\" or control characters',
  });

export const CartographyFilterSchema = z.strictObject({
  enabled: z.boolean().default(false),
  cartography_output_dir: strDir(DEFAULT_CARTOGRAPHY_DIR),
  top_fraction: finite()
    .gt(0, { error: 'must be a fraction in (0, 1]' })
    .lte(1, { error: 'must be a fraction in (0, 1]' })
    .default(0.33),
  apply_rule_based_filter: z.boolean().default(false),
});

export const ClusterFilterSchema = z.strictObject({
  enabled: z.boolean().default(false),
  cluster_assignments_path: nonEmpty('path').nullable().default(null),
  exclude_clusters: z.array(int(-1, Number.MAX_SAFE_INTEGER, ' (cluster labels are -1 for noise, then 0, 1, ...)')).default(() => [-1]),
  min_cluster_probability: finite()
    .min(0, { error: 'must be a probability in [0, 1] or null' })
    .max(1, { error: 'must be a probability in [0, 1] or null' })
    .nullable()
    .default(null),
});

export const LabelSmoothingSchema = z.strictObject({
  enabled: z.boolean().default(false),
  cartography_output_dir: strDir(DEFAULT_CARTOGRAPHY_DIR),
  smoothing_factor: finite().min(0, { error: 'must be >= 0' }).default(0.6),
});

export const SoftWeightingSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    cartography_output_dir: strDir(DEFAULT_CARTOGRAPHY_DIR),
    weight_clip_min: finite().min(0, { error: 'must be >= 0' }).default(0.1),
    weight_clip_max: finite().gt(0, { error: 'must be > 0' }).default(10.0),
  })
  .superRefine((v, ctx) => {
    if (v.weight_clip_min > v.weight_clip_max) {
      ctx.addIssue({
        code: 'custom',
        path: ['weight_clip_max'],
        message: `must be >= weight_clip_min (${v.weight_clip_min}), got ${v.weight_clip_max}`,
      });
    }
  });

const d = defaultTrainingConfig();

export const TrainingConfigSchema = z.strictObject({
  model: nonEmpty('model id or path').default(d.model),
  dataset: nonEmpty('dataset id or path').default(d.dataset),
  max_length: int(8, 1_000_000).default(d.max_length),
  max_train_samples: int(1, Number.MAX_SAFE_INTEGER, ' (null means all rows)').nullable().default(null),
  max_eval_samples: int(1, Number.MAX_SAFE_INTEGER, ' (null means all rows)').nullable().default(null),
  per_device_train_batch_size: int(1).default(d.per_device_train_batch_size),
  per_device_eval_batch_size: int(1).default(d.per_device_eval_batch_size),
  gradient_accumulation_steps: int(1, 1024).optional(),
  num_train_epochs: finite().gt(0, { error: 'must be > 0' }).default(d.num_train_epochs),
  learning_rate: finite().gt(0, { error: 'must be > 0' }).default(d.learning_rate),
  weight_decay: finite().min(0, { error: 'must be >= 0' }).default(d.weight_decay),
  warmup_steps: int(0).default(d.warmup_steps),
  seed: int(0, 2 ** 32 - 1).default(d.seed),
  eval_steps: int(1).default(d.eval_steps),
  save_steps: int(1).default(d.save_steps),
  logging_steps: int(1).default(d.logging_steps),
  eval_strategy: z.enum(['no', 'steps', 'epoch']).default(d.eval_strategy),
  save_strategy: z.enum(['no', 'steps', 'epoch', 'best']).default(d.save_strategy),
  save_total_limit: int(0).default(d.save_total_limit),
  load_best_model_at_end: z.boolean().default(d.load_best_model_at_end),
  metric_for_best_model: nonEmpty('metric name').default(d.metric_for_best_model),
  ablations: z.enum(['none', 'q_only', 'p_only']).default(d.ablations),
  cartography_filter: CartographyFilterSchema.default(defaultCartographyFilter),
  cluster_filter: ClusterFilterSchema.default(defaultClusterFilter),
  label_smoothing: LabelSmoothingSchema.default(defaultLabelSmoothing),
  soft_weighting: SoftWeightingSchema.default(defaultSoftWeighting),
  enable_cartography: z.boolean().default(false),
  cartography_output_dir: strDir(DEFAULT_CARTOGRAPHY_DIR),
  filter_validation_set: z.boolean().default(false),
  validation_cartography_output_dir: strDir(DEFAULT_VALIDATION_CARTOGRAPHY_DIR),
  validation_cluster_assignments_path: strDir(DEFAULT_VALIDATION_CLUSTER_PATH),
});

export const ExperimentConfigSchema = z.strictObject({
  name: experimentName,
  description: z.string(),
  training: TrainingConfigSchema.default(defaultTrainingConfig),
  output_dir: nonEmpty('path').default(DEFAULT_EXPERIMENTS_DIR),
});

export const AppSettingsSchema = z.strictObject({
  data_source: nonEmpty('source').optional(),
  model_source: nonEmpty('source').optional(),
  train_split: nonEmpty('split name').optional(),
  eval_split: nonEmpty('split name').optional(),
  artifact_bindings: z.record(z.string(), nonEmpty('artifact id')).optional(),
});

// Compile-time proof that the schemas produce exactly the declared interfaces.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesTypes: [
  Same<z.output<typeof TrainingConfigSchema>, TrainingConfig>,
  Same<z.output<typeof ExperimentConfigSchema>, ExperimentConfig>,
  Same<z.output<typeof AppSettingsSchema>, AppSettings>,
] = [true, true, true];
void schemaMatchesTypes;

/** "a.b[0].c" from a zod path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const EXPECTED_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  record: 'an object',
};

/** Turns zod issues into ConfigIssues with plain-language messages. */
export function zodIssuesToConfigIssues(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  prefix = '',
  unknownKeyHint = '',
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const base = formatPath(issue.path);
    const path = prefix ? (base ? `${prefix}.${base}` : prefix) : base;
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'invalid_type': {
        const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
        out.push({
          file,
          path,
          message: input === undefined ? `is required (expected ${expected})` : `expected ${expected}, got ${describeValue(input)}`,
        });
        break;
      }
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push({
            file,
            path: path ? `${path}.${key}` : key,
            message: `unknown field${unknownKeyHint}`,
          });
        }
        break;
      case 'invalid_value':
        out.push({
          file,
          path,
          message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(input)}`,
        });
        break;
      case 'custom':
        out.push({ file, path, message: issue.message });
        break;
      default:
        out.push({ file, path, message: input === undefined ? issue.message : `${issue.message}, got ${describeValue(input)}` });
    }
  }
  return out;
}

const DATACLASS_HINT = ' (the Python dataclass has no such field and would refuse it)';

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string, prefix = '', unknownKeyHint = ''): T {
  const r = schema.safeParse(value, { reportInput: true });
  if (!r.success) throw new ConfigValidationError(zodIssuesToConfigIssues(file, r.error.issues, prefix, unknownKeyHint));
  return r.data;
}

/** Validates a config in the current schema, filling Python's defaults for missing fields. Throws ConfigValidationError. */
export function parseExperimentConfig(value: unknown, file = 'config.json'): ExperimentConfig {
  return parseWith(ExperimentConfigSchema, value, file, '', DATACLASS_HINT);
}

/** Validates a TrainingConfig on its own (e.g. overrides from a UI form); `prefix` names it in messages. */
export function parseTrainingConfig(value: unknown, file = 'config.json', prefix = 'training'): TrainingConfig {
  return parseWith(TrainingConfigSchema, value, file, prefix, DATACLASS_HINT);
}

/** Validates the app's own settings (`app.json`). */
export function parseAppSettings(value: unknown, file = 'app.json'): AppSettings {
  return parseWith(AppSettingsSchema, value, file);
}
