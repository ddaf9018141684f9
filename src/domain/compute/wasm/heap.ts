/**
 * What our wasm-backend kernels share: the backend's heap, views of tensors on it, outputs, and
 * XNNPACK matrix products on blocks of tensors.
 *
 * tfjs-backend-wasm keeps every tensor in one WebAssembly memory (a malloc'd block per tensor)
 * and exposes, besides its kernels, the C++ entry points it calls them through. Our kernels are
 * registered for the 'wasm' backend like its own: they allocate outputs through the backend and
 * compute on Float32Array views of the heap (JavaScript loops, for passes that tfjs would spread
 * over several kernels and allocations), or call tfjs' own C++ matMul on *sub-blocks* of tensors:
 * the C++ side addresses a tensor by an id registered with a pointer and a size, so a block of a
 * larger tensor can be registered under a fresh id, used, and unregistered — no copy. That is
 * how per-head attention products run through XNNPACK (tfjs' batched matMul falls back to a
 * scalar loop for a batch above one, and slicing each head out copies it).
 *
 * Views must be taken after every allocation and C++ call in a kernel: growing the heap replaces
 * its buffer and detaches older views.
 */
import * as tf from '@tensorflow/tfjs';

interface TensorData {
  id: number;
  memoryOffset: number;
}

interface WasmModule {
  HEAPU8: Uint8Array;
  tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void };
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
}

/** The parts of tfjs-backend-wasm's BackendWasm our kernels use (public fields, untyped in tfjs' d.ts). */
export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: unknown): TensorData };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: unknown): boolean;
}

/** The heap byte offset of a tensor's data. */
export function offsetOf(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** A float32 view of `size` elements at a tensor's data (+ `start` elements). */
export function f32(backend: WasmBackend, t: tf.TensorInfo, start = 0, size = sizeOf(t) - start): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, offsetOf(backend, t) + start * 4, size);
}

/** An int32 view of a tensor's data. */
export function i32(backend: WasmBackend, t: tf.TensorInfo): Int32Array {
  return new Int32Array(backend.wasm.HEAPU8.buffer, offsetOf(backend, t), sizeOf(t));
}

export function sizeOf(t: tf.TensorInfo): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

export type WasmKernelFunc = (args: { inputs: Record<string, tf.TensorInfo>; backend: WasmBackend; attrs: Record<string, unknown> }) => tf.TensorInfo | tf.TensorInfo[];

/** Registers a kernel for the wasm backend (tfjs' KernelConfig typing wants its own NamedTensorInfoMap). */
export function registerWasmKernel(kernelName: string, kernelFunc: WasmKernelFunc): void {
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc } as unknown as tf.KernelConfig);
}

type FusedMatMulFn = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: number,
  transposeB: number,
  activation: number,
  biasId: number,
  preluId: number,
  leakyAlpha: number,
  outId: number,
) => void;

const fusedMatMulOf = new WeakMap<WasmModule, FusedMatMulFn>();

function fusedMatMul(backend: WasmBackend): FusedMatMulFn {
  let fn = fusedMatMulOf.get(backend.wasm);
  if (!fn) {
    const args = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number'];
    fn = backend.wasm.cwrap('_FusedMatMul', null, args) as unknown as FusedMatMulFn;
    fusedMatMulOf.set(backend.wasm, fn);
  }
  return fn;
}

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

/** One block of a tensor for blockMatMul: the tensor, and each product's first element and element step. */
export interface Block {
  t: tf.TensorInfo;
  /** Element offset of product i's block: start + i · step (step 0 shares one block). */
  start?: number;
  step: number;
}

/**
 * C_i = A_i · B_i (+ bias_i broadcast over rows) for i < count, every block row-major and dense:
 * A_i [m, k], B_i [k, n], C_i [m, n], bias_i [n]. Each product is one XNNPACK fully-connected
 * operator over registered views (created, run and deleted here: the weight packing is O(k·n)
 * against the product's O(m·k·n)).
 */
export function blockMatMul(backend: WasmBackend, a: Block, b: Block, out: Block, m: number, k: number, n: number, count: number, bias?: Block): void {
  const mm = fusedMatMul(backend);
  const { tfjs } = backend.wasm;
  const base = (x: Block) => offsetOf(backend, x.t) + (x.start ?? 0) * 4;
  const a0 = base(a);
  const b0 = base(b);
  const o0 = base(out);
  const bias0 = bias ? base(bias) : 0;
  const aShape = shapeBytes([1, m, k]);
  const bShape = shapeBytes([1, k, n]);
  const view = (byteOffset: number, size: number) => {
    const id = backend.dataIdNextNumber++;
    tfjs.registerTensor(id, size, byteOffset);
    return id;
  };
  for (let i = 0; i < count; i++) {
    const va = view(a0 + i * a.step * 4, m * k);
    const vb = view(b0 + i * b.step * 4, k * n);
    const vo = view(o0 + i * out.step * 4, m * n);
    const vBias = bias ? view(bias0 + i * bias.step * 4, n) : 0;
    mm(va, aShape, 3, vb, bShape, 3, 0, 0, 0, vBias, 0, 0, vo);
    // Unregistering the weight view deletes the operator tfjs cached for it.
    tfjs.disposeData(va);
    tfjs.disposeData(vb);
    tfjs.disposeData(vo);
    if (vBias) tfjs.disposeData(vBias);
  }
}
