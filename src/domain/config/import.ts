import { defaultTrainingConfig } from './defaults';
import { PyFloat, PyJsonSyntaxError, parsePythonJson, toPlain, type PyJson } from './pyjson';
import { ConfigValidationError, parseAppSettings, parseExperimentConfig } from './schema';
import { FLOAT_FIELDS, configHash, configJsonText, pyDictHash } from './serialize';
import type { AppSettings, ExperimentConfig } from './types';

/**
 * Import of a Python `config.json` (any schema version the Python system wrote) and export of
 * ours. Older shapes are migrated on read:
 * - before commit 493dc0f the training field was `evaluation_strategy` (now `eval_strategy`);
 * - older files lack `filter_validation_set` and the `validation_*` paths (Python defaults apply);
 * - any other missing field takes its dataclass default, as `ExperimentConfig.load` does.
 * The hash stored in the file is checked against the file exactly as written (which is what
 * Python hashed), and the config's hash under the current schema is computed separately.
 */

export interface ConfigImport {
  /** The config in the current schema, defaults filled. */
  config: ExperimentConfig;
  /** Its Python config hash under the current schema (what Python's current `load()` would give). */
  config_hash: string;
  /** The `config_hash` written in the file, if any. */
  stored_hash: string | null;
  /** md5 of the file's dict exactly as written, config_hash removed (null when given an object, not text). */
  file_hash: string | null;
  /** Whether stored_hash equals file_hash (null when either is unknown). False means the file was edited after saving. */
  stored_hash_matches_file: boolean | null;
  /** What was changed to bring the file to the current schema. */
  migrations: string[];
  /** Things that do not stop the import but may surprise (hash differences). */
  warnings: string[];
}

type Obj = { [key: string]: unknown };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SUB_CONFIGS = ['cartography_filter', 'cluster_filter', 'label_smoothing', 'soft_weighting'] as const;

/**
 * Reads a Python `config.json` (text, or an already-parsed object), migrates older shapes and
 * validates it. Throws ConfigValidationError naming the file and field on anything invalid.
 */
export function importPythonConfig(input: string | unknown, file = 'config.json'): ConfigImport {
  let raw: PyJson | undefined;
  let plainInput: unknown;
  if (typeof input === 'string') {
    try {
      raw = parsePythonJson(input, file);
    } catch (e) {
      if (e instanceof PyJsonSyntaxError) throw new ConfigValidationError([{ file, path: '', message: e.message.slice(file.length + 2) }]);
      throw e;
    }
    plainInput = toPlain(raw);
  } else {
    plainInput = input;
  }
  if (!isObj(plainInput)) {
    throw new ConfigValidationError([{ file, path: '', message: 'expected a JSON object with name, description, training and output_dir' }]);
  }
  const doc: Obj = structuredClone(plainInput);
  const migrations: string[] = [];
  const warnings: string[] = [];

  let stored_hash: string | null = null;
  if ('config_hash' in doc) {
    const h = doc.config_hash;
    if (typeof h !== 'string' || !/^[0-9a-f]{8}$/.test(h)) {
      throw new ConfigValidationError([{ file, path: 'config_hash', message: `expected 8 lowercase hex characters, got ${JSON.stringify(h)}` }]);
    }
    stored_hash = h;
    delete doc.config_hash;
  }

  let file_hash: string | null = null;
  if (raw !== undefined && isObj(raw)) {
    const { config_hash: _dropped, ...hashed } = raw as { [key: string]: PyJson };
    void _dropped;
    file_hash = pyDictHash(hashed);
  }

  if (isObj(doc.training)) {
    const t = doc.training;
    if ('evaluation_strategy' in t) {
      if ('eval_strategy' in t && t.eval_strategy !== t.evaluation_strategy) {
        throw new ConfigValidationError([
          {
            file,
            path: 'training.evaluation_strategy',
            message: `conflicts with training.eval_strategy (${JSON.stringify(t.evaluation_strategy)} vs ${JSON.stringify(t.eval_strategy)}); keep only eval_strategy`,
          },
        ]);
      }
      t.eval_strategy = t.evaluation_strategy;
      delete t.evaluation_strategy;
      migrations.push('renamed training.evaluation_strategy to training.eval_strategy (schema before Python commit 493dc0f)');
    }
    const defaults = defaultTrainingConfig() as unknown as Obj;
    const missing = Object.keys(defaults).filter((k) => !(k in t));
    for (const sub of SUB_CONFIGS) {
      const s = t[sub];
      if (isObj(s)) {
        for (const k of Object.keys(defaults[sub] as Obj)) if (!(k in s)) missing.push(`${sub}.${k}`);
      }
    }
    if (missing.length) migrations.push(`filled Python defaults for missing fields: ${missing.map((k) => `training.${k}`).join(', ')}`);
  } else if (!('training' in doc)) {
    migrations.push('no training section: every training field takes its Python default');
  }

  const config = parseExperimentConfig(doc, file);
  const config_hash = configHash(config);

  if (raw !== undefined) {
    for (const path of FLOAT_FIELDS) {
      const v = getPath(raw, path);
      if (typeof v === 'number' || typeof v === 'bigint') {
        warnings.push(
          `${path} is written as the int ${String(v)}; Python keeps it an int and hashes "${String(v)}", the app stores the float ${String(v)}.0, so hashes differ`,
        );
      }
    }
  }
  const stored_hash_matches_file = stored_hash !== null && file_hash !== null ? stored_hash === file_hash : null;
  if (stored_hash !== null && stored_hash !== config_hash) {
    if (stored_hash_matches_file === true) {
      warnings.push(
        `the file's config_hash ${stored_hash} is what Python computed for the file as written; under the current schema this config hashes to ${config_hash}`,
      );
    } else if (stored_hash_matches_file === false) {
      warnings.push(`config_hash ${stored_hash} does not match the file's content (md5 gives ${file_hash}): the file was edited after it was saved`);
    } else {
      warnings.push(`config_hash ${stored_hash} differs from the hash of the imported config (${config_hash})`);
    }
  }

  return { config, config_hash, stored_hash, file_hash, stored_hash_matches_file, migrations, warnings };
}

function getPath(value: PyJson, dotted: string): PyJson | undefined {
  let cur: PyJson | undefined = value;
  for (const key of dotted.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object' || Array.isArray(cur) || cur instanceof PyFloat || cur instanceof Map) return undefined;
    cur = (cur as { [key: string]: PyJson })[key];
  }
  return cur;
}

/** The `config.json` text Python's `save()` writes for this config (indent 2, with config_hash). */
export function exportConfigJson(config: ExperimentConfig): string {
  return configJsonText(config);
}

/** The `app.json` text for the app's own settings (never read by Python). */
export function exportAppSettingsJson(app: AppSettings): string {
  return JSON.stringify(app, null, 2);
}

/** Reads `app.json` text. Throws ConfigValidationError. */
export function importAppSettings(text: string, file = 'app.json'): AppSettings {
  let value: unknown;
  try {
    value = toPlain(parsePythonJson(text, file));
  } catch (e) {
    if (e instanceof PyJsonSyntaxError) throw new ConfigValidationError([{ file, path: '', message: e.message.slice(file.length + 2) }]);
    throw e;
  }
  return parseAppSettings(value, file);
}
