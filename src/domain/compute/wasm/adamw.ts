/**
 * AdamW on the wasm backend: the global gradient norm and each parameter's update in our SIMD
 * module, in place on the parameter and its moments (no tensor is created: the ops path makes
 * about ten per parameter), with the arithmetic and order of the tfjs-op path in optimizer.ts.
 *
 * Writing a tensor in place is safe only where nothing else shares its data (refCount 1): a
 * variable that shares it gets a copy of its own first. And
 * tfjs' C++ side caches XNNPACK operators, with the right operand packed, by tensor id: a weight
 * used as a product's right operand (the linear layer's backward) would keep its packed old
 * value. So each updated tensor is unregistered and registered again under its id, which drops
 * those operators, as a new tensor would.
 */
import * as tf from '@tensorflow/tfjs';
import type { FusedAdamWStep } from '../webgpu/adamw-kernels';
import { offsetOf, sizeOf, type WasmBackend } from './heap';
import { simdKernels } from './simd/simd-module';

interface Owned {
  id: number;
  memoryOffset: number;
  refCount: number;
}

function wasmBackend(): WasmBackend {
  return tf.backend() as unknown as WasmBackend;
}

/** Σ g² over every tensor (float64). */
export function sumSquaresWasm(tensors: tf.Tensor[]): number {
  const backend = wasmBackend();
  const k = simdKernels(backend);
  let total = 0;
  for (const t of tensors) total += k.sumSquares(offsetOf(backend, t), t.size);
  return total;
}

/**
 * Gives `v` data of its own (a copy) when it shares its data with another tensor, e.g. the tensor
 * a variable was made from: the in-place update must not write into that tensor, and taking a
 * different path for such variables would make a resumed run differ from an uninterrupted one.
 */
function own(backend: WasmBackend, v: tf.Variable): void {
  if ((backend.dataIdMap.get(v.dataId) as unknown as Owned).refCount === 1) return;
  const info = backend.makeOutput([...v.shape], 'float32');
  const bytes = v.size * 4;
  const from = offsetOf(backend, v);
  backend.wasm.HEAPU8.copyWithin(offsetOf(backend, info), from, from + bytes);
  const copy = tf.engine().makeTensorFromTensorInfo(info);
  v.assign(copy);
  copy.dispose();
}

/** One parameter's update with clipping factor `coef`, in place on p, m and v. */
export function adamWInPlaceWasm(p: tf.Variable, g: tf.Tensor, m: tf.Variable, v: tf.Variable, coef: number, s: FusedAdamWStep): void {
  const backend = wasmBackend();
  for (const t of [p, m, v]) own(backend, t);
  const at = (t: tf.Tensor) => offsetOf(backend, t);
  simdKernels(backend).adamW(at(p), at(g), at(m), at(v), p.size, coef, s.beta1, s.beta2, s.wdFactor, s.stepSize, s.bc2Sqrt, s.eps);
  const { tfjs } = backend.wasm;
  for (const t of [p, m, v]) {
    const d = backend.dataIdMap.get(t.dataId) as unknown as Owned;
    tfjs.disposeData(d.id);
    tfjs.registerTensor(d.id, sizeOf(t), d.memoryOffset);
  }
}
