// The fused WebGPU optimizer kernels (src/domain/compute/webgpu/adamw-kernels.ts) on Dawn for Node:
// the same values as the tfjs-ops AdamW (itself checked against torch by the parity fixtures), with
// and without clipping and weight decay, in place in 1 dispatch per parameter (3 where a buffer is
// shared) and no read-back.
import { expect, it } from 'vitest';
import { describeOnDawn } from './on-dawn';
import * as tf from '@tensorflow/tfjs';
import { SUMSQ_INPUTS, sumSquares } from '../../src/domain/compute/webgpu/adamw-kernels';
import { AdamW, HF_ADAMW_DEFAULTS } from '../../src/domain/train/optimizer';
import { ADAMW_CASES, expectRunsMatchOps, randomValues, run, SHAPES } from './adamw-compare';
import { installWebGpuCounters } from '../../src/worker/webgpu-counters';

describeOnDawn('fused AdamW kernels (WebGPU through Dawn)', () => {
  it('sum the squares of any number of tensors, of any size', async () => {
    for (const n of [1, SUMSQ_INPUTS, SUMSQ_INPUTS + 1, 2 * SUMSQ_INPUTS + 3]) {
      const xs = Array.from({ length: n }, (_, i) => tf.tensor(randomValues([1 + i * 97], i, 1)));
      const expected = (await Promise.all(xs.map((x) => x.data() as Promise<Float32Array>))).reduce((acc, d) => acc + d.reduce((a, v) => a + v * v, 0), 0);
      const got = sumSquares(xs);
      expect(got.shape).toEqual([1]);
      expect((await got.data())[0]).toBeCloseTo(expected, 3);
      got.dispose();
      xs.forEach((x) => x.dispose());
    }
  });

  for (const [label, config] of ADAMW_CASES) {
    it(`give the tfjs-ops step's parameters, moments and norm, in place, as three kernels and where buffers are shared: ${label}`, async () => {
      await expectRunsMatchOps(config, [(n) => run({ ...config }, n), (n) => run({ ...config, implementation: 'kernels' }, n), (n) => run({ ...config }, n, true)]);
    });
  }

  for (const implementation of ['auto', 'kernels'] as const) {
    const perParam = implementation === 'auto' ? 1 : 3;
    it(`take ${perParam} dispatch(es) per parameter (${implementation}) plus one per six for the norm, read nothing back and leak nothing`, async () => {
      const counters = installWebGpuCounters();
      const params = new Map<string, tf.Variable>();
      Object.entries(SHAPES).forEach(([name, shape], i) => {
        const z = tf.zeros(shape);
        params.set(name, tf.variable(z, true, `c${i}-${Math.random()}`));
        z.dispose();
      });
      const opt = new AdamW(params, { ...HF_ADAMW_DEFAULTS, weightDecay: 0.01, implementation });
      const grads = new Map([...params].map(([name, p]) => [name, tf.onesLike(p)]));
      opt.step(grads, 1e-3).dispose(); // warm-up: compiles the pipelines
      const tensors = tf.memory().numTensors;
      const n = params.size;
      for (let s = 0; s < 5; s++) {
        counters.reset();
        opt.step(grads, 1e-3).dispose();
        const c = counters.snapshot();
        // + the norm's square root (the running sum's zero start is an upload, not a dispatch).
        expect(c.dispatches).toBe(perParam * n + Math.ceil(n / SUMSQ_INPUTS) + 1);
        expect(c.reads).toBe(0);
        expect(tf.memory().numTensors).toBe(tensors);
      }
      opt.dispose();
      for (const t of [...params.values(), ...grads.values()]) t.dispose();
    });
  }
});
