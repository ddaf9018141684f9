// The encoder blocks on our wasm kernels (src/domain/model/ops-wasm.ts) against the tfjs-op
// blocks of ops.ts on the same backend: values and every input's gradient, at shapes that are
// not multiples of anything, with padding in the attention mask, with dropout, with the
// probabilities kept and recomputed. And the encoder picks these blocks on wasm.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import { DropoutMasker } from '../../src/domain/model/dropout';
import { FLOAT32_MIN } from '../../src/domain/model/encoder';
import { attention, linear } from '../../src/domain/model/ops';
import { addLayerNormWasm, attentionWasm, geluWasm, linearWasm, registerWasmOps } from '../../src/domain/model/ops-wasm';
import { blockSum, transpose2d } from '../../src/domain/compute/wasm/layer-kernels';
import { expectAddLayerNormMatches, expectGeluMatches, expectSame, rand } from './block-parity';

describe('encoder blocks on our wasm kernels match the tfjs-op blocks', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
    registerWasmOps();
  });

  it('transpose and block sums', async () => {
    const x = rand([67, 45], 1);
    expect(Array.from(await transpose2d(x as tf.Tensor2D).data())).toEqual(Array.from(await tf.transpose(x).data()));
    const sums = await blockSum(x, 45).data();
    const ref = await tf.sum(x, 0).data();
    sums.forEach((s, i) => expect(s).toBeCloseTo(ref[i], 4));
    const y = rand([66, 45], 2);
    const suffix = await blockSum(y, 3 * 45).data(); // blocks of three rows
    const ref3 = await tf.sum(tf.reshape(y, [22, 3 * 45]), 0).data();
    suffix.forEach((s, i) => expect(s).toBeCloseTo(ref3[i], 4));
    expect(() => blockSum(x, 2 * 45)).toThrow(/67 × 45 values are not whole blocks of 90/);
  });

  it('linear: both ways round the weight gradient (narrow output, narrow input)', async () => {
    for (const [inW, outW] of [[70, 45], [45, 140]]) {
      const inputs = [rand([37, inW], 1), rand([outW, inW], 2, 0.1), rand([outW], 3)];
      await expectSame((x, w, b) => linearWasm(x as tf.Tensor2D, w, b), (x, w, b) => linear(x as tf.Tensor2D, w, b), inputs);
      tf.dispose(inputs);
    }
  });

  it('GELU', async () => {
    await expectGeluMatches(geluWasm);
  });

  it('LayerNorm of one, two and three terms (one broadcast over the batch, also at batch 1)', async () => {
    await expectAddLayerNormMatches(addLayerNormWasm, true);
  });

  for (const rate of [0, 0.1]) {
    for (const keepProbs of [true, false]) {
      it(`attention with a padded mask${rate ? ` and dropout ${rate}` : ''}, probabilities ${keepProbs ? 'kept' : 'recomputed'} (T = 37, 3 heads)`, async () => {
        const shape = { batch: 2, seqLen: 37, heads: 3 };
        const H = 24;
        const N = shape.batch * shape.seqLen;
        const mask = tf.tensor2d([Array.from({ length: 37 }, (_, i) => (i < 30 ? 1 : 0)), Array.from({ length: 37 }, () => 1)]);
        const bias = tf.reshape(tf.mul(tf.sub(1, mask), FLOAT32_MIN), [2, 1, 1, 37]);
        const inputs = [rand([N, 3 * H], 13)];
        // Same keys on both sides: each masker starts its offset stream at the same seed.
        const drop = (seed: number) => (rate ? { masker: new DropoutMasker(seed), rate } : undefined);
        const wasmDrop = drop(3);
        const opsDrop = drop(3);
        await expectSame(
          (qkv) => attentionWasm(qkv as tf.Tensor2D, bias, shape, wasmDrop, keepProbs),
          (qkv) => {
            const [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
            return attention(q, k, v, bias, shape, opsDrop, 'batched');
          },
          inputs,
        );
        tf.dispose([mask, bias, ...inputs]);
      });
    }
  }
});
