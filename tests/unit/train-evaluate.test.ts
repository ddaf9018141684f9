// Evaluation: bucket padding leaves every window's logits at its real positions unchanged
// (padded keys get zero attention weight), so predictions do not depend on batching.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import { parseHfConfig } from '../../src/domain/model/config';
import { createModelInputs, disposeModelInputs, QAModel } from '../../src/domain/model/model';
import { makeBatch, prepareEvalFeatures, windowLength } from '../../src/domain/qa/features';
import { evaluateModel } from '../../src/domain/train/evaluate';
import { demoData, demoTokenizer } from './train-helpers';

let model: QAModel;
beforeAll(async () => {
  await initNodeBackend('wasm');
  model = QAModel.fromConfig(
    parseHfConfig({
      model_type: 'electra',
      vocab_size: demoTokenizer().vocabSize,
      embedding_size: 16,
      hidden_size: 16,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 32,
      max_position_embeddings: 256,
    }),
    { seed: 13 },
  );
});
afterAll(() => model?.dispose());

function logitsAt(rows: number[], features: ReturnType<typeof prepareEvalFeatures>, T: number): Float32Array {
  const b = makeBatch(features, rows, T);
  const inputs = createModelInputs(model.config, { batchSize: rows.length, seqLen: T, inputIds: b.inputIds, attentionMask: b.attentionMask, tokenTypeIds: b.tokenTypeIds }, { withGradPlan: false });
  try {
    return tf.tidy(() => model.forward(inputs, { training: false }).startLogits.dataSync() as Float32Array).slice();
  } finally {
    disposeModelInputs(inputs);
  }
}

describe('evaluation', () => {
  it('gives the same logits at real positions whatever the padded length', () => {
    const rows = demoData().validation.slice(0, 3);
    const f = prepareEvalFeatures(rows, demoTokenizer(), { maxLength: 256 });
    for (let w = 0; w < f.count; w++) {
      const len = windowLength(f, w);
      const short = logitsAt([w], f, len);
      const long = logitsAt([w], f, 256);
      for (let p = 0; p < len; p++) expect(Math.abs(short[p] - long[p])).toBeLessThan(1e-4);
    }
  });

  it('predicts the same answers with any eval batch size, one per row, with SQuAD metrics', async () => {
    const rows = demoData().validation.slice(0, 9);
    const a = await evaluateModel(model, demoTokenizer(), rows, { batchSize: 1, maxLength: 256 });
    const b = await evaluateModel(model, demoTokenizer(), rows, { batchSize: 4, maxLength: 256 });
    expect(a.predictions.map((p) => p.id)).toEqual(rows.map((r) => r.id));
    expect(b.predictions).toEqual(a.predictions);
    expect(b.metrics).toEqual(a.metrics);
    expect(a.metrics.eval_exact_match).toBeGreaterThanOrEqual(0);
    expect(a.metrics.eval_f1).toBeLessThanOrEqual(100);
  });

  it('clamps the eval length to the model positions and leaks nothing', async () => {
    const rows = demoData().validation.slice(0, 2);
    await evaluateModel(model, demoTokenizer(), rows, { batchSize: 2 });
    const before = tf.memory().numTensors;
    await evaluateModel(model, demoTokenizer(), rows, { batchSize: 2, maxLength: 512 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
