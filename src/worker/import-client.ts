import type { ImportErrorInfo, ImportEvent, ImportRequest, JobProgress, ResultOf } from './import-protocol';

/** An error raised in the import worker; quota errors keep how much space was needed and free. */
export class ImportWorkerError extends Error {
  readonly needed?: number;
  readonly available?: number | null;
  constructor(info: ImportErrorInfo) {
    super(info.message);
    this.name = info.name;
    this.needed = info.needed;
    this.available = info.available;
  }
}

export interface ImportPort {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  terminate?(): void;
}

type RequestOf<K extends keyof ResultOf> = Omit<Extract<ImportRequest, { type: K }>, 'id' | 'type'>;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (p: JobProgress) => void;
}

/** Typed calls to the import worker with ids, progress callbacks and AbortSignal cancellation. */
export class ImportClient {
  private readonly pending = new Map<string, Pending>();
  private seq = 0;

  constructor(private readonly port: ImportPort) {
    port.addEventListener('message', (ev: MessageEvent) => this.onMessage(ev.data as ImportEvent));
  }

  call<K extends Exclude<keyof ResultOf, 'cancel'>>(
    type: K,
    params: RequestOf<K>,
    opts: { onProgress?: (p: JobProgress) => void; signal?: AbortSignal } = {},
  ): Promise<ResultOf[K]> {
    const id = `${type}-${++this.seq}`;
    return new Promise<ResultOf[K]>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new ImportWorkerError({ name: 'AbortError', message: 'Cancelled; nothing was written' }));
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      opts.signal?.addEventListener('abort', () => this.port.postMessage({ type: 'cancel', id: `${id}-cancel`, target: id } satisfies ImportRequest), { once: true });
      this.port.postMessage({ ...params, type, id } as ImportRequest);
    });
  }

  /** Rejects every open call (the worker died). */
  failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private onMessage(ev: ImportEvent): void {
    const p = this.pending.get(ev.id);
    if (!p) return;
    if (ev.type === 'progress') p.onProgress?.(ev.progress);
    else {
      this.pending.delete(ev.id);
      if (ev.type === 'result') p.resolve(ev.result);
      else p.reject(new ImportWorkerError(ev.error));
    }
  }
}

let shared: ImportClient | null = null;

/** The app's import worker, started on first use. */
export function getImportClient(): ImportClient {
  if (!shared) {
    const worker = new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module', name: 'import' });
    const client = new ImportClient(worker);
    worker.addEventListener('error', (e) => {
      client.failAll(new Error(`Import worker crashed: ${e.message || 'unknown error'}`));
      shared = null;
    });
    shared = client;
  }
  return shared;
}
