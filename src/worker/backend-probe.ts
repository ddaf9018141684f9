/**
 * Times backend candidates on the UI thread's behalf, each in a fresh training worker that is
 * terminated afterwards: a wasm worker keeps its thread pool for life, and a backend that hangs
 * or crashes (a software GPU, a lost device) takes only its own worker down.
 */
import { WorkerClient } from './client';
import type { WorkerApi } from './protocol';
import { candidateLabel, type BackendCandidate, type BackendMeasurement, type ProbeSetup } from '../domain/compute/backend-choice';

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
  // When the warm-up or the latest timed step ended: the step in flight started then.
  let lastDone: number | null = null;
  let warmupMs: number | undefined;
  const stepMs: number[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<BackendMeasurement>((resolve) => {
    timer = setTimeout(() => {
      const s = Math.round(deadlineMs / 1000);
      // The step in flight has run at least this long: a lower bound on a step's time.
      if (stepMs.length > 0) {
        const msPerStep = Math.round((10 * stepMs.reduce((a, b) => a + b, 0)) / stepMs.length) / 10;
        resolve({ candidate, ok: true, msPerStep, warmupMs, note: `${stepMs.length} of ${probe.steps} timed step(s) before the ${s} s deadline` });
      } else if (lastDone == null) {
        resolve({ candidate, ok: false, note: `stopped at the ${s} s deadline, still in its warm-up step (shader compilation or a very slow step)` });
      } else {
        const atLeastMs = Math.round(performance.now() - lastDone);
        resolve({ candidate, ok: false, atLeastMs, note: `stopped at the ${s} s deadline; its step in flight had run ${(atLeastMs / 1000).toFixed(1)} s` });
      }
    }, deadlineMs);
  });
  try {
    const run = w.client
      .call('measureStep', { candidate, config, probe }, {
        onProgress: (p) => {
          lastDone = performance.now();
          if (p.phase === 'warmup') warmupMs = Math.round(p.ms);
          else stepMs.push(p.ms);
        },
      })
      .catch((e: unknown): BackendMeasurement => ({ candidate, ok: false, note: `${candidateLabel(candidate)} failed: ${e instanceof Error ? e.message : String(e)}` }));
    const m = await Promise.race([run, deadline]);
    return m.ok ? { ...m, note: `${m.note}; ${((performance.now() - t0) / 1000).toFixed(1)} s with worker start` } : m;
  } finally {
    clearTimeout(timer);
    w.terminate();
  }
}
