/**
 * Seeded dropout masks from a counter-based generator: element i of a mask with keys (o1, o2) is
 * kept when pcg3d(i, o1, o2) says so (compute/counter-rng.ts, the same function as the GPU
 * kernels' DROPOUT_WGSL), so a spec is all that is needed to rebuild its mask, and a seed drops
 * the same units on every backend.
 *
 * On webgpu each mask is made and applied in one dispatch on the GPU (compute/webgpu/
 * dropout-kernel.ts): nothing random is uploaded. Elsewhere the mask is made on the host in one
 * pass and handed to the backend (on wasm and cpu that is a copy into its memory). This replaced a
 * pool of uniforms sliced at two offsets per mask: on wasm the two large slices and four
 * elementwise ops per mask took a quarter of an ELECTRA-small step (slices into fresh heap memory
 * cost far more than the arithmetic).
 *
 * The keys o1, o2 are drawn from a seeded stream (its state is saved with checkpoints), in a range
 * that grows with the largest mask, as the pool's offsets were, so a run's key sequence is what it
 * was. Deterministic: the same seed and the same sequence of mask requests give the same masks.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, rngFromState, type Rng, type RngState } from '../train/rng';
import { customOp } from './ops';
import { dropoutMaskValues } from '../compute/counter-rng';
import { gpuDropout } from '../compute/webgpu/dropout-kernel';

const MIN_KEY_RANGE = 1 << 16;

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
  /** The keys' range: at least twice the largest mask so far (see drawSpec). */
  private keyRange = 0;
  private offsets: Rng;
  /** 'auto': the GPU generator on webgpu; 'ops': masks made on the host everywhere (benches compare the two). */
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

  /** Grows the keys' range for masks of n elements (the range the former pool's offsets had). */
  private growKeyRange(n: number): void {
    let size = Math.max(MIN_KEY_RANGE, this.keyRange);
    while (size < 2 * n) size *= 2;
    this.keyRange = size;
  }

  /**
   * Draws the keys of one mask. The spec is all that is needed to rebuild the identical mask
   * later, so backprop regenerates masks instead of keeping them in memory.
   */
  drawSpec(shape: number[], rate: number): DropoutMaskSpec {
    if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
    const n = shape.reduce((a, b) => a * b, 1);
    this.growKeyRange(n);
    const o1 = this.offsets.nextInt(this.keyRange - n + 1);
    const o2 = this.offsets.nextInt(this.keyRange - n + 1);
    return { shape: [...shape], n, o1, o2, keep: 1 - rate };
  }

  private onGpu(): boolean {
    return this.implementation === 'auto' && tf.getBackend() === 'webgpu';
  }

  /** The mask of a spec: 0 with probability 1 − keep, else 1 / keep (inverted dropout, as torch). */
  maskFromSpec(spec: DropoutMaskSpec): tf.Tensor {
    if (this.onGpu()) return tf.tidy(() => gpuDropout(tf.ones(spec.shape), spec.o1, spec.o2, 1 - spec.keep));
    return tf.tensor(dropoutMaskValues(spec.n, spec.o1, spec.o2, 1 - spec.keep), spec.shape, 'float32');
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

  /** Forgets the keys' range (a masker holds no tensors). */
  dispose(): void {
    this.keyRange = 0;
  }
}
