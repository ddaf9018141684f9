/**
 * The one typed protocol for all UI ↔ training-worker traffic.
 *
 * Every request carries an id; the worker answers with any number of `progress` events and then
 * exactly one of `result`, `error` or `cancelled` for that id. Cancellation is an explicit
 * `$cancel` message naming the request. Large arrays travel as transferred ArrayBuffers.
 */

import type { ExperimentApi } from './api/experiment';
import type { ParityFixtureFiles, ParityReport } from '../domain/model/parity';
import type { EmbeddingsApi } from './api/embeddings';
import type { TrainApi } from './api/train';

import type { BackendCandidate, BackendMeasurement, BackendName, ProbeSetup } from '../domain/compute/backend-choice';

export type { BackendCandidate, BackendMeasurement, BackendName } from '../domain/compute/backend-choice';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters (SwiftShader) and adapters the browser marks as fallback. */
  isFallback: boolean;
}

export interface BackendReport {
  backend: BackendName;
  /** "wasm ×2 threads", "webgpu (software)", … */
  label: string;
  /** wasm: the thread pool's size. */
  threads?: number;
  /** The WebGPU adapter when the backend is webgpu. */
  adapter: AdapterInfo | null;
  /** Whether the worker runs cross-origin isolated (SharedArrayBuffer, threaded wasm). */
  crossOriginIsolated: boolean;
  tfjsVersion: string;
  /** Why this backend trains (from the measured choice), when the caller gave one. */
  reason?: string;
}

export interface InitParams {
  /** The backend to start; absent = the first of `prefer` (default webgpu, wasm, cpu) that starts. */
  candidate?: BackendCandidate;
  prefer?: BackendName[];
  reason?: string;
}

export interface MeasureParams {
  candidate: BackendCandidate;
  /** Hugging Face config.json of the model whose step is timed. */
  config: Record<string, unknown>;
  probe: ProbeSetup;
}

export interface GradCheckParams {
  /** Row-major matrices: loss = sum(A · B); the gradient with respect to A is returned. */
  a: number[][];
  b: number[][];
}

export interface GradCheckResult {
  backend: BackendName;
  loss: number;
  gradA: number[][];
}

/** One method's parameters, progress payload and result. */
export interface MethodSpec<P, G, R> {
  params: P;
  progress: G;
  result: R;
}

/** The worker's own housekeeping methods. */
export interface CoreApi {
  init: MethodSpec<InitParams, { stage: string }, BackendReport>;
  /** Starts a candidate backend in this (fresh, throw-away) worker and times a training step on it. */
  measureStep: MethodSpec<MeasureParams, { phase: 'warmup' | 'step'; ms: number }, BackendMeasurement>;
  gradCheck: MethodSpec<GradCheckParams, never, GradCheckResult>;
  /** Sleeps in small slices, reporting progress, until cancelled or done (exercises cancellation). */
  tick: MethodSpec<{ steps: number; ms: number }, { step: number }, { steps: number }>;
  /** Runs the PyTorch parity check of one fixture folder on the worker's backend. */
  parity: MethodSpec<ParityFixtureFiles, never, ParityReport>;
}

/**
 * Every method the worker offers. Each feature declares its methods in its own module
 * (src/worker/api/*.ts) as an interface and is added to this list; its handlers live in
 * src/worker/handlers/ and are registered in training.worker.ts.
 */
export interface WorkerApi extends CoreApi, ExperimentApi, EmbeddingsApi, TrainApi {}

export type MethodName = keyof WorkerApi;

export type RequestMessage = {
  [K in MethodName]: { id: string; method: K; params: WorkerApi[K]['params'] };
}[MethodName];

export interface CancelMessage {
  id: string;
  method: '$cancel';
  target: string;
}

export type ToWorker = RequestMessage | CancelMessage;

export interface SerializedError {
  name: string;
  message: string;
  /** Machine-readable reason when known: 'oom', 'device-lost', 'nan-loss', 'invalid-input', ... */
  code?: string;
}

export type FromWorker =
  | { id: string; kind: 'progress'; data: unknown }
  | { id: string; kind: 'result'; data: unknown }
  | { id: string; kind: 'error'; error: SerializedError }
  | { id: string; kind: 'cancelled' };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(e) };
}

/** Thrown inside handlers when their AbortSignal fired; the router turns it into `cancelled`. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('Cancelled');
  }
}

/** Collects every ArrayBuffer reachable through typed arrays/ArrayBuffers one level deep in a value. */
export function transferablesOf(value: unknown, out: Transferable[] = [], depth = 0): Transferable[] {
  if (value == null || depth > 4) return out;
  if (value instanceof ArrayBuffer) {
    if (!out.includes(value)) out.push(value);
  } else if (ArrayBuffer.isView(value)) {
    const buf = value.buffer;
    if (buf instanceof ArrayBuffer && !out.includes(buf)) out.push(buf);
  } else if (Array.isArray(value)) {
    for (const v of value) transferablesOf(v, out, depth + 1);
  } else if (typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) transferablesOf(v, out, depth + 1);
  }
  return out;
}
