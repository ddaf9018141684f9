/**
 * The encoder's building blocks as tfjs ops with hand-written gradients.
 *
 * Why not plain autodiff: the tape keeps a copy of every input each kernel's gradient might need
 * (on the wasm backend engine.clone really copies), so composing LayerNorm, GELU, residual adds
 * and attention from primitive ops keeps many [tokens × width] and [heads × T × T] tensors per
 * layer; at ELECTRA-small batch 8 × 384 that exceeded the wasm heap (4 GB). The ops below save
 * only what their closed-form gradients need, and the attention op recomputes its T × T
 * probabilities in the backward pass instead of keeping them.
 * tfjs runs a customGrad forward inside its own tidy: only the value and saved tensors survive.
 */
import * as tf from '@tensorflow/tfjs';
import type { DropoutMasker } from './dropout';

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/**
 * tf.customGrad with the inputs as an array and `save` separate (tfjs' own typing is variadic),
 * and with a backward pass that frees memory as it goes. tfjs calls a custom gradient outside
 * any tidy and keeps every upstream gradient until the whole backward pass ends; here the
 * gradient runs in its own tidy (only the input gradients survive) and the upstream gradient
 * `dy` is released once consumed: it belongs to this op's output alone, and nothing reads it
 * again (disposing it twice at the end of the pass is a no-op). For that to hold, a gradFunc
 * must return a distinct tensor for each input (see addLayerNorm), and callers must not pass
 * their own `dy` to tf.grads for a function whose output is directly one of these ops (the
 * training path differentiates a scalar loss, whose seed gradient tfjs creates itself).
 */
export function customOp(
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFunc },
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { value, gradFunc } = f(args.slice(0, -1) as tf.Tensor[], save);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const grads = tf.tidy(() => gradFunc(dy, saved));
        dy.dispose();
        return grads;
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
}

/**
 * One-hot rows as float32. Not tf.oneHot(..., 'float32'): in tfjs 4.22 the wasm kernel ignores
 * the dtype and writes integer bit patterns into the float buffer (1 reads as 1.4e-45).
 */
export function oneHotF32(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D;
}

/** Swaps the last two axes. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return tf.transpose(x, perm);
}

const linearOp = customOp(([x, w, b], save) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, tf.transpose(w)), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved;
      return [tf.matMul(dy, ws), tf.matMul(tf.transpose(dy), xs), tf.sum(dy, 0)];
    },
  };
});

/**
 * y = x · Wᵀ + b with PyTorch's [out, in] weight, x [N, in].
 *
 * Explicit transposes and plain matMuls only, forward and backward: on the wasm backend
 * (tfjs 4.22) matMul with transposeA/transposeB runs 5–15× slower than a transpose followed by
 * a plain matMul at these shapes (measured: [768,256]·[256,1024] 95 ms plain vs 557 ms with
 * transposeB; the weight gradient 93 ms vs 1,428 ms with transposeA), and tf.fused.matMul's
 * wasm kernel adds the bias at wrong positions when transposeB is set.
 *   dx = dy · W   (W is already [out, in]),   dW = dyᵀ · x,   db = Σ_rows dy
 */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return linearOp(x, weight, bias) as tf.Tensor2D;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Exact GELU, x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), as torch.nn.functional.gelu
 * (approximate='none'). tf.erf exists on cpu, wasm and webgpu (Abramowitz–Stegun 7.1.26,
 * |error| ≤ 1.5e-7, so GELU is within |x| · 7.5e-8 of exact).
 * Gradient Φ(x) + x · φ(x), from the saved input alone.
 */
export const gelu: (x: tf.Tensor) => tf.Tensor = customOp(([x], save) => {
  save([x]);
  return {
    value: tf.mul(x, tf.mul(tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1), 0.5)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs] = saved;
      const phi = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
      const cdf = tf.mul(tf.add(tf.erf(tf.mul(xs, SQRT1_2)), 1), 0.5);
      return tf.mul(dy, tf.add(cdf, tf.mul(xs, phi)));
    },
  };
});

/**
 * LayerNorm over the last axis of the sum of `summands` (residual connections and the
 * embedding sum folded in), biased variance as torch.nn.LayerNorm:
 *   y = (s − μ) / √(σ² + eps) · γ + β,   s = Σ summands.
 * The first summand fixes the shape; each other one has that shape or a suffix of it
 * (e.g. position embeddings [T, E] against [B, T, E]) and gets its gradient summed over the
 * broadcast leading axes. The output is reshaped to `outShape` when given (inside the op, so the
 * reshape costs nothing on the tape). Saves x̂ and 1/σ.
 */
export function addLayerNorm(summands: tf.Tensor[], gamma: tf.Tensor, beta: tf.Tensor, eps: number, outShape?: number[]): tf.Tensor {
  const shape = summands[0].shape;
  const axis = shape.length - 1;
  const width = shape[axis];
  const rows = summands[0].size / width;
  const k = summands.length;
  const op = customOp((inputs, save) => {
    const terms = inputs.slice(0, k);
    const [g, b] = inputs.slice(k);
    let s = terms[0];
    for (let i = 1; i < k; i++) s = tf.add(s, terms[i]);
    const s2 = tf.reshape(s, [rows, width]);
    const { mean, variance } = tf.moments(s2, 1, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(s2, mean), rstd);
    save([xhat, rstd, g]);
    const y = tf.add(tf.mul(xhat, g), b);
    return {
      value: tf.reshape(y, outShape ?? shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gm] = saved;
        const dy2 = tf.reshape(dy, [rows, width]);
        const dGamma = tf.sum(tf.mul(dy2, xh), 0);
        const dBeta = tf.sum(dy2, 0);
        // dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), with dx̂ = dy · γ
        const dxhat = tf.mul(dy2, gm);
        const m1 = tf.mean(dxhat, 1, true);
        const m2 = tf.mean(tf.mul(dxhat, xh), 1, true);
        const dx = tf.reshape(tf.mul(rs, tf.sub(tf.sub(dxhat, m1), tf.mul(xh, m2))), shape);
        // Every input gets its own tensor: upstream ops release their gradient after use.
        const dTerms = terms.map((t, i) => {
          if (t.rank === shape.length) return i === 0 ? dx : tf.clone(dx);
          const lead = shape.length - t.rank;
          return tf.sum(dx, Array.from({ length: lead }, (_, j) => j));
        });
        return [...dTerms, dGamma, dBeta];
      },
    };
  });
  return op(...summands, gamma, beta);
}

/** LayerNorm of a single input. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return addLayerNorm([x], gamma, beta, eps);
}

export interface AttentionShape {
  batch: number;
  seqLen: number;
  heads: number;
}

/**
 * How the per-head products are computed:
 * - 'batched': one batched matMul over [B, heads] (best on WebGPU, WebGL and cpu);
 * - 'sliced': a plain 2-D matMul per (example, head) on slices of the [B·T, H] inputs. On the
 *   wasm backend (tfjs 4.22) a batched matMul runs a scalar loop (~1.5 GFLOP/s: 27 ms for
 *   [32, 192, 16]·[32, 16, 192]) while a 2-D one goes to XNNPACK (0.16 ms for one [192, 16]·[16, 192]),
 *   so 32 slices, their products and a concat cost a third of the batched product.
 * 'auto' picks 'sliced' on wasm and 'batched' elsewhere. Both give the same values (tested).
 */
export type AttentionStrategy = 'auto' | 'batched' | 'sliced';

function resolveStrategy(strategy: AttentionStrategy): 'batched' | 'sliced' {
  if (strategy !== 'auto') return strategy;
  return tf.getBackend() === 'wasm' ? 'sliced' : 'batched';
}

/**
 * Multi-head scaled dot-product attention core, from projected q, k, v ([B·T, H] each) to the
 * context [B·T, H]:
 *   P = softmax(q·kᵀ/√d + bias) per head,  P' = dropout(P),  ctx = P'·v
 * with bias [B, 1, 1, T] the additive mask (constant, no gradient).
 * Saves only q, k, v (and the small bias); the backward pass recomputes P (one extra q·kᵀ) and rebuilds the dropout
 * mask from its spec, so no [B, heads, T, T] tensor outlives the forward pass.
 * All products are plain matMuls; only the thin [T, d] operands are transposed.
 */
export function attention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  bias: tf.Tensor,
  shape: AttentionShape,
  dropout?: { masker: DropoutMasker; rate: number },
  strategy: AttentionStrategy = 'auto',
): tf.Tensor2D {
  const spec = dropout && dropout.rate > 0 ? dropout.masker.drawSpec([shape.batch, shape.heads, shape.seqLen, shape.seqLen], dropout.rate) : null;
  const mask: MaskSource = spec ? { mask: () => dropout!.masker.maskFromSpec(spec), apply: (t) => dropout!.masker.applySpec(spec, t) } : null;
  const core = resolveStrategy(strategy) === 'sliced' ? slicedAttention : batchedAttention;
  return core(q, k, v, bias, shape, mask);
}

/**
 * The attention dropout, rebuilt identically each call, or null without dropout: the
 * [B, heads, T, T] mask itself, or a tensor of that shape times it (one dispatch on webgpu).
 */
type MaskSource = { mask: () => tf.Tensor; apply: (t: tf.Tensor) => tf.Tensor } | null;

function batchedAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, bias: tf.Tensor, shape: AttentionShape, maskOf: MaskSource): tf.Tensor2D {
  const { batch: B, seqLen: T, heads: nh } = shape;
  const H = q.shape[1];
  const dh = H / nh;
  const scale = 1 / Math.sqrt(dh);
  const toHeads = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [B, T, nh, dh]), [0, 2, 1, 3]);
  const fromHeads = (x: tf.Tensor) => tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B * T, H]);
  // P for heads-form q (already scaled) and k.
  const probs = (qh: tf.Tensor, kh: tf.Tensor, b: tf.Tensor) => tf.softmax(tf.add(tf.matMul(qh, swapLast(kh)), b));
  const op = customOp(([qIn, kIn, vIn], save) => {
    // The bias is saved too: the caller's tensor is gone by the time backprop runs.
    save([qIn, kIn, vIn, bias]);
    const qh = tf.mul(toHeads(qIn), scale);
    const p = probs(qh, toHeads(kIn), bias);
    const pd = maskOf ? maskOf.apply(p) : p;
    return {
      value: fromHeads(tf.matMul(pd, toHeads(vIn))),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [qs, ks, vs, biasS] = saved;
        const qhS = tf.mul(toHeads(qs), scale);
        const khS = toHeads(ks);
        const vhS = toHeads(vs);
        const P = probs(qhS, khS, biasS);
        const Pd = maskOf ? maskOf.apply(P) : P;
        const dCtx = toHeads(dy); // [B, nh, T, dh]
        const dV = swapLast(tf.matMul(swapLast(dCtx), Pd)); // (dCtxᵀ · P')ᵀ = P'ᵀ · dCtx
        let dP = tf.matMul(dCtx, swapLast(vhS)); // dCtx · vᵀ
        if (maskOf) dP = maskOf.apply(dP);
        // softmax backward: dS = P ∘ (dP − Σ_j dP ∘ P)
        const dS = tf.mul(P, tf.sub(dP, tf.sum(tf.mul(dP, P), -1, true)));
        const dQ = tf.mul(tf.matMul(dS, khS), scale);
        const dK = swapLast(tf.matMul(swapLast(qhS), dS)); // (q'ᵀ · dS)ᵀ = dSᵀ · q'
        return [fromHeads(dQ), fromHeads(dK), fromHeads(dV)];
      },
    };
  });
  return op(q, k, v) as tf.Tensor2D;
}

/**
 * The same attention as batchedAttention with one 2-D matMul per (example b, head h). The inputs
 * are rearranged once into head-major blocks ([B·heads, T, d] and, for the right-hand operands,
 * [B·heads, d, T]) so that every per-head operand is a contiguous block (tf.unstack copies it
 * with one memcpy; a strided slice of the [B·T, H] input cost ~0.2 ms each on wasm), no product
 * needs a transposed flag (slow on wasm) and no [T, T] matrix is ever transposed. The per-head
 * results are stacked back and rearranged once. Each (b, h) runs in its own tidy, so only one
 * head's [T, T] matrices are alive at a time.
 */
function slicedAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, bias: tf.Tensor, shape: AttentionShape, maskOf: MaskSource): tf.Tensor2D {
  const { batch: B, seqLen: T, heads: nh } = shape;
  const H = q.shape[1];
  const dh = H / nh;
  const scale = 1 / Math.sqrt(dh);
  /** [T, d] blocks of a [B·T, H] tensor, index b·heads + h. */
  const blocks = (x: tf.Tensor) => tf.unstack(tf.reshape(tf.transpose(tf.reshape(x, [B, T, nh, dh]), [0, 2, 1, 3]), [B * nh, T, dh]));
  /** [d, T] blocks (the transposed heads). */
  const blocksT = (x: tf.Tensor) => tf.unstack(tf.reshape(tf.transpose(tf.reshape(x, [B, T, nh, dh]), [0, 2, 3, 1]), [B * nh, dh, T]));
  /** [B·T, H] from [T, d] blocks. */
  const fromBlocks = (xs: tf.Tensor[]) => tf.reshape(tf.transpose(tf.reshape(tf.stack(xs), [B, nh, T, dh]), [0, 2, 1, 3]), [B * T, H]);
  /** [B·T, H] from [d, T] blocks. */
  const fromBlocksT = (xs: tf.Tensor[]) => tf.reshape(tf.transpose(tf.reshape(tf.stack(xs), [B, nh, dh, T]), [0, 3, 1, 2]), [B * T, H]);
  const biasRows = (b: tf.Tensor) => tf.unstack(tf.reshape(b, [B, 1, T]));
  const maskBlocks = (m: tf.Tensor) => tf.unstack(tf.reshape(m, [B * nh, T, T]));
  const probs = (qb: tf.Tensor, kTb: tf.Tensor, biasRow: tf.Tensor) => tf.softmax(tf.add(tf.matMul(qb, kTb), biasRow));

  const op = customOp(([qIn, kIn, vIn], save) => {
    save([qIn, kIn, vIn, bias]);
    const qs = blocks(tf.mul(qIn, scale));
    const kT = blocksT(kIn);
    const vs = blocks(vIn);
    const rowsOfBias = biasRows(bias);
    const masks = maskOf ? maskBlocks(maskOf.mask()) : null;
    const ctx = qs.map((qb, i) =>
      tf.tidy(() => {
        const p = probs(qb, kT[i], rowsOfBias[Math.floor(i / nh)]);
        return tf.matMul(masks ? tf.mul(p, masks[i]) : p, vs[i]);
      }),
    );
    return {
      value: fromBlocks(ctx),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [qS, kS, vS, biasS] = saved;
        const qsS = tf.mul(qS, scale);
        const qb = blocks(qsS);
        const qT = blocksT(qsS);
        const kb = blocks(tf.mul(kS, scale)); // dQ = dS · k / √d
        const kT2 = blocksT(kS);
        const vT = blocksT(vS);
        const dyb = blocks(dy);
        const dyT = blocksT(dy);
        const rowsS = biasRows(biasS);
        const masksS = maskOf ? maskBlocks(maskOf.mask()) : null;
        const dQ: tf.Tensor[] = [];
        const dKT: tf.Tensor[] = [];
        const dVT: tf.Tensor[] = [];
        for (let i = 0; i < B * nh; i++) {
          const [gq, gk, gv] = tf.tidy(() => {
            const P = probs(qb[i], kT2[i], rowsS[Math.floor(i / nh)]);
            const m = masksS ? masksS[i] : null;
            const Pd = m ? tf.mul(P, m) : P;
            const dVTi = tf.matMul(dyT[i], Pd); // dVᵀ = dCtxᵀ · P'
            let dP = tf.matMul(dyb[i], vT[i]); // dCtx · vᵀ
            if (m) dP = tf.mul(dP, m);
            const dS = tf.mul(P, tf.sub(dP, tf.sum(tf.mul(dP, P), -1, true)));
            return [tf.matMul(dS, kb[i]), tf.matMul(qT[i], dS), dVTi]; // dQ, dKᵀ = q'ᵀ · dS, dVᵀ
          });
          dQ.push(gq);
          dKT.push(gk);
          dVT.push(gv);
        }
        return [fromBlocks(dQ), fromBlocksT(dKT), fromBlocksT(dVT)];
      },
    };
  });
  return op(q, k, v) as tf.Tensor2D;
}
