/** What this page offers for training (main thread): the candidate list of backend choice comes from it. */
import type { Capabilities } from '../domain/compute/backend-choice';
import { probeAdapter } from './adapter';
import type { AdapterInfo } from './protocol';

export async function browserCapabilities(): Promise<Capabilities & { adapter: AdapterInfo | null }> {
  const adapter = await probeAdapter();
  return {
    adapter,
    webgpu: adapter ? { software: adapter.isFallback } : null,
    wasmThreads: globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined',
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
    webgl: typeof OffscreenCanvas !== 'undefined',
    cpu: true,
  };
}

