import { test, expect, type Page } from '@playwright/test';

type Lab = { dbStats(): Promise<{ version: number; counts: Record<string, number> } | null> };
/** Polls until the app has opened its database, then returns the version and store counts. */
async function dbStats(page: Page): Promise<{ version: number; counts: Record<string, number> }> {
  for (let i = 0; i < 200; i++) {
    const s = await page.evaluate(() => (window as unknown as { __lab?: Lab }).__lab?.dbStats() ?? null);
    if (s) return s;
    await page.waitForTimeout(100);
  }
  throw new Error('the app never opened its database');
}

test('after the service worker is installed, the app reloads cross-origin isolated and offline and still works', async ({ page, context }) => {
  await page.goto('./?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 120_000 });
  // The first visit is not isolated yet: one wasm thread, and the app says why.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-label', 'wasm 1 thread');
  await expect(page.getByTestId('backend-reason')).toContainText('not cross-origin isolated yet');
  // Wait until the service worker has precached everything and is active.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  // Served by the service worker with COOP/COEP: isolated, so the threaded wasm build runs.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const threads = await page.evaluate(() => Math.min(navigator.hardwareConcurrency, 8));
  const label = threads > 1 ? `wasm ×${threads} threads` : 'wasm 1 thread';
  await expect(page.getByTestId('backend')).toHaveAttribute('data-label', label, { timeout: 120_000 });

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'QA Cartography Lab' })).toBeVisible();
  // The worker script and the tfjs wasm builds come from the cache too, still isolated.
  await expect(page.getByTestId('backend')).toHaveAttribute('data-label', label, { timeout: 120_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const grad = await page.evaluate(() => (window as unknown as { __lab: { gradCheck(a: number[][], b: number[][]): Promise<{ loss: number }> } }).__lab.gradCheck([[2]], [[3]]));
  expect(grad.loss).toBe(6);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('section-settings')).toBeVisible();
  // A page that was never visited online is served by the navigation fallback.
  await page.goto('./#/results');
  await expect(page.getByTestId('section-results')).toBeVisible();
  await context.setOffline(false);
});

test('a database from schema v1 is upgraded with its data kept', async ({ page }) => {
  // Any same-origin page gives access to the origin's IndexedDB before the app ever ran.
  await page.goto('./manifest.webmanifest');
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('qa-lab', 1);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore('datasets', { keyPath: 'id' });
          db.createObjectStore('examples', { keyPath: ['datasetId', 'split', 'chunk'] }).createIndex('byDataset', 'datasetId');
          db.createObjectStore('artifacts', { keyPath: 'id' });
        };
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['datasets', 'examples', 'artifacts'], 'readwrite');
          tx.objectStore('datasets').put({ id: 'legacy', name: 'legacy set', source: 'file:old.json', splits: { train: { rows: 1, chunks: 1, bytes: 42 } }, createdAt: '2026-01-01' });
          tx.objectStore('examples').put({ datasetId: 'legacy', split: 'train', chunk: 0, rows: [{ id: 'x', context: 'abc', question: 'q?', answers: { text: ['abc'], answer_start: [0] } }] });
          tx.objectStore('artifacts').put({ id: 'art', kind: 'cartography', name: 'old map', datasetId: 'legacy', split: 'train', createdAt: '2026-01-01', data: [] });
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        req.onerror = () => reject(req.error);
      }),
  );
  await page.goto('./?backend=wasm');
  const stats = await dbStats(page);
  expect(stats.version).toBeGreaterThanOrEqual(2);
  expect(stats.counts.datasets).toBeGreaterThanOrEqual(1);
  expect(stats.counts.artifacts).toBe(1);
  const legacy = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const req = indexedDB.open('qa-lab');
        req.onsuccess = () => {
          const g = req.result.transaction('datasets').objectStore('datasets').get('legacy');
          g.onsuccess = () => {
            req.result.close();
            resolve(g.result?.name);
          };
        };
      }),
  );
  expect(legacy).toBe('legacy set');
});

test('two tabs share the database without corrupting it, and an upgrade in one is not blocked by the other', async ({ context }) => {
  const [a, b] = await Promise.all([context.newPage(), context.newPage()]);
  await Promise.all([a.goto('./?backend=wasm'), b.goto('./?backend=wasm')]);
  // Both tabs start at once and both try to create the demo dataset: it must exist exactly once.
  await expect(a.getByTestId('dataset-row')).toHaveCount(1, { timeout: 60_000 });
  await b.reload();
  await expect(b.getByTestId('dataset-row')).toHaveCount(1, { timeout: 60_000 });
  const [sa, sb] = await Promise.all([dbStats(a), dbStats(b)]);
  expect(sa).toEqual(sb);
  expect(sa.counts.datasets).toBe(1);
  // 3,000 train + 600 validation rows in chunks of 2,000: 2 + 1 chunks, none duplicated.
  expect(sa.counts.examples).toBe(3);

  // A newer schema opened elsewhere (a newer build in another tab): this tab steps aside and says so.
  await a.evaluate(
    (v) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('qa-lab', v + 1);
        req.onupgradeneeded = () => {};
        req.onsuccess = () => {
          req.result.close();
          resolve();
        };
        req.onerror = () => reject(req.error);
        req.onblocked = () => reject(new Error('upgrade blocked by the other tab'));
      }),
    sa.version,
  );
  await expect(b.getByTestId('db-outdated')).toBeVisible();
  await expect(a.getByTestId('db-outdated')).toBeVisible();
});
