/**
 * The encoder's building blocks as tfjs ops. LayerNorm, GELU and the attention softmax carry
 * hand-written gradients: autodiff of their compositions would keep every intermediate
 * [tokens × width] tensor alive on the tape (for GELU alone 4 per layer at 3072 × 1024), while
 * the closed forms below need only the input (GELU, LayerNorm) or the output (softmax).
 * (tfjs runs a customGrad forward inside its own tidy: only the value and the saved tensors survive.)
 */
import * as tf from '@tensorflow/tfjs';

/**
 * y = x · Wᵀ + b with PyTorch's [out, in] weight (transposeB, no explicit transpose).
 * Not tf.fused.matMul: in tfjs 4.22 its wasm kernel adds the bias at the wrong positions when
 * transposeB is set (the first row gets the right bias, later rows wrong entries).
 */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x, weight as tf.Tensor2D, false, true), bias) as tf.Tensor2D;
}

/**
 * One-hot rows as float32. Not tf.oneHot(..., 'float32'): in tfjs 4.22 the wasm kernel ignores
 * the dtype and writes integer bit patterns into the float buffer (1 reads as 1.4e-45).
 */
export function oneHotF32(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D;
}

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** tf.customGrad with the inputs as an array and `save` separate (tfjs' own typing is variadic). */
export function customOp(
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFunc },
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as tf.Tensor[], save);
  }) as Parameters<typeof tf.customGrad>[0]);
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Exact GELU, x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), as torch.nn.functional.gelu (approximate='none'). */
export const gelu: (x: tf.Tensor) => tf.Tensor = customOp(([x], save) => {
  save([x]);
  const value = tf.mul(x, tf.mul(tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1), 0.5));
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs] = saved;
      // d/dx x·Φ(x) = Φ(x) + x·φ(x)
      const phi = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
      const c = tf.mul(tf.add(tf.erf(tf.mul(xs, SQRT1_2)), 1), 0.5);
      return tf.mul(dy, tf.add(c, tf.mul(xs, phi)));
    },
  };
});

/**
 * LayerNorm over the last axis with biased variance, as torch.nn.LayerNorm:
 * y = (x − μ) / √(σ² + eps) · γ + β.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const op = customOp(([xIn, g, b], save) => {
    const axis = xIn.rank - 1;
    const { mean, variance } = tf.moments(xIn, axis, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(xIn, mean), rstd);
    const value = tf.add(tf.mul(xhat, g), b);
    save([xhat, rstd, g]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gm] = saved;
        const width = xh.shape[axis];
        const rowsShape = [xh.size / width, width];
        const dy2 = tf.reshape(dy, rowsShape);
        const xh2 = tf.reshape(xh, rowsShape);
        const dGamma = tf.sum(tf.mul(dy2, xh2), 0);
        const dBeta = tf.sum(dy2, 0);
        // dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), with dx̂ = dy · γ
        const dxhat = tf.mul(dy, gm);
        const m1 = tf.mean(dxhat, axis, true);
        const m2 = tf.mean(tf.mul(dxhat, xh), axis, true);
        const dx = tf.mul(rs, tf.sub(tf.sub(dxhat, m1), tf.mul(xh, m2)));
        return [dx, dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta);
}

/**
 * softmax(scores + bias) over the last axis, with the gradient taken from the output alone
 * (dz = p · (dp − Σ dp·p)), so the biased scores are not kept for backprop.
 * `bias` is a constant (the additive attention mask); it gets no gradient.
 */
export function softmaxWithBias(scores: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const op = customOp(([s], save) => {
    const p = tf.softmax(tf.add(s, bias));
    save([p]);
    return {
      value: p,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [probs] = saved;
        const dot = tf.sum(tf.mul(dy, probs), -1, true);
        return tf.mul(probs, tf.sub(dy, dot));
      },
    };
  });
  return op(scores);
}
