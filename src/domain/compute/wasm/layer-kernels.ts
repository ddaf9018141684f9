/**
 * The encoder layer's elementwise and row kernels on the wasm backend, each one pass over the
 * heap where the tfjs-op versions (ops.ts) take several kernels and allocations. The arithmetic
 * runs in our SIMD module (simd/kernels.as.ts); what is here allocates outputs and passes
 * addresses.
 * - sums of consecutive blocks (bias and LayerNorm β gradients, broadcast terms' gradients):
 *   tfjs' Sum over axis 0 transposes first (23 ms for [3072, 1024]);
 * - LayerNorm, forward (y, x̂, 1/σ) and backward (dx, dγ, dβ);
 * - exact GELU with its derivative from the same pass (tfjs' Erf and Exp are scalar libm loops:
 *   46 and 22 ms for 3M values); the backward pass is then a single multiply;
 * - a 2-D transpose (the linear layer's weight and gradient operands);
 * - embedding rows by id and their gradient, a scatter-add of dy's rows, in JavaScript (tfjs'
 *   GatherV2 took 3 ms for 1,536 rows of 64, the one-hot product of embedding.ts 13 ms with its
 *   transpose).
 * Column sums accumulate in float64.
 */
import * as tf from '@tensorflow/tfjs';
import { runKernel } from '../run-kernel';
import { f32, i32, offsetOf, registerWasmKernel, sizeOf } from './heap';
import { simdKernels } from './simd/simd-module';

const BLOCK_SUM = 'QaWasmBlockSum';
const LAYER_NORM = 'QaWasmLayerNorm';
const LAYER_NORM_GRAD = 'QaWasmLayerNormGrad';
const GELU = 'QaWasmGelu';
const TRANSPOSE = 'QaWasmTranspose';
const GATHER_ROWS = 'QaWasmGatherRows';
const SCATTER_ADD_ROWS = 'QaWasmScatterAddRows';

let registered = false;

/** Registers the kernels below for the wasm backend (idempotent). */
export function registerWasmLayerKernels(): void {
  if (registered) return;
  registered = true;

  registerWasmKernel(BLOCK_SUM, ({ inputs: { x, y }, backend, attrs }) => {
    const { size } = attrs as { size: number };
    const out = backend.makeOutput([size], 'float32');
    const acc = backend.makeOutput([2 * size], 'float32'); // float64 totals
    simdKernels(backend).blockSum(offsetOf(backend, x), y ? offsetOf(backend, y) : 0, offsetOf(backend, out), offsetOf(backend, acc), size, sizeOf(x) / size);
    backend.disposeData(acc.dataId);
    return out;
  });

  registerWasmKernel(LAYER_NORM, ({ inputs: { s: sum, gamma, beta }, backend, attrs }) => {
    const { width: W, eps } = attrs as { width: number; eps: number };
    const rows = sizeOf(sum) / W;
    const y = backend.makeOutput([rows, W], 'float32');
    const xh = backend.makeOutput([rows, W], 'float32');
    const rs = backend.makeOutput([rows], 'float32');
    const at = (t: tf.TensorInfo) => offsetOf(backend, t);
    simdKernels(backend).layerNorm(at(sum), at(gamma), at(beta), at(y), at(xh), at(rs), rows, W, eps);
    return [y, xh, rs];
  });

  registerWasmKernel(LAYER_NORM_GRAD, ({ inputs: { dy, xhat, rstd, gamma }, backend }) => {
    const W = sizeOf(gamma);
    const rows = sizeOf(dy) / W;
    const dx = backend.makeOutput([rows, W], 'float32');
    const dg = backend.makeOutput([W], 'float32');
    const db = backend.makeOutput([W], 'float32');
    const acc = backend.makeOutput([2 * W], 'float32');
    const at = (t: tf.TensorInfo) => offsetOf(backend, t);
    const k = simdKernels(backend);
    k.layerNormGrad(at(dy), at(xhat), at(rstd), at(gamma), at(dx), rows, W);
    k.blockSum(at(dy), at(xhat), at(dg), at(acc), W, rows); // dγ = Σ_rows dy ∘ x̂
    k.blockSum(at(dy), 0, at(db), at(acc), W, rows); // dβ = Σ_rows dy
    backend.disposeData(acc.dataId);
    return [dx, dg, db];
  });

  registerWasmKernel(GELU, ({ inputs: { x }, backend }) => {
    const y = backend.makeOutput([...x.shape], 'float32');
    const dydx = backend.makeOutput([...x.shape], 'float32');
    simdKernels(backend).gelu(offsetOf(backend, x), offsetOf(backend, y), offsetOf(backend, dydx), sizeOf(x));
    return [y, dydx];
  });

  registerWasmKernel(TRANSPOSE, ({ inputs: { x }, backend }) => {
    const [R, C] = x.shape as [number, number];
    const out = backend.makeOutput([C, R], 'float32');
    simdKernels(backend).transpose2d(offsetOf(backend, x), C, 0, offsetOf(backend, out), R, R, C, 1);
    return out;
  });

  registerWasmKernel(GATHER_ROWS, ({ inputs: { table, ids }, backend }) => {
    const W = table.shape[1]!;
    const rows = table.shape[0]!;
    const out = backend.makeOutput([sizeOf(ids), W], 'float32');
    const T = f32(backend, table);
    const I = i32(backend, ids);
    const O = f32(backend, out);
    for (let n = 0; n < I.length; n++) {
      const id = I[n];
      if (!(id >= 0 && id < rows)) throw new RangeError(`embedding id ${id} at flat position ${n} is outside the table's ${rows} rows`);
      O.set(T.subarray(id * W, id * W + W), n * W);
    }
    return out;
  });

  registerWasmKernel(SCATTER_ADD_ROWS, ({ inputs: { dy, ids }, backend, attrs }) => {
    const { rows } = attrs as { rows: number };
    const W = dy.shape[1]!;
    const out = backend.makeOutput([rows, W], 'float32');
    const D = f32(backend, dy);
    const I = i32(backend, ids);
    const O = f32(backend, out);
    O.fill(0);
    for (let n = 0; n < I.length; n++) {
      const o = I[n] * W;
      const d = n * W;
      for (let j = 0; j < W; j++) O[o + j] += D[d + j];
    }
    return out;
  });
}

/** out[i] = Σ_b x[b · size + i]: the sum of x's consecutive blocks of `size` elements. */
export function blockSum(x: tf.Tensor, size: number): tf.Tensor1D {
  if (x.size % size !== 0) throw new RangeError(`blockSum: ${x.shape.join(' × ')} values are not whole blocks of ${size}`);
  return runKernel(BLOCK_SUM, { x }, { size });
}

/**
 * LayerNorm over rows of `width` of Σ terms (a term may be a suffix block, broadcast by tfjs'
 * XNNPACK add): [y, x̂, 1/σ].
 */
export function layerNormForward(terms: tf.Tensor[], gamma: tf.Tensor, beta: tf.Tensor, width: number, eps: number): [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D] {
  return tf.tidy(() => {
    const s = terms.slice(1).reduce((acc, t) => tf.add(acc, t), terms[0]);
    return runKernel<[tf.Tensor2D, tf.Tensor2D, tf.Tensor1D]>(LAYER_NORM, { s, gamma, beta }, { width, eps });
  });
}

/** LayerNorm's backward pass from the saved x̂ and 1/σ: [dx, dγ, dβ]. */
export function layerNormBackward(dy: tf.Tensor, xhat: tf.Tensor, rstd: tf.Tensor, gamma: tf.Tensor): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  return runKernel(LAYER_NORM_GRAD, { dy, xhat, rstd, gamma });
}

/** Exact GELU (A&S erf, as the WebGPU kernel) and its derivative Φ(x) + x · φ(x): [y, dy/dx]. */
export function geluWithGrad(x: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return runKernel<[tf.Tensor, tf.Tensor]>(GELU, { x });
}

/** The transpose of a 2-D tensor. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  return runKernel(TRANSPOSE, { x });
}

/** Rows of `table` [rows, width] at `ids` (int32, any shape, flattened): [ids.size, width]. */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor2D {
  return runKernel(GATHER_ROWS, { table, ids });
}

/** The gradient of gatherRows w.r.t. the table: dy's rows summed into row ids[n] of a [rows, width] zero table. */
export function scatterAddRows(dy: tf.Tensor2D, ids: tf.Tensor, rows: number): tf.Tensor2D {
  return runKernel(SCATTER_ADD_ROWS, { dy, ids }, { rows });
}
