import { test, expect, type Page } from '@playwright/test';
import type { TrainDemoParams, TrainDemoResult } from '../../src/worker/api/train';
import type { TrainProgress } from '../../src/domain/train/types';

interface Lab {
  trainDemo(params: TrainDemoParams, opts?: { cancelAtStep?: number }): Promise<{ outcome: string; result: TrainDemoResult | null; progress: TrainProgress[]; ms: number }>;
  gradCheck(a: number[][], b: number[][]): Promise<{ loss: number; backend: string }>;
}

const trainDemo = (page: Page, params: TrainDemoParams, opts: { cancelAtStep?: number } = {}) =>
  page.evaluate(([p, o]) => (window as unknown as { __lab: Lab }).__lab.trainDemo(p, o), [params, opts] as const);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// A short training in the worker on WebGPU (SwiftShader here, where every kernel launch is slow):
// the 1-layer demo variant on the 10 windows of 64 tokens of two demo rows, a few steps.
test('the worker trains the demo model on WebGPU: the loss goes down, progress is reported, cancel stops it', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('./?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText('webgpu', { timeout: 120_000 });

  const steps = 6;
  const run = await trainDemo(page, { tiny: true, rows: 2, steps, batchSize: 5, maxLength: 64, seed: 2, learningRate: 2e-2 });
  expect(run.outcome).toBe('completed');
  const result = run.result!;
  expect(result.backend).toBe('webgpu');
  expect(result.globalStep).toBe(steps);
  expect(result.losses).toHaveLength(steps);
  for (const l of result.losses) expect(Number.isFinite(l)).toBe(true);
  expect(mean(result.losses.slice(-2))).toBeLessThan(mean(result.losses.slice(0, 2)) - 1);
  const train = run.progress.filter((p) => p.phase === 'train');
  expect(run.progress[0].phase).toBe('tokenize');
  expect(train.length).toBeGreaterThan(1);
  expect(train[train.length - 1].step).toBe(steps);
  for (let i = 1; i < train.length; i++) expect(train[i].step).toBeGreaterThan(train[i - 1].step);
  expect(train[train.length - 1].examplesPerSecond).toBeGreaterThan(0);
  console.log(`webgpu demo training: ${steps} steps in ${(run.ms / 1000).toFixed(1)} s, losses ${result.losses.map((l) => l.toFixed(2)).join(' ')}`);

  // Cancel once step 2 is reported: the run ends as cancelled within one more step.
  const cancelled = await trainDemo(page, { tiny: true, rows: 2, steps: 500, batchSize: 5, maxLength: 64, seed: 3 }, { cancelAtStep: 2 });
  expect(cancelled.outcome).toBe('cancelled');
  const steps2 = cancelled.progress.filter((p) => p.phase === 'train').map((p) => p.step);
  // No progress after the event that triggered the cancel.
  expect(steps2[steps2.length - 1]).toBeGreaterThanOrEqual(2);
  expect(steps2.filter((s) => s >= 2)).toHaveLength(1);
  // 500 steps were asked for; stopping after ~3 takes less time than the 6-step run above.
  expect(cancelled.ms).toBeLessThan(run.ms);
  // The worker keeps serving.
  const after = await page.evaluate(() => (window as unknown as { __lab: Lab }).__lab.gradCheck([[2]], [[3]]));
  expect(after.loss).toBe(6);
});
