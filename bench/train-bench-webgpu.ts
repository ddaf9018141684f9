/**
 * The training-step benchmark of train-bench.ts on tfjs' WebGPU backend in headless Chromium:
 * builds bench/train-bench.html with Vite, serves it (bench-page.mjs), runs the cases in the page and prints the
 * same JSON keys as `npm run bench:train` (tool "tfjs-webgpu").
 *
 *   npx tsx bench/train-bench-webgpu.ts [--only small|demo] [--steps N] [--overhead-only]
 *   (--overhead-only: of ELECTRA-small only batch 1 × 64, not the 8 × 384/512 steps that take
 *   minutes on SwiftShader). Each result has `webgpuPerStep`: dispatches, CPU writes, reads,
 *   pipelines and peak buffer bytes of one step (src/worker/webgpu-counters.ts).
 *   CHROMIUM=/path/to/chrome to pick the browser; GPU_FLAGS="..." to replace the WebGPU flags
 *   (default: SwiftShader, as the e2e tests; on a machine with a GPU pass e.g. GPU_FLAGS="--enable-unsafe-webgpu").
 *
 * On SwiftShader (software Vulkan) the ELECTRA-small shape takes minutes per step; use --only demo.
 */
import os from 'node:os';
import { withBenchPage } from './bench-page.mjs';
import type { BenchCase, BenchResult } from './train-bench-core';

const SWIFTSHADER = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader'];

function parseArgs(argv: string[]): { only: string | null; steps: number | null; overheadOnly: boolean } {
  const out = { only: null as string | null, steps: null as number | null, overheadOnly: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') {
      out.only = argv[++i];
      if (out.only !== 'small' && out.only !== 'demo') throw new Error(`--only must be small or demo, got ${JSON.stringify(out.only)}`);
    } else if (argv[i] === '--overhead-only') {
      out.overheadOnly = true;
    } else if (argv[i] === '--steps') {
      out.steps = Number(argv[++i]);
      if (!Number.isInteger(out.steps) || out.steps < 1) throw new Error('--steps must be a positive integer');
    } else {
      throw new Error(`unknown flag ${JSON.stringify(argv[i])}`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { DEMO_BATCH, DEMO_SEQ } = await import('./train-bench-core');
  const cases: BenchCase[] = [];
  // Batch 1 × 64 is where dispatch overhead dominates the step; 8 × 384/512 are the study's shapes.
  if (args.only !== 'demo') cases.push({ shape: 'electra-small', backend: 'webgpu', batch: 1, seq: 64, steps: args.steps ?? 2 });
  if (args.only !== 'demo' && !args.overheadOnly) for (const seq of [384, 512]) cases.push({ shape: 'electra-small', backend: 'webgpu', batch: 8, seq, steps: args.steps ?? 2 });
  if (args.only !== 'small') cases.push({ shape: 'demo', backend: 'webgpu', batch: DEMO_BATCH, seq: DEMO_SEQ, steps: args.steps ?? 5 });

  const gpuFlags = process.env.GPU_FLAGS ? process.env.GPU_FLAGS.split(/\s+/).filter(Boolean) : SWIFTSHADER;
  await withBenchPage({ html: 'train-bench.html', chromiumArgs: gpuFlags }, async ({ browser, openPage }) => {
    const page = await openPage();
    process.stderr.write(`running ${cases.length} case(s) on WebGPU...\n`);
    const res = (await page.evaluate((c) => window.runTrainBench(c), cases)) as { adapter: unknown; results: BenchResult[] };
    const cpus = os.cpus();
    const out = {
      tool: 'tfjs-webgpu',
      versions: { tfjs: (await import('@tensorflow/tfjs')).version.tfjs, chromium: browser.version(), node: process.versions.node },
      machine: {
        platform: `${os.platform()} ${os.arch()}`,
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? 'unknown',
        loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
        adapter: res.adapter,
      },
      results: res.results,
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
