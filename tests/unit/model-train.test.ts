import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import { parseHfConfig } from '../../src/domain/model/config';
import { QAModel, createModelInputs, disposeModelInputs, loadQAModel } from '../../src/domain/model/model';
import { readSafetensors } from '../../src/domain/model/safetensors';
import { computeGradients, disposeStats, trainStep } from '../../src/domain/model/train-step';
import { qaLoss, type LossTargets } from '../../src/domain/train/loss';
import { AdamW, HF_ADAMW_DEFAULTS } from '../../src/domain/train/optimizer';
import { createRng } from '../../src/domain/train/rng';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const config = parseHfConfig({
  model_type: 'electra',
  vocab_size: 500,
  embedding_size: 8,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 32,
});

function makeBatch(B: number, T: number, seed: number) {
  const rng = createRng(seed);
  const inputIds = Int32Array.from({ length: B * T }, () => rng.nextInt(config.vocabSize));
  const attentionMask = Int32Array.from({ length: B * T }, (_, i) => (i % T < T - 3 ? 1 : 0));
  const tokenTypeIds = Int32Array.from({ length: B * T }, (_, i) => (i % T >= T / 2 ? 1 : 0));
  const inputs = createModelInputs(config, { batchSize: B, seqLen: T, inputIds, attentionMask, tokenTypeIds }, { withGradPlan: true });
  const targets: LossTargets = {
    startPositions: tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 3) % T), 'int32'),
    endPositions: tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 3 + 2) % T), 'int32'),
    smoothingEps: tf.tensor1d(Array.from({ length: B }, (_, i) => 0.05 * i)),
    weights: tf.tensor1d(Array.from({ length: B }, (_, i) => 1 + 0.1 * i)),
  };
  const dispose = () => {
    disposeModelInputs(inputs);
    tf.dispose([targets.startPositions, targets.endPositions, targets.smoothingEps!, targets.weights!]);
  };
  return { inputs, targets, dispose };
}

describe('QA loss', () => {
  const start = [
    [1, 2, 0.5, -1],
    [0, 0, 3, 1],
  ];
  const end = [
    [0.2, 0.1, 4, 0],
    [2, -2, 0, 1],
  ];
  const gs = [1, 2];
  const ge = [2, 0];
  const eps = [0.1, 0.3];
  const w = [0.5, 2];
  /** Float64 reference of the README definition. */
  function reference(withEps: boolean, withW: boolean) {
    const per = [0, 1].map((b) => {
      const ce = (logits: number[], gold: number) => {
        const mx = Math.max(...logits);
        const lse = mx + Math.log(logits.reduce((a, x) => a + Math.exp(x - mx), 0));
        const logp = logits.map((x) => x - lse);
        const e = withEps ? eps[b] : 0;
        return -logp.reduce((a, lp, k) => a + ((1 - e) * (k === gold ? 1 : 0) + e / logits.length) * lp, 0);
      };
      return ((ce(start[b], gs[b]) + ce(end[b], ge[b])) / 2) * (withW ? w[b] : 1);
    });
    return (per[0] + per[1]) / 2;
  }

  it('matches the README definition for all four variants, with p_start/p_end/correct', () => {
    tf.tidy(() => {
      const s = tf.tensor2d(start);
      const e = tf.tensor2d(end);
      const base = { startPositions: tf.tensor1d(gs, 'int32'), endPositions: tf.tensor1d(ge, 'int32') };
      const variants: [boolean, boolean][] = [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ];
      for (const [withEps, withW] of variants) {
        const l = qaLoss(s, e, { ...base, smoothingEps: withEps ? tf.tensor1d(eps) : undefined, weights: withW ? tf.tensor1d(w) : undefined });
        expect(l.loss.dataSync()[0]).toBeCloseTo(reference(withEps, withW), 6);
      }
      const l = qaLoss(s, e, base);
      const softmaxAt = (x: number[], k: number) => Math.exp(x[k]) / x.reduce((a, v) => a + Math.exp(v), 0);
      expect(Array.from(l.pStart.dataSync())[0]).toBeCloseTo(softmaxAt(start[0], 1), 6);
      expect(Array.from(l.pEnd.dataSync())[1]).toBeCloseTo(softmaxAt(end[1], 0), 6);
      // Row 0: argmax start 1 = gold 1, argmax end 2 = gold 2; row 1: argmax start 2 = gold 2, argmax end 0 = gold 0.
      expect(Array.from(l.correct.dataSync())).toEqual([1, 1]);
      const miss = qaLoss(s, e, { startPositions: tf.tensor1d([0, 2], 'int32'), endPositions: tf.tensor1d([2, 1], 'int32') });
      expect(Array.from(miss.correct.dataSync())).toEqual([0, 0]);
    });
  });

  it('checks shapes', () => {
    tf.tidy(() => {
      expect(() => qaLoss(tf.zeros([2, 4]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D, { startPositions: tf.tensor1d([0], 'int32'), endPositions: tf.tensor1d([0, 1], 'int32') })).toThrow(
        /startPositions must have shape \[2\], got \[1\]/,
      );
    });
  });
});

describe('training step', () => {
  it('leaks no tensors across forward + backward + optimizer steps (dropout on)', async () => {
    const model = QAModel.fromConfig(config, { seed: 3 });
    const opt = new AdamW(model.params, { ...HF_ADAMW_DEFAULTS, weightDecay: 0.01 });
    const { inputs, targets, dispose } = makeBatch(4, 12, 1);
    const step = async () => {
      const r = trainStep(model, opt, [{ inputs, targets }], { lr: 1e-3 });
      await r.loss.data();
      r.loss.dispose();
      r.gradNorm.dispose();
      r.stats.forEach(disposeStats);
    };
    await step();
    await step();
    const after2 = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) await step();
    expect(tf.memory().numTensors).toBe(after2);
    const evalBefore = tf.memory().numTensors;
    tf.tidy(() => model.forward(inputs, { training: false }).startLogits.dataSync());
    expect(tf.memory().numTensors).toBe(evalBefore);
    dispose();
    opt.dispose();
    model.dispose();
  });

  it('is deterministic for a seed (same losses step by step) and the loss goes down', async () => {
    const run = async (seed: number) => {
      const model = QAModel.fromConfig(config, { seed });
      const opt = new AdamW(model.params, { ...HF_ADAMW_DEFAULTS });
      const { inputs, targets, dispose } = makeBatch(4, 12, 2);
      const losses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const r = trainStep(model, opt, [{ inputs, targets }], { lr: 5e-3 });
        losses.push((await r.loss.data())[0]);
        r.loss.dispose();
        r.gradNorm.dispose();
        r.stats.forEach(disposeStats);
      }
      dispose();
      opt.dispose();
      model.dispose();
      return losses;
    };
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    expect(await run(12)).not.toEqual(a);
    expect(a[7]).toBeLessThan(a[0]);
  });

  it('returns per-example statistics from the same training forward pass', async () => {
    const model = QAModel.fromConfig(config, { seed: 4 });
    const { inputs, targets, dispose } = makeBatch(3, 10, 3);
    const { loss, grads, stats } = computeGradients(model, inputs, targets, { training: true });
    expect(stats.pStart.shape).toEqual([3]);
    const p = await stats.pStart.data();
    expect(Array.from(p).every((x) => x > 0 && x < 1)).toBe(true);
    expect(Array.from(await stats.correct.data()).every((x) => x === 0 || x === 1)).toBe(true);
    const perEx = await stats.perExample.data();
    expect((await loss.data())[0]).toBeCloseTo((perEx[0] + perEx[1] + perEx[2]) / 3, 5);
    expect([...grads.keys()].sort()).toEqual([...model.params.keys()].sort());
    loss.dispose();
    disposeStats(stats);
    tf.dispose([...grads.values()]);
    dispose();
    model.dispose();
  });
});

describe('weights export and reload', () => {
  it('exports HF safetensors + config.json that load back bit-identically with a clean report', async () => {
    const model = QAModel.fromConfig(config, { seed: 8 });
    const { safetensors, configJson } = await model.exportHf();
    const file = readSafetensors(safetensors);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.get('electra.encoder.layer.0.intermediate.dense.weight')!.shape).toEqual([32, 16]);
    const { model: back, report } = loadQAModel(JSON.parse(configJson), { bytes: safetensors, format: 'safetensors' }, { seed: 0 });
    expect(report).toEqual({ missing: [], unexpected: [], ignored: [], renamed: [] });
    const a = await model.toHostTensors();
    const b = await back.toHostTensors();
    for (const [name, t] of a) {
      expect(new Uint32Array(b.get(name)!.data.buffer)).toEqual(new Uint32Array(t.data.buffer));
    }
    // Two models coexist (engine-global variable names do not clash) and setWeights copies values.
    back.setWeights(new Map([...a].map(([k, v]) => [k, { shape: v.shape, data: v.data.map((x) => x * 2) }])));
    expect((await back.params.get('qa_outputs.weight')!.data())[0]).toBe(a.get('qa_outputs.weight')!.data[0] * 2);
    model.dispose();
    back.dispose();
  });
});
