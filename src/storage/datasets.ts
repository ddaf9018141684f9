import { unwrap } from 'idb';
import type { LabDatabase } from './db';
import { EXAMPLES_PER_CHUNK, type DatasetMeta, type ExampleChunk, type SplitSummary } from './schema';
import type { QARecord } from '../domain/data/types';
import { sampleIndices, type SampleSpec } from '../domain/data/sample';

/** A dataset with the same name exists and the import was not asked to replace it. */
export class DatasetExistsError extends Error {
  override readonly name = 'DatasetExistsError';
  constructor(
    readonly datasetName: string,
    readonly existingId: string,
  ) {
    super(`A dataset named "${datasetName}" already exists; choose another name or replace it`);
  }
}

/** The browser refused to store the import: nothing was written. */
export class StorageQuotaError extends Error {
  override readonly name = 'StorageQuotaError';
  constructor(
    readonly needed: number,
    readonly available: number | null,
    cause: unknown,
  ) {
    super(
      `Not enough storage space: the import needs about ${mb(needed)}` +
        (available === null ? ' and the browser did not say how much is free' : ` but only ${mb(available)} is available`) +
        '. Nothing was written; free space (delete datasets or models) or ask for persistent storage.',
      { cause },
    );
  }
}

/** The import was cancelled; the database is as it was before. */
export class ImportAbortedError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('Import cancelled; nothing was written');
  }
}

function mb(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Approximate stored size of a row: UTF-16 code units × 2 of its text fields (see SplitSummary.bytes). */
export function rowBytes(r: QARecord): number {
  let n = r.context.length + r.question.length + r.id.length + (r.title?.length ?? 0);
  for (const t of r.answers.text) n += t.length + 8;
  return n * 2 + 16 * r.answers.answer_start.length;
}

export interface ImportDraft {
  name: string;
  source: string;
  /** Notes to store with the dataset; a function is called after every row was read (to include counts). */
  importNotes?: string[] | (() => string[]);
  /** Id for the new dataset; generated when absent. */
  id?: string;
}

export interface ImportProgress {
  split: string;
  /** Rows written so far in this split. */
  rows: number;
  /** Rows written so far in all splits. */
  totalRows: number;
}

export interface ImportOptions {
  /** Replace a dataset of the same name (in the same transaction). Without it, a clash is an error. */
  replace?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** Size of the input, used for the quota message when it exceeds what was counted before the failure. */
  expectedBytes?: number;
  /** Space estimate; defaults to navigator.storage.estimate when the environment has it. */
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
}

export type SplitRows = Record<string, AsyncIterable<QARecord> | Iterable<QARecord>>;

function newId(): string {
  const r = new Uint32Array(2);
  crypto.getRandomValues(r);
  return `ds-${Date.now().toString(36)}-${r[0].toString(36)}${r[1].toString(36)}`;
}

/** All keys of one dataset's chunks: [id] sorts before, and [id, []] after, every [id, split, n]. */
function datasetChunkRange(id: string): IDBKeyRange {
  return IDBKeyRange.bound([id], [id, []]);
}

/**
 * Feeds writes into one IndexedDB transaction while the rows come from asynchronous sources (file
 * reads, network). A transaction only accepts requests while one of its own request callbacks runs,
 * and commits as soon as none is pending; so the pump keeps a cheap read in flight at all times and
 * issues the queued writes from inside those callbacks. That keeps the import a single
 * all-or-nothing transaction with only a few chunks in memory at once.
 */
class WritePump {
  private readonly queue: ((stores: { datasets: IDBObjectStore; examples: IDBObjectStore }) => void)[] = [];
  private readonly drained: (() => void)[] = [];
  private closing = false;
  private error: unknown = null;
  readonly finished: Promise<void>;
  private readonly stores: { datasets: IDBObjectStore; examples: IDBObjectStore };

  constructor(private readonly tx: IDBTransaction) {
    this.stores = { datasets: tx.objectStore('datasets'), examples: tx.objectStore('examples') };
    this.finished = new Promise<void>((resolve, reject) => {
      tx.addEventListener('complete', () => resolve());
      tx.addEventListener('abort', () => {
        this.error ??= tx.error ?? new ImportAbortedError();
        this.wake();
        reject(this.error);
      });
    });
    // The rejection is observed through `finished` by whoever awaits it; keep it from being reported as unhandled meanwhile.
    this.finished.catch(() => {});
    this.tick();
  }

  get failed(): unknown {
    return this.error;
  }

  private wake(): void {
    for (const w of this.drained.splice(0)) w();
  }

  private readonly tick = (): void => {
    if (this.error) return;
    try {
      for (const op of this.queue.splice(0)) op(this.stores);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.wake();
    if (this.closing) return;
    const ping = this.stores.datasets.get('');
    ping.onsuccess = this.tick;
  };

  /** Queues a write; resolves once it has been issued (backpressure for fast producers). */
  async write(op: (stores: { datasets: IDBObjectStore; examples: IDBObjectStore }) => void): Promise<void> {
    if (this.error) throw this.error;
    this.queue.push(op);
    await new Promise<void>((r) => this.drained.push(r));
    if (this.error) throw this.error;
  }

  /** Queues the last writes and lets the transaction commit. */
  async close(op: (stores: { datasets: IDBObjectStore; examples: IDBObjectStore }) => void): Promise<void> {
    if (this.error) throw this.error;
    this.queue.push(op);
    this.closing = true;
    await this.finished;
  }

  fail(e: unknown): void {
    this.error ??= e;
    try {
      this.tx.abort();
    } catch {
      // Already finished or aborting.
    }
    this.wake();
  }
}

async function spaceAvailable(opts: ImportOptions): Promise<number | null> {
  // Navigator in windows, WorkerNavigator in workers: both have storage where the browser supports it.
  const storage = (globalThis.navigator as { storage?: StorageManager } | undefined)?.storage;
  const estimate = opts.estimate ?? (typeof storage?.estimate === 'function' ? () => storage.estimate() : undefined);
  if (!estimate) return null;
  try {
    const e = await estimate();
    return e.quota !== undefined && e.usage !== undefined ? Math.max(0, e.quota - e.usage) : null;
  } catch {
    return null;
  }
}

function isQuotaError(e: unknown): boolean {
  return e instanceof Error || e instanceof DOMException ? (e as Error).name === 'QuotaExceededError' : false;
}

/**
 * Writes a dataset (meta + every chunk of every split) in ONE readwrite transaction: if a source
 * throws, the signal aborts, or the browser runs out of space, the transaction is aborted and the
 * database is exactly as before. A name clash is an error unless `replace` is set, in which case the
 * old dataset's meta and chunks are deleted in the same transaction.
 */
export async function importDataset(db: LabDatabase, draft: ImportDraft, splits: SplitRows, opts: ImportOptions = {}): Promise<DatasetMeta> {
  const name = draft.name.trim();
  if (!name) throw new Error('A dataset needs a name');
  if (Object.keys(splits).length === 0) throw new Error('A dataset needs at least one split');
  opts.signal?.throwIfAborted();
  const id = draft.id ?? newId();
  const tx = db.transaction(['datasets', 'examples'], 'readwrite');
  const rawTx = unwrap(tx) as IDBTransaction;
  let pump: WritePump | null = null;
  let counted = 0;
  const onAbort = () => (pump ? pump.fail(new ImportAbortedError()) : rawTx.abort());
  opts.signal?.addEventListener('abort', onAbort);
  try {
    const existing = await tx.objectStore('datasets').getAll();
    const clash = existing.find((d) => d.name === name && d.id !== id);
    if (clash && !opts.replace) throw new DatasetExistsError(name, clash.id);
    if (existing.some((d) => d.id === id)) throw new Error(`A dataset with id "${id}" already exists`);
    // From here on every request is issued inside a request callback (see WritePump).
    pump = new WritePump(rawTx);
    if (clash) {
      const oldId = clash.id;
      await pump.write((s) => {
        s.datasets.delete(oldId);
        s.examples.delete(datasetChunkRange(oldId));
      });
    }
    const summaries: Record<string, SplitSummary> = {};
    let totalRows = 0;
    for (const [split, rows] of Object.entries(splits)) {
      const summary: SplitSummary = { rows: 0, chunks: 0, bytes: 0 };
      summaries[split] = summary;
      let buf: QARecord[] = [];
      const flush = async () => {
        const chunk: ExampleChunk = { datasetId: id, split, chunk: summary.chunks, rows: buf };
        buf = [];
        summary.chunks++;
        await pump!.write((s) => {
          const req = s.examples.put(chunk);
          req.onerror = () => pump!.fail(req.error);
        });
        opts.onProgress?.({ split, rows: summary.rows, totalRows });
      };
      for await (const row of rows) {
        if (pump.failed) throw pump.failed;
        buf.push(row);
        summary.rows++;
        totalRows++;
        const b = rowBytes(row);
        summary.bytes += b;
        counted += b;
        if (buf.length === EXAMPLES_PER_CHUNK) await flush();
      }
      if (buf.length) await flush();
    }
    const notes = typeof draft.importNotes === 'function' ? draft.importNotes() : draft.importNotes;
    const meta: DatasetMeta = {
      id,
      name,
      source: draft.source,
      splits: summaries,
      createdAt: new Date().toISOString(),
      ...(notes && notes.length ? { importNotes: notes } : {}),
    };
    await pump.close((s) => {
      s.datasets.put(meta);
    });
    return meta;
  } catch (e) {
    const cause = pump?.failed ?? e;
    if (pump) pump.fail(cause);
    else {
      try {
        rawTx.abort();
      } catch {
        // The transaction already finished.
      }
    }
    await tx.done.catch(() => {});
    if (isQuotaError(cause)) {
      throw new StorageQuotaError(Math.max(counted, opts.expectedBytes ?? 0), await spaceAvailable(opts), cause);
    }
    if (opts.signal?.aborted || cause instanceof ImportAbortedError || (cause as Error)?.name === 'AbortError') throw new ImportAbortedError();
    throw cause;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export interface DatasetListing extends DatasetMeta {
  totalRows: number;
  totalBytes: number;
}

/** Every stored dataset, newest first, with row and byte totals. */
export async function listDatasets(db: LabDatabase): Promise<DatasetListing[]> {
  const all = await db.getAll('datasets');
  return all
    .map((d) => {
      const s = Object.values(d.splits);
      return { ...d, totalRows: s.reduce((a, x) => a + x.rows, 0), totalBytes: s.reduce((a, x) => a + x.bytes, 0) };
    })
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.name.localeCompare(b.name)));
}

export async function getDataset(db: LabDatabase, id: string): Promise<DatasetMeta | undefined> {
  return db.get('datasets', id);
}

export async function findDatasetByName(db: LabDatabase, name: string): Promise<DatasetMeta | undefined> {
  return (await db.getAll('datasets')).find((d) => d.name === name.trim());
}

/** Renames a dataset; a name used by another dataset is refused. */
export async function renameDataset(db: LabDatabase, id: string, newName: string): Promise<DatasetMeta> {
  const name = newName.trim();
  if (!name) throw new Error('A dataset needs a name');
  const tx = db.transaction('datasets', 'readwrite');
  const all = await tx.store.getAll();
  const meta = all.find((d) => d.id === id);
  if (!meta) {
    tx.abort();
    await tx.done.catch(() => {});
    throw new Error(`No dataset with id "${id}"`);
  }
  const clash = all.find((d) => d.name === name && d.id !== id);
  if (clash) {
    tx.abort();
    await tx.done.catch(() => {});
    throw new DatasetExistsError(name, clash.id);
  }
  const updated = { ...meta, name };
  await tx.store.put(updated);
  await tx.done;
  return updated;
}

/** Deletes a dataset's meta and all its chunks in one transaction. Returns false when it did not exist. */
export async function deleteDataset(db: LabDatabase, id: string): Promise<boolean> {
  const tx = db.transaction(['datasets', 'examples'], 'readwrite');
  const meta = await tx.objectStore('datasets').get(id);
  if (!meta) {
    await tx.done;
    return false;
  }
  await Promise.all([tx.objectStore('datasets').delete(id), tx.objectStore('examples').delete(datasetChunkRange(id)), tx.done]);
  return true;
}

async function requireSplit(db: LabDatabase, id: string, split: string): Promise<SplitSummary> {
  const meta = await db.get('datasets', id);
  if (!meta) throw new Error(`No dataset with id "${id}"`);
  const s = meta.splits[split];
  if (!s) throw new Error(`Dataset "${meta.name}" has no split "${split}" (it has: ${Object.keys(meta.splits).join(', ')})`);
  return s;
}

/** Number of rows of one split, or of all splits. */
export async function countRows(db: LabDatabase, id: string, split?: string): Promise<number> {
  if (split !== undefined) return (await requireSplit(db, id, split)).rows;
  const meta = await db.get('datasets', id);
  if (!meta) throw new Error(`No dataset with id "${id}"`);
  return Object.values(meta.splits).reduce((a, s) => a + s.rows, 0);
}

async function getChunk(db: LabDatabase, id: string, split: string, n: number): Promise<QARecord[]> {
  const c = await db.get('examples', [id, split, n]);
  if (!c) throw new Error(`Dataset "${id}" split "${split}" is missing chunk ${n}; the stored data is damaged`);
  return c.rows;
}

/** The rows of a split, chunk by chunk (each chunk read in its own short transaction). */
export async function* readSplitChunks(db: LabDatabase, id: string, split: string): AsyncGenerator<QARecord[]> {
  const s = await requireSplit(db, id, split);
  for (let n = 0; n < s.chunks; n++) yield await getChunk(db, id, split, n);
}

/** The rows of a split one by one, in stored order. */
export async function* readSplitRows(db: LabDatabase, id: string, split: string): AsyncGenerator<QARecord> {
  for await (const rows of readSplitChunks(db, id, split)) yield* rows;
}

/** `limit` rows starting at row `offset` (for paging). */
export async function readRowRange(db: LabDatabase, id: string, split: string, offset: number, limit: number): Promise<QARecord[]> {
  const s = await requireSplit(db, id, split);
  const end = Math.min(s.rows, offset + limit);
  const out: QARecord[] = [];
  for (let n = Math.floor(offset / EXAMPLES_PER_CHUNK); n * EXAMPLES_PER_CHUNK < end; n++) {
    const rows = await getChunk(db, id, split, n);
    const base = n * EXAMPLES_PER_CHUNK;
    for (let i = Math.max(offset, base); i < Math.min(end, base + rows.length); i++) out.push(rows[i - base]);
  }
  return out;
}

/** The first n rows (max_train_samples / max_eval_samples semantics); every row when n is null. */
export async function readFirstRows(db: LabDatabase, id: string, split: string, n: number | null = null): Promise<QARecord[]> {
  return readRowRange(db, id, split, 0, n ?? Number.MAX_SAFE_INTEGER);
}

/** The rows a SampleSpec selects, in stored order, reading only the chunks that hold them. */
export async function readSample(db: LabDatabase, id: string, split: string, spec: SampleSpec): Promise<QARecord[]> {
  const s = await requireSplit(db, id, split);
  if (spec.mode !== 'random') return readFirstRows(db, id, split, spec.mode === 'first' ? spec.n : null);
  const idx = sampleIndices(s.rows, spec);
  const out: QARecord[] = [];
  let chunkNo = -1;
  let rows: QARecord[] = [];
  for (const i of idx) {
    const n = Math.floor(i / EXAMPLES_PER_CHUNK);
    if (n !== chunkNo) {
      rows = await getChunk(db, id, split, n);
      chunkNo = n;
    }
    out.push(rows[i - n * EXAMPLES_PER_CHUNK]);
  }
  return out;
}
