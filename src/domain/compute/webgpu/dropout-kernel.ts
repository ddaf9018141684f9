/**
 * Dropout on the GPU in one dispatch, with its random numbers made there: a counter-based
 * generator, the element's index and the mask's two 32-bit keys hashed by pcg3d (DROPOUT_WGSL in
 * kernel-util), whose two rounds mix all three inputs into each output. Nothing random is
 * uploaded; the same keys give the same mask, so the backward pass rebuilds the forward mask from
 * the keys alone and a resumed run (whose key stream is restored from its checkpoint) draws the
 * masks it would have drawn.
 *   out[i] = x[i] / keep  where u_i ≥ rate,  else 0,    u_i = (pcg3d(i, k1, k2).x >> 8) / 2^24
 */
import type * as tf from '@tensorflow/tfjs';
import { DROPOUT_UNIFORMS, DROPOUT_WGSL, dropoutUniforms, ElementwiseProgram, flat, registerWebGpuKernel, runKernel, runProgram } from './kernel-util';

class DropoutProgram extends ElementwiseProgram {
  variableNames = ['x'];
  shaderKey = 'qaDropout';
  uniforms = `${DROPOUT_UNIFORMS} scale : f32,`;

  getUserCode(): string {
    return `${DROPOUT_WGSL}
      fn main(index : i32) {
        if (index < uniforms.size) {
          result[index] = select(0.0, x[index] * uniforms.scale, keepAt(index));
        }
      }`;
  }
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  registerWebGpuKernel('QaDropout', ({ inputs, backend, attrs }) => {
    const x = flat(inputs.x);
    const { key1, key2, rate } = attrs as { key1: number; key2: number; rate: number };
    return runProgram(backend, new DropoutProgram(x.shape[0]), [x], [...dropoutUniforms(key1, key2, rate), { type: 'float32', data: [1 / (1 - rate)] }], inputs.x.shape);
  });
}

/** x with the mask of keys (key1, key2) applied (webgpu backend only). */
export function gpuDropout<T extends tf.Tensor>(x: T, key1: number, key2: number, rate: number): T {
  register();
  return runKernel<T>('QaDropout', { x }, { key1, key2, rate });
}
