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

export { runKernel } from '../run-kernel';

/** Threads of a row program's workgroup (one workgroup per row). */
export const ROW_WG = 64;

/**
 * A program with one workgroup of ROW_WG threads per row of `rows` (tfjs spreads a dispatch
 * past the per-dimension limit over y and z; `rowIndex()` undoes that). The user code gets
 * `rowIndex()`, and `rowSum(v)`, the sum of v over the workgroup's threads, which every thread
 * must call (it synchronises the workgroup).
 */
export abstract class RowProgram implements WebGPUProgram {
  abstract variableNames: string[];
  abstract shaderKey: string;
  abstract uniforms: string;
  outputShape: number[];
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [ROW_WG, 1, 1];

  constructor(rows: number, outputSize: number) {
    this.outputShape = [outputSize];
    this.dispatch = [rows, 1, 1];
  }

  abstract rowCode(): string;

  getUserCode(): string {
    return `
      var<workgroup> rowPartial : array<f32, ${ROW_WG}>;
      fn rowIndex() -> i32 {
        return i32((workgroupId.z * numWorkgroups.y + workgroupId.y) * numWorkgroups.x + workgroupId.x);
      }
      fn rowSum(v : f32) -> f32 {
        rowPartial[localId.x] = v;
        workgroupBarrier();
        for (var w = ${ROW_WG / 2}u; w > 0u; w = w / 2u) {
          if (localId.x < w) { rowPartial[localId.x] = rowPartial[localId.x] + rowPartial[localId.x + w]; }
          workgroupBarrier();
        }
        let s = rowPartial[0];
        workgroupBarrier();
        return s;
      }
      fn rowMax(v : f32) -> f32 {
        rowPartial[localId.x] = v;
        workgroupBarrier();
        for (var w = ${ROW_WG / 2}u; w > 0u; w = w / 2u) {
          if (localId.x < w) { rowPartial[localId.x] = max(rowPartial[localId.x], rowPartial[localId.x + w]); }
          workgroupBarrier();
        }
        let s = rowPartial[0];
        workgroupBarrier();
        return s;
      }
      ${this.rowCode()}`;
  }
}

/**
 * The counter-based generator our dropout kernels share: pcg3d (Jarzynski & Olano, "Hash
 * Functions for GPU Rendering", JCGT 2020) of (element index, key1, key2); `keepAt(i)` is true
 * with probability 1 − uniforms.rate. Every kernel that applies a mask uses this, so a mask
 * applied in one kernel is the mask another rebuilds.
 */
export const DROPOUT_WGSL = `
      fn pcg3d(seed : vec3<u32>) -> vec3<u32> {
        var v = seed * 1664525u + 1013904223u;
        v.x = v.x + v.y * v.z; v.y = v.y + v.z * v.x; v.z = v.z + v.x * v.y;
        v = v ^ (v >> vec3<u32>(16u));
        v.x = v.x + v.y * v.z; v.y = v.y + v.z * v.x; v.z = v.z + v.x * v.y;
        return v;
      }
      fn keepAt(i : i32) -> bool {
        let h = pcg3d(vec3<u32>(u32(i), uniforms.key1, uniforms.key2)).x;
        return f32(h >> 8u) * (1.0 / 16777216.0) >= uniforms.rate;
      }`;

/** The uniforms DROPOUT_WGSL reads, in its declaration order: 'key1 : u32, key2 : u32, rate : f32,'. */
export const DROPOUT_UNIFORMS = 'key1 : u32, key2 : u32, rate : f32,';

export function dropoutUniforms(key1: number, key2: number, rate: number): Uniform[] {
  return [
    { type: 'uint32', data: [key1 >>> 0] },
    { type: 'uint32', data: [key2 >>> 0] },
    { type: 'float32', data: [rate] },
  ];
}

/** The parts of tfjs' WebGPU backend an in-place dispatch uses (as its own recordAndSubmit does). */
interface BackendInternals {
  device: GPUDevice;
  tensorMap: { get(dataId: object): { refCount: number; resource: unknown; values: unknown; external?: boolean } };
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<object>;
  dispatchCountInPass: number;
  uploadToGPU(dataId: object): void;
  tensorToBinding(t: tf.TensorInfo): GPUBindingResource;
  makeUniforms(u: Uniform[]): GPUBindingResource;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

const inPlacePipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();
const rawDispatchListeners = new Set<(key: string) => void>();

/** Calls `f(key)` for every in-place dispatch (they bypass runWebGPUProgram, which benches count). */
export function onInPlaceDispatch(f: (key: string) => void): () => void {
  rawDispatchListeners.add(f);
  return () => rawDispatchListeners.delete(f);
}

/** Whether `t` may be written in place: on the GPU backend's buffer, which no other tensor shares. */
export function ownsBuffer(backend: unknown, t: tf.TensorInfo): boolean {
  const data = (backend as BackendInternals).tensorMap.get(t.dataId);
  return data.refCount === 1 && !data.external;
}

/**
 * One dispatch of our own WGSL (`@group(0)`: the `written` buffers read_write, then `read` buffers,
 * then the uniform struct, bound in that order) recorded into tfjs' command stream exactly where its
 * next program would go, so it is ordered with every tfjs dispatch. tfjs' program interface has one
 * output and binds inputs read-only; an optimizer that updates a parameter and both moments in one
 * pass needs three writable buffers. The written tensors must be exclusively owned (ownsBuffer);
 * their cached CPU copies, if any, are dropped. `workgroups` must be within the per-dimension limit.
 */
export function runInPlace(backend: unknown, key: string, wgsl: string, written: tf.TensorInfo[], read: tf.TensorInfo[], uniforms: Uniform[], workgroups: [number, number, number]): void {
  const b = backend as BackendInternals;
  let cache = inPlacePipelines.get(b.device);
  if (!cache) inPlacePipelines.set(b.device, (cache = new Map()));
  let pipeline = cache.get(key);
  if (!pipeline) {
    pipeline = b.device.createComputePipeline({ layout: 'auto', compute: { module: b.device.createShaderModule({ code: wgsl }), entryPoint: 'main' } });
    cache.set(key, pipeline);
  }
  const tensors = [...written, ...read];
  for (const t of tensors) b.uploadToGPU(t.dataId);
  const entries = [...tensors.map((t) => b.tensorToBinding(t)), b.makeUniforms(uniforms)].map((resource, binding) => ({ binding, resource }));
  const bindGroup = b.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  for (const t of tensors) b.commandQueueOwnedIds.add(t.dataId);
  for (const t of written) b.tensorMap.get(t.dataId).values = null;
  b.ensureCommandEncoderReady();
  if (!b.computePassEncoder) b.computePassEncoder = b.commandEncoder!.beginComputePass({});
  b.computePassEncoder.setPipeline(pipeline);
  b.computePassEncoder.setBindGroup(0, bindGroup);
  b.computePassEncoder.dispatchWorkgroups(...workgroups);
  b.dispatchCountInPass++;
  if ((tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= b.dispatchCountInPass) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
  for (const f of rawDispatchListeners) f(key);
}

/** Workgroups for `n` threads of WORKGROUP, spread over y past the per-dimension limit (65,535). */
export function flatWorkgroups(n: number): [number, number, number] {
  const groups = Math.ceil(n / WORKGROUP);
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x), 1];
}
