import { test, expect, type Page } from '@playwright/test';
import type { TrainDemoParams, TrainDemoResult } from '../../src/worker/api/train';

interface Lab {
  trainDemo(params: TrainDemoParams): Promise<{ outcome: string; result: TrainDemoResult | null }>;
}

const trainTiny = (page: Page) =>
  page.evaluate((p) => (window as unknown as { __lab: Lab }).__lab.trainDemo(p), { tiny: true, rows: 2, steps: 2, batchSize: 4, maxLength: 64, seed: 1 } satisfies TrainDemoParams);

/** ms/step of a measurement row in Settings (null when it has none). */
async function msOf(page: Page, key: string): Promise<number | null> {
  const text = await page.locator(`[data-testid="backend-measurements"] tr[data-backend="${key}"] td`).nth(2).textContent();
  const n = Number(text?.trim());
  return Number.isFinite(n) ? n : null;
}

// Chromium here has only a software WebGPU adapter (SwiftShader): measured, it loses to wasm.
test('auto times every backend and trains on wasm, threaded once isolated; each backend chosen in Settings trains, and the choice persists', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto('./');
  const backend = page.getByTestId('backend');
  await expect(backend).toHaveText('wasm', { timeout: 300_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(page.getByTestId('backend-reason')).toContainText('faster than software WebGPU here');
  await expect(page.getByTestId('backend-reason')).toContainText('not cross-origin isolated yet');

  // Second load, through the service worker: isolated, and the threaded build is timed too.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const threads = await page.evaluate(() => Math.min(navigator.hardwareConcurrency, 8));
  await expect(backend).toHaveText('wasm', { timeout: 300_000 });

  await page.getByTestId('nav-settings').click();
  const table = page.getByTestId('backend-measurements');
  await expect(table).toBeVisible();
  const keys = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-backend')));
  expect(keys.sort()).toEqual([...(threads > 1 ? [`wasm:${threads}`] : []), 'cpu', 'wasm:1', 'webgl', 'webgpu'].sort());
  const w1 = await msOf(page, 'wasm:1');
  let wasmLabel = 'wasm 1 thread';
  expect(w1).toBeGreaterThan(0);
  if (threads > 1) {
    const wn = await msOf(page, `wasm:${threads}`);
    expect(wn).toBeGreaterThan(0);
    // The faster wasm variant trains; within 10% the threaded one does.
    wasmLabel = (wn as number) <= 1.1 * (w1 as number) ? `wasm ×${threads} threads` : 'wasm 1 thread';
    await expect(backend).toHaveAttribute('data-label', wasmLabel);
    await expect(page.getByTestId('backend-isolated')).toContainText(`${threads} threads`);
  }
  const gpu = await msOf(page, 'webgpu');
  if (gpu !== null) expect(gpu).toBeGreaterThan(w1 as number);
  const auto = await trainTiny(page);
  expect(auto.outcome).toBe('completed');
  expect(auto.result?.backend).toBe('wasm');
  await page.screenshot({ path: '.tmp/e2e-artifacts/settings-backends.png', fullPage: true });

  // Each backend, forced in Settings, starts a fresh training worker on it and trains there.
  const select = page.getByTestId('backend-preference');
  for (const name of ['webgpu', 'webgl', 'cpu', 'wasm'] as const) {
    await select.selectOption(name);
    await expect(backend).toHaveText(name, { timeout: 120_000 });
    await expect(page.getByTestId('backend-reason')).toContainText('chosen in Settings');
    const run = await trainTiny(page);
    expect(run.outcome, name).toBe('completed');
    expect(run.result?.backend).toBe(name);
    for (const l of run.result?.losses ?? []) expect(Number.isFinite(l)).toBe(true);
  }
  // Named, wasm runs its faster variant, as auto does.
  await expect(backend).toHaveAttribute('data-label', wasmLabel);

  // The choice is stored: a reload trains on it without timing anything.
  await page.reload();
  await expect(backend).toHaveText('wasm', { timeout: 120_000 });
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('backend-preference')).toHaveValue('wasm');
});
