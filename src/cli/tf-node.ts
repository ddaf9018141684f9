import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { installDawnWebGpu } from './webgpu-node';
import {
  candidateLabel,
  chooseBackend,
  DEFAULT_PROBE,
  measureCandidates,
  type BackendCandidate,
  type BackendChoice,
  type BackendMeasurement,
  shapeKey,
  type ProbeSetup,
} from '../domain/compute/backend-choice';
import { defaultCacheFile, nodeDeviceKey, readCachedMeasurements, writeCachedMeasurements } from './backend-cache';
import { parseHfConfig } from '../domain/model/config';
import { probeSeqFor, timeTrainingSteps } from '../domain/train/step-probe';
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

/**
 * Selects a tfjs backend for Node (tests, CLI, benchmarks): wasm (XNNPACK, one thread: tfjs-wasm's
 * threaded build does not run in Node), cpu (plain JavaScript), or webgpu through Dawn. The wasm
 * binaries are read from node_modules, so nothing is downloaded.
 */
export async function initNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  await prepare(name);
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
export async function measureNodeBackend(c: BackendCandidate, configJson: Record<string, unknown>, probe: ProbeSetup, deadlineMs: number): Promise<BackendMeasurement> {
  try {
    await initNodeBackend(c.backend as NodeBackend);
  } catch (e) {
    return { candidate: c, ok: false, note: e instanceof Error ? e.message : String(e) };
  }
  const candidate: BackendCandidate = c.backend === 'webgpu' ? { backend: 'webgpu', software: adapter?.isFallback ?? false } : c;
  const config = parseHfConfig(configJson, 'model config.json');
  const seq = probeSeqFor(config, probe.seq);
  const t = await timeTrainingSteps(config, { batch: probe.batch, seq, steps: probe.steps, warmupSteps: 1, stopAfterMs: deadlineMs });
  if (t.stepMs.length === 0) {
    return { candidate, ok: false, warmupMs: Math.round(t.warmupMs), note: `stopped after its warm-up step (${(t.warmupMs / 1000).toFixed(1)} s, past the ${Math.round(deadlineMs / 1000)} s deadline)` };
  }
  return {
    candidate,
    ok: true,
    msPerStep: Math.round(t.msPerStep * 10) / 10,
    warmupMs: Math.round(t.warmupMs),
    note: `batch ${probe.batch} × ${seq}, ${t.stepMs.length} timed step(s) after 1 warm-up`,
  };
}

/**
 * `--backend`: a named backend, or `auto`, which times wasm, webgpu (Dawn) and cpu with the op mix
 * of `configJson`'s model and starts the fastest.
 */
export async function chooseNodeBackend(
  choice: NodeBackendChoice,
  configJson: Record<string, unknown>,
  log: (line: string) => void = () => undefined,
  opts: { remeasure?: boolean; cacheFile?: string } = {},
): Promise<{ backend: string; choice: BackendChoice; measurements: BackendMeasurement[] }> {
  if (choice !== 'auto') {
    const backend = await initNodeBackend(choice);
    return { backend, choice: { candidate: { backend: choice }, reason: `${choice}: named with --backend` }, measurements: [] };
  }
  const candidates: BackendCandidate[] = [{ backend: 'wasm', threads: 1 }, { backend: 'webgpu' }, { backend: 'cpu' }];
  const device = nodeDeviceKey();
  const shape = shapeKey(parseHfConfig(configJson, 'model config.json'));
  const cached = opts.remeasure ? null : readCachedMeasurements(device, shape, opts.cacheFile);
  let measurements = cached?.measurements ?? [];
  if (cached) log(`backend step times for ${shape} measured ${cached.measuredAt} (cache ${opts.cacheFile ?? defaultCacheFile()}; --remeasure to time again)`);
  else {
    measurements = await measureCandidates(candidates, DEFAULT_PROBE, {
      measure: (c, deadline) => measureNodeBackend(c, configJson, DEFAULT_PROBE, deadline),
      onCandidate: (c) => log(`timing a training step on ${candidateLabel(c)}…`),
    });
    writeCachedMeasurements({ version: 1, device, shape, probe: DEFAULT_PROBE, measuredAt: new Date().toISOString(), measurements }, opts.cacheFile);
  }
  for (const m of measurements) log(`  ${candidateLabel(m.candidate)}: ${m.msPerStep != null ? `${m.msPerStep} ms/step` : 'not used'} (${m.note})`);
  const picked = chooseBackend(measurements, 'auto');
  const backend = await initNodeBackend(picked.candidate.backend as NodeBackend);
  log(`backend ${picked.reason}`);
  return { backend, choice: picked, measurements };
}
