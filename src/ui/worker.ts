import { WorkerClient } from '../worker/client';

/**
 * The app's single training worker. Terminating it (e.g. after a WebGPU device loss) and
 * calling getWorker() again starts a fresh one.
 */
let worker: Worker | null = null;
let client: WorkerClient | null = null;

export function getWorker(): WorkerClient {
  if (!client) {
    worker = new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module', name: 'training' });
    const c = new WorkerClient(worker);
    worker.addEventListener('error', (e) => c.failAll(new Error(`Training worker crashed: ${e.message || 'unknown error'}`)));
    client = c;
  }
  return client;
}

export function restartWorker(): WorkerClient {
  client?.failAll(new Error('Training worker restarted'));
  worker?.terminate();
  worker = null;
  client = null;
  return getWorker();
}

let ready: Promise<unknown> = Promise.resolve();

/** Backend choice holds requests back while it measures and (re)starts the worker. */
export function holdWorkerUntil(p: Promise<unknown>): void {
  ready = p.catch(() => undefined);
}

/**
 * The training worker once its backend is chosen and started: a request sent earlier would make
 * the worker start a default backend of its own.
 */
export async function trainingWorker(): Promise<WorkerClient> {
  await ready;
  return getWorker();
}
