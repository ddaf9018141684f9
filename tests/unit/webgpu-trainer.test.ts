// The trainer on WebGPU (Dawn for Node), 200 steps of a tiny model with dropout and cartography:
// GPU→CPU reads happen only at logging steps (10 reads for 200 steps at logging_steps 20, the
// cartography numbers among them), and neither tensors nor GPU buffers grow from step to step.
import { expect, it } from 'vitest';
import { describeOnDawn } from './on-dawn';
import * as tf from '@tensorflow/tfjs';
import { trainAndEvaluate } from '../../src/domain/train/trainer';
import { installWebGpuCounters } from '../../src/worker/webgpu-counters';
import { demoData, demoTokenizer, tinyModel, tinyTraining } from './train-helpers';

describeOnDawn('the trainer on WebGPU (Dawn)', () => {
  it('reads back only at logging steps and grows neither tensors nor GPU buffers over 200 steps', async () => {
    const model = tinyModel(5, 0.1);
    const counters = installWebGpuCounters();
    const atLog = new Map<number, { tensors: number; liveBytes: number; reads: number }>();
    const stepsSeen: number[] = [];
    try {
      counters.reset();
      const out = await trainAndEvaluate({
        training: tinyTraining({ logging_steps: 20, per_device_train_batch_size: 2 }),
        model,
        tokenizer: demoTokenizer(),
        // ~2,000 windows at max_length 64: one epoch is longer than the 200 steps.
        train: demoData().train.slice(0, 800),
        eval: null,
        maxSteps: 200,
        padding: 'max_length',
        trackCartography: true,
        onStep: (s) => stepsSeen.push(s.step),
        onLog: (e) => {
          if (typeof e.loss === 'number') atLog.set(e.step, { tensors: tf.memory().numTensors, liveBytes: counters.snapshot().liveBufferBytes, reads: counters.snapshot().reads });
        },
      });
      expect(out.globalStep).toBe(200);
      expect(stepsSeen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect([...atLog.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => 20 * (i + 1)));
      // One read per logging step, nothing in between.
      expect([...atLog.values()].map((v) => v.reads)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      const first = atLog.get(40)!;
      const last = atLog.get(200)!;
      expect(last.tensors).toBe(first.tensors);
      expect(last.liveBytes).toBeLessThanOrEqual(first.liveBytes);
      console.log(`tensors ${first.tensors} → ${last.tensors}, live GPU bytes ${first.liveBytes} → ${last.liveBytes} (steps 40 → 200)`);
    } finally {
      model.dispose();
    }
  }, 300_000);
});
