/**
 * Our SIMD kernels (kernels.as.ts, built into kernels-binary.ts) instantiated on the memory of the
 * running tfjs-backend-wasm instance, so they read and write tfjs tensors where they lie. One
 * instance per tfjs module (a backend re-created after a reset gets its own); compiled
 * synchronously on first use (the module is under 5 KB, well below any engine's limit for that).
 */
import type { WasmBackend } from '../heap';
import { KERNELS_PLAIN, KERNELS_SHARED } from './kernels-binary';

/** The module's exports: byte addresses on tfjs' heap and counts (see kernels.as.ts). */
export interface SimdKernels {
  gelu(x: number, y: number, d: number, n: number): void;
  layerNorm(s: number, gamma: number, beta: number, y: number, xhat: number, rstd: number, rows: number, w: number, eps: number): void;
  layerNormGrad(dy: number, xhat: number, rstd: number, gamma: number, dx: number, rows: number, w: number): void;
  blockSum(x: number, y: number, out: number, acc: number, size: number, blocks: number): void;
  softmaxGrad(p: number, g: number, m: number, d: number, rows: number, w: number): void;
  copy2d(src: number, ss: number, dst: number, ds: number, rows: number, cols: number, scale: number): void;
  transpose2d(src: number, ss: number, mask: number, dst: number, ds: number, rows: number, cols: number, scale: number): void;
  sumSquares(x: number, n: number): number;
  adamW(p: number, g: number, m: number, v: number, n: number, coef: number, beta1: number, beta2: number, wd: number, stepSize: number, bc2Sqrt: number, eps: number): void;
}

const instances = new WeakMap<object, SimdKernels>();

function decode(base64: string): Uint8Array {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** tfjs' WebAssembly.Memory: exported by its single-threaded build, created in JS by the threaded one. */
function memoryOf(backend: WasmBackend): WebAssembly.Memory {
  const m = backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  const memory = m.asm?.memory ?? m.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('tfjs-backend-wasm exposes no WebAssembly.Memory (an unexpected build of tfjs)');
  return memory;
}

export function simdKernels(backend: WasmBackend): SimdKernels {
  let k = instances.get(backend.wasm);
  if (!k) {
    const memory = memoryOf(backend);
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(decode(shared ? KERNELS_SHARED : KERNELS_PLAIN) as BufferSource);
    k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
    instances.set(backend.wasm, k);
  }
  return k;
}
