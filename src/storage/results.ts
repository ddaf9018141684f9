/**
 * Reading finished runs for the Results section and exports, and writing imported experiment
 * folders (ours or the Python system's) as runs that sit beside the app's own for comparison.
 *
 * Stored shapes:
 * - `runs` RunRecord.result: an ExperimentResult as plain JSON (the queue writes it; imports too).
 * - `experiments` ExperimentRecord.config: an ExperimentSpec `{config, app}`; imported experiments
 *   add `import: ImportOrigin` and may have `config: null` when their config.json was missing or
 *   invalid (the raw text is kept so the analysis row is still built the way Python builds it).
 * - `artifacts` kind 'run-outputs' (RunOutputsData in artifacts.ts), id "run-outputs:<run id>"
 *   (also found under the bare run id, or by `producedBy` = run id). Imports add `trainerFiles`: the folder's trainer_output files as bytes.
 *   Missing outputs are normal: the curve plot hides and the export leaves trainer_output out.
 * - `artifacts` kind 'cartography' with `producedBy` = run id: the training dynamics of a run
 *   trained with enable_cartography (the experiment worker) or imported with cartography files,
 *   id "cartography:run:<run id>" (older app runs have a random id and are found by `producedBy`).
 */
import type { LabDatabase } from './db';
import type { ArtifactRecord, ExperimentRecord, RunRecord } from './schema';
import { runCartographyId, type CartographyArtifactData, type RunOutputsData, type TypedArtifact } from './artifacts';
import { loadModel } from './models';
import { readSplitRows } from './datasets';
import type { FolderEntry, ImportedFolder, TrainerOutputFiles } from '../domain/experiments/folder';
import type { AppSettings, ExperimentConfig } from '../domain/config/types';
import type { QARecord } from '../domain/data/types';

/** Re-exported: Results code looks run artifacts up from here. */
export { runCartographyId };

export const IMPORT_SUITE_PREFIX = 'import:';

/** The id of a run's 'run-outputs' artifact (what the experiment worker writes). */
export function runOutputsId(runId: string): string {
  return `run-outputs:${runId}`;
}

/** One logged step as the curve plot draws it (the chart's LogHistoryEntry shape). */
export interface LogHistoryEntry {
  step: number;
  loss?: number;
  eval_f1?: number;
  learning_rate?: number;
}

/** The suite id of an imported folder: "import:<name>". */
export function importSuiteId(name: string): string {
  return `${IMPORT_SUITE_PREFIX}${name}`;
}

/** Where an imported experiment came from (kept in its ExperimentRecord.config.import). */
export interface ImportOrigin {
  /** The import's name (the suite id without "import:"). */
  name: string;
  /** Experiment folder name, e.g. "baseline_70bb89f8". */
  dir: string;
  /** config.json text as read, or null when the folder had none. */
  configJson: string | null;
  /** Warnings from reading the folder (hash mismatches, migrations). */
  warnings: string[];
}

/** The spec stored for an imported experiment. */
export interface ImportedSpec {
  config: ExperimentConfig | null;
  app: AppSettings;
  import: ImportOrigin;
}

export interface StoredRun {
  run: RunRecord;
  /** null when the run's experiment record is gone. */
  experiment: ExperimentRecord | null;
}

/** Every run with its experiment record, read in one transaction (no outputs, no weights). */
export async function loadStoredRuns(db: LabDatabase): Promise<StoredRun[]> {
  const tx = db.transaction(['runs', 'experiments'], 'readonly');
  const [runs, experiments] = await Promise.all([tx.objectStore('runs').getAll(), tx.objectStore('experiments').getAll(), tx.done]);
  const byId = new Map(experiments.map((e) => [e.id, e]));
  return runs
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    .map((run) => ({ run, experiment: byId.get(run.experimentId) ?? null }));
}

// ---------------------------------------------------------------------------------------------
// Run outputs

/** RunOutputsData of an imported run: the folder's trainer_output files kept as they were. */
export interface ImportedRunOutputsData extends RunOutputsData {
  /** Path relative to trainer_output/ → bytes. */
  trainerFiles: Record<string, Uint8Array>;
}

/** A run's outputs as the Results section uses them; anything unreadable is left out with a note. */
export interface RunOutputs {
  runId: string;
  /** Entries with a step; empty when none was logged. */
  logHistory: LogHistoryEntry[];
  predictions: { id: string; predicted_answer: string }[];
  modelId: string | null;
  datasetId: string | null;
  evalSplit: string | null;
  trainerFiles: Record<string, Uint8Array>;
  /** What was unreadable and left out. */
  notes: string[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * HF-style log history entries → what the curve chart draws. Entries need a finite step ≥ 0;
 * loss, eval_f1 and learning_rate are taken when they are finite numbers.
 */
export function parseLogHistory(value: unknown, where: string, notes: string[]): LogHistoryEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    notes.push(`${where}: log history is not a list; curves left out`);
    return [];
  }
  const out: LogHistoryEntry[] = [];
  let bad = 0;
  for (const e of value) {
    if (!isObj(e) || !finite(e.step) || e.step < 0) {
      bad++;
      continue;
    }
    const entry: LogHistoryEntry = { step: e.step };
    if (finite(e.loss)) entry.loss = e.loss;
    if (finite(e.eval_f1)) entry.eval_f1 = e.eval_f1;
    if (finite(e.learning_rate)) entry.learning_rate = e.learning_rate;
    out.push(entry);
  }
  if (bad) notes.push(`${where}: ${bad} log history entr${bad === 1 ? 'y has' : 'ies have'} no valid step and ${bad === 1 ? 'was' : 'were'} left out`);
  return out;
}

function toBytes(v: unknown): Uint8Array | null {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return null;
}

/** Reads a 'run-outputs' artifact's data defensively (it may come from an older build). */
export function parseRunOutputs(record: Pick<ArtifactRecord, 'id' | 'data'>, runId: string): RunOutputs {
  const notes: string[] = [];
  const where = `run outputs of ${runId}`;
  const d = isObj(record.data) ? record.data : {};
  if (!isObj(record.data)) notes.push(`${where}: the stored record holds no object; nothing read`);
  const predictions: RunOutputs['predictions'] = [];
  if (Array.isArray(d.predictions)) {
    let bad = 0;
    for (const p of d.predictions) {
      if (isObj(p) && typeof p.id === 'string' && typeof p.predicted_answer === 'string') predictions.push({ id: p.id, predicted_answer: p.predicted_answer });
      else bad++;
    }
    if (bad) notes.push(`${where}: ${bad} prediction(s) without a string id and predicted_answer were left out`);
  }
  const trainerFiles: Record<string, Uint8Array> = {};
  if (isObj(d.trainerFiles)) {
    for (const [path, v] of Object.entries(d.trainerFiles)) {
      const b = toBytes(v);
      if (b) trainerFiles[path] = b;
      else notes.push(`${where}: trainer_output/${path} is not stored as bytes; left out`);
    }
  }
  return {
    runId,
    logHistory: parseLogHistory(d.logHistory, where, notes),
    predictions,
    modelId: typeof d.modelId === 'string' ? d.modelId : null,
    datasetId: typeof d.datasetId === 'string' && d.datasetId !== '' ? d.datasetId : null,
    evalSplit: typeof d.evalSplit === 'string' && d.evalSplit !== '' ? d.evalSplit : null,
    trainerFiles,
    notes,
  };
}

/**
 * The outputs of these runs, where stored: the artifact "run-outputs:<run id>", else one keyed by
 * the bare run id, else one whose `producedBy` is the run id. Runs without outputs are absent.
 */
export async function loadRunOutputs(db: LabDatabase, runIds: readonly string[]): Promise<Map<string, RunOutputs>> {
  const out = new Map<string, RunOutputs>();
  const missing: string[] = [];
  for (const id of runIds) {
    let rec = await db.get('artifacts', runOutputsId(id));
    if (rec?.kind !== 'run-outputs') rec = await db.get('artifacts', id);
    if (rec && rec.kind === 'run-outputs') out.set(id, parseRunOutputs(rec, id));
    else missing.push(id);
  }
  if (missing.length) {
    const wanted = new Set(missing);
    // Only the keys are listed first, so runs that have no outputs cost no record reads.
    for (const key of await db.getAllKeysFromIndex('artifacts', 'byKind', 'run-outputs')) {
      const rec = await db.get('artifacts', key);
      if (rec?.producedBy && wanted.has(rec.producedBy) && !out.has(rec.producedBy)) out.set(rec.producedBy, parseRunOutputs(rec, rec.producedBy));
    }
  }
  return out;
}

/**
 * The cartography artifacts these runs produced: "cartography:run:<run id>", else (only for the
 * runs in `scan`, whose configs tracked cartography) one whose `producedBy` is the run id. The
 * scan reads every other cartography artifact once, so it is kept to the runs that can have one.
 */
export async function loadRunCartography(
  db: LabDatabase,
  runIds: readonly string[],
  scan: ReadonlySet<string> = new Set(),
): Promise<Map<string, TypedArtifact<'cartography'>>> {
  const out = new Map<string, TypedArtifact<'cartography'>>();
  const wanted = new Set<string>();
  for (const id of runIds) {
    const rec = await db.get('artifacts', runCartographyId(id));
    if (rec?.kind === 'cartography') out.set(id, rec as TypedArtifact<'cartography'>);
    else if (scan.has(id)) wanted.add(id);
  }
  if (wanted.size) {
    for (const key of await db.getAllKeysFromIndex('artifacts', 'byKind', 'cartography')) {
      // Ids of the current form name their run; only the older random ids need reading.
      if (String(key).startsWith('cartography:run:')) continue;
      const rec = await db.get('artifacts', key);
      if (rec?.kind === 'cartography' && rec.producedBy && wanted.has(rec.producedBy) && !out.has(rec.producedBy)) out.set(rec.producedBy, rec as TypedArtifact<'cartography'>);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// trainer_output for exports

const enc = new TextEncoder();

/** A QARecord as the Python dataset row `eval_predictions.jsonl` repeats (demo-only fields left out). */
function exampleFields(r: QARecord): Record<string, unknown> {
  const row: Record<string, unknown> = { id: r.id };
  if (r.title !== undefined) row.title = r.title;
  row.context = r.context;
  row.question = r.question;
  row.answers = r.answers;
  return row;
}

export interface TrainerOutputOptions {
  /** Put model.safetensors in (tens of MB per run). Default true. */
  includeWeights?: boolean;
}

/**
 * The trainer_output files of each run for `buildExperimentFolder`, from its stored outputs:
 * an import's files as they were; for the app's runs eval_predictions (each prediction joined
 * with its example from the stored dataset, as run.py writes them) and the model config and
 * weights of the stored model. Runs without stored outputs are absent (the folder then has only
 * eval_metrics.json, made from the result). `notes` say what could not be included.
 */
export async function loadTrainerOutputs(
  db: LabDatabase,
  runIds: readonly string[],
  opts: TrainerOutputOptions = {},
): Promise<{ files: Map<string, TrainerOutputFiles>; notes: string[] }> {
  const includeWeights = opts.includeWeights ?? true;
  const outputs = await loadRunOutputs(db, runIds);
  const files = new Map<string, TrainerOutputFiles>();
  const notes: string[] = [];
  const splitCache = new Map<string, Map<string, QARecord> | null>();

  async function examples(datasetId: string, split: string): Promise<Map<string, QARecord> | null> {
    const key = `${datasetId}\u0000${split}`;
    if (!splitCache.has(key)) {
      try {
        const m = new Map<string, QARecord>();
        for await (const r of readSplitRows(db, datasetId, split)) m.set(r.id, r);
        splitCache.set(key, m);
      } catch {
        splitCache.set(key, null);
      }
    }
    return splitCache.get(key) ?? null;
  }

  for (const [runId, o] of outputs) {
    notes.push(...o.notes);
    const t: TrainerOutputFiles = {};
    if (Object.keys(o.trainerFiles).length) {
      const extra: { path: string; bytes: Uint8Array }[] = [];
      for (const [path, bytes] of Object.entries(o.trainerFiles)) {
        if (path === 'eval_metrics.json') t.eval_metrics = bytes;
        else if (path === 'eval_predictions.jsonl') t.eval_predictions = bytes;
        else if (path === 'config.json') t.model_config = bytes;
        else if (path === 'model.safetensors') {
          if (includeWeights) t.model_safetensors = bytes;
        } else if (includeWeights || !/\.(safetensors|bin|pt|pth)$/i.test(path)) extra.push({ path, bytes });
      }
      if (extra.length) t.extra = extra;
    }
    if (o.predictions.length && !t.eval_predictions) {
      const ex = o.datasetId && o.evalSplit ? await examples(o.datasetId, o.evalSplit) : null;
      if (!ex) notes.push(`${runId}: the evaluated dataset is no longer stored; eval_predictions.jsonl has only id and predicted_answer`);
      let unmatched = 0;
      t.eval_predictions = o.predictions.map((p) => {
        const r = ex?.get(p.id);
        if (ex && !r) unmatched++;
        return r ? { ...exampleFields(r), predicted_answer: p.predicted_answer } : { id: p.id, predicted_answer: p.predicted_answer };
      });
      if (unmatched) notes.push(`${runId}: ${unmatched} prediction id(s) are not in the stored eval split; written with id and predicted_answer only`);
    }
    if (o.modelId) {
      const model = await loadModel(db, o.modelId);
      if (!model) notes.push(`${runId}: its trained model ${o.modelId} is no longer stored; config.json and weights left out`);
      else {
        t.model_config ??= enc.encode(`${JSON.stringify(model.meta.config, null, 2)}\n`);
        if (includeWeights && model.weights && !t.model_safetensors) {
          if (model.weights.name === 'model.safetensors') t.model_safetensors = new Uint8Array(model.weights.bytes);
          else notes.push(`${runId}: its weights are ${model.weights.name}, not model.safetensors; left out`);
        }
      }
    }
    if (Object.keys(t).length) files.set(runId, t);
  }
  return { files, notes };
}

// ---------------------------------------------------------------------------------------------
// Imports

export class ImportNameTakenError extends Error {
  override name = 'ImportNameTakenError';
  constructor(readonly importName: string) {
    super(`An import named "${importName}" already exists; choose another name or replace it`);
  }
}

export interface SaveImportOptions {
  /** Replace an earlier import of the same name (its runs, experiments and outputs) in the same transaction. */
  replace?: boolean;
  /** Keep the trainer_output files (predictions, model weights). Default true. */
  keepTrainerFiles?: boolean;
  /** Leave model weight files out even when keeping trainer files. Default false. */
  dropWeights?: boolean;
  /** Clock (ISO string) for createdAt. */
  now?: string;
  /** Each experiment's config.json text by experiment path (ImportedExperiment.path); see configTextsOf. */
  configTexts?: ReadonlyMap<string, string>;
}

export interface SavedImport {
  suiteId: string;
  runIds: string[];
  /** Bytes of trainer_output files stored. */
  trainerBytes: number;
  /** What was left out while reading trainer_output (unreadable trainer_state.json, log entries without a step). */
  notes: string[];
  /** Runs stored with training dynamics (a 'cartography' artifact, for their data map). */
  cartographyRuns: number;
}

/** Log history from a trainer_state.json (Hugging Face Trainer), the top-level one or the last checkpoint's. */
function trainerStateHistory(files: Record<string, Uint8Array>, where: string, notes: string[]): LogHistoryEntry[] {
  let path: string | undefined = 'trainer_state.json' in files ? 'trainer_state.json' : undefined;
  if (!path) {
    const ckpts = Object.keys(files)
      .map((p) => /^checkpoint-(\d+)\/trainer_state\.json$/.exec(p))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(b[1]) - Number(a[1]));
    path = ckpts[0]?.[0];
  }
  if (!path) return [];
  try {
    const state: unknown = JSON.parse(new TextDecoder().decode(files[path]));
    return parseLogHistory(isObj(state) ? state.log_history : undefined, `${where}/trainer_output/${path}`, notes);
  } catch (e) {
    notes.push(`${where}/trainer_output/${path}: not valid JSON (${(e as Error).message}); curves left out`);
    return [];
  }
}

/**
 * Each experiment's config.json text, keyed by the experiment's path in the folder, from the
 * files the folder was read from (paths normalised as readExperimentFolder does).
 */
export function configTextsOf(files: readonly FolderEntry[], folder: ImportedFolder): Map<string, string> {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  const wanted = new Map(folder.experiments.map((e) => [`${e.path}/config.json`, e.path]));
  const out = new Map<string, string>();
  for (const f of files) {
    const exp = wanted.get(norm(f.path));
    if (exp === undefined) continue;
    try {
      out.set(exp, new TextDecoder('utf-8', { fatal: true }).decode(f.bytes));
    } catch {
      // Not UTF-8: readExperimentFolder already reported it; the row then uses the validated config.
    }
  }
  return out;
}

export async function importNameTaken(db: LabDatabase, name: string): Promise<boolean> {
  return (await db.countFromIndex('runs', 'bySuite', importSuiteId(name))) + (await db.countFromIndex('experiments', 'bySuite', importSuiteId(name))) > 0;
}

/** Names of the stored imports with their run counts. */
export async function listImports(db: LabDatabase): Promise<{ name: string; suiteId: string; runs: number }[]> {
  const counts = new Map<string, number>();
  for (const r of await db.getAll('runs')) {
    if (r.suiteId?.startsWith(IMPORT_SUITE_PREFIX)) counts.set(r.suiteId, (counts.get(r.suiteId) ?? 0) + 1);
  }
  return [...counts].map(([suiteId, runs]) => ({ suiteId, name: suiteId.slice(IMPORT_SUITE_PREFIX.length), runs })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Deletes an import's runs, experiments and outputs in one transaction. Returns the number of runs removed. */
export async function deleteImport(db: LabDatabase, name: string): Promise<number> {
  const suiteId = importSuiteId(name);
  const tx = db.transaction(['runs', 'experiments', 'artifacts'], 'readwrite');
  const n = await removeSuite(tx, suiteId);
  await tx.done;
  return n;
}

type WriteTx = ReturnType<typeof writeTx>;

function writeTx(db: LabDatabase) {
  return db.transaction(['runs', 'experiments', 'artifacts'], 'readwrite');
}

async function removeSuite(tx: WriteTx, suiteId: string): Promise<number> {
  const runs = tx.objectStore('runs');
  const runIds = await runs.index('bySuite').getAllKeys(suiteId);
  for (const id of runIds) {
    await runs.delete(id);
    const artId = runOutputsId(id);
    const art = await tx.objectStore('artifacts').get(artId);
    if (art?.kind === 'run-outputs') await tx.objectStore('artifacts').delete(artId);
    const cartoId = runCartographyId(id);
    if ((await tx.objectStore('artifacts').getKey(cartoId)) !== undefined) await tx.objectStore('artifacts').delete(cartoId);
  }
  const exps = tx.objectStore('experiments');
  for (const id of await exps.index('bySuite').getAllKeys(suiteId)) await exps.delete(id);
  return runIds.length;
}


/**
 * Stores the experiments of a read folder as runs of the suite "import:<name>": experiment
 * records, run records and (when kept) their trainer_output files, all in one transaction, so a
 * failure (quota, a name taken meanwhile) leaves the database as it was. Skipped experiments
 * (listed in the folder's problems) are not stored.
 */
export async function saveImportedFolder(db: LabDatabase, folder: ImportedFolder, name: string, opts: SaveImportOptions = {}): Promise<SavedImport> {
  const trimmed = name.trim();
  if (trimmed === '') throw new RangeError('The import needs a name');
  if (folder.experiments.length === 0) throw new RangeError('The folder holds no experiment with a readable results.json; nothing to import');
  const suiteId = importSuiteId(trimmed);
  const keep = opts.keepTrainerFiles ?? true;
  const createdAt = opts.now ?? new Date().toISOString();

  // Everything is prepared before the transaction opens: awaiting anything else would end it.
  const experiments: ExperimentRecord[] = [];
  const runs: RunRecord[] = [];
  const artifacts: ArtifactRecord[] = [];
  let trainerBytes = 0;
  let cartographyRuns = 0;
  const allNotes: string[] = [];
  for (const e of folder.experiments) {
    const experimentId = `${suiteId}/${e.dir}`;
    const runId = `${experimentId}#1`;
    const spec: ImportedSpec = {
      config: e.config,
      app: e.app ?? {},
      import: { name: trimmed, dir: e.dir, configJson: opts.configTexts?.get(e.path) ?? null, warnings: e.warnings },
    };
    experiments.push({ id: experimentId, name: e.result.experiment_name, configHash: e.result.config_hash, config: spec as unknown as Record<string, unknown>, suiteId, createdAt });
    runs.push({ id: runId, experimentId, suiteId, result: { ...e.result } as unknown as Record<string, unknown>, createdAt });

    const notes: string[] = [];
    const logHistory = trainerStateHistory(e.trainer_output, e.path, notes);
    allNotes.push(...notes);
    const trainerFiles: Record<string, Uint8Array> = {};
    if (keep) {
      for (const [p, b] of Object.entries(e.trainer_output)) {
        if (opts.dropWeights && /\.(safetensors|bin|pt|pth)$/i.test(p)) continue;
        trainerFiles[p] = b;
        trainerBytes += b.byteLength;
      }
    }
    if (logHistory.length || Object.keys(trainerFiles).length) {
      const data: ImportedRunOutputsData = {
        logHistory: logHistory as unknown as Record<string, number>[],
        predictions: [],
        filters: [],
        messages: notes,
        modelId: null,
        datasetId: '',
        evalSplit: null,
        trainerFiles,
      };
      artifacts.push({ id: runOutputsId(runId), kind: 'run-outputs', name: `${e.dir} (imported as ${trimmed})`, datasetId: '', split: '', createdAt, producedBy: runId, data });
    }
    if (e.cartography) {
      // No dataset id: the examples may not be stored here, so the Cartography and Experiments
      // pickers (which list by dataset) leave it out; Results finds it by its run.
      const data: CartographyArtifactData = { metrics: e.cartography.rows, epochs: e.cartography.rows.reduce((m, r) => Math.max(m, r.num_epochs), 0) };
      artifacts.push({
        id: runCartographyId(runId),
        kind: 'cartography',
        name: `cartography · ${e.dir} · ${e.cartography.file} (imported as ${trimmed})`,
        datasetId: '',
        split: e.app?.train_split ?? 'train',
        createdAt,
        producedBy: runId,
        data,
      });
      cartographyRuns++;
    }
  }

  const tx = writeTx(db);
  try {
    const taken = (await tx.objectStore('runs').index('bySuite').count(suiteId)) + (await tx.objectStore('experiments').index('bySuite').count(suiteId)) > 0;
    if (taken) {
      if (!opts.replace) throw new ImportNameTakenError(trimmed);
      await removeSuite(tx, suiteId);
    }
    for (const r of experiments) await tx.objectStore('experiments').put(r);
    for (const r of runs) await tx.objectStore('runs').put(r);
    for (const r of artifacts) await tx.objectStore('artifacts').put(r);
    await tx.done;
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // already finished or aborted: nothing was committed
    }
    await tx.done.catch(() => {});
    throw e;
  }
  return { suiteId, runIds: runs.map((r) => r.id), trainerBytes, notes: allNotes, cartographyRuns };
}
