import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
// The threaded build's Emscripten factory and its pristine source (see keepThreadedFactorySource).
import threadedFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import threadedFactorySource from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';
import type { BackendReport } from './protocol';
import { probeAdapter } from './adapter';
import { candidateLabel, type BackendCandidate, type BackendMeasurement, type ProbeSetup } from '../domain/compute/backend-choice';
import { measureTrainingStep } from '../domain/train/step-probe';

// The wasm binaries are bundled assets (precached by the service worker), never fetched from a CDN.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/**
 * tfjs starts each wasm pthread from a Blob holding `factory.toString()`. Once bundled and
 * minified, that function refers to names outside itself and the pthreads die with
 * "ReferenceError: e is not defined". The factory's source as published is self-contained, so the
 * function reports that source instead (tfjs prepends `var WasmBackendModuleThreadedSimd = `).
 */
function keepThreadedFactorySource(): void {
  const prefix = 'var WasmBackendModuleThreadedSimd = ';
  const at = threadedFactorySource.indexOf(prefix);
  if (at < 0 || typeof threadedFactory !== 'function') return;
  const body = threadedFactorySource.slice(at + prefix.length);
  Object.defineProperty(threadedFactory, 'toString', { value: () => body, configurable: true });
}
keepThreadedFactorySource();

/** SharedArrayBuffer can be posted: the page is cross-origin isolated (what threaded wasm needs). */
export function wasmThreadsUsable(): boolean {
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) return false;
  try {
    new MessageChannel().port1.postMessage(new SharedArrayBuffer(1));
    return true;
  } catch {
    return false;
  }
}

let started: BackendCandidate | null = null;

/**
 * Starts one candidate in this worker. The wasm thread pool is fixed when the backend first
 * initialises, so a worker runs one wasm variant for its life: the single-thread candidate loads
 * the plain SIMD build, the threaded one the threaded SIMD build with `threads` workers.
 */
export async function startBackend(c: BackendCandidate): Promise<{ backend: string; threads?: number }> {
  if (c.backend === 'wasm') {
    const threads = c.threads ?? 1;
    if (started?.backend === 'wasm' && (started.threads ?? 1) !== threads) {
      throw new Error(`This worker already runs wasm with ${started.threads ?? 1} thread(s); start a fresh worker for ${candidateLabel(c)}`);
    }
    if (threads > 1 && !wasmThreadsUsable()) throw new Error('threaded wasm needs a cross-origin isolated page (SharedArrayBuffer)');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
    // tfjs-wasm caps its pool at hardwareConcurrency / 2 (it assumes two hyper-threads per core),
    // which gives one thread on a 2-core machine. The count is read once, when the module starts in
    // this worker; report the cores so that the cap lets `threads` through.
    if (threads > 1) Object.defineProperty(globalThis.navigator, 'hardwareConcurrency', { value: threads * 2, configurable: true });
    setThreadsCount(threads);
  }
  let ok = false;
  try {
    ok = await tf.setBackend(c.backend);
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`${candidateLabel(c)}: the backend failed to initialise`);
  await tf.ready();
  if (c.backend === 'wasm') started = { backend: 'wasm', threads: getThreadsCount() };
  return { backend: tf.getBackend(), ...(c.backend === 'wasm' ? { threads: getThreadsCount() } : {}) };
}

/** Starts the candidate and times the trainer's step with the op mix of `configJson`'s model. */
export async function measureHere(
  c: BackendCandidate,
  configJson: Record<string, unknown>,
  probe: ProbeSetup,
  onStep?: (phase: 'warmup' | 'step', ms: number) => void,
): Promise<BackendMeasurement> {
  const { threads } = await startBackend(c);
  return measureTrainingStep(c.backend === 'wasm' ? { ...c, threads } : c, configJson, probe, { onStep });
}

/** Starts the backend the training worker will use and describes it. */
export async function initTrainingBackend(c: BackendCandidate, reason?: string): Promise<BackendReport> {
  const adapter = c.backend === 'webgpu' ? await probeAdapter() : null;
  const { threads } = await startBackend(c);
  return {
    backend: c.backend,
    label: candidateLabel({ ...c, ...(threads ? { threads } : {}), ...(adapter ? { software: adapter.isFallback } : {}) }),
    ...(threads ? { threads } : {}),
    adapter,
    crossOriginIsolated: Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated),
    tfjsVersion: tf.version.tfjs,
    ...(reason ? { reason } : {}),
  };
}
