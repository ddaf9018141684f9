/**
 * Training-step time on every backend this machine offers, in Chromium and in Node, for the demo
 * model's shape (batch 8 × 192, its training settings) and ELECTRA-small's (batch 8 × 384): the
 * trainer's step (forward, loss, gradients, clipping, AdamW), each backend in a fresh worker in
 * Chromium as the app's backend choice runs it (the page is served cross-origin isolated, as the
 * service worker serves the app), in a child process in Node. Also the backend `auto` picks in each
 * (the app's and the CLI's own choice, with their small probe), the threaded/single-thread wasm
 * speed-up, and the page's demo step against Node's wasm step.
 *
 *   npm run bench:backends -- [--only demo|small] [--demo-steps N] [--small-steps N]
 *     [--deadline SECONDS] [--skip webgl,webgpu,...] [--with-cpu]
 *
 * A case that runs past the deadline is stopped and reported with what it reached ("atLeastMs":
 * a step takes at least that long). Prints one JSON object.
 */
import os from 'node:os';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { withBenchPage } from './bench-page.mjs';
import { candidateLabel, type BackendCandidate, type BackendMeasurement } from '../src/domain/compute/backend-choice';
import { demoProbeConfig, DEMO_TRAINING } from '../src/domain/train/demo-settings';
import { chooseNodeBackend, defaultNodeWasmThreads, measureInChild } from '../src/cli/tf-node';
import type { PageCase } from './backends-bench-page';
import { runMain } from './bench-main';

const SWIFTSHADER = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader'];
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' };

interface Shape {
  name: 'demo' | 'electra-small';
  config: Record<string, unknown>;
  batch: number;
  seq: number;
  steps: number;
}

interface Args {
  only: 'demo' | 'small' | null;
  demoSteps: number;
  smallSteps: number;
  deadlineS: number;
  skip: string[];
  withCpu: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { only: null, demoSteps: 5, smallSteps: 1, deadlineS: 600, skip: [], withCpu: false };
  const int = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === '--only') {
      const v = argv[++i];
      if (v !== 'demo' && v !== 'small') throw new Error(`--only must be demo or small, got ${JSON.stringify(v)}`);
      a.only = v;
    } else if (f === '--demo-steps') a.demoSteps = int(f, argv[++i]);
    else if (f === '--small-steps') a.smallSteps = int(f, argv[++i]);
    else if (f === '--deadline') a.deadlineS = int(f, argv[++i]);
    else if (f === '--skip') a.skip = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (f === '--with-cpu') a.withCpu = true;
    else throw new Error(`unknown flag ${JSON.stringify(f)}`);
  }
  return a;
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const round = (x: number | undefined) => (x == null ? null : Math.round(x * 10) / 10);

function figure(m: BackendMeasurement): Record<string, unknown> {
  return { msPerStep: round(m.msPerStep), ...(m.atLeastMs != null ? { atLeastMs: m.atLeastMs } : {}), warmupMs: m.warmupMs ?? null, ok: m.ok, note: m.note };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const shapes: Shape[] = [];
  if (args.only !== 'small') shapes.push({ name: 'demo', config: demoProbeConfig(), batch: DEMO_TRAINING.per_device_train_batch_size ?? 8, seq: DEMO_TRAINING.max_length ?? 192, steps: args.demoSteps });
  if (args.only !== 'demo') shapes.push({ name: 'electra-small', config: { model_type: 'electra' }, batch: 8, seq: 384, steps: args.smallSteps });
  const deadlineMs = args.deadlineS * 1000;
  const loadBefore = os.loadavg();

  // Node: wasm on one thread and on every core, and webgpu through Dawn, each in a child process
  // (a process keeps one wasm variant); then what --backend auto picks.
  const node: Record<string, Record<string, unknown>> = {};
  const nodeAuto: Record<string, { reason: string; probe: Record<string, unknown> }> = {};
  const nodeWasm: Record<string, number | null> = {};
  for (const s of shapes) {
    node[s.name] = {};
    const threads = defaultNodeWasmThreads();
    const nodeCandidates: BackendCandidate[] = [{ backend: 'wasm', threads: 1 }, ...(threads > 1 ? [{ backend: 'wasm' as const, threads }] : []), { backend: 'webgpu' }];
    for (const c of nodeCandidates) {
      if (args.skip.includes(`node-${c.backend}`)) continue;
      log(`node ${s.name} on ${candidateLabel(c)}: batch ${s.batch} × ${s.seq}, ${s.steps} step(s)...`);
      const m = await measureInChild(c, s.config, { batch: s.batch, seq: s.seq, steps: s.steps }, deadlineMs);
      log(`  ${m.msPerStep ?? '—'} ms/step (${m.note})`);
      node[s.name][candidateLabel(m.candidate)] = figure(m);
      if (c.backend === 'wasm' && m.msPerStep != null) nodeWasm[s.name] = Math.min(nodeWasm[s.name] ?? Infinity, m.msPerStep);
    }
    const cacheFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-backends-')), 'backends.json');
    const picked = await chooseNodeBackend('auto', s.config, { batch: s.batch, seq: s.seq }, () => undefined, { cacheFile, start: false });
    nodeAuto[s.name] = { reason: picked.choice.reason, probe: Object.fromEntries(picked.measurements.map((m) => [candidateLabel(m.candidate), m.msPerStep ?? (m.atLeastMs != null ? `> ${m.atLeastMs}` : null)])) };
    log(`node auto for ${s.name}: ${picked.choice.reason}`);
  }

  // Chromium: every candidate in a fresh worker of the app's training worker script.
  const chromium = await withBenchPage({ html: 'backends-bench.html', chromiumArgs: ['--headless', ...(process.env.GPU_FLAGS ? process.env.GPU_FLAGS.split(/\s+/).filter(Boolean) : SWIFTSHADER)], headers: ISOLATION }, async ({ browser, openPage }) => {
    const page = await openPage();
    const info = await page.evaluate(() => window.pageInfo());
    if (!info.isolated) throw new Error('the bench page is not cross-origin isolated: threaded wasm cannot run');
    const candidates = info.candidates.filter((c) => (args.withCpu || c.backend !== 'cpu') && !args.skip.includes(c.backend));
    const out: Record<string, Record<string, unknown>> = {};
    const auto: Record<string, { reason: string; probe: Record<string, unknown> }> = {};
    const byLabel: Record<string, Record<string, BackendMeasurement>> = {};
    for (const s of shapes) {
      out[s.name] = {};
      byLabel[s.name] = {};
      for (const c of candidates) {
        log(`chromium ${s.name} on ${candidateLabel(c)}: batch ${s.batch} × ${s.seq}, ${s.steps} step(s)...`);
        const pc: PageCase = { candidate: c, config: s.config, probe: { batch: s.batch, seq: s.seq, steps: s.steps }, deadlineMs };
        const m = await page.evaluate((x) => window.runCase(x), pc);
        log(`  ${m.msPerStep ?? (m.atLeastMs != null ? `> ${m.atLeastMs}` : '—')} ms/step (${m.note})`);
        out[s.name][candidateLabel(m.candidate)] = figure(m);
        byLabel[s.name][candidateLabel(c)] = m;
      }
      const a = await page.evaluate(([cfg, training]) => window.autoPick(cfg, training), [s.config, { batch: s.batch, seq: s.seq }] as const);
      auto[s.name] = { reason: a.reason, probe: Object.fromEntries(a.measurements.map((m) => [candidateLabel(m.candidate), m.msPerStep ?? (m.atLeastMs != null ? `> ${m.atLeastMs}` : null)])) };
      log(`chromium auto for ${s.name}: ${a.reason}`);
    }
    return { version: browser.version(), isolated: info.isolated, hardwareConcurrency: info.hardwareConcurrency, adapter: info.adapter, shapes: out, byLabel, auto };
  });

  const threads = Math.min(chromium.hardwareConcurrency, 8);
  const speedup: Record<string, number | null> = {};
  const nodeSpeedup: Record<string, number | null> = {};
  // The page's best wasm step over Node's best wasm step (same threads available to both).
  const pageVsNode: Record<string, number | null> = {};
  for (const s of shapes) {
    const one = chromium.byLabel[s.name]['wasm 1 thread']?.msPerStep;
    const many = chromium.byLabel[s.name][`wasm ×${threads} threads`]?.msPerStep;
    speedup[s.name] = one && many ? Number((one / many).toFixed(2)) : null;
    const n1 = (node[s.name]['wasm 1 thread'] as { msPerStep?: number | null } | undefined)?.msPerStep;
    const nN = (node[s.name][`wasm ×${defaultNodeWasmThreads()} threads`] as { msPerStep?: number | null } | undefined)?.msPerStep;
    nodeSpeedup[s.name] = n1 && nN ? Number((n1 / nN).toFixed(2)) : null;
    const best = Math.min(...[one, many].filter((x): x is number => x != null));
    pageVsNode[s.name] = nodeWasm[s.name] && Number.isFinite(best) ? Number((best / (nodeWasm[s.name] as number)).toFixed(2)) : null;
  }
  const cpus = os.cpus();
  process.stdout.write(
    JSON.stringify(
      {
        tool: 'backends',
        versions: { tfjs: tf.version.tfjs, chromium: chromium.version, node: process.versions.node },
        machine: { platform: `${os.platform()} ${os.arch()}`, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', loadavgBefore: loadBefore.map((x) => Number(x.toFixed(2))), loadavgAfter: os.loadavg().map((x) => Number(x.toFixed(2))) },
        shapes: Object.fromEntries(shapes.map((s) => [s.name, { batch: s.batch, seq: s.seq, timedSteps: s.steps }])),
        chromium: { isolated: chromium.isolated, hardwareConcurrency: chromium.hardwareConcurrency, adapter: chromium.adapter, msPerStep: chromium.shapes, autoPicked: chromium.auto },
        node: { msPerStep: node, autoPicked: nodeAuto },
        threadedOverSingleThreadWasm: { chromium: { threads, speedup }, node: { threads: defaultNodeWasmThreads(), speedup: nodeSpeedup } },
        pageWasmOverNodeWasm: pageVsNode,
      },
      null,
      2,
    ) + '\n',
  );
}

runMain(main);
