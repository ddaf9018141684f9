/**
 * A timed training step with the op mix of a given model: random init of that shape, a seeded
 * full-length synthetic batch, forward (with the config's dropout), loss, gradients, clipping and
 * AdamW — the trainer's own step (step.ts). Backend choice and the benchmarks time this; the
 * caller has already picked the tfjs backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendCandidate, BackendMeasurement, ProbeSetup } from '../compute/backend-choice';
import { parseHfConfig, type EncoderConfig } from '../model/config';
import { QAModel } from '../model/model';
import type { AttentionStrategy } from '../model/ops';
import type { FeatureBatch } from '../qa/features';
import { AdamW, HF_ADAMW_DEFAULTS } from './optimizer';
import { createRng } from './rng';
import { runTrainStep } from './step';

export interface ProbeOptions {
  batch: number;
  seq: number;
  /** Timed steps after the warm-up steps. */
  steps: number;
  warmupSteps?: number;
  attention?: AttentionStrategy;
  /** 'ops': the layers, optimizer and dropout as tfjs ops even on webgpu (the before of the kernels' bench). */
  kernels?: 'auto' | 'ops';
  /** Init seed of the random weights (default 1). */
  seed?: number;
  /** The model to time; default a fresh one of `config`'s shape (disposed afterwards). */
  model?: QAModel;
  /** Keep timing past `steps` until the timed steps took this long together (up to `maxSteps`): fast steps are noisy. */
  minTimedMs?: number;
  maxSteps?: number;
  /** Stop after the step (warm-up included) that ends past this many ms from the start. */
  stopAfterMs?: number;
  /** Called after the warm-up and after each timed step (a caller with a deadline learns a lower bound). */
  onStep?(phase: 'warmup' | 'step', ms: number): void;
  /** After the timed steps, one more step under tf.profile: time per kernel (not timed itself). */
  profile?: boolean;
}

/** One kernel's share of a profiled step. */
export interface KernelProfileRow {
  kernel: string;
  calls: number;
  ms: number;
  /** Of the step's summed kernel time. */
  share: number;
}

export interface ProbeTiming {
  /** The warm-up steps together (shader compilation, wasm instantiation, first allocations). */
  warmupMs: number;
  /** Mean of the timed steps. */
  msPerStep: number;
  /** Median of the timed steps (what backend choice compares: one slow step does not move it). */
  medianMs: number;
  stepMs: number[];
  lossFirst: number;
  lossLast: number;
  /** With `profile`: the profiled step's kernels, slowest first. */
  profile?: { wallMs: number; kernelMs: number; kernels: KernelProfileRow[] };
}

/**
 * Per-kernel time of `step` (tf.profile: each kernel timed by the backend; on wasm and cpu that
 * is wall time around the kernel, so the JavaScript between kernels is what wallMs − kernelMs
 * leaves).
 */
export async function profileStep(step: () => Promise<unknown>): Promise<NonNullable<ProbeTiming['profile']>> {
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await step();
  });
  const wallMs = performance.now() - t0;
  const by = new Map<string, { calls: number; ms: number }>();
  const backend = tf.getBackend();
  for (const k of info.kernels) {
    // tf.profile also lists custom-gradient ops and scopes, whose time contains their kernels'.
    if (!tf.getKernel(k.name, backend)) continue;
    const e = by.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    by.set(k.name, e);
  }
  const kernelMs = [...by.values()].reduce((a, e) => a + e.ms, 0);
  const kernels = [...by]
    .map(([kernel, e]) => ({ kernel, calls: e.calls, ms: Number(e.ms.toFixed(2)), share: Number((e.ms / Math.max(kernelMs, 1e-9)).toFixed(4)) }))
    .sort((a, b) => b.ms - a.ms);
  return { wallMs: Number(wallMs.toFixed(1)), kernelMs: Number(kernelMs.toFixed(1)), kernels };
}

/** The probe's sequence length for a model: short enough to be quick, never past its positions. */
export function probeSeqFor(config: Pick<EncoderConfig, 'maxPositionEmbeddings'>, seq = 128): number {
  return Math.min(seq, config.maxPositionEmbeddings);
}

/** A full-length batch: [CLS] question(16) [SEP] context [SEP], seeded random ids, answers inside the context. */
export function syntheticBatch(config: Pick<EncoderConfig, 'vocabSize'>, batch: number, seq: number, seed: number): FeatureBatch {
  if (seq < 32) throw new Error(`synthetic batches need at least 32 positions (got ${seq})`);
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

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Warm-up steps, then `steps` timed trainer steps; leaves no tensor behind. */
export async function timeTrainingSteps(config: EncoderConfig, opts: ProbeOptions): Promise<ProbeTiming> {
  const owned = !opts.model;
  const model = opts.model ?? QAModel.fromConfig(config, { seed: opts.seed ?? 1 });
  if (opts.attention) model.attentionStrategy = opts.attention;
  const dropoutWas = model.dropout.implementation;
  const kernelsWere = model.kernels;
  model.dropout.implementation = opts.kernels ?? 'auto';
  model.kernels = opts.kernels ?? 'auto';
  const optimizer = new AdamW(model.params, { ...HF_ADAMW_DEFAULTS, weightDecay: 0.01, implementation: opts.kernels ?? 'auto' });
  const batch = syntheticBatch(model.config, opts.batch, opts.seq, 7);
  const step = () => runTrainStep(model, optimizer, batch, {}, { lr: 1e-4, withStats: false });
  try {
    const losses: number[] = [];
    const w0 = performance.now();
    for (let i = 0; i < (opts.warmupSteps ?? 1); i++) losses.push((await step()).loss);
    const warmupMs = performance.now() - w0;
    opts.onStep?.('warmup', warmupMs);
    const stepMs: number[] = [];
    const t0 = performance.now();
    const wanted = (i: number) => i < opts.steps || (opts.minTimedMs != null && i < (opts.maxSteps ?? 20) && performance.now() - t0 < opts.minTimedMs);
    for (let i = 0; wanted(i); i++) {
      if (opts.stopAfterMs != null && performance.now() - w0 > opts.stopAfterMs) break;
      const s0 = performance.now();
      losses.push((await step()).loss);
      stepMs.push(performance.now() - s0);
      opts.onStep?.('step', stepMs[i]);
    }
    const profile = opts.profile ? await profileStep(step) : undefined;
    return {
      ...(profile ? { profile } : {}),
      warmupMs,
      msPerStep: stepMs.reduce((a, b) => a + b, 0) / Math.max(1, stepMs.length),
      medianMs: median(stepMs),
      stepMs,
      lossFirst: losses[0],
      lossLast: losses[losses.length - 1],
    };
  } finally {
    optimizer.dispose();
    model.dropout.implementation = dropoutWas;
    model.kernels = kernelsWere;
    if (owned) model.dispose();
  }
}

/**
 * The backend-choice probe on the backend the caller started: the trainer's step of `configJson`'s
 * model at the probe's batch, as a measurement of `candidate`. With `deadlineMs` it stops after the
 * step that ends past it (a measurement without timed steps is not `ok`).
 */
export async function measureTrainingStep(
  candidate: BackendCandidate,
  configJson: Record<string, unknown>,
  probe: ProbeSetup,
  opts: { deadlineMs?: number; onStep?: (phase: 'warmup' | 'step', ms: number) => void } = {},
): Promise<BackendMeasurement> {
  const config = parseHfConfig(configJson, 'model config.json');
  const seq = probeSeqFor(config, probe.seq);
  const t = await timeTrainingSteps(config, { batch: probe.batch, seq, steps: probe.steps, minTimedMs: probe.minTimedMs, maxSteps: probe.maxSteps, warmupSteps: 1, stopAfterMs: opts.deadlineMs, onStep: opts.onStep });
  if (t.stepMs.length === 0) {
    return { candidate, ok: false, warmupMs: Math.round(t.warmupMs), note: `stopped after its warm-up step (${(t.warmupMs / 1000).toFixed(1)} s, past the ${Math.round((opts.deadlineMs ?? 0) / 1000)} s deadline)` };
  }
  return {
    candidate,
    ok: true,
    msPerStep: Math.round(t.medianMs * 10) / 10,
    warmupMs: Math.round(t.warmupMs),
    note: `batch ${probe.batch} × ${seq}, median of ${t.stepMs.length} timed step(s) after 1 warm-up`,
  };
}
