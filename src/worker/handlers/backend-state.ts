import { initTrainingBackend } from '../backend';
import type { BackendName, BackendReport, InitParams } from '../protocol';

let report: Promise<BackendReport> | null = null;

async function firstThatStarts(prefer: BackendName[], reason?: string): Promise<BackendReport> {
  const failures: string[] = [];
  for (const backend of prefer) {
    try {
      return await initTrainingBackend(backend === 'wasm' ? { backend, threads: 1 } : { backend }, reason);
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
  }
  throw new Error(`No tfjs backend could be started (${failures.join('; ') || 'none asked for'})`);
}

/**
 * Starts the worker's backend once; later callers get the same report. The UI thread decides which
 * backend by measurement (ui/state/backend.svelte.ts) and passes it here; without one the worker
 * takes the first of `prefer` that starts.
 */
export function initBackend(params: InitParams = {}): Promise<BackendReport> {
  if (!report) {
    report = params.candidate ? initTrainingBackend(params.candidate, params.reason) : firstThatStarts(params.prefer ?? ['webgpu', 'wasm', 'cpu'], params.reason);
    report.catch(() => (report = null));
  }
  return report;
}

/** The backend report, starting the default backend if nothing asked yet. */
export function ensureBackend(): Promise<BackendReport> {
  return initBackend();
}
