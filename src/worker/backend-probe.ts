/**
 * Times backend candidates on the UI thread's behalf, each in a fresh training worker that is
 * terminated afterwards: a wasm worker keeps its thread pool for life, and a backend that hangs
 * or crashes (a software GPU, a lost device) takes only its own worker down.
 */
import { WorkerClient } from './client';
import type { WorkerApi } from './protocol';
import { candidateLabel, type BackendCandidate, type BackendMeasurement, type ProbeSetup } from '../domain/compute/backend-choice';
import { ProbeProgress } from '../domain/compute/probe-progress';

export interface ProbeWorker {
  client: WorkerClient<WorkerApi>;
  terminate(): void;
}

/** A fresh training worker for one probe (the same script as the app's training worker). */
export function spawnProbeWorker(): ProbeWorker {
  const worker = new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module', name: 'backend-probe' });
  const client = new WorkerClient<WorkerApi>(worker);
  worker.addEventListener('error', (e) => client.failAll(new Error(`probe worker crashed: ${e.message || 'unknown error'}`)));
  return { client, terminate: () => worker.terminate() };
}

/** Times one candidate; stops it at `deadlineMs` with what it learnt by then. */
export async function measureInFreshWorker(
  spawn: () => ProbeWorker,
  candidate: BackendCandidate,
  config: Record<string, unknown>,
  probe: ProbeSetup,
  deadlineMs: number,
): Promise<BackendMeasurement> {
  const w = spawn();
  const t0 = performance.now();
  const seen = new ProbeProgress();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<BackendMeasurement>((resolve) => {
    timer = setTimeout(() => resolve(seen.atDeadline(candidate, probe, deadlineMs, performance.now())), deadlineMs);
  });
  try {
    const run = w.client
      .call('measureStep', { candidate, config, probe }, { onProgress: (p) => seen.record(p.phase, p.ms, performance.now()) })
      .catch((e: unknown): BackendMeasurement => ({ candidate, ok: false, note: `${candidateLabel(candidate)} failed: ${e instanceof Error ? e.message : String(e)}` }));
    const m = await Promise.race([run, deadline]);
    return m.ok ? { ...m, note: `${m.note}; ${((performance.now() - t0) / 1000).toFixed(1)} s with worker start` } : m;
  } finally {
    clearTimeout(timer);
    w.terminate();
  }
}
