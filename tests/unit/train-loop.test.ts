// The training loop on tiny shapes (wasm backend): no tensor leaks, determinism, cancellation,
// NaN loss, fractional epochs, checkpoints with rotation and load-best, and learning.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import type { QAModel } from '../../src/domain/model/model';
import { prepareTrainFeatures } from '../../src/domain/qa/features';
import { MemoryCheckpointSink } from '../../src/domain/train/checkpoints';
import { TrainError } from '../../src/domain/train/errors';
import { trainAndEvaluate, type LogEntry, type TrainRunInput } from '../../src/domain/train/trainer';
import { demoData, demoTokenizer, tinyModel, tinyTraining } from './train-helpers';

const models: QAModel[] = [];
function model(seed = 7, dropout = 0.1): QAModel {
  const m = tinyModel(seed, dropout);
  models.push(m);
  return m;
}

function input(overrides: Partial<TrainRunInput> = {}): TrainRunInput {
  return {
    training: tinyTraining(),
    model: model(),
    tokenizer: demoTokenizer(),
    train: demoData().train.slice(0, 12),
    eval: null,
    ...overrides,
  };
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

afterEach(() => {
  while (models.length) models.pop()!.dispose();
});

describe('trainAndEvaluate', () => {
  it('leaks no tensor: the tensor count after step 10 equals the count after step 2', async () => {
    const counts = new Map<number, number>();
    const out = await trainAndEvaluate(
      input({
        training: tinyTraining({ num_train_epochs: 3 }),
        onStep: ({ step }) => counts.set(step, tf.memory().numTensors),
      }),
    );
    expect(out.globalStep).toBeGreaterThanOrEqual(10);
    expect(counts.get(10)).toBe(counts.get(2));
  });

  it('is deterministic: the same seed and backend give identical losses for 20 steps', async () => {
    const run = async (): Promise<number[]> => {
      const losses: number[] = [];
      await trainAndEvaluate(input({ training: tinyTraining({ num_train_epochs: 5 }), model: model(11), maxSteps: 20, onStep: (s) => losses.push(s.loss) }));
      return losses;
    };
    const a = await run();
    const b = await run();
    expect(a).toHaveLength(20);
    expect(b).toEqual(a);
    // Another training seed shuffles and drops out differently.
    const c: number[] = [];
    await trainAndEvaluate(input({ training: tinyTraining({ num_train_epochs: 5, seed: 4 }), model: model(11), maxSteps: 20, onStep: (s) => c.push(s.loss) }));
    expect(c).not.toEqual(a);
  });

  it('cancels within one step with an AbortError', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    const run = trainAndEvaluate(
      input({
        training: tinyTraining({ num_train_epochs: 5 }),
        signal: controller.signal,
        onStep: ({ step }) => {
          steps.push(step);
          if (step === 2) controller.abort();
        },
      }),
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(steps).toEqual([1, 2]);
  });

  it('cancels on a message that arrives as a macrotask (a worker\'s $cancel), although wasm read-backs never leave the microtask queue', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    const run = trainAndEvaluate(
      input({
        training: tinyTraining({ num_train_epochs: 50 }),
        signal: controller.signal,
        onStep: ({ step }) => {
          steps.push(step);
          // Like the worker router: the abort comes from a later event-loop task, not from the step.
          if (step === 3) setTimeout(() => controller.abort(), 0);
        },
      }),
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // 50 epochs of 12 rows were planned; the loop stopped soon after the abort was posted.
    expect(steps.length).toBeLessThan(40);
  });

  it('ends with code nan-loss when the loss is not finite', async () => {
    const m = model();
    const w = await m.toHostTensors();
    w.get('qa_outputs.weight')!.data.fill(NaN);
    m.setWeights(w);
    const err = await trainAndEvaluate(input({ model: m })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainError);
    expect((err as TrainError).code).toBe('nan-loss');
    expect((err as Error).message).toMatch(/step 1 of \d+.*learning rate/);
  });

  it('runs ceil(epochs × steps per epoch) steps for fractional epochs, logging the Trainer epoch', async () => {
    const rows = demoData().train.slice(0, 12);
    const featureCount = prepareTrainFeatures(rows, demoTokenizer(), { maxLength: 64 }).count;
    const perEpoch = Math.ceil(featureCount / 4);
    const logs: LogEntry[] = [];
    const out = await trainAndEvaluate(input({ train: rows, training: tinyTraining({ num_train_epochs: 1.5 }), onLog: (e) => logs.push(e) }));
    expect(out.trainFeatures).toBe(featureCount);
    expect(out.globalStep).toBe(Math.ceil(1.5 * perEpoch));
    expect(out.epochs).toBeCloseTo(1 + (out.globalStep - perEpoch) / perEpoch, 12);
    const trainLogs = logs.filter((e) => e.loss !== undefined);
    expect(trainLogs.map((e) => e.step)).toEqual(Array.from({ length: out.globalStep }, (_, i) => i + 1));
    expect(trainLogs[perEpoch - 1].epoch).toBe(1);
    // learning_rate is the rate of the next step: linear decay to 0 at the last step.
    expect(trainLogs[trainLogs.length - 1].learning_rate).toBe(0);
    const final = logs.find((e) => e.train_runtime !== undefined)!;
    expect(final.step).toBe(out.globalStep);
    expect(final.train_loss).toBeGreaterThan(0);
  });

  it('saves checkpoints on schedule, keeps save_total_limit plus the best, and loads the best at the end', async () => {
    const sink = new MemoryCheckpointSink();
    const logs: LogEntry[] = [];
    const m = model(5);
    const out = await trainAndEvaluate(
      input({
        model: m,
        train: demoData().train.slice(0, 8),
        eval: demoData().validation.slice(0, 6),
        maxSteps: 8,
        training: tinyTraining({
          num_train_epochs: 4,
          learning_rate: 2e-2,
          eval_strategy: 'steps',
          eval_steps: 2,
          save_strategy: 'steps',
          save_steps: 2,
          save_total_limit: 2,
          load_best_model_at_end: true,
          metric_for_best_model: 'eval_f1',
          logging_steps: 4,
        }),
        checkpoints: sink,
        onLog: (e) => logs.push(e),
      }),
    );
    const saves = sink.events.filter((e) => e.op === 'save').map((e) => e.step);
    expect(saves).toEqual([2, 4, 6, 8]);
    const evals = logs.filter((e) => e.eval_f1 !== undefined && e.step < 8 + 1);
    // Four evaluations during training plus the final one.
    expect(evals.map((e) => e.step)).toEqual([2, 4, 6, 8, 8]);
    const during = evals.slice(0, 4);
    const bestF1 = Math.max(...during.map((e) => e.eval_f1!));
    const bestStep = during.find((e) => e.eval_f1 === bestF1)!.step;
    expect(sink.steps).toContain(bestStep);
    expect(sink.steps.length).toBeLessThanOrEqual(2);
    expect(sink.steps).toContain(8);
    // The model now holds the best checkpoint's weights.
    const now = await m.toHostTensors();
    const best = sink.states.get(bestStep)!;
    for (const [name, t] of best.weights) expect(Array.from(now.get(name)!.data), name).toEqual(Array.from(t.data));
    expect(best.trainer.globalStep).toBe(bestStep);
    expect(best.optimizer.step).toBe(bestStep);
    expect(out.metrics).not.toBeNull();
    expect(out.predictions).toHaveLength(6);
  });

  it('keeps all checkpoints until the limit, and removes the oldest after it', async () => {
    const sink = new MemoryCheckpointSink();
    await trainAndEvaluate(
      input({ maxSteps: 6, training: tinyTraining({ num_train_epochs: 3, save_strategy: 'steps', save_steps: 2, save_total_limit: 2 }), checkpoints: sink }),
    );
    expect(sink.events).toEqual([
      { op: 'save', step: 2 },
      { op: 'save', step: 4 },
      { op: 'save', step: 6 },
      { op: 'remove', step: 2 },
    ]);
  });

  it('lowers the loss on a small demo slice', async () => {
    const losses: number[] = [];
    await trainAndEvaluate(
      input({
        model: model(3, 0),
        train: demoData().train.slice(0, 16),
        training: tinyTraining({ num_train_epochs: 6, learning_rate: 1e-2, warmup_steps: 3 }),
        onStep: (s) => losses.push(s.loss),
      }),
    );
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(losses.slice(0, 5));
    const last = mean(losses.slice(-5));
    expect(last).toBeLessThan(first * 0.8);
  });

  it('reports throttled progress with phases tokenize then train', async () => {
    const phases: string[] = [];
    await trainAndEvaluate(input({ onProgress: (p) => phases.push(p.phase) }));
    expect(phases[0]).toBe('tokenize');
    expect(phases).toContain('train');
    expect(phases.indexOf('train')).toBeGreaterThan(phases.lastIndexOf('tokenize'));
  });

  it('rejects a max_length beyond the model positions and empty data with clear errors', async () => {
    await expect(trainAndEvaluate(input({ training: tinyTraining({ max_length: 128 }) }))).rejects.toThrow(/max_position_embeddings 64/);
    await expect(trainAndEvaluate(input({ train: [] }))).rejects.toThrow(/training set is empty/);
  });
});
