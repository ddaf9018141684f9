/**
 * The encoder's building blocks on our wasm-backend kernels (src/domain/compute/wasm/), with the
 * same values and gradients as the tfjs-op versions in ops.ts (tested against them), in fewer
 * passes over memory: every matrix product goes to XNNPACK (per-head ones on blocks, no slicing),
 * the rest is one pass per block where ops.ts chains tfjs kernels.
 *
 * Memory as ops.ts: customOp saves only what the gradient needs; attention keeps its [B, heads,
 * T, T] probabilities for the backward pass when they are small (SAVE_PROBS_MAX), and recomputes
 * them otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import { blockProducts, mergeHeads, registerWasmAttentionKernels, softmaxGrad, splitHeads, transposeBlocks, type HeadLayout } from '../compute/wasm/attention-kernels';
import { blockSum, geluWithGrad, layerNormBackward, layerNormForward, registerWasmLayerKernels, transpose2d } from '../compute/wasm/layer-kernels';
import type { DropoutMasker } from './dropout';
import { customOp, type AttentionShape } from './ops';

/** Registers the wasm kernels these ops run on (idempotent; the wasm backend must be registered). */
export function registerWasmOps(): void {
  registerWasmLayerKernels();
  registerWasmAttentionKernels();
}

const linearOp = customOp(([x, w, b], save) => {
  save([x, w]);
  return {
    // XNNPACK takes the weight as [in, out] and adds the bias in its epilogue.
    value: tf.fused.matMul({ a: x as tf.Tensor2D, b: transpose2d(w as tf.Tensor2D), bias: b }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      const dy2 = dy as tf.Tensor2D;
      const [, out] = dy2.shape;
      const inW = xs.shape[1];
      // dW = dyᵀ · x [out, in], or (xᵀ · dy)ᵀ: XNNPACK packs the right operand for every call
      // (it is a fresh tensor each step), so the narrower of x and dy goes on the right (a
      // transposed flag would send the product to tfjs' scalar loop).
      const dW = inW <= out ? tf.matMul(transpose2d(dy2), xs) : transpose2d(tf.matMul(transpose2d(xs), dy2));
      return [tf.matMul(dy2, ws), dW, blockSum(dy, out)];
    },
  };
});

/** y = x · Wᵀ + b with PyTorch's [out, in] weight. */
export function linearWasm(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return linearOp(x, weight, bias) as tf.Tensor2D;
}

/** Exact GELU (as ops.ts gelu); the forward pass saves the derivative, the backward pass is one multiply. */
export const geluWasm: (x: tf.Tensor) => tf.Tensor = customOp(([x], save) => {
  const [y, dydx] = geluWithGrad(x);
  save([dydx]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]),
  };
});

/**
 * LayerNorm over the last axis of Σ summands, as ops.ts addLayerNorm (same broadcasting of
 * suffix-shaped terms, same `outShape`). Saves x̂ and 1/σ, as ops.ts.
 */
export function addLayerNormWasm(summands: tf.Tensor[], gamma: tf.Tensor, beta: tf.Tensor, eps: number, outShape?: number[]): tf.Tensor {
  const shape = summands[0].shape;
  const width = shape[shape.length - 1];
  const k = summands.length;
  const op = customOp((inputs, save) => {
    const terms = inputs.slice(0, k);
    const [g, b] = inputs.slice(k);
    const [y, xhat, rstd] = layerNormForward(terms, g, b, width, eps);
    save([xhat, rstd, g]);
    return {
      value: tf.reshape(y, outShape ?? shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gm] = saved;
        const [dx2, dGamma, dBeta] = layerNormBackward(dy, xh, rs, gm);
        const dx = tf.reshape(dx2, shape);
        // Every input gets its own tensor (upstream ops release their gradient after use): a
        // reshape is one that shares dx's data, where tf.clone copies on wasm (Identity). A
        // broadcast term with as many values as dx, at batch 1, still gets its own shape.
        const dTerms = terms.map((t) => tf.reshape(t.size === dx.size ? dx2 : blockSum(dx, t.size), t.shape));
        return [...dTerms, dGamma, dBeta];
      },
    };
  });
  return op(...summands, gamma, beta);
}

/** Scores of at most this many elements ([B, heads, T, T]) are kept for the backward pass, else recomputed. */
export const SAVE_PROBS_MAX = 1 << 23;

/**
 * Multi-head attention core as ops.ts attention, from the stacked projection qkv ([B·T, 3H]:
 * q, k, v side by side) to the context [B·T, H], with bias [B, 1, 1, T] (added in the score
 * product's epilogue, per example) and dropout on the probabilities. Per-head operands are
 * copied once into head-major blocks straight from qkv, and the gradient comes back as one
 * [B·T, 3H] tensor (no split, no concat). `keepProbs`: save P for the backward pass (default:
 * when it has at most SAVE_PROBS_MAX elements) or recompute it there.
 */
export function attentionWasm(
  qkv: tf.Tensor2D,
  bias: tf.Tensor,
  shape: AttentionShape,
  dropout?: { masker: DropoutMasker; rate: number },
  keepProbs = shape.batch * shape.heads * shape.seqLen * shape.seqLen <= SAVE_PROBS_MAX,
): tf.Tensor2D {
  const { batch: B, seqLen: T, heads: nh } = shape;
  const H = qkv.shape[1] / 3;
  const dh = H / nh;
  const scale = 1 / Math.sqrt(dh);
  const count = B * nh;
  const layout: HeadLayout = { batch: B, seqLen: T, heads: nh };
  const spec = dropout && dropout.rate > 0 ? dropout.masker.drawSpec([B, nh, T, T], dropout.rate) : null;
  const maskOf = () => (spec ? tf.reshape(dropout!.masker.maskFromSpec(spec), [count * T, T]) : null);
  const q = (x: tf.Tensor, transposed = false) => splitHeads(x, layout, { column: 0, width: H, transposed, scale });
  const k = (x: tf.Tensor, transposed = false, s = 1) => splitHeads(x, layout, { column: H, width: H, transposed, scale: s });
  const v = (x: tf.Tensor, transposed = false) => splitHeads(x, layout, { column: 2 * H, width: H, transposed });
  // P = softmax(q'·kᵀ + bias) over [B·heads·T, T], q' = q / √d.
  const probs = (x: tf.Tensor, biasRows: tf.Tensor) => tf.softmax(blockProducts(q(x), k(x, true), T, dh, T, count, { rows: biasRows, every: nh }));

  const op = customOp(([x], save) => {
    const biasRows = tf.reshape(bias, [B, T]);
    const P = probs(x, biasRows);
    const mask = maskOf();
    const Pd = mask ? tf.mul(P, mask) : P;
    save(keepProbs ? [x, P] : [x, biasRows]);
    return {
      value: mergeHeads([{ x: blockProducts(Pd, v(x), T, T, dh, count) }], layout),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, last] = saved;
        const Ps = keepProbs ? last : probs(xs, last);
        const m = maskOf();
        // XNNPACK repacks a product's right operand every call, at about the cost of the
        // product for these shapes: the [T, T] matrices go on the left, transposed where needed.
        const dyHeads = splitHeads(dy, layout);
        const dV = blockProducts(transposeBlocks(Ps, count, T, m), dyHeads, T, T, dh, count); // P'ᵀ · dCtx
        const dPd = blockProducts(dyHeads, v(xs, true), T, dh, T, count); // dCtx · vᵀ
        const dS = softmaxGrad(Ps, dPd, T, m);
        const dQ = blockProducts(dS, k(xs, false, scale), T, T, dh, count); // dS · k / √d
        const dK = blockProducts(transposeBlocks(dS, count, T), q(xs), T, T, dh, count); // dSᵀ · q'
        return mergeHeads([{ x: dQ }, { x: dK }, { x: dV }], layout);
      },
    };
  });
  return op(qkv) as tf.Tensor2D;
}
