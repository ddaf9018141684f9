/**
 * What our WebGPU kernels share: flat views, the one-thread-per-element program shape, running a
 * program into a tensor of a given shape, and registering and calling a kernel by name.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const WORKGROUP = 256;

export type Uniform = { type: 'float32' | 'int32' | 'uint32'; data: number[] };

/** Float uniforms, one field each, in the order of the program's `uniforms` declaration. */
export const f32 = (...data: number[]): Uniform[] => data.map((d) => ({ type: 'float32', data: [d] }));

/** The tensor as a flat 1-D view (same buffer): the kernels index elements, not coordinates. */
export function flat(t: tf.TensorInfo): tf.TensorInfo {
  return { dataId: t.dataId, dtype: t.dtype, shape: [t.shape.reduce((a, b) => a * b, 1)] };
}

/**
 * A program with one thread per output element (`uniforms.size` of them), flat inputs and output.
 * runWebGPUProgram reshapes a dispatch past the device's per-dimension limit.
 */
export abstract class ElementwiseProgram implements WebGPUProgram {
  abstract variableNames: string[];
  abstract shaderKey: string;
  outputShape: number[];
  size = true;
  abstract uniforms: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];

  constructor(size: number) {
    this.outputShape = [size];
    this.dispatch = [Math.ceil(size / WORKGROUP), 1, 1];
  }

  abstract getUserCode(): string;
}

/** Runs `program` on flat inputs; the result is a float32 tensor of `shape` (the same buffer). */
export function runProgram(backend: unknown, program: WebGPUProgram, inputs: tf.TensorInfo[], uniforms: Uniform[], shape: number[]): tf.TensorInfo {
  const out = (backend as WebGPUBackend).runWebGPUProgram(program, inputs, 'float32', uniforms);
  return { dataId: out.dataId, dtype: out.dtype, shape: [...shape] };
}

type KernelFunc = (args: { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs: Record<string, unknown> }) => tf.TensorInfo;

/** Registers a kernel for the webgpu backend (tfjs' KernelConfig typing wants its own NamedTensorInfoMap). */
export function registerWebGpuKernel(kernelName: string, kernelFunc: KernelFunc): void {
  tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc } as unknown as tf.KernelConfig);
}

type RunKernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) => tf.Tensor;

/** Runs a registered kernel through the engine (tidy, memory and profiling see it as any op). */
export function runKernel<T extends tf.Tensor>(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): T {
  return (tf.engine().runKernel as unknown as RunKernel)(name, inputs, attrs) as T;
}
