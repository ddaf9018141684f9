import type { FromWorker, SerializedError, ToWorker, WorkerApi } from './protocol';
import type { MethodsOf } from './router';

export class WorkerCallError extends Error {
  readonly code?: string;
  constructor(err: SerializedError) {
    super(err.message);
    this.name = err.name === 'Error' ? 'WorkerCallError' : err.name;
    this.code = err.code;
  }
}

export class CallCancelledError extends Error {
  override name = 'AbortError';
  constructor() {
    super('The request was cancelled');
  }
}

export interface CallOptions<P> {
  onProgress?: (data: P) => void;
  signal?: AbortSignal;
  transfer?: Transferable[];
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (d: unknown) => void;
}

export interface ClientPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
}

/**
 * The UI side of the protocol: typed calls with ids, progress callbacks, AbortSignal-driven
 * cancellation. Events for ids it no longer waits for (stale responses) are dropped.
 * Generic over the API (default: the training worker's) so other workers reuse it.
 */
export class WorkerClient<Api extends MethodsOf<Api> = WorkerApi> {
  private pending = new Map<string, Pending>();
  private seq = 0;

  constructor(private readonly port: ClientPort) {
    port.addEventListener('message', (ev: MessageEvent) => this.onMessage(ev.data as FromWorker));
  }

  call<K extends keyof Api & string>(method: K, params: Api[K]['params'], opts: CallOptions<Api[K]['progress']> = {}): Promise<Api[K]['result']> {
    const id = `${method}-${++this.seq}-${Date.now().toString(36)}`;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new CallCancelledError());
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress as (d: unknown) => void });
      opts.signal?.addEventListener('abort', () => this.post({ id: `${id}-cancel`, method: '$cancel', target: id }), { once: true });
      this.post({ id, method, params } as unknown as ToWorker, opts.transfer);
    });
  }

  /** Rejects every outstanding call (used when the worker is terminated or crashed). */
  failAll(reason: Error): void {
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
  }

  private post(msg: ToWorker, transfer: Transferable[] = []): void {
    this.port.postMessage(msg, transfer);
  }

  private onMessage(msg: FromWorker): void {
    const p = this.pending.get(msg?.id);
    if (!p) return;
    switch (msg.kind) {
      case 'progress':
        p.onProgress?.(msg.data);
        break;
      case 'result':
        this.pending.delete(msg.id);
        p.resolve(msg.data);
        break;
      case 'error':
        this.pending.delete(msg.id);
        p.reject(new WorkerCallError(msg.error));
        break;
      case 'cancelled':
        this.pending.delete(msg.id);
        p.reject(new CallCancelledError());
        break;
    }
  }
}
