import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { unzipFolder } from '../../src/domain/experiments/folder';
import { buildSuite } from '../../src/domain/config/suites';
import { configHash } from '../../src/domain/config/serialize';
import { DEMO_BASE_TRAINING } from '../../src/domain/train/demo-settings';
import { presetTrainingForm, trainingOverrides } from '../../src/ui/state/experiments-form';

/**
 * The Experiments and Runs sections on the demo data and the demo base (the default model): the minimal suite with
 * two seeds, its dry run (names, Python hashes, folders), the missing cartography prerequisite
 * and its one-click cartography run; then the whole queue trained on SwiftShader with tiny
 * settings, ending with exactly one result per experiment.
 */

interface Tiny {
  maxTrain: number;
  maxEval: number;
  /** Typed into the training fields over the demo defaults ('' keeps them). */
  batch: string;
  maxLength: string;
}

/** The experiments the form produces: the demo defaults with 1 epoch and the given limits. */
function expected(t: Tiny): { name: string; hash: string }[] {
  const training = trainingOverrides({ ...presetTrainingForm('demo base', DEMO_BASE_TRAINING), epochs: '1', ...(t.batch ? { batch_size: t.batch } : {}), ...(t.maxLength ? { max_length: t.maxLength } : {}) });
  return buildSuite('minimal', { max_train_samples: t.maxTrain, max_eval_samples: t.maxEval, seeds: [42, 43], training }).map((c) => ({ name: c.name, hash: configHash(c) }));
}

async function fillMinimalSuite(page: Page, t: Tiny): Promise<void> {
  await page.goto('./?backend=wasm#/experiments');
  // The demo dataset is seeded at first start; the selector picks it.
  await expect(page.getByTestId('exp-dataset')).toContainText('(demo)', { timeout: 60_000 });
  await expect(page.getByTestId('exp-model')).toHaveValue('demo');
  await expect(page.getByTestId('exp-train-split')).toHaveValue('train');
  await expect(page.getByTestId('exp-eval-split')).toHaveValue('validation');
  await page.getByTestId('exp-suite-minimal').check();
  await page.getByTestId('exp-max-train').fill(String(t.maxTrain));
  await page.getByTestId('exp-max-eval').fill(String(t.maxEval));
  await page.getByTestId('exp-seeds').fill('42, 43');
  await page.getByTestId('exp-demo-defaults').click();
  await page.getByTestId('exp-epochs').fill('1');
  if (t.batch) await page.getByTestId('exp-train-batch').fill(t.batch);
  if (t.maxLength) await page.getByTestId('exp-max-length').fill(t.maxLength);
  await expect(page.getByTestId('exp-suite-size-minimal')).toHaveText('4 experiments (2 × 2 seeds)');
  await expect(page.getByTestId('exp-count')).toHaveText(`4 experiments: ${expected(t).map((e) => e.name).join(', ')}`);
}

test('minimal suite with two seeds: dry run with Python hashes, missing cartography offered as a one-click run', async ({ page }) => {
  const settings: Tiny = { maxTrain: 64, maxEval: 32, batch: '', maxLength: '' };
  const EXPECTED = expected(settings);
  await fillMinimalSuite(page, settings);

  // Prerequisites: train-split cartography metrics, missing, needed by both cartography_filter runs.
  const prereq = page.getByTestId('exp-prereq');
  await expect(prereq).toHaveCount(1);
  await expect(prereq).toHaveAttribute('data-status', 'missing');
  await expect(prereq).toHaveAttribute('data-key', 'cartography:train:cartography_output');
  await expect(prereq.getByTestId('exp-prereq-experiments')).toHaveText('cartography_filter_seed42, cartography_filter_seed43');
  await expect(prereq.getByTestId('exp-prereq-how')).toContainText('Run a cartography training on the train split');
  await expect(prereq.getByTestId('exp-prereq-select')).toBeDisabled();
  await expect(page.getByTestId('exp-queue')).toBeDisabled();
  await expect(page.getByTestId('exp-queue-blocked')).toContainText('Missing prerequisites: train-split cartography metrics');

  // The dry run: one row per experiment with the hash Python computes for the same config.
  await page.getByTestId('exp-dry-run').click();
  const rows = page.getByTestId('exp-plan-row');
  await expect(rows).toHaveCount(4);
  for (const [i, e] of EXPECTED.entries()) {
    const row = rows.nth(i);
    await expect(row.getByTestId('exp-plan-name')).toHaveText(e.name);
    await expect(row.getByTestId('exp-plan-hash')).toHaveText(e.hash);
    await expect(row.getByTestId('exp-plan-folder')).toHaveText(`${e.name}_${e.hash}`);
    await expect(row.getByTestId('exp-plan-artifacts')).toHaveText(e.name.startsWith('cartography') ? /train cartography: missing/ : 'none');
  }
  await expect(page.getByTestId('exp-plan-commands')).toContainText(
    'python run.py --do_train --do_eval --model google/electra-small-discriminator --dataset Eladio/emrqa-msquad --max_length 192 --max_train_samples 64 --max_eval_samples 32',
  );
  await expect(page.getByTestId('exp-plan-text')).toContainText('EXPERIMENT 4/4: cartography_filter_seed43');
  await expect(page.getByTestId('exp-plan-text')).toContainText('MISSING PREREQUISITES:');

  // One click: the cartography run goes ahead of the suite, and the suite may be queued.
  await prereq.getByTestId('exp-prereq-make').click();
  await expect(prereq).toHaveAttribute('data-status', 'ahead');
  await expect(prereq.getByTestId('exp-prereq-ahead')).toContainText('cartography_train is queued ahead of the suite');
  await expect(page.getByTestId('exp-prereqs-ok')).toBeVisible();
  await expect(rows).toHaveCount(5);
  await expect(rows.first().getByTestId('exp-plan-name')).toHaveText('cartography_train');
  await expect(rows.first().getByTestId('exp-plan-ahead')).toBeVisible();
  await expect(rows.nth(2).getByTestId('exp-plan-artifacts')).toHaveText(/made by the run ahead/);
  await expect(page.getByTestId('exp-queue')).toBeEnabled();
  await expect(page.getByTestId('exp-queue')).toHaveText('Queue 5 experiments (1 cartography run first)');

  // A bad field names itself and blocks queueing.
  await page.getByTestId('exp-seeds').fill('42, x');
  await expect(page.getByTestId('exp-form-error')).toHaveText('Seeds: "x" is not a whole number.');
  await expect(page.getByTestId('exp-seeds')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('exp-queue')).toBeDisabled();
});

test('cartography run + minimal suite train to the end with exactly one result per experiment', async ({ page }) => {
  // On the wasm kernels a demo step takes tens of milliseconds, so the runs need enough rows to
  // last a few seconds each: long enough to see the live curve and to reload in the middle of
  // the suite (1 epoch; 2 for cartography, whose variability needs more than one).
  test.setTimeout(600_000);
  const settings: Tiny = { maxTrain: 600, maxEval: 40, batch: '8', maxLength: '128' };
  const EXPECTED = expected(settings);
  const started = Date.now();
  await fillMinimalSuite(page, settings);
  const prereq = page.getByTestId('exp-prereq');
  await prereq.getByTestId('exp-prereq-make').click();
  // Variability needs more than one epoch; two keep the run short.
  await page.getByTestId('exp-cart-epochs').fill('2');
  await page.getByTestId('exp-queue').click();

  await expect(page).toHaveURL(/#\/runs$/);
  const items = page.getByTestId('runs-item');
  await expect(items).toHaveCount(5);
  await expect(items.first()).toHaveAttribute('data-name', 'cartography_train');
  await expect(page.getByTestId('runs-overall-text')).toContainText('/ 5 finished');
  // The running experiment shows its progress, figures and log.
  await expect(page.getByTestId('runs-live')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('runs-log')).not.toBeEmpty({ timeout: 60_000 });
  // The default model is the shipped pretrained base, read by the worker from the app's files.
  await expect(page.getByTestId('runs-log')).toContainText('Model: demo base (pretrained)', { timeout: 60_000 });
  // The live loss curve is drawn from the first training steps on.
  await expect(page.getByTestId('runs-live-chart').locator('svg')).toBeVisible({ timeout: 180_000 });

  // Reload in the middle of the suite: the queue resumes at the interrupted experiment when the
  // app opens again, and no finished result is lost or recorded twice.
  await expect(page.getByTestId('runs-overall-text')).toContainText(/^[12] \/ 5 finished/, { timeout: 300_000 });
  await expect(page.getByTestId('runs-live')).toBeVisible({ timeout: 120_000 });
  await page.reload();
  await expect(page).toHaveURL(/#\/runs$/);
  await expect(page.getByTestId('runs-live')).toBeVisible({ timeout: 120_000 });

  await expect(page.getByTestId('runs-overall-text')).toHaveText('5 / 5 finished', { timeout: 540_000 });
  console.log(`cartography run + minimal suite (2 seeds) trained in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const statuses = await items.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  const errors = await page.getByTestId('runs-item-error').allTextContents();
  expect(statuses, `errors: ${errors.join(' | ')}`).toEqual(['done', 'done', 'done', 'done', 'done']);
  expect(await items.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(['cartography_train', ...EXPECTED.map((e) => e.name)]);
  for (const f1 of await page.getByTestId('runs-item-f1').allTextContents()) expect(f1).toMatch(/^\d+\.\d\d$/);
  await expect(page.getByTestId('runs-summary')).toContainText(/Last run of the queue: [345] succeeded, 0 failed, 0 cancelled\./);

  // Exactly one stored result per experiment, and the cartography run stored its metrics.
  const stored = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('qa-lab');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = <T,>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const req = db.transaction(store).objectStore(store).getAll();
        req.onsuccess = () => resolve(req.result as T[]);
        req.onerror = () => reject(req.error);
      });
    const runs = await all<{ experimentId: string; result: { experiment_name: string; config_hash: string; success: boolean } }>('runs');
    const artifacts = await all<{ kind: string; split: string }>('artifacts');
    db.close();
    return { runs: runs.map((r) => ({ experimentId: r.experimentId, ...r.result })), cartography: artifacts.filter((a) => a.kind === 'cartography').map((a) => a.split) };
  });
  expect(stored.runs).toHaveLength(5);
  expect(new Set(stored.runs.map((r) => r.experimentId)).size).toBe(5);
  expect(stored.runs.filter((r) => r.experiment_name !== 'cartography_train').map((r) => ({ name: r.experiment_name, hash: r.config_hash })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
    [...EXPECTED].sort((a, b) => a.name.localeCompare(b.name)),
  );
  expect(stored.runs.every((r) => r.success)).toBe(true);
  expect(stored.cartography).toEqual(['train']);

  // The whole history exported as the Python system's experiment folder.
  await page.goto('./?backend=wasm#/results');
  await expect(page.getByTestId('results-count')).toHaveText('5 of 5 runs', { timeout: 60_000 });
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-shown').click()]);
  const files = unzipFolder(new Uint8Array(readFileSync(await d.path())));
  const paths = files.map((f) => f.path);
  expect(paths).toContain('experiments/all_results.json');
  expect(paths).toContain('experiments/results.csv');
  expect(paths).toContain('experiments/experiment_results.png');
  for (const e of EXPECTED) {
    const dir = `experiments/${e.name}_${e.hash}`;
    for (const f of ['config.json', 'results.json', 'trainer_output/eval_metrics.json', 'trainer_output/eval_predictions.jsonl', 'trainer_output/config.json', 'trainer_output/model.safetensors']) {
      expect(paths, `${dir}/${f}`).toContain(`${dir}/${f}`);
    }
  }

  // The cartography run tracked training dynamics: selected in Results, it shows its data map;
  // a suite run, trained without tracking, says why it has none.
  await page.locator('[data-testid="run-row"]', { hasText: 'cartography_train' }).getByTestId('run-select').check();
  await page.locator('[data-testid="run-row"]', { hasText: 'baseline_seed42' }).getByTestId('run-select').check();
  const map = page.getByTestId('plot-data-map-cartography_train');
  await expect(map).toBeVisible();
  await expect(map).toHaveAttribute('data-points', String(settings.maxTrain));
  await expect(page.locator('[data-testid="data-map-note"]')).toHaveText(/baseline_seed42: trained without cartography tracking/);
});
