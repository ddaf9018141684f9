import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import { AdamW, defaultNoDecay, linearWarmupMultiplier, scheduledLr, type AdamWConfig } from '../../src/domain/train/optimizer';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

/** torch.optim.AdamW + clip_grad_norm_ in float64, written out longhand as the reference. */
function referenceSteps(
  params: Record<string, number[]>,
  gradsPerStep: Record<string, number[]>[],
  lrs: number[],
  cfg: AdamWConfig,
): Record<string, number[]> {
  const p = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, [...v]]));
  const m = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.map(() => 0)]));
  const v = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.map(() => 0)]));
  const [b1, b2] = cfg.betas;
  gradsPerStep.forEach((grads, s) => {
    const t = s + 1;
    const lr = lrs[s];
    let sq = 0;
    for (const g of Object.values(grads)) for (const x of g) sq += x * x;
    const norm = Math.sqrt(sq);
    const coef = cfg.maxGradNorm ? Math.min(1, cfg.maxGradNorm / (norm + 1e-6)) : 1;
    for (const name of Object.keys(p)) {
      const decay = !defaultNoDecay(name);
      for (let i = 0; i < p[name].length; i++) {
        const g = grads[name][i] * coef;
        if (decay) p[name][i] *= 1 - lr * cfg.weightDecay;
        m[name][i] = b1 * m[name][i] + (1 - b1) * g;
        v[name][i] = b2 * v[name][i] + (1 - b2) * g * g;
        const mHat = m[name][i] / (1 - b1 ** t);
        const denom = Math.sqrt(v[name][i]) / Math.sqrt(1 - b2 ** t) + cfg.eps;
        p[name][i] -= (lr * mHat) / denom;
      }
    }
  });
  return p;
}

const init = {
  'layer.0.dense.weight': [0.5, -0.25, 1.5, 2],
  'layer.0.dense.bias': [0.1, -0.1],
  'layer.0.LayerNorm.weight': [1, 1],
};
const gradSteps = [
  { 'layer.0.dense.weight': [3, -4, 0.5, 1], 'layer.0.dense.bias': [2, 0], 'layer.0.LayerNorm.weight': [-1, 0.25] },
  { 'layer.0.dense.weight': [0.01, 0.02, -0.03, 0], 'layer.0.dense.bias': [0.001, -0.002], 'layer.0.LayerNorm.weight': [0.0, 0.01] },
  { 'layer.0.dense.weight': [-2, 1, 1, -1], 'layer.0.dense.bias': [0.5, 0.5], 'layer.0.LayerNorm.weight': [3, -3] },
  { 'layer.0.dense.weight': [0.2, 0.2, 0.2, 0.2], 'layer.0.dense.bias': [-0.3, 0.1], 'layer.0.LayerNorm.weight': [0.05, 0.0] },
];
const cfg: AdamWConfig = { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1.0 };

function makeParams(values: Record<string, number[]>, tag: string): Map<string, tf.Variable> {
  return new Map(Object.entries(values).map(([k, v]) => [k, tf.variable(tf.tensor1d(v), true, `opt-test-${tag}/${k}`)]));
}

function gradMap(g: Record<string, number[]>): Map<string, tf.Tensor> {
  return new Map(Object.entries(g).map(([k, v]) => [k, tf.tensor1d(v)]));
}

async function values(params: Map<string, tf.Variable>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of params) out[k] = Array.from(await v.data());
  return out;
}

describe('linear schedule with warmup', () => {
  it('matches get_linear_schedule_with_warmup, step counted from 0', () => {
    expect([0, 1, 2, 3, 4, 5].map((s) => linearWarmupMultiplier(s, 1, 4))).toEqual([0, 1, 2 / 3, 1 / 3, 0, 0]);
    expect([0, 1, 2].map((s) => linearWarmupMultiplier(s, 0, 2))).toEqual([1, 0.5, 0]);
    expect([0, 1, 2, 3].map((s) => linearWarmupMultiplier(s, 2, 4))).toEqual([0, 0.5, 1, 0.5]);
    expect([0, 1, 2].map((s) => scheduledLr({ baseLr: 0.001, warmupSteps: 1, totalSteps: 4 }, s))).toEqual([0, 0.001, 0.0006666666666666666]);
  });
});

describe('AdamW (torch semantics) with global-norm clipping', () => {
  it('matches a float64 reference over 4 steps: decoupled decay on weights only, clipping, bias correction', async () => {
    const params = makeParams(init, 'ref');
    const opt = new AdamW(params, cfg);
    const lrs = [0.01, 0.02, 0.005, 0.01];
    const norms: number[] = [];
    for (let s = 0; s < gradSteps.length; s++) {
      const grads = gradMap(gradSteps[s]);
      const n = opt.step(grads, lrs[s]);
      norms.push((await n.data())[0]);
      n.dispose();
      tf.dispose([...grads.values()]);
    }
    const ours = await values(params);
    const ref = referenceSteps(init, gradSteps, lrs, cfg);
    for (const k of Object.keys(init)) {
      ours[k].forEach((x, i) => expect(x).toBeCloseTo(ref[k][i], 5));
    }
    // The returned norm is the pre-clipping global norm.
    const expectedNorm0 = Math.sqrt([3, -4, 0.5, 1, 2, 0, -1, 0.25].reduce((a, x) => a + x * x, 0));
    expect(norms[0]).toBeCloseTo(expectedNorm0, 5);
    expect(opt.stepCount).toBe(4);
    opt.dispose();
    tf.dispose([...params.values()]);
  });

  it('exports and imports its state: a resumed run equals an uninterrupted one', async () => {
    const a = makeParams(init, 'a');
    const optA = new AdamW(a, cfg);
    let snapshot: Awaited<ReturnType<AdamW['exportState']>> | undefined;
    let paramsAt2: Record<string, number[]> = {};
    for (let s = 0; s < 4; s++) {
      const g = gradMap(gradSteps[s]);
      optA.step(g, 0.01).dispose();
      tf.dispose([...g.values()]);
      if (s === 1) {
        snapshot = await optA.exportState();
        paramsAt2 = await values(a);
      }
    }
    const b = makeParams(paramsAt2, 'b');
    const optB = new AdamW(b, cfg);
    optB.importState(snapshot!);
    expect(optB.stepCount).toBe(2);
    for (let s = 2; s < 4; s++) {
      const g = gradMap(gradSteps[s]);
      optB.step(g, 0.01).dispose();
      tf.dispose([...g.values()]);
    }
    expect(await values(b)).toEqual(await values(a));
    // The exported state is plain data (structured-clone / JSON friendly shapes).
    expect(snapshot!.m['layer.0.dense.bias'].shape).toEqual([2]);
    expect(snapshot!.v['layer.0.dense.bias'].data).toBeInstanceOf(Float32Array);
    for (const o of [optA, optB]) o.dispose();
    tf.dispose([...a.values(), ...b.values()]);
  });

  it('rejects a missing gradient, a bad learning rate and a mismatched state', async () => {
    const params = makeParams(init, 'err');
    const opt = new AdamW(params, cfg);
    const partial = new Map([['layer.0.dense.weight', tf.zeros([4])]]);
    expect(() => opt.step(partial, 0.01)).toThrow(/no gradient for parameter "layer.0.dense.bias"/);
    expect(() => opt.step(gradMap(gradSteps[0]), NaN)).toThrow(/learning rate/);
    const state = await opt.exportState();
    state.m['layer.0.dense.bias'] = { shape: [3], data: new Float32Array(3) };
    expect(() => opt.importState(state)).toThrow(/m for "layer.0.dense.bias" has shape \[3\], the parameter \[2\]/);
    delete (state.v as Record<string, unknown>)['layer.0.LayerNorm.weight'];
    state.m['layer.0.dense.bias'] = { shape: [2], data: new Float32Array(2) };
    expect(() => opt.importState(state)).toThrow(/v for parameter "layer.0.LayerNorm.weight" is missing/);
    opt.dispose();
    tf.dispose([...params.values(), ...partial.values()]);
  });

  it('does not leak tensors across steps', () => {
    const params = makeParams(init, 'leak');
    const opt = new AdamW(params, cfg);
    const step = () => {
      const g = gradMap(gradSteps[0]);
      opt.step(g, 0.01).dispose();
      tf.dispose([...g.values()]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([...params.values()]);
  });
});
