// The trainer's loss path (per-example ε and weights looked up by example id → runTrainStep) gives
// the PyTorch fixture's four losses: plain, smoothed, weighted, smoothed and weighted
// (../shared/reference/parity/electra-tiny, dropout off as the fixture specifies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initNodeBackend } from '../../src/cli/tf-node';
import { parseHfConfig } from '../../src/domain/model/config';
import { QAModel } from '../../src/domain/model/model';
import { readSafetensors } from '../../src/domain/model/safetensors';
import type { FeatureBatch } from '../../src/domain/qa/features';
import { AdamW, HF_ADAMW_DEFAULTS } from '../../src/domain/train/optimizer';
import { rowTargets, runTrainStep } from '../../src/domain/train/step';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/reference/parity/electra-tiny');
const json = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));

interface Inputs {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  start_positions: number[];
  end_positions: number[];
  example_weights: number[];
  smoothing_eps: number[];
}

describe('strategies in the trainer loss path match the PyTorch fixture', () => {
  let model: QAModel;
  const inputs = json('inputs.json') as Inputs;
  const expected = json('expected.json') as Record<string, number>;
  const ids = ['ex-a', 'ex-b', 'ex-c'];
  const B = inputs.input_ids.length;
  const T = inputs.input_ids[0].length;
  const batch: FeatureBatch = {
    batchSize: B,
    seqLength: T,
    inputIds: Int32Array.from(inputs.input_ids.flat()),
    attentionMask: Int32Array.from(inputs.attention_mask.flat()),
    tokenTypeIds: Int32Array.from(inputs.token_type_ids.flat()),
    startPositions: Int32Array.from(inputs.start_positions),
    endPositions: Int32Array.from(inputs.end_positions),
    windowIndices: Int32Array.from([0, 1, 2]),
    exampleIndices: Int32Array.from([0, 1, 2]),
  };
  const features = { exampleIds: ids };
  const epsMap = new Map(ids.map((id, i) => [id, inputs.smoothing_eps[i]]));
  const weightMap = new Map(ids.map((id, i) => [id, inputs.example_weights[i]]));

  beforeAll(async () => {
    await initNodeBackend('wasm');
    const config = parseHfConfig({ ...json('config.json'), hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 });
    const weights = readSafetensors(new Uint8Array(readFileSync(path.join(dir, 'model.safetensors'))), 'model.safetensors').tensors;
    model = QAModel.fromCheckpoint(config, weights, { seed: 0 }).model;
  });
  afterAll(() => model?.dispose());

  async function lossWith(eps?: Map<string, number>, weights?: Map<string, number>): Promise<number> {
    const opt = new AdamW(model.params, HF_ADAMW_DEFAULTS);
    try {
      // lr 0: AdamW leaves the weights as they are, so every case sees the fixture's weights.
      const r = await runTrainStep(model, opt, batch, rowTargets(features, batch, eps, weights), { lr: 0, withStats: false });
      return r.loss;
    } finally {
      opt.dispose();
    }
  }

  it('plain, smoothed, weighted and both', async () => {
    expect(Math.abs((await lossWith()) - expected.loss)).toBeLessThan(1e-5);
    expect(Math.abs((await lossWith(epsMap)) - expected.loss_smoothed)).toBeLessThan(1e-5);
    expect(Math.abs((await lossWith(undefined, weightMap)) - expected.loss_weighted)).toBeLessThan(1e-5);
    expect(Math.abs((await lossWith(epsMap, weightMap)) - expected.loss_smoothed_weighted)).toBeLessThan(1e-5);
    // The strategies do change the loss (the fixture's values differ by far more than the tolerance).
    expect(Math.abs(expected.loss_smoothed - expected.loss)).toBeGreaterThan(0.1);
  });

  it('ids missing from the maps get ε = 0 and weight 1 (the plain loss)', async () => {
    const other = new Map([['not-in-batch', 0.3]]);
    expect(Math.abs((await lossWith(other, new Map([['not-in-batch', 5]]))) - expected.loss)).toBeLessThan(1e-5);
    const t = rowTargets(features, batch, other, new Map());
    expect(Array.from(t.smoothingEps!)).toEqual([0, 0, 0]);
    expect(Array.from(t.weights!)).toEqual([1, 1, 1]);
  });

  it('leaves no tensor behind', async () => {
    await lossWith(epsMap, weightMap);
    const before = tf.memory().numTensors;
    await lossWith(epsMap, weightMap);
    expect(tf.memory().numTensors).toBe(before);
  });
});
