/**
 * Dropout on the GPU in one dispatch, with its random numbers made there: a counter-based
 * generator, the element's index and the mask's two 32-bit keys hashed by pcg3d (Jarzynski & Olano,
 * "Hash Functions for GPU Rendering", JCGT 2020), whose two rounds mix all three inputs into each
 * output. Nothing random is uploaded; the same keys give the same mask, so the backward pass
 * rebuilds the forward mask from the keys alone and a resumed run (whose key stream is restored
 * from its checkpoint) draws the masks it would have drawn.
 *   out[i] = x[i] / keep  where u_i ≥ rate,  else 0,    u_i = (pcg3d(i, k1, k2).x >> 8) / 2^24
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { elementwise, flat, runKernel } from './kernel-util';

class DropoutProgram implements WebGPUProgram {
  variableNames = ['x'];
  outputShape: number[];
  shaderKey = 'qaDropout';
  size = true;
  uniforms = 'key1 : u32, key2 : u32, rate : f32, scale : f32,';
  dispatchLayout!: WebGPUProgram['dispatchLayout'];
  dispatch!: [number, number, number];
  workgroupSize!: [number, number, number];

  constructor(size: number) {
    this.outputShape = [size];
    Object.assign(this, elementwise(size));
  }

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
  tf.registerKernel({
    kernelName: 'QaDropout',
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }: { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs: Record<string, number> }) => {
      const { x } = inputs;
      const x1 = flat(x);
      const out = (backend as WebGPUBackend).runWebGPUProgram(new DropoutProgram(x1.shape[0]), [x1], 'float32', [
        { type: 'uint32', data: [attrs.key1 >>> 0] },
        { type: 'uint32', data: [attrs.key2 >>> 0] },
        { type: 'float32', data: [attrs.rate] },
        { type: 'float32', data: [1 / (1 - attrs.rate)] },
      ]);
      return { dataId: out.dataId, dtype: out.dtype, shape: [...x.shape] };
    },
  } as unknown as tf.KernelConfig);
}

/** x with the mask of keys (key1, key2) applied (webgpu backend only). */
export function gpuDropout<T extends tf.Tensor>(x: T, key1: number, key2: number, rate: number): T {
  register();
  return runKernel<T>('QaDropout', { x }, { key1, key2, rate });
}
