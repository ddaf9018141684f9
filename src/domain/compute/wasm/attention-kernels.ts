/**
 * Attention's kernels on the wasm backend: head-major layouts, per-head products through
 * XNNPACK on blocks (heap.ts blockMatMul, the mask bias in the product's epilogue), and the
 * softmax gradient with the dropout mask in one pass. The softmax itself is tfjs' (XNNPACK's
 * vectorised exp: 7.6 ms for 4.7M scores, where a JavaScript Math.exp loop took 57 ms).
 *
 * Layouts, for a [B·T, H] projection with `heads` heads of width d = H / heads:
 *   heads:  [B·heads, T, d]  (block i = b·heads + h is that head's rows),
 *   headsT: [B·heads, d, T]  (each block transposed: the right operand of q·kᵀ and similar).
 */
import * as tf from '@tensorflow/tfjs';
import { runKernel } from '../run-kernel';
import { blockMatMul, offsetOf, registerWasmKernel, sizeOf } from './heap';
import { simdKernels } from './simd/simd-module';

export interface HeadLayout {
  batch: number;
  seqLen: number;
  heads: number;
}

const SPLIT = 'QaWasmSplitHeads';
const MERGE = 'QaWasmMergeHeads';
const BLOCK_MM = 'QaWasmBlockMatMul';
const SOFTMAX_GRAD = 'QaWasmSoftmaxGrad';
const TRANSPOSE_BLOCKS = 'QaWasmTransposeBlocks';

let registered = false;

/** Registers the kernels below for the wasm backend (idempotent). */
export function registerWasmAttentionKernels(): void {
  if (registered) return;
  registered = true;

  registerWasmKernel(SPLIT, ({ inputs: { x }, backend, attrs }) => {
    const { batch: B, seqLen: T, heads: nh, transposed, scale, column, width: H } = attrs as unknown as HeadLayout & { transposed: boolean; scale: number; column: number; width: number };
    const rowWidth = x.shape[1]!;
    const d = H / nh;
    const out = backend.makeOutput(transposed ? [B * nh, d, T] : [B * nh, T, d], 'float32');
    const k = simdKernels(backend);
    const src = offsetOf(backend, x);
    const dst = offsetOf(backend, out);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < nh; h++) {
        const from = src + ((b * T * rowWidth + column + h * d) << 2);
        const to = dst + (((b * nh + h) * T * d) << 2);
        if (transposed) k.transpose2d(from, rowWidth, 0, to, T, T, d, scale);
        else k.copy2d(from, rowWidth, to, d, T, d, scale);
      }
    }
    return out;
  });

  registerWasmKernel(MERGE, ({ inputs, backend, attrs }) => {
    const { batch: B, seqLen: T, heads: nh, transposed } = attrs as unknown as HeadLayout & { transposed: boolean[] };
    const parts = transposed.length;
    const d = sizeOf(inputs.x0) / (B * nh * T);
    const H = d * nh;
    const rowWidth = parts * H;
    const out = backend.makeOutput([B * T, rowWidth], 'float32');
    const k = simdKernels(backend);
    const dst = offsetOf(backend, out);
    for (let p = 0; p < parts; p++) {
      const src = offsetOf(backend, inputs[`x${p}`]);
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < nh; h++) {
          const from = src + (((b * nh + h) * T * d) << 2);
          const to = dst + ((b * T * rowWidth + p * H + h * d) << 2);
          if (transposed[p]) k.transpose2d(from, T, 0, to, rowWidth, d, T, 1);
          else k.copy2d(from, d, to, rowWidth, T, d, 1);
        }
      }
    }
    return out;
  });

  registerWasmKernel(BLOCK_MM, ({ inputs: { a, b, bias }, backend, attrs }) => {
    const { m, k, n, count, biasEvery } = attrs as { m: number; k: number; n: number; count: number; biasEvery: number };
    const out = backend.makeOutput([count * m, n], 'float32');
    const aStep = sizeOf(a) === m * k ? 0 : m * k;
    const bStep = sizeOf(b) === k * n ? 0 : k * n;
    // Product i takes bias row floor(i / biasEvery): the mask of example b for its heads.
    if (bias && biasEvery > 1) {
      for (let g = 0; g < count / biasEvery; g++) {
        const i0 = g * biasEvery;
        blockMatMul(backend, { t: a, start: i0 * aStep, step: aStep }, { t: b, start: i0 * bStep, step: bStep }, { t: out, start: i0 * m * n, step: m * n }, m, k, n, biasEvery, { t: bias, start: g * n, step: 0 });
      }
    } else {
      blockMatMul(backend, { t: a, step: aStep }, { t: b, step: bStep }, { t: out, step: m * n }, m, k, n, count, bias ? { t: bias, step: n } : undefined);
    }
    return out;
  });

  registerWasmKernel(TRANSPOSE_BLOCKS, ({ inputs: { x, mask }, backend, attrs }) => {
    const { count, rows: R } = attrs as { count: number; rows: number };
    const C = sizeOf(x) / (count * R);
    const out = backend.makeOutput([count * C, R], 'float32');
    const k = simdKernels(backend);
    const src = offsetOf(backend, x);
    const m = mask ? offsetOf(backend, mask) : 0;
    const dst = offsetOf(backend, out);
    for (let i = 0; i < count; i++) {
      const o = (i * R * C) << 2;
      k.transpose2d(src + o, C, m ? m + o : 0, dst + o, R, R, C, 1);
    }
    return out;
  });

  registerWasmKernel(SOFTMAX_GRAD, ({ inputs: { p, dp, mask }, backend, attrs }) => {
    const { width: W } = attrs as { width: number };
    const out = backend.makeOutput([...p.shape], 'float32');
    const at = (t: tf.TensorInfo) => offsetOf(backend, t);
    simdKernels(backend).softmaxGrad(at(p), at(dp), mask ? at(mask) : 0, at(out), sizeOf(p) / W, W);
    return out;
  });
}

/**
 * Columns [column, column + width) of a [B·T, ·] tensor (q, k or v of a stacked projection) →
 * head-major [B·heads, T, d] (or [B·heads, d, T] when transposed), times `scale`.
 */
export function splitHeads(x: tf.Tensor, layout: HeadLayout, opts: { column?: number; width?: number; transposed?: boolean; scale?: number } = {}): tf.Tensor {
  const width = opts.width ?? x.shape[1]!;
  return runKernel(SPLIT, { x }, { ...layout, column: opts.column ?? 0, width, transposed: opts.transposed ?? false, scale: opts.scale ?? 1 });
}

/** The inverse of splitHeads for several parts side by side: head-major blocks (each transposed or not) → [B·T, parts · H]. */
export function mergeHeads(parts: Array<{ x: tf.Tensor; transposed?: boolean }>, layout: HeadLayout): tf.Tensor2D {
  const inputs: Record<string, tf.Tensor> = {};
  parts.forEach((p, i) => (inputs[`x${i}`] = p.x));
  return runKernel(MERGE, inputs, { ...layout, transposed: parts.map((p) => p.transposed ?? false) });
}

/**
 * `count` products A_i [m, k] · B_i [k, n] of consecutive dense blocks (an operand of one block
 * is shared by all), as [count · m, n]; with `bias` [count / biasEvery, n], row ⌊i / biasEvery⌋
 * is added to every row of product i.
 */
export function blockProducts(a: tf.Tensor, b: tf.Tensor, m: number, k: number, n: number, count: number, bias?: { rows: tf.Tensor; every: number }): tf.Tensor2D {
  const inputs: Record<string, tf.Tensor> = bias ? { a, b, bias: bias.rows } : { a, b };
  return runKernel(BLOCK_MM, inputs, { m, k, n, count, biasEvery: bias?.every ?? 1 });
}

/** Each of `count` consecutive [rows, C] blocks of x (times `mask`, elementwise, when given) transposed: [count · C, rows]. */
export function transposeBlocks(x: tf.Tensor, count: number, rows: number, mask: tf.Tensor | null = null): tf.Tensor2D {
  return runKernel(TRANSPOSE_BLOCKS, mask ? { x, mask } : { x }, { count, rows });
}

/** dS = P ∘ (dP − Σ_j P ∘ dP) per row of width `width`, with dP = dP' ∘ mask when there is dropout. */
export function softmaxGrad(p: tf.Tensor, dPd: tf.Tensor, width: number, mask: tf.Tensor | null): tf.Tensor {
  return runKernel(SOFTMAX_GRAD, mask ? { p, dp: dPd, mask } : { p, dp: dPd }, { width });
}
