import type { AdapterInfo } from './protocol';

/** The parts of a GPUAdapter we read (Chromium, Dawn for Node). */
export interface GPUAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software|warp|basic render/i;

/** Describes an adapter; software rasterisers count as fallback whatever the browser says. */
export function describeAdapter(adapter: GPUAdapterLike): AdapterInfo {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const description = info.description ?? '';
  const software = SOFTWARE_ADAPTER.test(`${vendor} ${architecture} ${description}`);
  return {
    vendor,
    architecture,
    device: info.device ?? '',
    description,
    isFallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || software,
  };
}

/** Describes the adapter `gpu` (navigator.gpu, or Dawn's) would give, or null when there is none. */
export async function probeAdapter(gpu: { requestAdapter(): Promise<unknown> } | undefined = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu): Promise<AdapterInfo | null> {
  if (!gpu) return null;
  try {
    const adapter = (await gpu.requestAdapter()) as GPUAdapterLike | null;
    return adapter ? describeAdapter(adapter) : null;
  } catch {
    return null;
  }
}

/** "NVIDIA / ampere / …" with "(software)" for fallback adapters, for provenance and labels. */
export function adapterText(a: AdapterInfo): string {
  return [a.vendor, a.architecture, a.description].filter(Boolean).join(' / ') + (a.isFallback ? ' (software)' : '');
}
