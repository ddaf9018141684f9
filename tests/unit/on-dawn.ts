// The suites that run on WebGPU through Dawn for Node: webgpu for the suite, wasm again after it.
// CI installs libvulkan1 and Chromium (whose SwiftShader driver Dawn falls back to);
// QA_LAB_NO_DAWN=1 skips them on machines without either.
import { afterAll, beforeAll, describe } from 'vitest';
import { initNodeBackend } from '../../src/cli/tf-node';

export function describeOnDawn(name: string, body: () => void): void {
  describe.skipIf(process.env.QA_LAB_NO_DAWN === '1')(name, () => {
    beforeAll(async () => {
      await initNodeBackend('webgpu');
    }, 120_000);
    afterAll(async () => {
      await initNodeBackend('wasm');
    });
    body();
  });
}
