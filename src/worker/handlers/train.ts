import type { HandlersOf } from '../router';
import type { TrainApi, TrainDemoParams } from '../api/train';
import { ensureBackend } from './backend-state';
import { makeTrainingConfig } from '../../domain/config/defaults';
import { generateDemoDataset, type DemoDataset } from '../../domain/data/demo/generator';
import { createDemoModel, DEMO_MAX_POSITIONS, DEMO_TINY_SHAPE, DEMO_TRAINING } from '../../domain/train/demo-model';
import { TrainError } from '../../domain/train/errors';
import { trainAndEvaluate } from '../../domain/train/trainer';

let demoData: DemoDataset | null = null;

function check(params: TrainDemoParams): void {
  const int = (name: string, v: unknown, min: number, max: number) => {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max)) {
      throw new TrainError('invalid-input', `trainDemo: ${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    }
  };
  int('batchSize', params.batchSize, 1, 1024);
  const positions = params.tiny ? DEMO_TINY_SHAPE!.max_position_embeddings! : DEMO_MAX_POSITIONS;
  int('maxLength', params.maxLength, 32, positions);
  int('seed', params.seed, 0, 2 ** 32 - 1);
  if (params.rows !== undefined) int('rows', params.rows, 1, 3000);
  if (params.steps !== undefined) int('steps', params.steps, 1, 1_000_000);
  if (params.evalRows !== undefined) int('evalRows', params.evalRows, 0, 600);
  if (params.learningRate !== undefined && !(Number.isFinite(params.learningRate) && params.learningRate >= 0)) {
    throw new TrainError('invalid-input', `trainDemo: learningRate must be a finite number ≥ 0, got ${params.learningRate}`);
  }
}

export const trainHandlers: HandlersOf<TrainApi> = {
  async trainDemo(params, { signal, progress }) {
    check(params);
    const { backend } = await ensureBackend();
    demoData ??= generateDemoDataset();
    const demo = createDemoModel({ seed: params.seed, dataset: demoData, shape: params.tiny ? DEMO_TINY_SHAPE : undefined });
    // Short runs: warmup scaled down so that a few steps still learn.
    const warmup = params.steps !== undefined ? Math.min(DEMO_TRAINING.warmup_steps ?? 0, Math.floor(params.steps / 10)) : DEMO_TRAINING.warmup_steps;
    const training = makeTrainingConfig({
      ...DEMO_TRAINING,
      per_device_train_batch_size: params.batchSize,
      max_length: params.maxLength,
      seed: params.seed,
      learning_rate: params.learningRate ?? DEMO_TRAINING.learning_rate,
      warmup_steps: warmup,
      num_train_epochs: 1,
      logging_steps: 1,
      eval_strategy: 'no',
      save_strategy: 'no',
    });
    const losses: number[] = [];
    const gradNorms: number[] = [];
    try {
      const out = await trainAndEvaluate({
        training,
        model: demo.model,
        tokenizer: demo.tokenizer,
        train: demoData.train.slice(0, params.rows ?? 64),
        eval: params.evalRows ? demoData.validation.slice(0, params.evalRows) : null,
        maxSteps: params.steps,
        signal,
        onProgress: (p) => progress(p),
        onStep: (s) => {
          losses.push(s.loss);
          gradNorms.push(s.gradNorm);
        },
      });
      return {
        backend,
        losses,
        gradNorms,
        globalStep: out.globalStep,
        epochs: out.epochs,
        trainSeconds: out.trainSeconds,
        examplesPerSecond: out.examplesPerSecond,
        metrics: out.metrics,
      };
    } finally {
      demo.model.dispose();
    }
  },
};
