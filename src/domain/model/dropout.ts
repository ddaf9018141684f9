/**
 * Seeded dropout masks made on the device.
 *
 * On webgpu each mask is made and applied in one dispatch by a counter-based generator on the GPU
 * (compute/webgpu/dropout-kernel.ts), keyed by the spec's two offsets: nothing random is uploaded.
 * The other backends (no bitwise integer ops in tfjs) use the pool below.
 *
 * tf.dropout draws its random numbers on the CPU and uploads them: for ELECTRA-small at batch 8 ×
 * 384 that is ~75 million numbers per step (attention probabilities dominate). Instead we upload,
 * once, a pool of S uniform floats from our seeded generator, and make each mask as
 *   u = fract(pool[o1 : o1 + n] + pool[o2 : o2 + n]),   keep where u ≥ rate,
 * with fresh offsets o1, o2 per call. The fractional part of the sum of two independent uniforms
 * is uniform and independent of either summand, so two masks are dependent only when both offsets
 * line up (o1 − o2 = o1' − o2', probability ~2/S); within a mask all elements are independent.
 * Per call the cost is two slices and four elementwise ops, on any backend, with no upload.
 *
 * Deterministic: the same seed and the same sequence of mask requests give the same masks.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, rngFromState, type Rng, type RngState } from '../train/rng';
import { customOp } from './ops';
import { gpuDropout } from '../compute/webgpu/dropout-kernel';

const MIN_POOL = 1 << 16;

/** Everything needed to (re)build one dropout mask. */
export interface DropoutMaskSpec {
  shape: number[];
  n: number;
  o1: number;
  o2: number;
  /** 1 − rate. */
  keep: number;
}

export class DropoutMasker {
  private pool: tf.Tensor1D | null = null;
  private poolSize = 0;
  private offsets: Rng;
  /** 'auto': the GPU generator on webgpu; 'ops': the pool everywhere (benches compare the two). */
  implementation: 'auto' | 'ops' = 'auto';

  constructor(private readonly seed: number) {
    this.offsets = createRng(deriveSeed(seed, 'dropout-offsets'));
  }

  /** Position in the offset stream, for checkpoints (resuming continues the same masks). */
  getState(): RngState {
    return this.offsets.getState();
  }

  setState(state: RngState): void {
    this.offsets = rngFromState(state);
  }

  /** Restarts the offset stream (e.g. at a new training run with the same seed). */
  reset(seed: number = this.seed): void {
    this.offsets = createRng(deriveSeed(seed, 'dropout-offsets'));
  }

  /** Grows the pool's (virtual) size for masks of n elements: the offsets' range. */
  private growPool(n: number): void {
    let size = Math.max(MIN_POOL, this.poolSize);
    while (size < 2 * n) size *= 2;
    this.poolSize = size;
  }

  private ensurePool(n: number): tf.Tensor1D {
    this.growPool(n);
    if (this.pool && this.pool.size === this.poolSize) return this.pool;
    const size = this.poolSize;
    // Values drawn from their own stream, so a grown pool starts with the same numbers.
    const rng = createRng(deriveSeed(this.seed, 'dropout-pool'));
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = rng.nextUint32() / 4294967296;
    this.pool?.dispose();
    this.pool = tf.keep(tf.tensor1d(values, 'float32'));
    return this.pool;
  }

  /**
   * Draws the offsets of one mask. The spec is all that is needed to rebuild the identical mask
   * later (the pool only ever grows, with the same leading values), so backprop regenerates masks
   * instead of keeping them in memory.
   */
  drawSpec(shape: number[], rate: number): DropoutMaskSpec {
    if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
    const n = shape.reduce((a, b) => a * b, 1);
    // Only the pool's size decides the offsets, so the pool itself is made only where it is used.
    this.growPool(n);
    const o1 = this.offsets.nextInt(this.poolSize - n + 1);
    const o2 = this.offsets.nextInt(this.poolSize - n + 1);
    return { shape: [...shape], n, o1, o2, keep: 1 - rate };
  }

  private onGpu(): boolean {
    return this.implementation === 'auto' && tf.getBackend() === 'webgpu';
  }

  /** The mask of a spec: 0 with probability 1 − keep, else 1 / keep (inverted dropout, as torch). */
  maskFromSpec(spec: DropoutMaskSpec): tf.Tensor {
    if (this.onGpu()) return tf.tidy(() => gpuDropout(tf.ones(spec.shape), spec.o1, spec.o2, 1 - spec.keep));
    const pool = this.ensurePool(spec.n);
    return tf.tidy(() => {
      const sum = tf.add(tf.slice(pool, spec.o1, spec.n), tf.slice(pool, spec.o2, spec.n));
      const u = tf.sub(sum, tf.floor(sum));
      const kept = tf.floor(tf.add(u, spec.keep));
      return tf.reshape(tf.mul(kept, 1 / spec.keep), spec.shape);
    });
  }

  /** x times the mask of `spec` (one dispatch on webgpu). */
  applySpec<T extends tf.Tensor>(spec: DropoutMaskSpec, x: T): T {
    if (this.onGpu()) return gpuDropout(x, spec.o1, spec.o2, 1 - spec.keep);
    return tf.tidy(() => tf.mul(x, this.maskFromSpec(spec))) as T;
  }

  /** A fresh mask of the given shape (see maskFromSpec). */
  mask(shape: number[], rate: number): tf.Tensor {
    return this.maskFromSpec(this.drawSpec(shape, rate));
  }

  /**
   * x with dropout applied (identity when rate is 0). A custom-gradient op: the mask's
   * construction stays off the gradient tape, and nothing is saved for backprop (the backward
   * pass rebuilds the mask from its spec).
   */
  apply<T extends tf.Tensor>(x: T, rate: number): T {
    if (rate === 0) return x;
    const spec = this.drawSpec(x.shape, rate);
    const op = customOp(([input], save) => {
      save([]);
      return {
        value: this.applySpec(spec, input),
        gradFunc: (dy: tf.Tensor) => this.applySpec(spec, dy),
      };
    });
    return op(x) as T;
  }

  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
    this.poolSize = 0;
  }
}
