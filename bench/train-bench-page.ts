// The page bench/train-bench-webgpu.ts drives: the training-step cases of train-bench-core.ts on
// tfjs' WebGPU backend, in the page's main thread (the compute is the same as in the worker).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { runBenchCase, type BenchCase, type BenchResult } from './train-bench-core';
import { installWebGpuCounters } from '../src/worker/webgpu-counters';

interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
}

declare global {
  interface Window {
    runTrainBench(cases: BenchCase[]): Promise<{ adapter: AdapterSummary | null; results: BenchResult[] }>;
  }
}

async function adapterSummary(): Promise<AdapterSummary | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Partial<AdapterSummary> } | null> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) return null;
  const info = adapter.info ?? {};
  return { vendor: info.vendor ?? '', architecture: info.architecture ?? '', description: info.description ?? '' };
}

window.runTrainBench = async (cases) => {
  const counters = installWebGpuCounters();
  if (!(await tf.setBackend('webgpu'))) throw new Error('the WebGPU backend did not initialise (no adapter?)');
  await tf.ready();
  const results: BenchResult[] = [];
  for (const c of cases) results.push(await runBenchCase({ ...c, backend: 'webgpu' }, counters));
  return { adapter: await adapterSummary(), results };
};
document.getElementById('status')!.dataset.ready = 'true';
