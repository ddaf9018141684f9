// The encoder blocks on our WebGPU kernels (src/domain/model/ops-webgpu.ts) against the tfjs-op
// blocks of ops.ts on the same backend (Dawn for Node): values and every input's gradient, at
// shapes with ragged tiles (T not a multiple of 64, widths not multiples of the workgroup), with
// padding in the attention mask and with dropout. And the dispatches each block costs.
import { expect, it } from 'vitest';
import { describeOnDawn } from './on-dawn';
import * as tf from '@tensorflow/tfjs';
import { DropoutMasker } from '../../src/domain/model/dropout';
import { FLOAT32_MIN } from '../../src/domain/model/encoder';
import { attention, linear } from '../../src/domain/model/ops';
import { addLayerNormGpu, attentionGpu, geluGpu, linearGpu } from '../../src/domain/model/ops-webgpu';
import { expectAddLayerNormMatches, expectGeluMatches, expectSame, rand } from './block-parity';

/** Dispatches (runWebGPUProgram calls) of one forward and backward pass of f. */
function dispatchesOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): number {
  const backend = tf.backend() as unknown as { runWebGPUProgram: (...a: unknown[]) => unknown };
  const original = backend.runWebGPUProgram;
  let n = 0;
  backend.runWebGPUProgram = (...a: unknown[]) => {
    n++;
    return original.apply(backend, a);
  };
  try {
    tf.dispose(tf.grads((...xs: tf.Tensor[]) => tf.sum(f(...xs)))(inputs));
  } finally {
    backend.runWebGPUProgram = original;
  }
  return n;
}

describeOnDawn('encoder blocks on our WebGPU kernels match the tfjs-op blocks (Dawn)', () => {
  it('linear: fused matMul with the transposed weight and the bias', async () => {
    const inputs = [rand([37, 70], 1), rand([45, 70], 2, 0.1), rand([45], 3)];
    await expectSame((x, w, b) => linearGpu(x as tf.Tensor2D, w, b), (x, w, b) => linear(x as tf.Tensor2D, w, b), inputs);
    tf.dispose(inputs);
  });

  it('GELU', async () => {
    await expectGeluMatches(geluGpu);
  });

  it('LayerNorm of one, two and three terms (one broadcast over the batch)', async () => {
    await expectAddLayerNormMatches(addLayerNormGpu, false);
  });

  for (const rate of [0, 0.1]) {
    it(`attention with a padded mask${rate ? ` and dropout ${rate}` : ''} (T = 70, 2 heads, ragged tiles)`, async () => {
      const shape = { batch: 2, seqLen: 70, heads: 2 };
      const H = 32;
      const N = shape.batch * shape.seqLen;
      const mask = tf.tensor2d([Array.from({ length: 70 }, (_, i) => (i < 60 ? 1 : 0)), Array.from({ length: 70 }, () => 1)]);
      const bias = tf.reshape(tf.mul(tf.sub(1, mask), FLOAT32_MIN), [2, 1, 1, 70]);
      const inputs = [rand([N, H], 13), rand([N, H], 14), rand([N, H], 15)];
      // Same keys on both sides: each masker starts its offset stream at the same seed.
      const drop = (seed: number) => (rate ? { masker: new DropoutMasker(seed), rate } : undefined);
      const gpuDrop = drop(3);
      const opsDrop = drop(3);
      await expectSame(
        (q, k, v) => attentionGpu(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, bias, shape, gpuDrop),
        (q, k, v) => attention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, bias, shape, opsDrop, 'batched'),
        inputs,
      );
      tf.dispose([mask, bias, ...inputs]);
    });
  }

  it('costs few dispatches: linear 1 + 3, GELU 1 + 1, LayerNorm of two terms 1 + 4, attention 3 + 7', () => {
    const x = rand([64, 32], 20);
    const w = rand([48, 32], 21);
    const b = rand([48], 22);
    const y = rand([64, 32], 23);
    const y2 = rand([64, 32], 25);
    const g = rand([32], 24);
    const g2 = rand([32], 26);
    const bias = tf.zeros([2, 1, 1, 32]);
    const shape = { batch: 2, seqLen: 32, heads: 2 };
    const counted = {
      // Each count includes the test's scalar loss (distinct inputs: a shared one would add a gradient sum).
      linear: dispatchesOf((a, ww, bb) => linearGpu(a as tf.Tensor2D, ww, bb), [x, w, b]),
      gelu: dispatchesOf(geluGpu, [x]),
      layerNorm: dispatchesOf((a, c, gg, bb) => addLayerNormGpu([a, c], gg, bb, 1e-12), [x, y, g, g2]),
      attention: dispatchesOf((q, k, v) => attentionGpu(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, bias, shape), [x, y, y2]),
    };
    const loss = dispatchesOf((a) => tf.mul(a, 1), [x]) - 2; // the loss' own dispatches, minus mul and its gradient
    expect({
      linear: counted.linear - loss,
      gelu: counted.gelu - loss,
      layerNorm: counted.layerNorm - loss,
      attention: counted.attention - loss,
    }).toEqual({ linear: 4, gelu: 2, layerNorm: 5, attention: 10 });
    tf.dispose([x, w, b, y, y2, g, g2, bias]);
  });
});
