// Dropout made on the GPU (src/domain/compute/webgpu/dropout-kernel.ts) on Dawn for Node: keep
// rate, independence within a mask and across steps, identical masks for the same seed and step
// (and after a checkpoint restore), the backward mask equal to the forward one, one dispatch and
// no random numbers from the CPU.
import { expect, it } from 'vitest';
import { describeOnDawn } from './on-dawn';
import * as tf from '@tensorflow/tfjs';
import { DropoutMasker } from '../../src/domain/model/dropout';
import { installWebGpuCounters } from '../../src/worker/webgpu-counters';

const N = 1 << 20;

async function maskOf(m: DropoutMasker, shape: number[], rate: number): Promise<Float32Array> {
  const t = m.mask(shape, rate);
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

/** Pearson correlation of the kept indicators of a and b (b shifted by `lag`). */
function keptCorrelation(a: Float32Array, b: Float32Array, lag = 0): number {
  let sa = 0;
  let sb = 0;
  let sab = 0;
  const n = a.length - lag;
  for (let i = 0; i < n; i++) {
    const x = a[i] !== 0 ? 1 : 0;
    const y = b[i + lag] !== 0 ? 1 : 0;
    sa += x;
    sb += y;
    sab += x * y;
  }
  const pa = sa / n;
  const pb = sb / n;
  return (sab / n - pa * pb) / Math.sqrt(pa * (1 - pa) * pb * (1 - pb));
}

describeOnDawn('dropout on the GPU (WebGPU through Dawn)', () => {
  for (const rate of [0.1, 0.5]) {
    it(`keeps 1 − ${rate} of the elements, scaled by 1/(1 − ${rate}), independently of their neighbours`, async () => {
      const masker = new DropoutMasker(11);
      const m = await maskOf(masker, [N / 512, 512], rate);
      const keep = 1 - rate;
      let kept = 0;
      for (const x of m) {
        if (x !== 0) {
          kept++;
          expect(x).toBe(Math.fround(1 / keep));
        }
      }
      // 5 standard deviations of a binomial proportion.
      expect(Math.abs(kept / N - keep)).toBeLessThan(5 * Math.sqrt((keep * rate) / N));
      const bound = 5 / Math.sqrt(N);
      for (const lag of [1, 2, 255, 256, 512]) expect(Math.abs(keptCorrelation(m, m, lag)), `lag ${lag}`).toBeLessThan(bound);
      masker.dispose();
    });
  }

  it('draws independent masks from step to step, and the same masks for the same seed, step and restored state', async () => {
    const a = new DropoutMasker(5);
    const b = new DropoutMasker(5);
    const first = await maskOf(a, [N], 0.1);
    expect(await maskOf(b, [N], 0.1)).toEqual(first);
    const state = a.getState();
    const second = await maskOf(a, [N], 0.1);
    const bound = 5 / Math.sqrt(N);
    expect(Math.abs(keptCorrelation(first, second))).toBeLessThan(bound);
    for (const lag of [1, 64]) expect(Math.abs(keptCorrelation(first, second, lag))).toBeLessThan(bound);
    // Another seed: another mask.
    const other = await maskOf(new DropoutMasker(6), [N], 0.1);
    expect(Math.abs(keptCorrelation(first, other))).toBeLessThan(bound);
    a.setState(state);
    expect(await maskOf(a, [N], 0.1)).toEqual(second);
    a.dispose();
    b.dispose();
  });

  it('applies the forward mask again in the backward pass', async () => {
    const masker = new DropoutMasker(8);
    const twin = new DropoutMasker(8);
    // d/dx Σ mask ∘ x = mask: the gradient is the mask the forward pass drew (the twin's first mask).
    const g = tf.grad((t: tf.Tensor) => tf.sum(masker.apply(t, 0.3)))(tf.ones([64, 300]));
    const forward = await maskOf(twin, [64, 300], 0.3);
    expect(forward.some((x) => x === 0)).toBe(true);
    expect(Array.from((await g.data()) as Float32Array)).toEqual(Array.from(forward));
    g.dispose();
    masker.dispose();
    twin.dispose();
  });

  it('takes one dispatch and uploads no random numbers', async () => {
    const counters = installWebGpuCounters();
    const masker = new DropoutMasker(2);
    const x = tf.add(tf.zeros([N]), 1); // made on the GPU
    masker.apply(x, 0.1).dispose(); // compiles the pipeline
    counters.reset();
    const y = masker.apply(x, 0.1);
    await y.data();
    const c = counters.snapshot();
    expect(c.dispatches).toBe(1);
    // The dispatch's uniforms only (keys, rate, scale, shapes): bytes, not a million floats.
    expect(c.bytesFromCpu).toBeLessThan(256);
    tf.dispose([x, y]);
    masker.dispose();
  });

  it('makes on the host the very masks the GPU makes (same keys, same units dropped, same scale)', async () => {
    for (const rate of [0.1, 0.37]) {
      const gpu = new DropoutMasker(21);
      const host = new DropoutMasker(21);
      host.implementation = 'ops';
      for (const shape of [[3, 5, 7], [1 << 16]]) {
        const a = await maskOf(gpu, shape, rate);
        const b = await maskOf(host, shape, rate);
        expect(b.length).toBe(a.length);
        expect(Array.from(b)).toEqual(Array.from(a));
      }
    }
  });
});
