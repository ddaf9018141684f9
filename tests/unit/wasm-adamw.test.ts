// AdamW on the wasm backend's SIMD pass (src/domain/compute/wasm/adamw.ts): the tfjs-ops step's
// parameters, moments and norm, in place (after a copy where a variable shares its buffer), with
// no tensor made; and a weight updated in place is seen by the next matMul that packs it (tfjs caches
// XNNPACK operators by tensor id).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import { AdamW, HF_ADAMW_DEFAULTS } from '../../src/domain/train/optimizer';
import { ADAMW_CASES, expectRunsMatchOps, run } from './adamw-compare';

describe('AdamW on wasm: one in-place SIMD pass per parameter', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  for (const [label, config] of ADAMW_CASES) {
    it(`gives the tfjs-ops step's parameters, moments and norm, in place and where variables share their buffers: ${label}`, async () => {
      await expectRunsMatchOps(config, [(n) => run({ ...config }, n), (n) => run({ ...config }, n, true)]);
    });
  }

  it('updates in place (same data, no new tensors), and a product packing the weight sees the new value', async () => {
    const z = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const w = tf.variable(z, true, `w-${Math.random()}`);
    z.dispose();
    const x = tf.tensor2d([[1, 1]]);
    const before = await tf.matMul(x, w).data(); // XNNPACK packs w and caches the operator by w's id
    expect(Array.from(before)).toEqual([4, 6]);
    const opt = new AdamW(new Map([['w', w]]), { ...HF_ADAMW_DEFAULTS, maxGradNorm: null });
    const g = tf.onesLike(w);
    const dataId = w.dataId;
    const tensors = tf.memory().numTensors;
    opt.step(new Map([['w', g]]), 0.5).dispose();
    expect(w.dataId).toBe(dataId);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await w.data();
    // First step: m̂ = g, v̂ = g², so every weight moves by lr · g / (|g| + eps) ≈ 0.5.
    after.forEach((v, i) => expect(v).toBeCloseTo([0.5, 1.5, 2.5, 3.5][i], 5));
    const product = await tf.matMul(x, w).data();
    expect(product[0]).toBeCloseTo(3, 4);
    expect(product[1]).toBeCloseTo(5, 4);
    opt.dispose();
    tf.dispose([w, x, g]);
  });
});
