import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { AdapterInfo, BackendName, BackendReport } from './protocol';

// The wasm binaries are bundled assets (precached by the service worker), never fetched from a CDN.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

interface GPUAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** Describes the adapter WebGPU would give us, or null when there is none. */
export async function probeAdapter(): Promise<AdapterInfo | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<GPUAdapterLike | null> } }).gpu;
  if (!gpu) return null;
  let adapter: GPUAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    return null;
  }
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const description = info.description ?? '';
  const software = /swiftshader|llvmpipe|lavapipe|software|warp|basic render/i.test(`${vendor} ${architecture} ${description}`);
  return {
    vendor,
    architecture,
    device: info.device ?? '',
    description,
    isFallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || software,
  };
}

/** A miniature training step (two dense layers, forward + gradient) used to time backends. */
async function timedStep(): Promise<number> {
  const t0 = performance.now();
  const w1 = tf.variable(tf.randomNormal([128, 128]));
  const w2 = tf.variable(tf.randomNormal([128, 16]));
  const out = tf.tidy(() => {
    const x = tf.randomNormal([64, 128]);
    const { grads, value } = tf.variableGrads(() => tf.matMul(tf.relu(tf.matMul(x, w1)), w2).square().mean() as tf.Scalar, [w1, w2]);
    return [value, ...Object.values(grads)];
  });
  await Promise.all(out.map((t) => t.data()));
  tf.dispose([...out, w1, w2]);
  return performance.now() - t0;
}

async function trySet(name: BackendName): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function measure(name: BackendName): Promise<number | null> {
  if (!(await trySet(name))) return null;
  await tf.ready();
  await timedStep(); // compile shaders / instantiate wasm
  const runs = [await timedStep(), await timedStep(), await timedStep()];
  return runs.sort((a, b) => a - b)[1];
}

/**
 * Picks the training backend: webgpu when an adapter exists and the backend initialises;
 * otherwise whichever of wasm and webgl runs a small training step faster here; cpu last.
 * `prefer` restricts and orders the candidates (tests use it to force a backend).
 */
export async function selectBackend(prefer?: BackendName[], onStage?: (s: string) => void): Promise<BackendReport> {
  const tried: BackendReport['tried'] = [];
  const adapter = await probeAdapter();
  const allowed = (b: BackendName) => !prefer || prefer.includes(b);
  let chosen: BackendName | null = null;

  if (allowed('webgpu')) {
    onStage?.('webgpu');
    if (!adapter) tried.push({ backend: 'webgpu', ok: false, note: 'navigator.gpu gave no adapter' });
    else if (await trySet('webgpu')) {
      await tf.ready();
      chosen = 'webgpu';
      tried.push({ backend: 'webgpu', ok: true, note: adapter.isFallback ? 'software adapter' : 'hardware adapter' });
    } else tried.push({ backend: 'webgpu', ok: false, note: 'backend failed to initialise' });
  }

  if (!chosen) {
    const candidates = (['wasm', 'webgl'] as const).filter(allowed);
    let best: { name: BackendName; ms: number } | null = null;
    for (const name of candidates) {
      onStage?.(name);
      const ms = await measure(name);
      tried.push(ms == null ? { backend: name, ok: false, note: 'backend failed to initialise' } : { backend: name, ok: true, note: 'timed', msPerStep: ms });
      if (ms != null && (!best || ms < best.ms)) best = { name, ms };
    }
    if (best) {
      await trySet(best.name);
      chosen = best.name;
    }
  }

  if (!chosen && allowed('cpu')) {
    onStage?.('cpu');
    if (await trySet('cpu')) chosen = 'cpu';
    tried.push({ backend: 'cpu', ok: chosen === 'cpu', note: chosen === 'cpu' ? 'last resort' : 'failed' });
  }
  if (!chosen) throw new Error(`No tfjs backend could be started (tried ${tried.map((t) => t.backend).join(', ') || 'none'})`);

  await tf.ready();
  onStage?.('warm-up');
  const warmupMs = await timedStep();
  return { backend: chosen, adapter, tried, tfjsVersion: tf.version.tfjs, warmupMs: Math.round(warmupMs), };
}
