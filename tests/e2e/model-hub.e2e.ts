import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { startFakeHub } from '../helpers/hub-server';

const fixture = '../shared/reference/parity/electra-tiny';

test('a Hub model downloads into the browser; asking again is served from the local cache with the Hub gone', async ({ page }) => {
  const hub = await startFakeHub({
    models: {
      'org/electra-tiny': {
        'config.json': readFileSync(`${fixture}/config.json`),
        'vocab.txt': ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'dose'].join('\n'),
        'model.safetensors': new Uint8Array(readFileSync(`${fixture}/model.safetensors`)),
      },
    },
  });
  try {
    // Under cross-origin isolation (COEP credentialless from the service worker), as the app runs
    // from its second load on: the Hub's CORS downloads still work.
    await page.goto('./?backend=wasm#/model');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect(page.getByTestId('models-empty')).toBeVisible();
    await page.getByText('Advanced').click();
    await page.getByTestId('hub-endpoint').fill(hub.endpoint);
    await page.getByTestId('hub-model-id').fill('org/electra-tiny');
    await page.getByTestId('hub-model-download').click();
    await expect(page.getByTestId('model-message')).toContainText('downloaded and stored');
    await expect(page.getByTestId('models-table')).toContainText('electra · 2 layers · hidden 32');

    // A second request for the same model is served from IndexedDB, with the Hub gone.
    await hub.close();
    await page.getByTestId('hub-model-download').click();
    await expect(page.getByTestId('model-message')).toContainText('already stored here; nothing downloaded');

    await page.getByTestId('hub-model-id').fill('org/missing');
    await page.getByTestId('hub-model-download').click();
    await expect(page.getByTestId('model-message')).toContainText(/Could not reach|not found/);
  } finally {
    await hub.close().catch(() => {});
  }
});

test('the shipped demo base: its recipe in the Model section, read offline, stored as a copy through the file checks', async ({ page, context }) => {
  await page.goto('./?backend=wasm#/model');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  // Precached: the whole section works with the network gone.
  await context.setOffline(true);
  await page.reload();
  const base = page.getByTestId('demo-base');
  await expect(base).toContainText(/electra · 2 layers · hidden 64 · vocab \d+/);
  await expect(base).toContainText(/masked-lm[\s\S]*steps of batch 32 over\s+[\d,]+ notes/);
  await expect(page.getByTestId('models-empty')).toBeVisible();
  await page.getByTestId('demo-base-store').click();
  await expect(page.getByTestId('model-message')).toContainText('Stored "demo base" from 4 files');
  await expect(page.getByTestId('models-table')).toContainText('electra · 2 layers · hidden 64');
  await context.setOffline(false);
});
