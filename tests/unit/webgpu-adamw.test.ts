// The fused WebGPU optimizer kernels (src/domain/compute/webgpu/adamw-kernels.ts) on Dawn for Node:
// the same values as the tfjs-ops AdamW (itself checked against torch by the parity fixtures), with
// and without clipping and weight decay, in place in 1 dispatch per parameter (3 where a buffer is
// shared) and no read-back.
import { expect, it } from 'vitest';
import { describeOnDawn } from './on-dawn';
import * as tf from '@tensorflow/tfjs';
import { SUMSQ_INPUTS, sumSquares } from '../../src/domain/compute/webgpu/adamw-kernels';
import { AdamW, HF_ADAMW_DEFAULTS } from '../../src/domain/train/optimizer';
import { expectClose, randomValues, run, SHAPES } from './adamw-compare';
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

  for (const [label, config] of [
    ['clipped (max norm 0.5), weight decay 0.01', { ...HF_ADAMW_DEFAULTS, maxGradNorm: 0.5, weightDecay: 0.01 }],
    ['not clipped (max norm 1e6), no weight decay', { ...HF_ADAMW_DEFAULTS, maxGradNorm: 1e6 }],
    ['clipping off (null), weight decay 0.1', { ...HF_ADAMW_DEFAULTS, maxGradNorm: null, weightDecay: 0.1 }],
  ] as const) {
    it(`give the tfjs-ops step's parameters, moments and norm, in place, as three kernels and where buffers are shared: ${label}`, async () => {
      const ops = await run({ ...config, implementation: 'ops' }, 3);
      for (const fused of [await run({ ...config }, 3), await run({ ...config, implementation: 'kernels' }, 3), await run({ ...config }, 3, true)]) {
        for (let i = 0; i < 3; i++) expect(fused.norms[i]).toBeCloseTo(ops.norms[i], 4);
        expect(fused.moments.step).toBe(3);
        for (const name of Object.keys(SHAPES)) {
          expectClose(fused.values.get(name)!, ops.values.get(name)!, `${name} p`);
          expectClose(fused.moments.m[name].data, ops.moments.m[name].data, `${name} m`);
          expectClose(fused.moments.v[name].data, ops.moments.v[name].data, `${name} v`);
        }
      }
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
