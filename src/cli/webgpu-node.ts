/**
 * WebGPU in Node through Dawn (npm `webgpu`): the same tfjs WebGPU kernels as in the browser, on
 * the machine's Vulkan driver (a real GPU on a GPU server) or, where the system has none that
 * Dawn accepts, on the SwiftShader Vulkan driver that Chromium ships.
 */
import { existsSync } from 'node:fs';
import { probeAdapter } from '../worker/adapter';
import type { AdapterInfo } from '../worker/protocol';

/** SwiftShader Vulkan drivers (ICD manifests) as distributions package them with Chromium. */
const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json', '/opt/google/chrome/vk_swiftshader_icd.json'];

interface DawnModule {
  create(flags: string[]): { requestAdapter(): Promise<unknown> };
  globals: Record<string, unknown>;
}

let installed: Promise<AdapterInfo | null> | null = null;

function setNavigatorGpu(gpu: unknown): void {
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

async function install(): Promise<AdapterInfo | null> {
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch {
    return null;
  }
  Object.assign(globalThis, dawn.globals);
  let gpu = dawn.create([]);
  let adapter = await probeAdapter(gpu);
  // The Vulkan loader reads VK_ICD_FILENAMES when an instance is created, so a second instance
  // sees the SwiftShader driver set here.
  if (!adapter && !process.env.VK_ICD_FILENAMES) {
    for (const icd of SWIFTSHADER_ICDS.filter((f) => existsSync(f))) {
      process.env.VK_ICD_FILENAMES = icd;
      gpu = dawn.create([]);
      adapter = await probeAdapter(gpu);
      if (adapter) {
        adapter = { ...adapter, isFallback: true, description: adapter.description || 'SwiftShader (Vulkan)' };
        break;
      }
      delete process.env.VK_ICD_FILENAMES;
    }
  }
  if (!adapter) return null;
  setNavigatorGpu(gpu);
  return adapter;
}

/** Makes navigator.gpu a Dawn GPU; the adapter it gives, or null when Dawn finds none. */
export function installDawnWebGpu(): Promise<AdapterInfo | null> {
  installed ??= install();
  return installed;
}
