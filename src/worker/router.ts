import {
  CancelledError,
  serializeError,
  type FromWorker,
  type ToWorker,
  type WorkerApi,
} from './protocol';

/** What a handler gets besides its params. */
export interface HandlerContext<P> {
  signal: AbortSignal;
  /** Sends a progress event; pass ArrayBuffers to transfer instead of copying. */
  progress(data: P, transfer?: Transferable[]): void;
}

/** A handler's return value; wrap with `transfer()` to move ArrayBuffers to the UI. */
export type HandlerResult<R> = R | Transferring<R>;

export class Transferring<R> {
  constructor(
    readonly value: R,
    readonly list: Transferable[],
  ) {}
}

export function transfer<R>(value: R, list: Transferable[]): Transferring<R> {
  return new Transferring(value, list);
}

/** The shape every worker API interface has: method name → {params, progress, result}. */
export type MethodsOf<Api> = { [K in keyof Api]: { params: unknown; progress: unknown; result: unknown } };

/** Handlers for the methods of one API interface (a feature's slice of WorkerApi). */
export type HandlersOf<Api extends MethodsOf<Api>> = {
  [K in keyof Api]: (params: Api[K]['params'], ctx: HandlerContext<Api[K]['progress']>) => Promise<HandlerResult<Api[K]['result']>>;
};

/** Handlers for every method of the worker. */
export type Handlers = HandlersOf<WorkerApi>;

export interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
}

/**
 * Dispatches requests to handlers, one AbortController per request id. Handlers run
 * concurrently only if they await; the training handler checks its signal between steps.
 * Generic over the API so that other workers (the cluster worker) reuse it with their own
 * interface; the default is the training worker's.
 */
export function serve<Api extends MethodsOf<Api> = WorkerApi>(port: Port, handlers: HandlersOf<Api>): void {
  const running = new Map<string, AbortController>();
  const send = (msg: FromWorker, list: Transferable[] = []) => port.postMessage(msg, list);

  port.addEventListener('message', (ev: MessageEvent) => {
    const msg = ev.data as ToWorker | { id: string; method: string; params: unknown };
    if (!msg || typeof msg !== 'object' || typeof msg.id !== 'string') return;
    if (msg.method === '$cancel' && 'target' in msg) {
      running.get(msg.target)?.abort();
      return;
    }
    const handler = (handlers as Record<string, unknown>)[msg.method] as ((p: unknown, c: HandlerContext<unknown>) => Promise<unknown>) | undefined;
    if (!handler) {
      send({ id: msg.id, kind: 'error', error: { name: 'Error', message: `Unknown method "${String(msg.method)}"` } });
      return;
    }
    const controller = new AbortController();
    running.set(msg.id, controller);
    const ctx: HandlerContext<unknown> = {
      signal: controller.signal,
      progress: (data, list) => {
        if (!controller.signal.aborted) send({ id: msg.id, kind: 'progress', data }, list);
      },
    };
    handler((msg as { params: unknown }).params, ctx)
      .then((out) => {
        if (out instanceof Transferring) send({ id: msg.id, kind: 'result', data: out.value }, out.list);
        else send({ id: msg.id, kind: 'result', data: out });
      })
      .catch((e: unknown) => {
        if (e instanceof CancelledError || (controller.signal.aborted && isAbortLike(e))) {
          send({ id: msg.id, kind: 'cancelled' });
        } else {
          send({ id: msg.id, kind: 'error', error: serializeError(e) });
        }
      })
      .finally(() => running.delete(msg.id));
  });
}

function isAbortLike(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'CancelledError');
}

/** Throws CancelledError if the signal fired; call between units of work. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}
