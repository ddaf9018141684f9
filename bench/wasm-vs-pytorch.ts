/**
 * tfjs-wasm against PyTorch on one CPU core, side by side: the trainer's step (forward with
 * dropout, QA loss, backward, clipping, AdamW) at the demo shape (batch 8 × 192) and ELECTRA-small
 * (batch 8 × 384), alternating tfjs, PyTorch, tfjs, PyTorch in this one run, and the ratio of the
 * per-step times. PyTorch is the plain-PyTorch peer model (bench/peer_electra.py) on one thread;
 * for a fair peer its BLAS should be OpenBLAS (Debian: apt-get install libopenblas0-pthread;
 * the netlib reference BLAS is ~13× slower).
 *
 *   npx tsx bench/wasm-vs-pytorch.ts [--only demo|small] [--steps N] [--rounds 2] [--profile]
 *   PYTHON=/usr/bin/python3 (the interpreter with torch; default python3)
 * Prints one JSON object; --profile adds the tfjs step's per-kernel table.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../src/cli/tf-node';
import { createDemoModel } from '../src/domain/train/demo-model';
import { machineInfo, runMain } from './bench-main';
import { DEMO_BATCH, DEMO_SEQ, runBenchCase, type BenchCase, type BenchResult } from './train-bench-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: string[]): { only: string | null; steps: number | null; rounds: number; profile: boolean } {
  const out = { only: null as string | null, steps: null as number | null, rounds: 2, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') {
      out.only = argv[++i];
      if (out.only !== 'small' && out.only !== 'demo') throw new Error(`--only must be small or demo, got ${JSON.stringify(out.only)}`);
    } else if (a === '--steps' || a === '--rounds') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a} must be a positive integer`);
      if (a === '--steps') out.steps = n;
      else out.rounds = n;
    } else if (a === '--profile') {
      out.profile = true;
    } else {
      throw new Error(`unknown flag ${JSON.stringify(a)}`);
    }
  }
  return out;
}

interface TorchResult {
  msPerStep: number;
  examplesPerSecond: number;
  lossFirst: number;
  lossLast: number;
}

function torchStep(shape: 'demo' | 'electra-small', batch: number, seq: number, steps: number, demoVocab: number): { result: TorchResult; versions: unknown } {
  const python = process.env.PYTHON ?? 'python3';
  const r = spawnSync(python, [path.join(HERE, 'train-bench-pytorch.py'), '--device', 'cpu', '--threads', '1', '--impl', 'plain', '--cases', `${shape}:${batch}x${seq}`, '--steps', String(steps), '--demo-vocab', String(demoVocab)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`${python} bench/train-bench-pytorch.py failed (is torch installed? set PYTHON): ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' / ')}`);
  const out = JSON.parse(r.stdout) as { versions: unknown; results: TorchResult[] };
  return { result: out.results[0], versions: out.versions };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  await initNodeBackend('wasm', { threads: 1 });
  const cases: BenchCase[] = [];
  if (args.only !== 'small') cases.push({ shape: 'demo', backend: 'wasm', batch: DEMO_BATCH, seq: DEMO_SEQ, steps: args.steps ?? 5 });
  if (args.only !== 'demo') cases.push({ shape: 'electra-small', backend: 'wasm', batch: 8, seq: 384, steps: args.steps ?? 2 });
  const load0 = machineInfo().loadavg;
  // The demo model's vocabulary is built from the demo data: PyTorch gets the same size.
  const demo = createDemoModel({ seed: 1 }).model;
  const demoVocab = demo.config.vocabSize;
  demo.dispose();
  let torchVersions: unknown = null;
  const results = [];
  for (const c of cases) {
    const tfjs: BenchResult[] = [];
    const torch: TorchResult[] = [];
    for (let round = 0; round < args.rounds; round++) {
      process.stderr.write(`${c.shape} ${c.batch} × ${c.seq}, round ${round + 1}: tfjs-wasm...\n`);
      const r = await runBenchCase({ ...c, profile: args.profile && round === args.rounds - 1 });
      tfjs.push(r);
      process.stderr.write(`  ${r.msPerStep} ms/step; PyTorch...\n`);
      const t = torchStep(c.shape, c.batch, c.seq, c.steps, demoVocab);
      torchVersions = t.versions;
      torch.push(t.result);
      process.stderr.write(`  ${t.result.msPerStep} ms/step\n`);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const tfMs = mean(tfjs.map((r) => r.msPerStep));
    const ptMs = mean(torch.map((r) => r.msPerStep));
    results.push({
      shape: c.shape,
      batch: c.batch,
      seq: c.seq,
      steps: c.steps,
      tfjsWasmMsPerStep: tfjs.map((r) => r.msPerStep),
      pytorchMsPerStep: torch.map((r) => r.msPerStep),
      ratio: Number((tfMs / ptMs).toFixed(2)),
      lossFirst: { tfjs: tfjs[0].lossFirst, pytorch: torch[0].lossFirst },
      ...(tfjs[tfjs.length - 1].kernelProfile ? { tfjsProfile: tfjs[tfjs.length - 1].kernelProfile } : {}),
    });
  }
  process.stdout.write(
    JSON.stringify(
      { tool: 'wasm-vs-pytorch', threads: 1, versions: { tfjs: tf.version.tfjs, node: process.versions.node, pytorch: torchVersions }, machine: { ...machineInfo(), loadavgBefore: load0 }, results },
      null,
      2,
    ) + '\n',
  );
}

runMain(main);
