/**
 * Training-step throughput on the Node backends: the ELECTRA-small shape (12 layers, hidden 256,
 * embedding 128, intermediate 1024, 4 heads, vocab 30522) at sequence 384 and 512, batch 8, and
 * the demo model's shape (src/domain/train/demo-model.ts) at its training settings. A step is the
 * trainer's step (src/domain/train/step.ts): forward with dropout, QA loss, one tf.variableGrads,
 * clipping, AdamW, and the one small read-back. Batches are full-length (every position attended,
 * as Python's padding="max_length" with long contexts), token ids from a seeded generator.
 *
 *   npm run bench:train -- [--only small|demo] [--steps N] [--backends wasm,cpu]
 *
 * Prints one JSON object; bench/train-bench-pytorch.py prints the same keys for PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { initNodeBackend, type NodeBackend } from '../src/cli/tf-node';
import { parseHfConfig, type EncoderConfig } from '../src/domain/model/config';
import { QAModel } from '../src/domain/model/model';
import type { FeatureBatch } from '../src/domain/qa/features';
import { createDemoModel, DEMO_TRAINING } from '../src/domain/train/demo-model';
import { AdamW, HF_ADAMW_DEFAULTS } from '../src/domain/train/optimizer';
import { createRng } from '../src/domain/train/rng';
import { runTrainStep } from '../src/domain/train/step';

interface Case {
  shape: 'electra-small' | 'demo';
  backend: NodeBackend;
  batch: number;
  seq: number;
  steps: number;
}

interface CaseResult extends Case {
  warmupSteps: number;
  msPerStep: number;
  examplesPerSecond: number;
  tokensPerSecond: number;
  lossFirst: number;
  lossLast: number;
}

const ELECTRA_SMALL = {
  model_type: 'electra',
  vocab_size: 30522,
  embedding_size: 128,
  hidden_size: 256,
  num_hidden_layers: 12,
  num_attention_heads: 4,
  intermediate_size: 1024,
  max_position_embeddings: 512,
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
};

function parseArgs(argv: string[]): { only: string | null; steps: number | null; backends: NodeBackend[] } {
  const out = { only: null as string | null, steps: null as number | null, backends: ['wasm', 'cpu'] as NodeBackend[] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') {
      out.only = argv[++i];
      if (out.only !== 'small' && out.only !== 'demo') throw new Error(`--only must be small or demo, got ${JSON.stringify(out.only)}`);
    } else if (a === '--steps') {
      out.steps = Number(argv[++i]);
      if (!Number.isInteger(out.steps) || out.steps < 1) throw new Error('--steps must be a positive integer');
    } else if (a === '--backends') {
      out.backends = argv[++i].split(',') as NodeBackend[];
      for (const b of out.backends) if (b !== 'wasm' && b !== 'cpu') throw new Error(`unknown backend ${JSON.stringify(b)}`);
    } else {
      throw new Error(`unknown flag ${JSON.stringify(a)}`);
    }
  }
  return out;
}

/** A full-length batch: [CLS] question(16) [SEP] context [SEP], random ids, answers inside the context. */
function syntheticBatch(config: EncoderConfig, batch: number, seq: number, seed: number): FeatureBatch {
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

async function runCase(c: Case): Promise<CaseResult> {
  await initNodeBackend(c.backend);
  const model = c.shape === 'demo' ? createDemoModel({ seed: 1 }).model : QAModel.fromConfig(parseHfConfig(ELECTRA_SMALL), { seed: 1 });
  const optimizer = new AdamW(model.params, { ...HF_ADAMW_DEFAULTS, weightDecay: 0.01 });
  const batch = syntheticBatch(model.config, c.batch, c.seq, 7);
  const warmupSteps = 1;
  try {
    const losses: number[] = [];
    for (let i = 0; i < warmupSteps; i++) losses.push((await runTrainStep(model, optimizer, batch, {}, { lr: 1e-4, withStats: false })).loss);
    const t0 = performance.now();
    for (let i = 0; i < c.steps; i++) losses.push((await runTrainStep(model, optimizer, batch, {}, { lr: 1e-4, withStats: false })).loss);
    const seconds = (performance.now() - t0) / 1000;
    const perStep = seconds / c.steps;
    return {
      ...c,
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cases: Case[] = [];
  const demoBatch = DEMO_TRAINING.per_device_train_batch_size ?? 16;
  const demoSeq = DEMO_TRAINING.max_length ?? 192;
  if (args.only !== 'demo' && args.backends.includes('wasm')) {
    for (const seq of [384, 512]) cases.push({ shape: 'electra-small', backend: 'wasm', batch: 8, seq, steps: args.steps ?? 2 });
  }
  if (args.only !== 'small') {
    for (const backend of args.backends) cases.push({ shape: 'demo', backend, batch: demoBatch, seq: demoSeq, steps: args.steps ?? (backend === 'cpu' ? 2 : 5) });
  }
  const results: CaseResult[] = [];
  for (const c of cases) {
    process.stderr.write(`${c.shape} on ${c.backend}: batch ${c.batch} × ${c.seq}, ${c.steps} steps...\n`);
    const r = await runCase(c);
    process.stderr.write(`  ${r.msPerStep} ms/step, ${r.examplesPerSecond} examples/s, ${r.tokensPerSecond} tokens/s\n`);
    results.push(r);
  }
  const cpus = os.cpus();
  const out = {
    tool: 'tfjs',
    versions: { tfjs: tf.version.tfjs, node: process.versions.node },
    machine: { platform: `${os.platform()} ${os.arch()}`, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) },
    results,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
