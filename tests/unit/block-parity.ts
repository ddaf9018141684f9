// Comparing an encoder block on our kernels with its tfjs-op version (ops.ts): the value and the
// gradient of every input, relative to the largest reference magnitude.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { addLayerNorm, gelu } from '../../src/domain/model/ops';

export function rand(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale);
}

/** Value and gradients w.r.t. every input of Σ f(inputs) ∘ r for a fixed random r. */
async function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): Promise<{ y: Float32Array; grads: Float32Array[] }> {
  const yT = tf.tidy(() => f(...inputs));
  const r = rand(yT.shape, seed);
  const gT = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(inputs);
  const y = (await yT.data()) as Float32Array;
  const grads = await Promise.all(gT.map(async (g) => (await g.data()) as Float32Array));
  tf.dispose([yT, r, ...gT]);
  return { y, grads };
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / Math.max(scale, 1e-12);
}

export async function expectSame(f: (...xs: tf.Tensor[]) => tf.Tensor, g: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], tol = 2e-5): Promise<void> {
  const a = await valueAndGrads(f, inputs, 99);
  const b = await valueAndGrads(g, inputs, 99);
  expect(maxRelErr(a.y, b.y)).toBeLessThan(tol);
  a.grads.forEach((ga, i) => expect(maxRelErr(ga, b.grads[i]), `gradient of input ${i}`).toBeLessThan(tol));
}


type Block = (...xs: tf.Tensor[]) => tf.Tensor;

/** GELU on a backend's kernels against ops.ts, over a range wide enough for both tails. */
export async function expectGeluMatches(impl: Block): Promise<void> {
  const inputs = [rand([33, 130], 4, 3)];
  await expectSame(impl, gelu, inputs);
  tf.dispose(inputs);
}

type AddLayerNorm = (terms: tf.Tensor[], gamma: tf.Tensor, beta: tf.Tensor, eps: number) => tf.Tensor;

/** LayerNorm of the sum of one, two and three terms (the third broadcast over the batch), and
 * with `batchOne` a broadcast term beside a batch of one. */
export async function expectAddLayerNormMatches(impl: AddLayerNorm, batchOne: boolean): Promise<void> {
  const eps = 1e-12;
  const g = rand([70], 5);
  const b = rand([70], 6);
  const cases = [[rand([67, 70], 7, 2)], [rand([67, 70], 8), rand([67, 70], 9)], [rand([3, 5, 70], 10), rand([3, 5, 70], 11), rand([5, 70], 12)]];
  if (batchOne) cases.push([rand([1, 5, 70], 13), rand([5, 70], 14)]);
  for (const terms of cases) {
    const k = terms.length;
    await expectSame(
      (...xs) => impl(xs.slice(0, k), xs[k], xs[k + 1], eps),
      (...xs) => addLayerNorm(xs.slice(0, k), xs[k], xs[k + 1], eps),
      [...terms, g, b],
    );
    tf.dispose(terms);
  }
  tf.dispose([g, b]);
}
