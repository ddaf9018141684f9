import type { HandlersOf } from '../router';
import type { ExperimentApi, RunExperimentParams, RunExperimentProgress } from '../api/experiment';
import { ensureBackend } from './backend-state';
import { openLabDB, type LabDatabase } from '../../storage/db';
import { listDatasets, readFirstRows } from '../../storage/datasets';
import { saveModel } from '../../storage/models';
import { getArtifact, listArtifacts, runCartographyId, saveArtifact } from '../../storage/artifacts';
import { loadStoredQAModel } from '../../storage/load-model';
import { executeExperiment, ExperimentSetupError, type LoadedArtifact } from '../../domain/experiments/execute';
import type { ArtifactRequirement } from '../../domain/config/prerequisites';
import type { ExperimentSpec } from '../../domain/config/types';
import { createDemoModel } from '../../domain/train/demo-model';
import { DEMO_BASE_FILES, loadDemoBase, type DemoBaseFiles } from '../../domain/train/demo-base';
import type { QAModel } from '../../domain/model/model';
import type { WordPieceTokenizer } from '../../domain/qa/index';
import type { DatasetMeta } from '../../storage/schema';
import type { BackendReport } from '../protocol';
import { adapterText } from '../adapter';

const connections = new Map<string, Promise<LabDatabase>>();

/** One connection per database name for the worker's lifetime. */
export function workerDb(name?: string): Promise<LabDatabase> {
  const key = name ?? '';
  let db = connections.get(key);
  if (!db) {
    db = openLabDB({ name, onVersionChange: () => connections.delete(key) });
    connections.set(key, db);
  }
  return db;
}

/** "demo" → the stored demo dataset; "dataset:<id>" → that dataset. */
export async function resolveDataset(db: LabDatabase, source: string | undefined): Promise<DatasetMeta> {
  const all = await listDatasets(db);
  const src = source ?? 'demo';
  if (src === 'demo') {
    const demo = all.find((d) => d.source === 'demo');
    if (!demo) throw new ExperimentSetupError('The demo dataset is not stored (it was deleted): restore it in Datasets');
    return demo;
  }
  if (src.startsWith('dataset:')) {
    const d = all.find((x) => x.id === src.slice('dataset:'.length));
    if (!d) throw new ExperimentSetupError(`Dataset ${src} is not stored (it may have been deleted)`);
    return d;
  }
  throw new ExperimentSetupError(`Unknown data source "${src}" (expected "demo" or "dataset:<id>")`);
}

/** The shipped demo base's files, fetched from `baseUrl` (precached by the service worker). */
async function fetchDemoBase(baseUrl: string): Promise<DemoBaseFiles> {
  const get = async (name: (typeof DEMO_BASE_FILES)[number]) => {
    const url = new URL(name, baseUrl).href;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new ExperimentSetupError(`The demo base could not be read from ${url} (${e instanceof Error ? e.message : String(e)}); reload the app online once so it is stored for offline use`);
    }
    if (!res.ok) throw new ExperimentSetupError(`The demo base could not be read from ${url} (HTTP ${res.status})`);
    return name === 'model.safetensors' ? new Uint8Array(await res.arrayBuffer()) : await res.text();
  };
  const [config, weights, tokenizer, tokenizerConfig] = await Promise.all(DEMO_BASE_FILES.map(get));
  return { 'config.json': config as string, 'model.safetensors': weights as Uint8Array, 'tokenizer.json': tokenizer as string, 'tokenizer_config.json': tokenizerConfig as string };
}

/**
 * "demo" → the shipped demo base (pretrained encoder, QA head from the seed); "demo-scratch" → a
 * fresh demo model (no file at all); "model:<id>" → a stored model.
 */
export async function resolveModel(
  db: LabDatabase,
  source: string | undefined,
  seed: number,
  demoBaseUrl?: string,
): Promise<{ model: QAModel; tokenizer: WordPieceTokenizer; config: Record<string, unknown>; tokenizerRecord: unknown; label: string }> {
  const src = source ?? 'demo';
  if (src === 'demo') {
    if (!demoBaseUrl) throw new ExperimentSetupError('The demo base needs the app\'s URL (demoBaseUrl) to be read');
    const base = loadDemoBase(await fetchDemoBase(demoBaseUrl), seed, demoBaseUrl);
    return {
      model: base.model,
      tokenizer: base.tokenizer,
      config: base.configJson,
      tokenizerRecord: { kind: 'tokenizer.json', json: base.tokenizerJson, tokenizerConfig: base.tokenizerConfig },
      label: 'demo base (pretrained)',
    };
  }
  if (src === 'demo-scratch') {
    const demo = createDemoModel({ seed });
    return {
      model: demo.model,
      tokenizer: demo.tokenizer,
      config: JSON.parse(demo.configJson) as Record<string, unknown>,
      tokenizerRecord: { kind: 'tokenizer.json', json: JSON.parse(demo.tokenizerJson), tokenizerConfig: JSON.parse(demo.tokenizerConfigJson) },
      label: 'demo model (from scratch)',
    };
  }
  if (src.startsWith('model:')) {
    const loaded = await loadStoredQAModel(db, src.slice('model:'.length), seed);
    return { model: loaded.model, tokenizer: loaded.tokenizer, config: loaded.meta.config, tokenizerRecord: loaded.meta.tokenizer, label: loaded.meta.name };
  }
  throw new ExperimentSetupError(`Unknown model source "${src}" (expected "demo", "demo-scratch" or "model:<id>")`);
}

/** Bound artifact first (app.artifact_bindings), else the newest of that kind for the dataset and split. */
function artifactResolver(db: LabDatabase, spec: ExperimentSpec, dataset: DatasetMeta) {
  return async (req: ArtifactRequirement): Promise<LoadedArtifact | null> => {
    const bound = spec.app.artifact_bindings?.[req.key];
    const split = req.split === 'train' ? (spec.app.train_split ?? 'train') : (spec.app.eval_split ?? 'validation');
    const find = async <K extends 'cartography' | 'clusters'>(kind: K) =>
      bound ? await getArtifact(db, bound, kind) : ((await listArtifacts(db, kind, { datasetId: dataset.id, split }))[0] ?? null);
    if (req.kind === 'cartography') {
      const rec = await find('cartography');
      return rec && { kind: 'cartography', label: rec.name, rows: rec.data.metrics };
    }
    const rec = await find('clusters');
    return rec && { kind: 'clusters', label: rec.name, rows: rec.data.assignments };
  };
}

function adapterLabel(report: BackendReport): string | undefined {
  const a = report.adapter;
  if (!a || report.backend !== 'webgpu') return undefined;
  return adapterText(a);
}

async function runExperiment(p: RunExperimentParams, signal: AbortSignal, progress: (e: RunExperimentProgress) => void) {
  const backend = await ensureBackend();
  const db = await workerDb(p.dbName);
  const { spec } = p;
  const t = spec.config.training;
  const dataset = await resolveDataset(db, spec.app.data_source);
  const trainSplit = spec.app.train_split ?? 'train';
  const evalSplit = spec.app.eval_split ?? 'validation';
  if (!dataset.splits[trainSplit]) throw new ExperimentSetupError(`Dataset "${dataset.name}" has no "${trainSplit}" split (it has ${Object.keys(dataset.splits).join(', ')})`);
  const [trainRows, evalRows] = await Promise.all([
    readFirstRows(db, dataset.id, trainSplit, t.max_train_samples),
    dataset.splits[evalSplit] ? readFirstRows(db, dataset.id, evalSplit, t.max_eval_samples) : Promise.resolve(null),
  ]);
  const { model, tokenizer, config, tokenizerRecord, label } = await resolveModel(db, spec.app.model_source, t.seed, p.demoBaseUrl);
  progress({ kind: 'message', line: `Model: ${label}; data: ${dataset.name} (${trainSplit} ${trainRows.length} rows${evalRows ? `, ${evalSplit} ${evalRows.length} rows` : ''}); backend ${backend.label}` });
  try {
    const out = await executeExperiment({
      spec,
      trainRows,
      evalRows,
      model,
      tokenizer,
      resolveArtifact: artifactResolver(db, spec, dataset),
      provenance: { app_version: p.appVersion, git_commit: p.gitCommit, backend: backend.backend, adapter: adapterLabel(backend) },
      signal,
      onProgress: (tp) => progress({ kind: 'train', ...tp }),
      onLog: (entry) => progress({ kind: 'log', entry: entry as Record<string, number> }),
      onMessage: (line) => progress({ kind: 'message', line }),
    });

    const createdAt = new Date().toISOString();
    let modelId: string | null = null;
    if (p.keepWeights !== false) {
      const { safetensors } = await model.exportHf();
      modelId = `run:${p.runId}`;
      await saveModel(
        db,
        { id: modelId, name: `${spec.config.name} (${createdAt.slice(0, 16).replace('T', ' ')})`, source: `run:${p.runId}`, createdAt, config, tokenizer: tokenizerRecord, bytes: safetensors.byteLength },
        { name: 'model.safetensors', bytes: safetensors.slice().buffer },
      );
    }
    if (out.train.cartography) {
      await saveArtifact(db, {
        // Named by the run so that Results finds a run's data map without reading other artifacts.
        id: runCartographyId(p.runId),
        kind: 'cartography',
        name: `cartography · ${spec.config.name} · ${trainSplit} · ${createdAt.slice(0, 16).replace('T', ' ')}`,
        datasetId: dataset.id,
        split: trainSplit,
        createdAt,
        producedBy: p.runId,
        data: { metrics: out.train.cartography, dynamics: out.train.dynamics ?? undefined, epochs: out.train.epochs },
      });
    }
    await saveArtifact(db, {
      id: `run-outputs:${p.runId}`,
      kind: 'run-outputs',
      name: `outputs of ${spec.config.name}`,
      datasetId: dataset.id,
      split: evalSplit,
      createdAt,
      producedBy: p.runId,
      data: {
        logHistory: out.train.logHistory as Record<string, number>[],
        predictions: out.train.predictions,
        filters: out.filters,
        messages: out.messages,
        modelId,
        datasetId: dataset.id,
        evalSplit: evalRows ? evalSplit : null,
      },
    });
    return out.result;
  } finally {
    model.dispose();
  }
}

export const experimentHandlers: HandlersOf<ExperimentApi> = {
  runExperiment: (params, { signal, progress }) => runExperiment(params, signal, progress),
};
