/**
 * Training-step throughput on the Node backends: the ELECTRA-small shape (12 layers, hidden 256,
 * embedding 128, intermediate 1024, 4 heads, vocab 30522) at sequence 384 and 512, batch 8, and
 * the demo model's shape (src/domain/train/demo-model.ts) at its training settings. A step is the
 * trainer's step (src/domain/train/step.ts): forward with dropout, QA loss, one tf.variableGrads,
 * clipping, AdamW, and the one small read-back. Batches are full-length (every position attended,
 * as Python's padding="max_length" with long contexts), token ids from a seeded generator.
 *
 *   npm run bench:train -- [--only small|demo] [--steps N] [--backends wasm,cpu,webgpu] [--profile]
 *   (--profile: one more step per case under tf.profile; its kernels, calls, ms and share go to
 *   `kernelProfile` in the JSON and the top 15 to stderr)
 *
 * webgpu runs through Dawn for Node (ELECTRA-small at batch 1 × 64 and the demo shape), and each of
 * its results has `webgpuPerStep`: the dispatches, CPU writes, reads, pipelines and peak buffer
 * bytes of one step (src/worker/webgpu-counters.ts).
 * Prints one JSON object; bench/train-bench-pytorch.py prints the same keys for PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { initNodeBackend, type NodeBackend } from '../src/cli/tf-node';
import { installWebGpuCounters } from '../src/worker/webgpu-counters';
import { DEMO_BATCH, DEMO_SEQ, runBenchCase, type BenchCase, type BenchResult } from './train-bench-core';
import { runMain } from './bench-main';

function parseArgs(argv: string[]): { only: string | null; steps: number | null; backends: NodeBackend[]; profile: boolean } {
  const out = { only: null as string | null, steps: null as number | null, backends: ['wasm', 'cpu'] as NodeBackend[], profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') {
      out.only = argv[++i];
      if (out.only !== 'small' && out.only !== 'demo') throw new Error(`--only must be small or demo, got ${JSON.stringify(out.only)}`);
    } else if (a === '--steps') {
      out.steps = Number(argv[++i]);
      if (!Number.isInteger(out.steps) || out.steps < 1) throw new Error('--steps must be a positive integer');
    } else if (a === '--profile') {
      out.profile = true;
    } else if (a === '--backends') {
      out.backends = argv[++i].split(',') as NodeBackend[];
      for (const b of out.backends) if (b !== 'wasm' && b !== 'cpu' && b !== 'webgpu') throw new Error(`unknown backend ${JSON.stringify(b)}`);
    } else {
      throw new Error(`unknown flag ${JSON.stringify(a)}`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cases: BenchCase[] = [];
  if (args.only !== 'demo' && args.backends.includes('wasm')) {
    for (const seq of [384, 512]) cases.push({ shape: 'electra-small', backend: 'wasm', batch: 8, seq, steps: args.steps ?? 2 });
  }
  // WebGPU (Dawn): ELECTRA-small at batch 1 × 64, where dispatch overhead dominates the step, with
  // and without our kernels, alternating (before, after, before, after) in this one run.
  const webgpuAB = (c: BenchCase): BenchCase[] => (['ops', 'auto', 'ops', 'auto'] as const).map((kernels) => ({ ...c, kernels }));
  if (args.only !== 'demo' && args.backends.includes('webgpu')) cases.push(...webgpuAB({ shape: 'electra-small', backend: 'webgpu', batch: 1, seq: 64, steps: args.steps ?? 2 }));
  if (args.only !== 'small') {
    for (const backend of args.backends) {
      const steps = args.steps ?? (backend === 'cpu' ? 2 : 5);
      // On wasm, both attention strategies: 'sliced' is what 'auto' picks there, 'batched' the alternative.
      if (backend === 'wasm') for (const attention of ['batched', 'sliced'] as const) cases.push({ shape: 'demo', backend, batch: DEMO_BATCH, seq: DEMO_SEQ, steps, attention });
      else if (backend === 'webgpu') cases.push(...webgpuAB({ shape: 'demo', backend, batch: DEMO_BATCH, seq: DEMO_SEQ, steps }));
      else cases.push({ shape: 'demo', backend, batch: DEMO_BATCH, seq: DEMO_SEQ, steps });
    }
  }
  if (args.profile) for (const c of cases) c.profile = true;
  const results: BenchResult[] = [];
  for (const c of cases) {
    process.stderr.write(`${c.shape} on ${c.backend}${c.attention ? ` (${c.attention} attention)` : ''}${c.kernels ? ` (kernels ${c.kernels})` : ''}: batch ${c.batch} × ${c.seq}, ${c.steps} steps...\n`);
    await initNodeBackend(c.backend as NodeBackend);
    // On WebGPU (Dawn) every step's dispatches, uploads and reads are counted too.
    const r = await runBenchCase(c, c.backend === 'webgpu' ? installWebGpuCounters() : undefined);
    process.stderr.write(`  ${r.msPerStep} ms/step, ${r.examplesPerSecond} examples/s, ${r.tokensPerSecond} tokens/s\n`);
    if (r.kernelProfile) {
      const p = r.kernelProfile;
      process.stderr.write(`  profiled step: ${p.wallMs} ms wall, ${p.kernelMs} ms in kernels\n`);
      for (const k of p.kernels.slice(0, 15)) process.stderr.write(`    ${k.kernel.padEnd(28)} ${String(k.calls).padStart(5)}× ${k.ms.toFixed(1).padStart(9)} ms ${(100 * k.share).toFixed(1).padStart(5)}%\n`);
    }
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

runMain(main);
