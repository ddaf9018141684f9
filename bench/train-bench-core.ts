/**
 * The training-step benchmark shared by the Node bench (train-bench.ts) and the Chromium page
 * (train-bench-page.ts): the shapes, a seeded full-length batch, and the timed trainer steps.
 * No Node or DOM APIs here; the caller picks the tfjs backend.
 */
import * as tf from '@tensorflow/tfjs';
import { parseHfConfig, type EncoderConfig } from '../src/domain/model/config';
import { QAModel } from '../src/domain/model/model';
import type { AttentionStrategy } from '../src/domain/model/ops';
import type { FeatureBatch } from '../src/domain/qa/features';
import { createDemoModel, DEMO_TRAINING } from '../src/domain/train/demo-model';
import { AdamW, HF_ADAMW_DEFAULTS } from '../src/domain/train/optimizer';
import { createRng } from '../src/domain/train/rng';
import { runTrainStep } from '../src/domain/train/step';

export type BenchShape = 'electra-small' | 'demo';

export interface BenchCase {
  shape: BenchShape;
  backend: string;
  batch: number;
  seq: number;
  steps: number;
  /** Attention's per-head products (ops.ts); default 'auto'. */
  attention?: AttentionStrategy;
}

export interface BenchResult extends BenchCase {
  warmupSteps: number;
  msPerStep: number;
  examplesPerSecond: number;
  tokensPerSecond: number;
  lossFirst: number;
  lossLast: number;
}

/**
 * google/electra-small-discriminator's shape (random init here): transformers' ElectraConfig
 * defaults, which parseHfConfig fills in, are exactly that model's.
 */
export const ELECTRA_SMALL = { model_type: 'electra' } as const;

export const DEMO_BATCH = DEMO_TRAINING.per_device_train_batch_size ?? 16;
export const DEMO_SEQ = DEMO_TRAINING.max_length ?? 192;

/** A full-length batch: [CLS] question(16) [SEP] context [SEP], seeded random ids, answers inside the context. */
export function syntheticBatch(config: EncoderConfig, batch: number, seq: number, seed: number): FeatureBatch {
  const rng = createRng(seed);
  const n = batch * seq;
  const inputIds = new Int32Array(n);
  const tokenTypeIds = new Int32Array(n);
  const attentionMask = new Int32Array(n).fill(1);
  const startPositions = new Int32Array(batch);
  const endPositions = new Int32Array(batch);
  const q = 16;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < seq; p++) {
      const i = b * seq + p;
      inputIds[i] = p === 0 ? 2 : p === q + 1 || p === seq - 1 ? 3 : 5 + rng.nextInt(config.vocabSize - 5);
      tokenTypeIds[i] = p > q + 1 ? 1 : 0;
    }
    startPositions[b] = q + 2 + rng.nextInt(seq - q - 12);
    endPositions[b] = startPositions[b] + rng.nextInt(8);
  }
  return {
    batchSize: batch,
    seqLength: seq,
    inputIds,
    attentionMask,
    tokenTypeIds,
    startPositions,
    endPositions,
    windowIndices: Int32Array.from({ length: batch }, (_, i) => i),
    exampleIndices: Int32Array.from({ length: batch }, (_, i) => i),
  };
}

/** One warm-up step, then `steps` timed trainer steps (forward with dropout, loss, grads, clip, AdamW, read-back). */
export async function runBenchCase(c: BenchCase): Promise<BenchResult> {
  const model = c.shape === 'demo' ? createDemoModel({ seed: 1 }).model : QAModel.fromConfig(parseHfConfig(ELECTRA_SMALL), { seed: 1 });
  model.attentionStrategy = c.attention ?? 'auto';
  const optimizer = new AdamW(model.params, { ...HF_ADAMW_DEFAULTS, weightDecay: 0.01 });
  const batch = syntheticBatch(model.config, c.batch, c.seq, 7);
  const warmupSteps = 1;
  try {
    const losses: number[] = [];
    for (let i = 0; i < warmupSteps; i++) losses.push((await runTrainStep(model, optimizer, batch, {}, { lr: 1e-4, withStats: false })).loss);
    const t0 = performance.now();
    for (let i = 0; i < c.steps; i++) losses.push((await runTrainStep(model, optimizer, batch, {}, { lr: 1e-4, withStats: false })).loss);
    const perStep = (performance.now() - t0) / 1000 / c.steps;
    return {
      ...c,
      attention: c.attention ?? 'auto',
      backend: tf.getBackend(),
      warmupSteps,
      msPerStep: Math.round(perStep * 1000),
      examplesPerSecond: Number((c.batch / perStep).toFixed(3)),
      tokensPerSecond: Number(((c.batch * c.seq) / perStep).toFixed(1)),
      lossFirst: Number(losses[0].toFixed(4)),
      lossLast: Number(losses[losses.length - 1].toFixed(4)),
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
