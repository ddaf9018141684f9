/**
 * The encoder's building blocks on our WebGPU kernels (src/domain/compute/webgpu/), with the
 * same values and gradients as the tfjs-op versions in ops.ts (tested against them), in far
 * fewer dispatches: tfjs' WebGPU backend launches one per op, and at ELECTRA-small sizes the
 * launches, not the arithmetic, were the step's cost on a real GPU.
 *
 * Same memory discipline as ops.ts (customOp: only what the gradient needs is saved, attention
 * recomputes its T × T probabilities in the backward pass).
 */
import * as tf from '@tensorflow/tfjs';
import { attnSoftmax, attnSoftmaxGrad, stridedMatMul, type SoftmaxDropout, type Strides } from '../compute/webgpu/attention-kernels';
import { columnSum, geluGradKernel, geluKernel, layerNormGammaGrad, layerNormGrad, layerNormKernel, layerNormStats, MAX_TERMS } from '../compute/webgpu/layer-kernels';
import type { DropoutMasker } from './dropout';
import { customOp, type AttentionShape } from './ops';

const linearOp = customOp(([x, w, b], save) => {
  save([x, w]);
  return {
    // The transposed weight is read in place and the bias added in the product's epilogue:
    // one dispatch (ops.ts transposes explicitly, which only the wasm backend needs).
    value: tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, transposeB: true, bias: b }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved;
      return [tf.matMul(dy as tf.Tensor2D, ws as tf.Tensor2D), tf.matMul(dy as tf.Tensor2D, xs as tf.Tensor2D, true, false), columnSum(dy, dy.shape[1]!)];
    },
  };
});

/** y = x · Wᵀ + b with PyTorch's [out, in] weight: 1 dispatch forward, 3 backward. */
export function linearGpu(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return linearOp(x, weight, bias) as tf.Tensor2D;
}

/** Exact GELU (as ops.ts gelu): 1 dispatch forward, 1 backward. */
export const geluGpu: (x: tf.Tensor) => tf.Tensor = customOp(([x], save) => {
  save([x]);
  return {
    value: geluKernel(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => geluGradKernel(saved[0], dy),
  };
});

/**
 * LayerNorm over the last axis of Σ summands, as ops.ts addLayerNorm (same broadcasting of
 * suffix-shaped terms, same `outShape`). Saves the terms and γ; the backward pass recomputes the
 * row statistics (one dispatch) instead of keeping x̂. 1 dispatch forward, 4 backward (+1 per
 * broadcast term).
 */
export function addLayerNormGpu(summands: tf.Tensor[], gamma: tf.Tensor, beta: tf.Tensor, eps: number, outShape?: number[]): tf.Tensor {
  const shape = summands[0].shape;
  const width = shape[shape.length - 1];
  const k = summands.length;
  if (k > MAX_TERMS) throw new RangeError(`addLayerNormGpu takes at most ${MAX_TERMS} summands, got ${k}`);
  const op = customOp((inputs, save) => {
    const terms = inputs.slice(0, k);
    const [g, b] = inputs.slice(k);
    save([...terms, g]);
    return {
      value: tf.reshape(layerNormKernel(terms, g, b, width, eps), outShape ?? shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const ts = saved.slice(0, k);
        const gm = saved[k];
        const stats = layerNormStats(ts, width, eps);
        const dx = tf.reshape(layerNormGrad(dy, stats, gm, ts, width), shape);
        const dGamma = layerNormGammaGrad(dy, stats, ts, width);
        const dBeta = columnSum(dy, width);
        // Every input gets its own tensor (a clone shares the buffer, no dispatch).
        const dTerms = ts.map((t, i) => {
          const own = t.size === dx.size ? (i === 0 ? dx : tf.clone(dx)) : columnSum(dx, t.size);
          return tf.reshape(own, t.shape);
        });
        return [...dTerms, dGamma, dBeta];
      },
    };
  });
  return op(...summands, gamma, beta);
}

/**
 * Multi-head attention core as ops.ts attention, from q, k, v ([B·T, H] each) to the context
 * [B·T, H], with bias [B, 1, 1, T] and dropout on the probabilities. Per-head operands are read
 * through strides (no head transposes): 3 dispatches forward (scores, softmax with bias and
 * dropout, context), 7 backward (scores and probabilities again, dV, dP', the softmax gradient
 * with the mask, dQ, dK).
 */
export function attentionGpu(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, bias: tf.Tensor, shape: AttentionShape, dropout?: { masker: DropoutMasker; rate: number }): tf.Tensor2D {
  const { batch: B, seqLen: T, heads: nh } = shape;
  const H = q.shape[1];
  const dh = H / nh;
  const scale = 1 / Math.sqrt(dh);
  const spec = dropout && dropout.rate > 0 ? dropout.masker.drawSpec([B, nh, T, T], dropout.rate) : null;
  const drop: SoftmaxDropout = spec ? { key1: spec.o1, key2: spec.o2, rate: 1 - spec.keep } : { key1: 0, key2: 0, rate: 0 };
  // (z, row, col) of a [B·T, H] projection as (z, t, d), its transpose (z, d, t), and of [B·heads·T, T].
  const heads: Strides = { b: T * H, h: dh, r: H, c: 1 };
  const headsT: Strides = { b: T * H, h: dh, r: 1, c: H };
  const sq: Strides = { b: nh * T * T, h: T * T, r: T, c: 1 };
  const sqT: Strides = { b: nh * T * T, h: T * T, r: 1, c: T };
  const scoresShape = [B * nh * T, T];
  const mm = (a: tf.Tensor, b: tf.Tensor, sA: Strides, sB: Strides, sC: Strides, m: number, n: number, kk: number, outShape: number[], alpha = 1) =>
    stridedMatMul(a, b, { m, n, k: kk, batch: B, heads: nh, sA, sB, sC, alpha, outShape });
  const scores = (qq: tf.Tensor, kk: tf.Tensor) => mm(qq, kk, heads, headsT, sq, T, T, dh, scoresShape, scale);
  const probs = (S: tf.Tensor, b: tf.Tensor) => attnSoftmax(S, b, T, nh * T, drop);

  const op = customOp(([qIn, kIn, vIn], save) => {
    // The bias is saved too: the caller's tensor is gone by the time backprop runs.
    save([qIn, kIn, vIn, bias]);
    return {
      value: mm(probs(scores(qIn, kIn), bias), vIn, sq, heads, heads, T, dh, T, [B * T, H]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [qs, ks, vs, bs] = saved;
        const S = scores(qs, ks);
        const dV = mm(probs(S, bs), dy, sqT, heads, heads, T, dh, T, [B * T, H]); // P'ᵀ · dCtx
        const dPd = mm(dy, vs, heads, headsT, sq, T, T, dh, scoresShape); // dCtx · vᵀ
        const dS = attnSoftmaxGrad(S, bs, dPd, T, nh * T, drop);
        const dQ = mm(dS, ks, sq, heads, heads, T, dh, T, [B * T, H], scale);
        const dK = mm(dS, qs, sqT, heads, heads, T, dh, T, [B * T, H], scale); // dSᵀ · q
        return [dQ, dK, dV];
      },
    };
  });
  return op(q, k, v) as tf.Tensor2D;
}
