/**
 * How long a batch is padded.
 *
 * The Python system pads every window to max_length (padding="max_length"), and the QA loss's
 * softmax runs over all max_length positions, padding included (the QA head does not mask it).
 * 'max_length' reproduces that exactly. 'bucket' (the default) pads each batch to the smallest of a
 * few fixed lengths (multiples of a step up to max_length, and max_length itself) that holds every
 * window of the batch. On GPU backends the step is 64: a few fixed shapes keep the WebGPU buffer
 * pool bounded (it never shrinks) while skipping most of the padding's compute on short contexts.
 * On the CPU backends (wasm, cpu) freed tensors give their memory back, so the step is 16: the
 * demo's batches (longest window ~150–176 tokens) then run at 160 or 176 instead of 192.
 *
 * What 'bucket' changes, and only this: the softmax of the start/end logits has fewer padding
 * positions (C = bucket length instead of max_length). So the loss's partition function, the
 * label-smoothing uniform term ε/C and the cartography probabilities differ slightly from Python's;
 * a trained model learns to give padding positions very low logits, so the difference shrinks as
 * training goes on. Real-token outputs are otherwise identical: attention masks padding keys with
 * float32 min, which is exactly zero weight. Evaluation is always exact under bucketing
 * (postprocessing never looks past a window's tokens).
 */

export type PaddingMode = 'bucket' | 'max_length';

export const BUCKET_STEP = 64;
/** The bucket step where shapes cost no pooled memory (see above). */
export const CPU_BUCKET_STEP = 16;

/** The bucket step for a tfjs backend name: 64 on GPU backends, 16 on the CPU ones. */
export function bucketStepFor(backend: string): number {
  return backend === 'webgpu' || backend === 'webgl' ? BUCKET_STEP : CPU_BUCKET_STEP;
}

/** The buckets for a batch padded on `backend` (a tfjs backend name): bucketLengths at bucketStepFor's step. */
export function bucketLengthsFor(maxLength: number, backend: string): number[] {
  return bucketLengths(maxLength, bucketStepFor(backend));
}

/** Multiples of `step` below maxLength, then maxLength itself (always last). */
export function bucketLengths(maxLength: number, step = BUCKET_STEP): number[] {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError(`bucketLengths: max length must be a positive integer, got ${maxLength}`);
  const out: number[] = [];
  for (let l = step; l < maxLength; l += step) out.push(l);
  out.push(maxLength);
  return out;
}

/** The padded length for a batch whose longest window needs `needed` positions. */
export function paddedLength(needed: number, maxLength: number, mode: PaddingMode, buckets: readonly number[] = bucketLengths(maxLength)): number {
  if (needed > maxLength) throw new RangeError(`a window needs ${needed} positions, more than max_length ${maxLength}`);
  if (mode === 'max_length') return maxLength;
  for (const b of buckets) if (b >= needed) return b;
  return maxLength;
}
