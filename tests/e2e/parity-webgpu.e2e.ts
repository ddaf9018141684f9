import { test, expect } from '@playwright/test';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

const root = '../shared/reference/parity';

test('the model matches the PyTorch fixtures on WebGPU in the worker', async ({ page }) => {
  expect(existsSync(root), `parity fixtures missing at ${path.resolve(root)}`).toBe(true);
  const folders = readdirSync(root).filter((d) => existsSync(path.join(root, d, 'config.json')));
  expect(folders.length).toBeGreaterThan(0);
  await page.goto('./?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText('webgpu', { timeout: 120_000 });
  for (const name of folders) {
    const dir = path.join(root, name);
    const b64 = (f: string) => readFileSync(path.join(dir, f)).toString('base64');
    const json = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    const report = await page.evaluate(
      async (f) => {
        const bytes = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
        const lab = (window as unknown as { __lab: { parity(x: unknown): Promise<{ pass: boolean; backend: string; failures: string[]; checks: unknown[] }> } }).__lab;
        return lab.parity({ name: f.name, configJson: f.config, inputsJson: f.inputs, expectedJson: f.expected, modelSafetensors: bytes(f.model), expectedSafetensors: bytes(f.expectedSt) });
      },
      { name, config: json('config.json'), inputs: json('inputs.json'), expected: json('expected.json'), model: b64('model.safetensors'), expectedSt: b64('expected.safetensors') },
    );
    expect(report.backend).toBe('webgpu');
    expect(report.failures, report.failures.join('\n')).toEqual([]);
    expect(report.pass).toBe(true);
    expect(report.checks.length).toBeGreaterThan(20);
  }
});
