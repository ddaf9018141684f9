// The per-kernel profile of a training step (step-probe.ts profileStep, `npm run bench:train --
// --profile`): only real kernels are listed (not the custom-gradient scopes that contain them),
// shares add up to 1, and their time fits inside the step's.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import { timeTrainingSteps } from '../../src/domain/train/step-probe';
import { tinyModel } from './train-helpers';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('profileStep', () => {
  it('times each kernel of one trainer step, without double-counting scopes', async () => {
    const model = tinyModel(3, 0.1);
    try {
      const t = await timeTrainingSteps(model.config, { model, batch: 2, seq: 32, steps: 1, profile: true });
      const p = t.profile!;
      expect(p.kernels.length).toBeGreaterThan(5);
      for (const k of p.kernels) expect(tf.getKernel(k.kernel, 'wasm'), k.kernel).toBeDefined();
      expect(p.kernels.map((k) => k.kernel)).toContain('BatchMatMul');
      expect(p.kernels.reduce((a, k) => a + k.share, 0)).toBeCloseTo(1, 2);
      expect(p.kernelMs).toBeLessThanOrEqual(p.wallMs * 1.05 + 1);
      for (let i = 1; i < p.kernels.length; i++) expect(p.kernels[i].ms).toBeLessThanOrEqual(p.kernels[i - 1].ms);
    } finally {
      model.dispose();
    }
  });
});
