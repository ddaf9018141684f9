/// <reference lib="webworker" />
import { openLabDB, type LabDatabase } from '../storage/db';
import { DB_NAME } from '../storage/schema';
import { importSource, inspectSource, resolveSource, seedDemoDataset, type ImportSource, type ResolvedSource } from './import-job';
import { serializeError, type ImportEvent, type ImportRequest, type ResultOf } from './import-protocol';

/**
 * The import worker: parses, validates and writes datasets to IndexedDB off the main thread.
 * Hub downloads made for an "inspect" are kept (one source at a time) so the import that follows
 * does not fetch them again.
 */
declare const self: DedicatedWorkerGlobalScope;

const dbs = new Map<string, Promise<LabDatabase>>();
const running = new Map<string, AbortController>();
let kept: { key: string; source: ResolvedSource } | null = null;

function db(name = DB_NAME): Promise<LabDatabase> {
  let p = dbs.get(name);
  if (!p) {
    p = openLabDB({ name, onVersionChange: () => dbs.delete(name) });
    dbs.set(name, p);
  }
  return p;
}

function post(ev: ImportEvent): void {
  self.postMessage(ev);
}

function keyOf(src: ImportSource): string | null {
  return src.kind === 'hub' ? JSON.stringify([src.endpoint ?? '', src.dataset, src.config ?? '', src.splits ?? []]) : null;
}

async function resolve(src: ImportSource, id: string, signal: AbortSignal): Promise<ResolvedSource> {
  const key = keyOf(src);
  if (key && kept?.key === key) return kept.source;
  const resolved = await resolveSource(src, { signal, onProgress: (progress) => post({ type: 'progress', id, progress }) });
  kept = key ? { key, source: resolved } : null;
  return resolved;
}

async function handle(req: Exclude<ImportRequest, { type: 'cancel' }>, signal: AbortSignal): Promise<ResultOf[typeof req.type]> {
  const onProgress = (progress: ImportEvent & { type: 'progress' } extends { progress: infer P } ? P : never) => post({ type: 'progress', id: req.id, progress });
  switch (req.type) {
    case 'inspect': {
      const src = await resolve(req.source, req.id, signal);
      const report = await inspectSource(src, req.policy, { signal, onProgress });
      const splits = Object.fromEntries(Object.entries(src.splits).map(([s, files]) => [s, files.map((f) => f.name)]));
      return { report, suggestedName: src.suggestedName, label: src.label, totalBytes: src.totalBytes, splits };
    }
    case 'import': {
      const src = await resolve(req.source, req.id, signal);
      const result = await importSource(await db(req.dbName), src, { name: req.name, policy: req.policy, replace: req.replace, signal, onProgress });
      kept = null;
      return result;
    }
    case 'seed-demo':
      return seedDemoDataset(await db(req.dbName), { force: req.force });
    case 'forget':
      kept = null;
      return null;
  }
}

self.addEventListener('message', (ev: MessageEvent<ImportRequest>) => {
  const req = ev.data;
  if (req.type === 'cancel') {
    running.get(req.target)?.abort();
    post({ type: 'result', id: req.id, request: 'cancel', result: null });
    return;
  }
  const ctl = new AbortController();
  running.set(req.id, ctl);
  handle(req, ctl.signal)
    .then((result) => post({ type: 'result', id: req.id, request: req.type, result } as ImportEvent))
    .catch((e) => post({ type: 'error', id: req.id, error: ctl.signal.aborted ? { name: 'AbortError', message: 'Cancelled; nothing was written' } : serializeError(e) }))
    .finally(() => running.delete(req.id));
});
