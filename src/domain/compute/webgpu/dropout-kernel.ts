/**
 * Dropout on the GPU in one dispatch, with its random numbers made there: a counter-based
 * generator, the element's index and the mask's two 32-bit keys hashed by pcg3d (Jarzynski & Olano,
 * "Hash Functions for GPU Rendering", JCGT 2020), whose two rounds mix all three inputs into each
 * output. Nothing random is uploaded; the same keys give the same mask, so the backward pass
 * rebuilds the forward mask from the keys alone and a resumed run (whose key stream is restored
 * from its checkpoint) draws the masks it would have drawn.
 *   out[i] = x[i] / keep  where u_i ≥ rate,  else 0,    u_i = (pcg3d(i, k1, k2).x >> 8) / 2^24
 */
import type * as tf from '@tensorflow/tfjs';
import { ElementwiseProgram, flat, registerWebGpuKernel, runKernel, runProgram } from './kernel-util';

class DropoutProgram extends ElementwiseProgram {
  variableNames = ['x'];
  shaderKey = 'qaDropout';
  uniforms = 'key1 : u32, key2 : u32, rate : f32, scale : f32,';

  getUserCode(): string {
    return `
      fn pcg3d(seed : vec3<u32>) -> vec3<u32> {
        var v = seed * 1664525u + 1013904223u;
        v.x = v.x + v.y * v.z; v.y = v.y + v.z * v.x; v.z = v.z + v.x * v.y;
        v = v ^ (v >> vec3<u32>(16u));
        v.x = v.x + v.y * v.z; v.y = v.y + v.z * v.x; v.z = v.z + v.x * v.y;
        return v;
      }
      fn main(index : i32) {
        if (index < uniforms.size) {
          let h = pcg3d(vec3<u32>(u32(index), uniforms.key1, uniforms.key2)).x;
          let u = f32(h >> 8u) * (1.0 / 16777216.0);
          result[index] = select(0.0, x[index] * uniforms.scale, u >= uniforms.rate);
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
    return runProgram(backend, new DropoutProgram(x.shape[0]), [x], [
      { type: 'uint32', data: [key1 >>> 0] },
      { type: 'uint32', data: [key2 >>> 0] },
      { type: 'float32', data: [rate] },
      { type: 'float32', data: [1 / (1 - rate)] },
    ], inputs.x.shape);
  });
}

/** x with the mask of keys (key1, key2) applied (webgpu backend only). */
export function gpuDropout<T extends tf.Tensor>(x: T, key1: number, key2: number, rate: number): T {
  register();
  return runKernel<T>('QaDropout', { x }, { key1, key2, rate });
}
