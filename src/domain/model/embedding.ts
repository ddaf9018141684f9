/**
 * Embedding lookup with a gradient that avoids tfjs' UnsortedSegmentSum.
 *
 * tfjs differentiates tf.gather through UnsortedSegmentSum, which the wasm backend lacks, the cpu
 * backend runs in tens of seconds for a batch, and WebGPU runs as a contended atomic loop (every
 * [PAD] position adds into the same row). Here the table gradient is built from the batch's ids,
 * which the caller already has on the host:
 *
 * - small tables (token types): dense, oneHot(ids)ᵀ · dy, one matMul;
 * - large tables (words): the distinct ids of the batch, padded to a bucket of 128 with unused
 *   ids so shapes repeat between batches; dy rows are summed per distinct id with
 *   oneHot(inverse)ᵀ · dy ([U, N] · [N, E]), then scattered with scatterND, whose indices are
 *   all distinct, so no backend has to sum duplicates;
 * - on wasm, both directions are one pass on the heap (compute/wasm/layer-kernels.ts): rows
 *   copied by id, and dy's rows added into a zero table by id.
 */
import * as tf from '@tensorflow/tfjs';
import { gatherRows, registerWasmLayerKernels, scatterAddRows } from '../compute/wasm/layer-kernels';
import { customOp, oneHotF32 } from './ops';

/** Tables at most this tall take the dense one-hot gradient. */
export const DENSE_GRAD_MAX_ROWS = 64;
const BUCKET = 128;

/** Host-side description of a batch's ids, built once per batch. */
export interface EmbeddingGradPlan {
  vocabSize: number;
  /** Distinct ids, padded with unused ids to a multiple of 128 (≤ vocabSize): [U] int32. */
  uniqueIds: tf.Tensor1D;
  /** For each flattened position, the index of its id in uniqueIds: [N] int32. */
  inverse: tf.Tensor1D;
}

/** Host part of a plan (plain arrays), for callers that build tensors themselves. */
export function planArrays(ids: Int32Array, vocabSize: number): { uniqueIds: Int32Array; inverse: Int32Array } {
  const slot = new Int32Array(vocabSize).fill(-1);
  const unique: number[] = [];
  const inverse = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < vocabSize)) throw new RangeError(`token id ${id} at flat position ${i} is outside the vocabulary [0, ${vocabSize})`);
    if (slot[id] < 0) {
      slot[id] = unique.length;
      unique.push(id);
    }
    inverse[i] = slot[id];
  }
  const padded = Math.min(vocabSize, Math.ceil(unique.length / BUCKET) * BUCKET);
  for (let id = 0; unique.length < padded && id < vocabSize; id++) {
    if (slot[id] < 0) unique.push(id);
  }
  return { uniqueIds: Int32Array.from(unique), inverse };
}

/** Builds the plan for a batch of ids (row-major [B, T] flattened). Dispose with disposePlan. */
export function createEmbeddingGradPlan(ids: Int32Array, vocabSize: number): EmbeddingGradPlan {
  const { uniqueIds, inverse } = planArrays(ids, vocabSize);
  return { vocabSize, uniqueIds: tf.tensor1d(uniqueIds, 'int32'), inverse: tf.tensor1d(inverse, 'int32') };
}

export function disposePlan(plan: EmbeddingGradPlan | undefined): void {
  if (!plan) return;
  plan.uniqueIds.dispose();
  plan.inverse.dispose();
}

/**
 * [rows, N] float matrix with a 1 at (ids[n], n): the transposed one-hot. Built as oneHot then an
 * explicit transpose: on wasm a broadcast tf.equal([rows,1], [1,N]) took 44 ms for 384 × 1536 and
 * a transposeA matMul 31 ms, against 8.5 ms for this (one-hot, transpose and the matMul together).
 */
function oneHotTransposed(ids: tf.Tensor1D, rows: number): tf.Tensor2D {
  return tf.transpose(oneHotF32(ids, rows));
}

function sparseTableGrad(dy2d: tf.Tensor2D, plan: EmbeddingGradPlan, width: number): tf.Tensor2D {
  const u = plan.uniqueIds.shape[0];
  const compact = tf.matMul(oneHotTransposed(plan.inverse, u), dy2d);
  return tf.scatterND(tf.reshape(plan.uniqueIds, [u, 1]), compact, [plan.vocabSize, width]) as tf.Tensor2D;
}

/**
 * rows of `table` at `ids` ([B, T] int32) → [B, T, width], differentiable w.r.t. `table`.
 * `plan` must describe the same ids; without it, the gradient reads the ids back from the
 * backend once (a synchronous download), so training code should always pass one for large tables.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor2D, plan?: EmbeddingGradPlan): tf.Tensor3D {
  const [rows, width] = table.shape;
  const [b, t] = ids.shape;
  if (tf.getBackend() === 'wasm') {
    registerWasmLayerKernels();
    const wasmOp = customOp(([tbl], save) => {
      save([tf.reshape(ids, [b * t])]);
      return {
        value: tf.reshape(gatherRows(tbl as tf.Tensor2D, ids), [b, t, width]),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => scatterAddRows(tf.reshape(dy, [b * t, width]) as tf.Tensor2D, saved[0], rows),
      };
    });
    return wasmOp(table) as tf.Tensor3D;
  }
  const op = customOp(([tbl], save) => {
    const ids1d = tf.reshape(ids, [b * t]) as tf.Tensor1D;
    // Saved, because the forward's intermediates are disposed before backprop runs.
    save([ids1d]);
    const value = tf.reshape(tf.gather(tbl, ids1d), [b, t, width]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const flatIds = saved[0] as tf.Tensor1D;
      const dy2d = tf.reshape(dy, [b * t, width]) as tf.Tensor2D;
      if (rows <= DENSE_GRAD_MAX_ROWS) {
        return tf.matMul(oneHotTransposed(flatIds, rows), dy2d);
      }
      if (plan) {
        if (plan.vocabSize !== rows || plan.inverse.shape[0] !== b * t) {
          throw new Error(`embedding gradient plan is for ${plan.inverse.shape[0]} ids over ${plan.vocabSize} rows, the lookup has ${b * t} over ${rows}`);
        }
        return sparseTableGrad(dy2d, plan, width);
      }
      const own = createEmbeddingGradPlan(flatIds.dataSync() as Int32Array, rows);
      try {
        return sparseTableGrad(dy2d, own, width);
      } finally {
        disposePlan(own);
      }
    };
    return { value, gradFunc };
  });
  return op(table) as tf.Tensor3D;
}
