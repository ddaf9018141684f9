import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { installDawnWebGpu } from './webgpu-node';
import { startThreadedWasm } from './wasm-threads-node';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  candidateLabel,
  chooseBackend,
  measureCandidates,
  measurementKey,
  probeFor,
  type BackendCandidate,
  type BackendChoice,
  type BackendMeasurement,
  shapeKey,
  wasmThreadsFor,
  type ProbeSetup,
  type TrainingShape,
} from '../domain/compute/backend-choice';
import { ProbeProgress } from '../domain/compute/probe-progress';
import { defaultCacheFile, nodeDeviceKey, readCachedMeasurements, writeCachedMeasurements } from './backend-cache';
import { parseHfConfig } from '../domain/model/config';
import { measureTrainingStep } from '../domain/train/step-probe';
import type { AdapterInfo } from '../worker/protocol';
import { adapterText } from '../worker/adapter';

import type { NodeBackend, NodeBackendChoice } from './node-backends';

export { NODE_BACKEND_CHOICES, type NodeBackend, type NodeBackendChoice } from './node-backends';

let wasmPathsSet = false;
let webgpuLoaded = false;
let adapter: AdapterInfo | null = null;

/** The WebGPU adapter in use (Dawn), once the webgpu backend started. */
export function nodeAdapter(): AdapterInfo | null {
  return adapter;
}

async function prepare(name: NodeBackend): Promise<void> {
  if (name === 'wasm' && !wasmPathsSet) {
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    setWasmPaths(dir);
    wasmPathsSet = true;
  }
  if (name === 'webgpu' && !webgpuLoaded) {
    adapter = await installDawnWebGpu();
    if (!adapter) {
      throw new Error('webgpu: Dawn for Node found no Vulkan adapter (install a GPU driver, or libvulkan1 and Chromium for its SwiftShader driver)');
    }
    await import('@tensorflow/tfjs-backend-webgpu');
    webgpuLoaded = true;
  }
}

let wasmThreads: number | null = null;

/** Threads of this process's wasm pool, once wasm started (one variant per process). */
export function nodeWasmThreads(): number | null {
  return wasmThreads;
}

/** Threads for `--backend wasm` here: every core, capped as in the browser. */
export function defaultNodeWasmThreads(): number {
  return wasmThreadsFor(os.cpus().length);
}

/**
 * Selects a tfjs backend for Node (tests, CLI, benchmarks): wasm (XNNPACK; `threads` > 1 runs the
 * threaded build on worker_threads, see wasm-threads-node.ts), cpu (plain JavaScript), or webgpu
 * through Dawn. The wasm binaries are read from node_modules, so nothing is downloaded. A process
 * runs one wasm variant: its thread count is fixed when wasm first starts.
 */
export async function initNodeBackend(name: NodeBackend = 'wasm', opts: { threads?: number } = {}): Promise<string> {
  await prepare(name);
  if (name === 'wasm') {
    const threads = opts.threads ?? wasmThreads ?? 1;
    if (wasmThreads !== null && threads !== wasmThreads) throw new Error(`wasm already runs with ${wasmThreads} thread(s) in this process; ${threads} need a new process`);
    if (wasmThreads === null) {
      if (threads > 1) await startThreadedWasm(threads);
      wasmThreads = threads;
    }
  }
  if (tf.getBackend() !== name) {
    let ok = false;
    try {
      ok = await tf.setBackend(name);
    } catch {
      ok = false;
    }
    if (!ok) throw new Error(`tfjs backend "${name}" failed to initialise`);
  }
  await tf.ready();
  return tf.getBackend();
}

/** "wasm", or the adapter for webgpu: provenance of a run. */
export function nodeBackendProvenance(backend: string): string {
  if (backend === 'webgpu' && adapter) return `Dawn for Node ${process.version}: ${adapterText(adapter)}`;
  return `node ${process.version}`;
}

/** Times the trainer's step of `configJson`'s model on one backend in this process. */
export async function measureNodeBackend(
  c: BackendCandidate,
  configJson: Record<string, unknown>,
  probe: ProbeSetup,
  deadlineMs: number,
  onStep?: (phase: 'warmup' | 'step', ms: number) => void,
): Promise<BackendMeasurement> {
  try {
    await initNodeBackend(c.backend as NodeBackend, { threads: c.threads });
  } catch (e) {
    return { candidate: c, ok: false, note: e instanceof Error ? e.message : String(e) };
  }
  const candidate = startedCandidate(c);
  return measureTrainingStep(candidate, configJson, probe, { deadlineMs, onStep });
}

/** The candidate as it runs here: the adapter's software flag, the wasm pool's size. */
export function startedCandidate(c: BackendCandidate): BackendCandidate {
  if (c.backend === 'webgpu') return { backend: 'webgpu', software: adapter?.isFallback ?? false };
  if (c.backend === 'wasm') return { backend: 'wasm', threads: wasmThreads ?? 1 };
  return c;
}

const CHILD = fileURLToPath(new URL('./backend-probe-child.ts', import.meta.url));

/**
 * Times one candidate in a child process, killed at `deadlineMs` with what it learnt by then (a
 * step in flight gives a lower bound), as the browser runs each probe in a worker of its own.
 */
export function measureInChild(c: BackendCandidate, configJson: Record<string, unknown>, probe: ProbeSetup, deadlineMs: number): Promise<BackendMeasurement> {
  return new Promise((resolve) => {
    // The child runs TypeScript through tsx's loader, as the CLI itself does.
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const child = spawn(process.execPath, ['--import', pathToFileURL(tsx).href, CHILD, JSON.stringify({ candidate: c, config: configJson, probe, deadlineMs })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let result: BackendMeasurement | null = null;
    const seen = new ProbeProgress();
    let started = c;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const sp = line.indexOf(' ');
        const kind = line.slice(0, sp);
        try {
          const v = JSON.parse(line.slice(sp + 1)) as { phase: 'warmup' | 'step'; ms: number };
          if (kind === 'started') started = v as unknown as BackendCandidate;
          else if (kind === 'progress') seen.record(v.phase, v.ms, performance.now());
          else if (kind === 'result') result = v as unknown as BackendMeasurement;
        } catch {
          // Not one of our lines (a library printing to stdout): ignore it.
        }
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(seen.atDeadline(started, probe, deadlineMs, performance.now()));
    }, deadlineMs + 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(result ?? { candidate: started, ok: false, note: `the probe process exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}` });
    });
  });
}

/**
 * `--backend`: a named backend, or `auto`, which times wasm, webgpu (Dawn) and cpu with the op mix
 * of `configJson`'s model and starts the fastest.
 */
export async function chooseNodeBackend(
  choice: NodeBackendChoice,
  configJson: Record<string, unknown>,
  training: TrainingShape,
  log: (line: string) => void = () => undefined,
  /** start: false picks without starting the backend here (a bench picking for several models). */
  opts: { remeasure?: boolean; cacheFile?: string; start?: boolean } = {},
): Promise<{ backend: string; choice: BackendChoice; measurements: BackendMeasurement[] }> {
  // A process runs one wasm variant: once wasm started here, its thread count stays.
  const threads = wasmThreads ?? defaultNodeWasmThreads();
  if (choice !== 'auto') {
    const candidate: BackendCandidate = choice === 'wasm' ? { backend: 'wasm', threads } : { backend: choice };
    const backend = await initNodeBackend(choice, { threads: candidate.threads });
    return { backend, choice: { candidate, reason: `${candidateLabel(candidate)}: named with --backend` }, measurements: [] };
  }
  const candidates: BackendCandidate[] = [...(threads > 1 ? [{ backend: 'wasm' as const, threads }] : []), { backend: 'wasm', threads: 1 }, { backend: 'webgpu' }, { backend: 'cpu' }];
  const device = nodeDeviceKey();
  const config = parseHfConfig(configJson, 'model config.json');
  const probe = probeFor(config, training);
  const shape = measurementKey(shapeKey(config), probe);
  const cached = opts.remeasure ? null : readCachedMeasurements(device, shape, opts.cacheFile);
  let measurements = cached?.measurements ?? [];
  if (cached) log(`backend step times for ${shape} measured ${cached.measuredAt} (cache ${opts.cacheFile ?? defaultCacheFile()}; --remeasure to time again)`);
  else {
    measurements = await measureCandidates(candidates, probe, {
      measure: (c, deadline) => measureInChild(c, configJson, probe, deadline),
      onCandidate: (c) => log(`timing a training step on ${candidateLabel(c)}…`),
    });
    writeCachedMeasurements({ version: 1, device, shape, probe, measuredAt: new Date().toISOString(), measurements }, opts.cacheFile);
  }
  for (const m of measurements) log(`  ${candidateLabel(m.candidate)}: ${m.msPerStep != null ? `${m.msPerStep} ms/step` : 'not used'} (${m.note})`);
  const picked = chooseBackend(measurements, 'auto');
  const backend = opts.start === false ? picked.candidate.backend : await initNodeBackend(picked.candidate.backend as NodeBackend, { threads: picked.candidate.threads });
  log(`backend ${picked.reason}`);
  return { backend, choice: picked, measurements };
}
