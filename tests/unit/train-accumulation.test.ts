// gradient_accumulation_steps as Hugging Face defines it: the step arithmetic (optimizer steps at
// every A-th micro-batch and at an epoch's last), batch 2 × A 2 training exactly as batch 4 × A 1
// (dropout off, same rows), and the config field in config.json, the hash and run.py's arguments
// only when it is set to something other than 1.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/cli/tf-node';
import { toCliArgs } from '../../src/domain/config/cli-args';
import { createBaselineConfig } from '../../src/domain/config/factories';
import { parseExperimentConfig } from '../../src/domain/config/schema';
import { configHash, configJsonText } from '../../src/domain/config/serialize';
import type { QAModel } from '../../src/domain/model/model';
import { planTraining } from '../../src/domain/train/plan';
import { trainAndEvaluate, type TrainRunInput } from '../../src/domain/train/trainer';
import { demoData, demoTokenizer, tinyModel, tinyTraining } from './train-helpers';

const models: QAModel[] = [];
const model = (seed: number, dropout: number) => {
  const m = tinyModel(seed, dropout);
  models.push(m);
  return m;
};

beforeAll(async () => {
  await initNodeBackend('wasm');
});
afterEach(() => {
  while (models.length) models.pop()!.dispose();
});

const intervals = { logging_steps: 1, eval_steps: 500, save_steps: 500, eval_strategy: 'no', save_strategy: 'no' } as const;

describe('gradient accumulation', () => {
  it('plans as the Trainer: floor(micro-batches / A) steps per epoch for max steps', () => {
    const p = planTraining(20, { per_device_train_batch_size: 2, gradient_accumulation_steps: 3, num_train_epochs: 2, ...intervals }, { hasEval: false });
    expect([p.microBatchesPerEpoch, p.stepsPerEpoch, p.maxSteps, p.epochsToRun, p.accumulation]).toEqual([10, 3, 6, 2, 3]);
    const none = planTraining(20, { per_device_train_batch_size: 2, num_train_epochs: 2, ...intervals }, { hasEval: false });
    expect([none.stepsPerEpoch, none.maxSteps, none.accumulation]).toEqual([10, 20, 1]);
    expect(() => planTraining(20, { per_device_train_batch_size: 2, gradient_accumulation_steps: 0, num_train_epochs: 1, ...intervals }, { hasEval: false })).toThrow(/gradient_accumulation_steps must be a positive integer/);
  });

  it('steps the optimizer after every A-th micro-batch and after an epoch’s last (the shorter remainder step)', async () => {
    const steps: { step: number; epoch: number }[] = [];
    const input: TrainRunInput = {
      training: tinyTraining({ per_device_train_batch_size: 4, gradient_accumulation_steps: 3, num_train_epochs: 2 }),
      model: model(7, 0.1),
      tokenizer: demoTokenizer(),
      train: demoData().train.slice(0, 12),
      eval: null,
      padding: 'max_length',
      onStep: (s) => steps.push({ step: s.step, epoch: s.epoch }),
    };
    const out = await trainAndEvaluate(input);
    const plan = planTraining(out.trainFeatures, input.training, { hasEval: false });
    const micro = plan.microBatchesPerEpoch;
    // Syncs in epoch 1 at micro-batches A, 2A, ... and at the last one.
    const syncs = Array.from({ length: micro }, (_, k) => k + 1).filter((k) => k % 3 === 0 || k === micro);
    const expected = [...syncs.map((k) => k / micro), ...syncs.map((k) => 1 + k / micro)].slice(0, plan.maxSteps);
    expect(out.globalStep).toBe(plan.maxSteps);
    expect(steps.map((s) => s.step)).toEqual(expected.map((_, i) => i + 1));
    steps.forEach((s, i) => expect(s.epoch).toBeCloseTo(expected[i], 10));
  });

  it('batch 2 × A 2 trains as batch 4 × A 1 (dropout off, same rows, same losses and weights)', async () => {
    const run = async (batch: number, accumulation: number) => {
      const m = model(9, 0);
      const losses: number[] = [];
      const training = tinyTraining({ per_device_train_batch_size: batch, gradient_accumulation_steps: accumulation, num_train_epochs: 1 });
      await trainAndEvaluate({ training, model: m, tokenizer: demoTokenizer(), train: demoData().train.slice(0, 40), eval: null, padding: 'max_length', maxSteps: 6, onStep: (s) => losses.push(s.loss) });
      const w = (await m.params.get('qa_outputs.weight')!.data()) as Float32Array;
      return { losses, w };
    };
    const whole = await run(4, 1);
    const split = await run(2, 2);
    expect(split.losses).toHaveLength(6);
    split.losses.forEach((l, i) => expect(l).toBeCloseTo(whole.losses[i], 5));
    let worst = 0;
    for (let i = 0; i < whole.w.length; i++) worst = Math.max(worst, Math.abs(split.w[i] - whole.w[i]));
    expect(worst).toBeLessThan(1e-5);
  });

  it('is in config.json, the hash and run.py’s arguments only when set to more than 1', () => {
    const base = createBaselineConfig();
    const one = { ...base, training: { ...base.training, gradient_accumulation_steps: 1 } };
    const four = { ...base, training: { ...base.training, gradient_accumulation_steps: 4 } };
    expect(configHash(one)).toBe(configHash(base));
    expect(configJsonText(one)).toBe(configJsonText(base));
    expect(configHash(four)).not.toBe(configHash(base));
    const json = configJsonText(four);
    expect(json).toMatch(/"per_device_eval_batch_size": \d+,\s+"gradient_accumulation_steps": 4,\s+"num_train_epochs"/);
    const { config_hash: _hash, ...stored } = JSON.parse(json) as Record<string, unknown> & { training: Record<string, unknown> };
    expect(parseExperimentConfig(stored).training.gradient_accumulation_steps).toBe(4);
    expect(toCliArgs(four).join(' ')).toContain('--gradient_accumulation_steps 4 --num_train_epochs');
    expect(toCliArgs(base)).not.toContain('--gradient_accumulation_steps');
    expect(() => parseExperimentConfig({ ...stored, training: { ...stored.training, gradient_accumulation_steps: 0 } })).toThrow(/gradient_accumulation_steps/);
  });
});
