/**
 * The UI's handle on the cluster worker. Clustering stages are long synchronous computations, so
 * a `$cancel` message would only be read once the current stage ends; aborting a call here
 * terminates the worker at once instead (rejecting its calls with CallCancelledError), and the
 * next call starts a fresh one. The job writes its artifact in one put at the very end, so a
 * terminated job leaves nothing behind.
 */
import { CallCancelledError, WorkerClient, type CallOptions } from './client';
import type { ClusterApi } from './api/cluster';

export class ClusterWorkerClient {
  private worker: Worker | null = null;
  private client: WorkerClient<ClusterApi> | null = null;

  constructor(private readonly spawn: () => Worker = defaultSpawn) {}

  call<K extends keyof ClusterApi & string>(method: K, params: ClusterApi[K]['params'], opts: CallOptions<ClusterApi[K]['progress']> = {}): Promise<ClusterApi[K]['result']> {
    if (opts.signal?.aborted) return Promise.reject(new CallCancelledError());
    const client = this.ensure();
    const { signal, ...rest } = opts;
    const onAbort = () => this.terminate(new CallCancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    return client.call(method, params, rest).finally(() => signal?.removeEventListener('abort', onAbort));
  }

  /** Stops the worker and fails whatever it was doing. */
  terminate(reason: Error = new CallCancelledError()): void {
    this.client?.failAll(reason);
    this.worker?.terminate();
    this.worker = null;
    this.client = null;
  }

  private ensure(): WorkerClient<ClusterApi> {
    if (!this.client) {
      const w = this.spawn();
      const c = new WorkerClient<ClusterApi>(w);
      w.addEventListener('error', (e) => {
        c.failAll(new Error(`Cluster worker crashed: ${e.message || 'unknown error'}`));
        if (this.client === c) {
          this.worker = null;
          this.client = null;
        }
      });
      this.worker = w;
      this.client = c;
    }
    return this.client;
  }
}

function defaultSpawn(): Worker {
  return new Worker(new URL('./cluster.worker.ts', import.meta.url), { type: 'module', name: 'cluster' });
}

let shared: ClusterWorkerClient | null = null;

/** The app's cluster worker (started on first use). */
export function getClusterWorker(): ClusterWorkerClient {
  shared ??= new ClusterWorkerClient();
  return shared;
}
