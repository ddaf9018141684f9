import { test, expect } from '@playwright/test';

test('the app loads, the worker gets WebGPU when asked and computes a gradient correctly', async ({ page }) => {
  await page.goto('./?backend=webgpu');
  await expect(page.getByRole('heading', { name: 'QA Cartography Lab' })).toBeVisible();
  await expect(page.getByTestId('backend')).toHaveText('webgpu', { timeout: 120_000 });
  await expect(page.getByTestId('adapter')).toContainText(/swiftshader|software|google/i);

  // loss = sum(A·B); d loss / dA[i][k] = sum_j B[k][j] (row sums of B), independent of A.
  const result = await page.evaluate(async () => {
    return (window as unknown as { __lab?: { gradCheck(a: number[][], b: number[][]): Promise<unknown> } }).__lab?.gradCheck(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [
        [1, -1],
        [2, 0.5],
        [-3, 4],
      ],
    );
  });
  expect(result).toEqual({
    backend: 'webgpu',
    loss: 1 * 1 + 2 * 2 + 3 * -3 + (1 * -1 + 2 * 0.5 + 3 * 4) + (4 * 1 + 5 * 2 + 6 * -3) + (4 * -1 + 5 * 0.5 + 6 * 4),
    gradA: [
      [0, 2.5, 1],
      [0, 2.5, 1],
    ],
  });
});

test('every section is reachable and empty sections say what they will hold', async ({ page }) => {
  await page.goto('./?backend=wasm');
  for (const id of ['datasets', 'model', 'cartography', 'clusters', 'experiments', 'runs', 'results', 'settings']) {
    await page.getByTestId(`nav-${id}`).click();
    await expect(page).toHaveURL(new RegExp(`#/${id}$`));
    await expect(page.getByTestId(`section-${id}`)).toBeVisible();
  }
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('storage-quota')).not.toHaveText('—');
});

test('a cancelled worker request ends with cancellation, and the worker keeps serving', async ({ page }) => {
  await page.goto('./?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText(/webgpu|wasm|webgl|cpu/, { timeout: 120_000 });
  const out = await page.evaluate(async () => {
    const lab = (window as unknown as { __lab: { tickThenCancel(): Promise<{ progressed: number; outcome: string }> } }).__lab;
    return lab.tickThenCancel();
  });
  expect(out.outcome).toBe('cancelled');
  expect(out.progressed).toBeGreaterThan(0);
  expect(out.progressed).toBeLessThan(100);
  const after = await page.evaluate(() =>
    (window as unknown as { __lab: { gradCheck(a: number[][], b: number[][]): Promise<{ loss: number }> } }).__lab.gradCheck([[2]], [[3]]),
  );
  expect(after.loss).toBe(6);
});
