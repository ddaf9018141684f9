/**
 * Seeded dropout masks made on the device.
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
import { createRng, deriveSeed, type Rng } from '../train/rng';

const MIN_POOL = 1 << 16;

export class DropoutMasker {
  private pool: tf.Tensor1D | null = null;
  private poolSize = 0;
  private offsets: Rng;

  constructor(private readonly seed: number) {
    this.offsets = createRng(deriveSeed(seed, 'dropout-offsets'));
  }

  /** Restarts the offset stream (e.g. at a new training run with the same seed). */
  reset(seed: number = this.seed): void {
    this.offsets = createRng(deriveSeed(seed, 'dropout-offsets'));
  }

  private ensurePool(n: number): tf.Tensor1D {
    if (this.pool && this.poolSize >= 2 * n) return this.pool;
    let size = Math.max(MIN_POOL, this.poolSize);
    while (size < 2 * n) size *= 2;
    // Values drawn from their own stream, so a grown pool starts with the same numbers.
    const rng = createRng(deriveSeed(this.seed, 'dropout-pool'));
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = rng.nextUint32() / 4294967296;
    this.pool?.dispose();
    this.pool = tf.keep(tf.tensor1d(values, 'float32'));
    this.poolSize = size;
    return this.pool;
  }

  /**
   * A mask of the given shape with values 0 (probability `rate`) or 1 / (1 − rate), ready to
   * multiply the activations (inverted dropout, as torch.nn.Dropout).
   */
  mask(shape: number[], rate: number): tf.Tensor {
    if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
    const n = shape.reduce((a, b) => a * b, 1);
    const pool = this.ensurePool(n);
    const o1 = this.offsets.nextInt(this.poolSize - n + 1);
    const o2 = this.offsets.nextInt(this.poolSize - n + 1);
    const keep = 1 - rate;
    return tf.tidy(() => {
      const sum = tf.add(tf.slice(pool, o1, n), tf.slice(pool, o2, n));
      const u = tf.sub(sum, tf.floor(sum));
      const kept = tf.floor(tf.add(u, keep));
      return tf.reshape(tf.mul(kept, 1 / keep), shape);
    });
  }

  /** x with dropout applied (identity when rate is 0). */
  apply<T extends tf.Tensor>(x: T, rate: number): T {
    if (rate === 0) return x;
    return tf.mul(x, this.mask(x.shape, rate)) as T;
  }

  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
    this.poolSize = 0;
  }
}
