import { test, expect } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';

// The update flow under cross-origin isolation: a new service worker waits (a training run is
// never cut short by an update); the prompt's "Reload to update" activates it, and the page it
// reloads into is controlled by the new worker and still isolated.
test('a new version waits for the user, and "Reload to update" brings it in with the page still isolated', async ({ page }) => {
  await page.goto('./?backend=wasm');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  // The next build: the same service worker with one line more, served where the build put it.
  const file = 'dist/sw.js';
  const current = readFileSync(file, 'utf8');
  writeFileSync(file, `${current}\n// next version\n`);
  try {
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      await reg?.update();
    });
    await expect.poll(() => page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting)), { timeout: 60_000 }).toBe(true);
  } finally {
    writeFileSync(file, current);
  }
  await expect(page.getByTestId('update-prompt')).toBeVisible({ timeout: 60_000 });
  // Waiting, not active: the page still runs the version it loaded.
  expect(await page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting))).toBe(true);

  await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.getByRole('button', { name: 'Reload to update' }).click()]);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const state = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return { waiting: Boolean(reg?.waiting), isolated: crossOriginIsolated };
  });
  expect(state).toEqual({ waiting: false, isolated: true });
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 120_000 });
});
