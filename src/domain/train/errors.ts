/**
 * Errors a training run ends with, each with a machine-readable `code` that survives the worker
 * protocol (serializeError copies `code`): 'nan-loss', 'oom', 'device-lost', 'invalid-config',
 * 'invalid-input'. Cancellation is an Error named 'AbortError', as fetch and DOM APIs use.
 */

export type TrainErrorCode = 'nan-loss' | 'oom' | 'device-lost' | 'invalid-config' | 'invalid-input';

export class TrainError extends Error {
  override name = 'TrainError';
  constructor(
    readonly code: TrainErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The error a cancelled run throws. */
export function abortError(): Error {
  const e = new Error('Training was cancelled');
  e.name = 'AbortError';
  return e;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

// Messages tfjs and the browsers use. WebGPU: "Device is lost", GPUDevice.lost's "Device was
// destroyed", createBuffer failures ("Out of memory", "Failed to allocate"); wasm: "Aborted(OOM)",
// memory growth failures; the cpu backend and V8: "Array buffer allocation failed", "Invalid typed
// array length"; WebGL: "context lost", "Failed to create texture".
const OOM = /out of memory|\boom\b|allocation failed|failed to allocate|cannot allocate|could not allocate|invalid typed array length|memory limit|failed to create texture|requested size exceeds|maximum buffer size|exceeds the max buffer size/i;
const DEVICE_LOST = /device (is |was )?(lost|destroyed)|lost the device|context (was )?lost|gpu process (crashed|exited)/i;

/**
 * Turns a backend failure into a TrainError with a helpful message ('oom' or 'device-lost');
 * returns the input unchanged when it is neither (or is already a TrainError / AbortError).
 */
export function classifyBackendError(e: unknown, where: { batchSize: number; seqLength: number; backend: string }): unknown {
  if (e instanceof TrainError || isAbortError(e)) return e;
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const shape = `batch ${where.batchSize} × length ${where.seqLength} on the ${where.backend} backend`;
  if (DEVICE_LOST.test(text)) {
    return new TrainError(
      'device-lost',
      `The GPU device was lost during training (${shape}): ${text}. This usually means the GPU ran out of memory or was reset; ` +
        'try a smaller per_device_train_batch_size or max_length, then start the run again.',
      { cause: e },
    );
  }
  if (OOM.test(text) || e instanceof RangeError && /allocation|array length/i.test(text)) {
    return new TrainError(
      'oom',
      `Out of memory during training (${shape}): ${text}. Try a smaller per_device_train_batch_size or max_length.`,
      { cause: e },
    );
  }
  return e;
}
