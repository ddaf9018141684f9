// Running AdamW on fixed parameters and gradients, and comparing two runs (the fused kernels of a
// backend against the tfjs-ops step, itself checked against torch by the parity fixtures).
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdamW, HF_ADAMW_DEFAULTS, type AdamWConfig } from '../../src/domain/train/optimizer';
import { createRng } from '../../src/domain/train/rng';

export const SHAPES: Record<string, number[]> = {
  'embeddings.word_embeddings.weight': [300, 16],
  'encoder.layer.0.attention.self.query.weight': [16, 16],
  'encoder.layer.0.attention.self.query.bias': [16],
  'encoder.layer.0.output.LayerNorm.weight': [16],
  'encoder.layer.0.intermediate.dense.weight': [37, 16],
  'qa_outputs.weight': [2, 16],
  'qa_outputs.bias': [2],
  'one.weight': [1],
  'odd.weight': [257, 3],
};

export function randomValues(shape: number[], seed: number, scale: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng.nextFloat() * 2 - 1) * scale);
}

/** Runs `steps` AdamW steps from fixed parameters and gradients; returns p, m, v and the norms. */
export async function run(config: AdamWConfig, steps: number, shared = false): Promise<{ values: Map<string, Float32Array>; moments: Awaited<ReturnType<AdamW['exportState']>>; norms: number[] }> {
  const params = new Map<string, tf.Variable>();
  const initial: tf.Tensor[] = [];
  Object.entries(SHAPES).forEach(([name, shape], i) => {
    const t = tf.tensor(randomValues(shape, 10 + i, 0.5), shape);
    params.set(name, tf.variable(t, true, `p${i}-${Math.random()}`));
    // A variable shares its initial tensor's buffer until that is disposed.
    if (shared) initial.push(t);
    else t.dispose();
  });
  const opt = new AdamW(params, config);
  const norms: number[] = [];
  for (let s = 0; s < steps; s++) {
    const grads = new Map<string, tf.Tensor>();
    Object.entries(SHAPES).forEach(([name, shape], i) => grads.set(name, tf.tensor(randomValues(shape, 100 * s + i, 0.3 + s), shape)));
    const norm = opt.step(grads, 1e-3 * (s + 1));
    norms.push((await norm.data())[0]);
    norm.dispose();
    for (const g of grads.values()) g.dispose();
  }
  const values = new Map<string, Float32Array>();
  for (const [name, p] of params) values.set(name, (await p.data()) as Float32Array);
  const moments = await opt.exportState();
  opt.dispose();
  for (const p of params.values()) p.dispose();
  tf.dispose(initial);
  return { values, moments, norms };
}

export function expectClose(a: Float32Array, b: Float32Array, what: string): void {
  expect(a.length, what).toBe(b.length);
  // float32 rounding of the same arithmetic: 1e-5 relative, 1e-7 absolute near zero (an update
  // moves a parameter by ~lr = 1e-3 here, so 1e-7 is 1e-4 of a step).
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-7 + 1e-5 * Math.abs(b[i])));
  expect(worst, what).toBeLessThan(1);
}


/** The clipping and weight-decay settings every fused implementation is compared under. */
export const ADAMW_CASES: readonly (readonly [string, AdamWConfig])[] = [
  ['clipped (max norm 0.5), weight decay 0.01', { ...HF_ADAMW_DEFAULTS, maxGradNorm: 0.5, weightDecay: 0.01 }],
  ['not clipped (max norm 1e6), no weight decay', { ...HF_ADAMW_DEFAULTS, maxGradNorm: 1e6 }],
  ['clipping off (null), weight decay 0.1', { ...HF_ADAMW_DEFAULTS, maxGradNorm: null, weightDecay: 0.1 }],
];

type Run = Awaited<ReturnType<typeof run>>;

/** Three steps of each fused run give the tfjs-ops run's norms, parameters and moments. */
export async function expectRunsMatchOps(config: AdamWConfig, fusedRuns: ((steps: number) => Promise<Run>)[]): Promise<void> {
  const ops = await run({ ...config, implementation: 'ops' }, 3);
  for (const fusedRun of fusedRuns) {
    const fused = await fusedRun(3);
    for (let i = 0; i < 3; i++) expect(fused.norms[i]).toBeCloseTo(ops.norms[i], 4);
    expect(fused.moments.step).toBe(3);
    for (const name of Object.keys(SHAPES)) {
      expectClose(fused.values.get(name)!, ops.values.get(name)!, `${name} p`);
      expectClose(fused.moments.m[name].data, ops.moments.m[name].data, `${name} m`);
      expectClose(fused.moments.v[name].data, ops.moments.v[name].data, `${name} v`);
    }
  }
}
