/**
 * The GPU bench: the ELECTRA-small training step (the trainer's step: forward with dropout, QA
 * loss, backward, clipping, AdamW) at batch 8 × 384 and 32 × 384 on the same GPU three ways —
 * tfjs WebGPU through Dawn for Node, tfjs WebGPU in headless Chromium, and PyTorch eager (the
 * plain-PyTorch peer model, bench/peer_electra.py, checked against the parity fixture first) —
 * printing examples/s of each and the ratios to PyTorch as one JSON object.
 *
 *   npm run bench:gpu -- [--steps N] [--cases 8x384,32x384] [--skip dawn,chromium,pytorch]
 *   PYTHON=python3 (the interpreter with torch), CHROMIUM=/path/to/chrome,
 *   GPU_FLAGS="..." (Chromium's WebGPU flags; default --enable-unsafe-webgpu --enable-features=Vulkan)
 *
 * A part that cannot run (no adapter, no Chromium, no torch or no CUDA) is reported as skipped
 * with the reason; a software adapter (SwiftShader) is run but flagged `software: true`, and its
 * ratios are left out. For a machine without network or npm, `node bench/gpu-bench-pack.mjs`
 * packs this bench with everything it needs into one folder (see there).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend, nodeAdapter } from '../src/cli/tf-node';
import { installWebGpuCounters } from '../src/worker/webgpu-counters';
import { runBenchCase, type BenchCase, type BenchResult } from './train-bench-core';
import { machineInfo, runMain } from './bench-main';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--ignore-gpu-blocklist'];

type Part = 'dawn' | 'chromium' | 'pytorch';
interface Args {
  steps: number;
  cases: { batch: number; seq: number }[];
  skip: Set<Part>;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { steps: 5, cases: [{ batch: 8, seq: 384 }, { batch: 32, seq: 384 }], skip: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--steps') {
      out.steps = Number(argv[++i]);
      if (!Number.isInteger(out.steps) || out.steps < 1) throw new Error('--steps must be a positive integer');
    } else if (a === '--cases') {
      out.cases = (argv[++i] ?? '').split(',').map((c) => {
        const m = /^(\d+)x(\d+)$/.exec(c);
        if (!m) throw new Error(`--cases: ${JSON.stringify(c)} is not BATCHxSEQ (e.g. 8x384)`);
        return { batch: Number(m[1]), seq: Number(m[2]) };
      });
    } else if (a === '--skip') {
      for (const p of (argv[++i] ?? '').split(',')) {
        if (p !== 'dawn' && p !== 'chromium' && p !== 'pytorch') throw new Error(`--skip: unknown part ${JSON.stringify(p)}`);
        out.skip.add(p);
      }
    } else {
      throw new Error(`unknown flag ${JSON.stringify(a)}`);
    }
  }
  return out;
}

type PartResult = { skipped: string } | { adapter: unknown; software: boolean; results: Pick<BenchResult, 'batch' | 'seq' | 'msPerStep' | 'examplesPerSecond' | 'webgpuPerStep' | 'lossFirst' | 'lossLast'>[] };

const benchCases = (a: Args): BenchCase[] => a.cases.map((c) => ({ shape: 'electra-small', backend: 'webgpu', batch: c.batch, seq: c.seq, steps: a.steps }));
const log = (s: string) => process.stderr.write(`${s}\n`);
const describeError = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function dawnPart(a: Args): Promise<PartResult> {
  try {
    await initNodeBackend('webgpu');
  } catch (e) {
    return { skipped: `Dawn for Node did not start: ${describeError(e)}` };
  }
  const adapter = nodeAdapter();
  const results = [];
  for (const c of benchCases(a)) {
    log(`dawn: batch ${c.batch} × ${c.seq}, ${c.steps} steps...`);
    results.push(await runBenchCase(c, installWebGpuCounters()));
  }
  return { adapter, software: Boolean(adapter?.isFallback), results };
}

function findChromium(): string | null {
  for (const p of [process.env.CHROMIUM, process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/opt/google/chrome/chrome']) {
    if (p && existsSync(p)) return p;
  }
  return null;
}

async function chromiumPart(a: Args): Promise<PartResult> {
  const exe = findChromium();
  if (!exe) return { skipped: 'no Chromium found (set CHROMIUM=/path/to/chrome)' };
  process.env.CHROMIUM = exe;
  const flags = process.env.GPU_FLAGS ? process.env.GPU_FLAGS.split(/\s+/).filter(Boolean) : GPU_FLAGS;
  const prebuilt = process.env.BENCH_PAGE_DIR;
  try {
    const { withBenchPage } = await import('./bench-page.mjs');
    return await withBenchPage({ html: 'train-bench.html', chromiumArgs: flags, prebuilt }, async ({ openPage }) => {
      const page = await openPage();
      log(`chromium (${exe}): ${a.cases.length} case(s)...`);
      const res = (await page.evaluate((c) => window.runTrainBench(c), benchCases(a))) as { adapter: { description?: string; vendor?: string; architecture?: string } | null; results: BenchResult[] };
      const software = /swiftshader|llvmpipe|software/i.test(`${res.adapter?.description ?? ''} ${res.adapter?.architecture ?? ''}`);
      return { adapter: res.adapter, software, results: res.results };
    });
  } catch (e) {
    return { skipped: `Chromium WebGPU did not run: ${describeError(e)}` };
  }
}

function pytorchPart(a: Args): PartResult & { peerCheck?: unknown } {
  const python = process.env.PYTHON ?? 'python3';
  const run = (args: string[]) => spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  const probe = run(['-c', 'import torch, json; print(json.dumps({"torch": torch.__version__, "cuda": torch.cuda.is_available(), "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}))']);
  if (probe.status !== 0) return { skipped: `${python} has no torch (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()})` };
  const info = JSON.parse(probe.stdout) as { torch: string; cuda: boolean; gpu: string | null };
  if (!info.cuda) return { skipped: `torch ${info.torch} sees no CUDA device` };
  const fixture = process.env.PARITY_FIXTURE ?? path.join(HERE, '..', '..', 'shared', 'reference', 'parity', 'electra-tiny');
  const check = existsSync(fixture) ? run([path.join(HERE, 'peer_electra_check.py'), fixture, '--device', 'cuda']) : null;
  const peerCheck = check ? (check.status === 0 || check.status === 1 ? JSON.parse(check.stdout.trim().split('\n').pop()!) : { error: check.stderr.trim() }) : { skipped: `no parity fixture at ${fixture}` };
  log(`pytorch (${info.gpu}): ${a.cases.length} case(s)...`);
  const cases = a.cases.map((c) => `electra-small:${c.batch}x${c.seq}`).join(',');
  const bench = run([path.join(HERE, 'train-bench-pytorch.py'), '--device', 'cuda', '--impl', 'plain', '--cases', cases, '--steps', String(a.steps)]);
  if (bench.status !== 0) return { skipped: `the PyTorch bench failed: ${bench.stderr.trim().split('\n').slice(-3).join(' / ')}`, peerCheck };
  const out = JSON.parse(bench.stdout) as { results: BenchResult[] };
  return { adapter: info, software: false, results: out.results, peerCheck };
}

const perStep = (r: BenchResult) => ({
  batch: r.batch,
  seq: r.seq,
  msPerStep: r.msPerStep,
  examplesPerSecond: r.examplesPerSecond,
  lossFirst: r.lossFirst,
  lossLast: r.lossLast,
  ...(r.webgpuPerStep ? { webgpuPerStep: r.webgpuPerStep } : {}),
});

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const parts: Partial<Record<Part, PartResult>> = {};
  // PyTorch first: a CUDA context opened after Dawn's Vulkan device works too, but an
  // out-of-memory in one part then does not take the others' memory.
  if (!a.skip.has('pytorch')) parts.pytorch = pytorchPart(a);
  if (!a.skip.has('dawn')) parts.dawn = await dawnPart(a);
  if (!a.skip.has('chromium')) parts.chromium = await chromiumPart(a);
  for (const p of Object.values(parts)) if (p && 'results' in p) p.results = (p.results as BenchResult[]).map(perStep);

  const exs = (p: PartResult | undefined, c: { batch: number; seq: number }) =>
    p && 'results' in p && !p.software ? p.results.find((r) => r.batch === c.batch && r.seq === c.seq)?.examplesPerSecond : undefined;
  const ratio = (x?: number, y?: number) => (x !== undefined && y !== undefined && y > 0 ? Number((x / y).toFixed(3)) : null);
  const summary = a.cases.map((c) => {
    const torch = exs(parts.pytorch, c);
    const dawn = exs(parts.dawn, c);
    const chromium = exs(parts.chromium, c);
    return { batch: c.batch, seq: c.seq, examplesPerSecond: { pytorch: torch ?? null, dawn: dawn ?? null, chromium: chromium ?? null }, vsPytorch: { dawn: ratio(dawn, torch), chromium: ratio(chromium, torch) } };
  });
  process.stdout.write(
    JSON.stringify(
      {
        tool: 'gpu-bench',
        step: 'ELECTRA-small (random init), full-length batches, dropout 0.1, AdamW wd 0.01, clip 1.0',
        versions: { tfjs: tf.version.tfjs, node: process.versions.node },
        machine: machineInfo(),
        summary,
        parts,
      },
      null,
      2,
    ) + '\n',
  );
}

runMain(main);
