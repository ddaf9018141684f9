/**
 * The training-step benchmark shared by the Node bench (train-bench.ts) and the Chromium page
 * (train-bench-page.ts): the shapes, a seeded full-length batch, and the timed trainer steps.
 * No Node or DOM APIs here; the caller picks the tfjs backend.
 */
import * as tf from '@tensorflow/tfjs';
import { parseHfConfig } from '../src/domain/model/config';
import { QAModel } from '../src/domain/model/model';
import type { AttentionStrategy } from '../src/domain/model/ops';
import { createDemoModel, DEMO_TRAINING } from '../src/domain/train/demo-model';
import { timeTrainingSteps, type ProbeTiming } from '../src/domain/train/step-probe';
import type { WebGpuCounters, WebGpuCounts } from '../src/worker/webgpu-counters';

export type BenchShape = 'electra-small' | 'demo';

export interface BenchCase {
  shape: BenchShape;
  backend: string;
  batch: number;
  seq: number;
  steps: number;
  /** Attention's per-head products (ops.ts); default 'auto'. */
  attention?: AttentionStrategy;
  /** WebGPU: 'ops' runs the layers, AdamW and dropout as tfjs ops, the before of our kernels; default 'auto'. */
  kernels?: 'auto' | 'ops';
  /** One more step under tf.profile after the timed ones: the per-kernel table. */
  profile?: boolean;
}

export interface BenchResult extends Omit<BenchCase, 'profile'> {
  warmupSteps: number;
  msPerStep: number;
  examplesPerSecond: number;
  tokensPerSecond: number;
  lossFirst: number;
  lossLast: number;
  /** WebGPU only: what one timed step asked of the GPU API (webgpu-counters.ts), per step. */
  webgpuPerStep?: Omit<WebGpuCounts, 'liveBufferBytes'>;
  /** With `profile`: one more step's time per kernel (step-probe.ts profileStep). */
  kernelProfile?: ProbeTiming['profile'];
}

/**
 * google/electra-small-discriminator's shape (random init here): transformers' ElectraConfig
 * defaults, which parseHfConfig fills in, are exactly that model's.
 */
export const ELECTRA_SMALL = { model_type: 'electra' } as const;

export const DEMO_BATCH = DEMO_TRAINING.per_device_train_batch_size ?? 16;
export const DEMO_SEQ = DEMO_TRAINING.max_length ?? 192;

/** Counts over `steps` steps as per-step figures (the peak stays a peak). */
function countsPerStep(c: WebGpuCounts, steps: number): Omit<WebGpuCounts, 'liveBufferBytes'> {
  const n = Math.max(1, steps);
  const r = (x: number) => Math.round((x / n) * 10) / 10;
  return {
    dispatches: r(c.dispatches),
    writeBufferCalls: r(c.writeBufferCalls),
    bytesFromCpu: r(c.bytesFromCpu),
    submits: r(c.submits),
    reads: r(c.reads),
    pipelines: r(c.pipelines),
    buffersCreated: r(c.buffersCreated),
    peakBufferBytes: c.peakBufferBytes,
  };
}

export async function runBenchCase(c: BenchCase, counters?: WebGpuCounters): Promise<BenchResult> {
  const model = c.shape === 'demo' ? createDemoModel({ seed: 1 }).model : QAModel.fromConfig(parseHfConfig(ELECTRA_SMALL), { seed: 1 });
  try {
    // Counted from the end of the warm-up step (its shader compilations are not per-step work).
    const t = await timeTrainingSteps(model.config, {
      model,
      batch: c.batch,
      seq: c.seq,
      steps: c.steps,
      warmupSteps: 1,
      attention: c.attention ?? 'auto',
      kernels: c.kernels ?? 'auto',
      onStep: (phase) => phase === 'warmup' && counters?.reset(),
      profile: c.profile,
    });
    const counts = counters?.snapshot();
    const perStep = t.msPerStep / 1000;
    return {
      ...c,
      attention: c.attention ?? 'auto',
      backend: tf.getBackend(),
      warmupSteps: 1,
      msPerStep: Math.round(t.msPerStep),
      examplesPerSecond: Number((c.batch / perStep).toFixed(3)),
      tokensPerSecond: Number(((c.batch * c.seq) / perStep).toFixed(1)),
      lossFirst: Number(t.lossFirst.toFixed(4)),
      lossLast: Number(t.lossLast.toFixed(4)),
      ...(counts ? { webgpuPerStep: countsPerStep(counts, t.stepMs.length) } : {}),
      ...(t.profile ? { kernelProfile: t.profile } : {}),
    };
  } finally {
    model.dispose();
  }
}
