/** What our WebGPU kernels share: flat views, the flat dispatch, and calling a kernel by name. */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const WORKGROUP = 256;

/** The tensor as a flat 1-D view (same buffer): the kernels index elements, not coordinates. */
export function flat(t: tf.TensorInfo): tf.TensorInfo {
  return { dataId: t.dataId, dtype: t.dtype, shape: [t.shape.reduce((a, b) => a * b, 1)] };
}

/** One thread per element; runWebGPUProgram reshapes a dispatch past the device's per-dimension limit. */
export function elementwise(size: number): Pick<WebGPUProgram, 'dispatchLayout' | 'dispatch' | 'workgroupSize'> {
  return { dispatchLayout: { x: [0] }, dispatch: [Math.ceil(size / WORKGROUP), 1, 1], workgroupSize: [WORKGROUP, 1, 1] };
}

type RunKernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) => tf.Tensor;

/** Runs a registered kernel through the engine (tidy, memory and profiling see it as any op). */
export function runKernel<T extends tf.Tensor>(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): T {
  return (tf.engine().runKernel as unknown as RunKernel)(name, inputs, attrs) as T;
}
