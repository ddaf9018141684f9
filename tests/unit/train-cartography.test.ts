// Cartography recording: the window holding the answer (not the last window seen), epochs as
// int(state.epoch), and metrics at the end of a run.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/cli/tf-node';
import type { QAModel } from '../../src/domain/model/model';
import { cartographyWindows, prepareTrainFeatures } from '../../src/domain/qa/features';
import { DynamicsRecorder } from '../../src/domain/train/dynamics-recorder';
import { epochOrder } from '../../src/domain/train/plan';
import { trainAndEvaluate } from '../../src/domain/train/trainer';
import { demoData, demoTokenizer, tinyModel, tinyTraining } from './train-helpers';

const models: QAModel[] = [];
beforeAll(async () => {
  await initNodeBackend('wasm');
});
afterEach(() => {
  while (models.length) models.pop()!.dispose();
});

describe('DynamicsRecorder', () => {
  it('records the window that holds the answer, whatever order the windows come in', () => {
    const rows = demoData().train.slice(0, 40);
    const f = prepareTrainFeatures(rows, demoTokenizer(), { maxLength: 64 });
    // An example whose answer is not in its first window, with at least two windows.
    let target = -1;
    for (let e = 0; e < rows.length && target < 0; e++) {
      const ws = [...Array(f.count).keys()].filter((w) => f.exampleIndex[w] === e);
      if (ws.length >= 2 && !f.containsAnswer[ws[0]] && ws.some((w) => f.containsAnswer[w])) target = e;
    }
    expect(target).toBeGreaterThanOrEqual(0);
    const windows = [...Array(f.count).keys()].filter((w) => f.exampleIndex[w] === target);
    const answerWindow = windows.find((w) => f.containsAnswer[w])!;
    for (const order of [windows, [...windows].reverse()]) {
      const rec = new DynamicsRecorder(f, rows.length);
      const batch = { batchSize: order.length, windowIndices: Int32Array.from(order), exampleIndices: Int32Array.from(order, (w) => f.exampleIndex[w]) };
      // p_start encodes the window, so the recorded value tells which window was kept.
      const pStart = Float32Array.from(order, (w) => w / 1000);
      const pEnd = Float32Array.from(order, () => 0.5);
      const correct = Uint8Array.from(order, (w) => (w === answerWindow ? 1 : 0));
      rec.record(batch, 0, pStart, pEnd, correct);
      const id = f.exampleIds[target];
      expect(Object.keys(rec.dynamics)).toEqual([id]);
      expect(rec.dynamics[id][0].start_prob).toBeCloseTo(answerWindow / 1000, 6);
      expect(rec.dynamics[id][0].correct).toBe(true);
    }
  });
});

describe('cartography during training', () => {
  it('records every example once per epoch and computes the metrics', async () => {
    const rows = demoData().train.slice(0, 10);
    const m = tinyModel(9);
    models.push(m);
    const out = await trainAndEvaluate({
      training: tinyTraining({ num_train_epochs: 2 }),
      model: m,
      tokenizer: demoTokenizer(),
      train: rows,
      eval: null,
      trackCartography: true,
    });
    const ids = new Set(rows.map((r) => r.id));
    expect(new Set(Object.keys(out.dynamics!))).toEqual(ids);
    for (const id of ids) {
      const epochs = out.dynamics![id];
      expect(Object.keys(epochs).map(Number)).toEqual([0, 1]);
      for (const e of [0, 1]) {
        expect(epochs[e].start_prob).toBeGreaterThan(0);
        expect(epochs[e].start_prob).toBeLessThanOrEqual(1);
        expect(epochs[e].end_prob).toBeGreaterThan(0);
      }
    }
    expect(out.cartography).toHaveLength(ids.size);
    for (const row of out.cartography!) {
      expect(row.num_epochs).toBe(2);
      const d = out.dynamics![row.id];
      const pe = [0, 1].map((e) => Math.sqrt(d[e].start_prob * d[e].end_prob));
      expect(row.confidence).toBeCloseTo((pe[0] + pe[1]) / 2, 12);
      expect(row.variability).toBeCloseTo(Math.abs(pe[0] - pe[1]) / 2, 12);
    }
  });

  it('with 1.5 epochs, records epoch 1 only for examples whose window came in the first half of epoch 1', async () => {
    const rows = demoData().train.slice(0, 10);
    const training = tinyTraining({ num_train_epochs: 1.5, seed: 21 });
    const f = prepareTrainFeatures(rows, demoTokenizer(), { maxLength: 64 });
    const perEpoch = Math.ceil(f.count / 4);
    const maxSteps = Math.ceil(1.5 * perEpoch);
    const seen = new Set(Array.from(epochOrder(f.count, 21, 1).subarray(0, (maxSteps - perEpoch) * 4)));
    const chosen = cartographyWindows(f, rows.length);
    const m = tinyModel(9);
    models.push(m);
    const out = await trainAndEvaluate({ training, model: m, tokenizer: demoTokenizer(), train: rows, eval: null, trackCartography: true });
    rows.forEach((r, e) => {
      const epochs = Object.keys(out.dynamics![r.id]).map(Number);
      expect(epochs, r.id).toEqual(seen.has(chosen[e]) ? [0, 1] : [0]);
    });
  });
});
