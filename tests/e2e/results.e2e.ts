import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildExperimentFolder, unzipFolder, zipFolder, type FolderEntry } from '../../src/domain/experiments/folder';
import { RESULTS_CSV_COLUMNS } from '../../src/domain/experiments/analysis/rows';
import { craftedFolderExperiments } from '../helpers/results-suite';
import { serializeMetricsCsv } from '../../src/domain/cartography/metrics-files';

/** The crafted suite as a Python experiments folder; baseline_seed42 also has a trainer_state.json log. */
function pythonFolder(): FolderEntry[] {
  const exps = craftedFolderExperiments();
  const log = { log_history: [{ loss: 3.1, step: 5 }, { loss: 2.2, step: 10 }, { eval_f1: 41.5, eval_exact_match: 30, step: 10 }, { loss: 1.6, step: 15 }, { eval_f1: 60, step: 20 }] };
  exps[0].trainer_output = {
    extra: [
      { path: 'trainer_state.json', bytes: new TextEncoder().encode(JSON.stringify(log)) },
      // An intermediate checkpoint's optimizer state: large and not a result, so left out.
      { path: 'checkpoint-10/optimizer.pt', bytes: new Uint8Array(4096) },
    ],
  };
  return buildExperimentFolder(exps, { root: 'experiments', now: '2026-11-25T12:00:00' });
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const file = await d.path();
  return { name: d.suggestedFilename(), bytes: readFileSync(file) };
}

test('imported Python results: comparison in words, sortable table, curves, PNG/SVG/zip downloads, folder import', async ({ page }) => {
  const work = mkdtempSync(path.join(tmpdir(), 'results-e2e-'));
  try {
    await page.goto('./?backend=wasm#/results');
    await expect(page.getByTestId('results-empty')).toBeVisible();

    // Import the zip through the real picker.
    const zip = Buffer.from(zipFolder(pythonFolder()));
    await page.getByTestId('import-zip-input').setInputFiles({ name: 'python-experiments.zip', mimeType: 'application/zip', buffer: zip });
    await expect(page.getByTestId('import-review')).toBeVisible();
    await expect(page.getByTestId('import-count')).toHaveText('10');
    await expect(page.getByTestId('import-skipped')).toContainText('1 intermediate checkpoint file(s) (4.0 KB) left out');
    await expect(page.getByTestId('import-name')).toHaveValue('python-experiments');
    await page.getByTestId('import-name').fill('python-zip');
    await page.getByTestId('import-confirm').click();
    await expect(page.getByTestId('import-message')).toContainText('Imported 10 run(s) as “python-zip”');
    await expect(page.getByTestId('results-count')).toHaveText('10 of 10 runs');

    // At a glance: which strategies differ from the baseline, and by how much.
    const smooth = page.locator('[data-testid="comparison-line"][data-group="label_smooth6"]');
    await expect(smooth).toHaveAttribute('data-differs', 'true');
    await expect(smooth).toContainText(/label_smooth6 differs from the baseline by \+3\.03 F1 \(95% CI \+2\.65 to \+3\.41\); paired t-test over 3 seeds, p = 0\.0008, p_Holm = 0\.0017 \*\*/);
    const cart = page.locator('[data-testid="comparison-line"][data-group="cartography_top33"]');
    await expect(cart).toHaveAttribute('data-differs', 'false');
    await expect(cart).toContainText('cartography_top33 shows no significant difference from the baseline: +0.07 F1');
    await expect(page.locator('[data-testid="comparison-row"][data-group="label_smooth6"][data-metric="eval_f1"] [data-testid="stars"]')).toHaveText('**');
    await expect(page.locator('[data-testid="group-row"][data-group="baseline"]')).toContainText('61.17');

    // The table: Python columns first, sortable, filterable.
    const headers = await page.locator('[data-testid="runs-table"] thead th').allInnerTexts();
    expect(headers.slice(1, 1 + RESULTS_CSV_COLUMNS.length).map((h) => h.replace(/ [▲▼]$/, ''))).toEqual([...RESULTS_CSV_COLUMNS]);
    expect(headers.slice(1 + RESULTS_CSV_COLUMNS.length, -1)).toEqual(['backend', 'adapter', 'app_version', 'git_commit', 'source']);
    await expect(page.getByTestId('run-row')).toHaveCount(10);
    await page.getByTestId('sort-eval_f1').click();
    await page.getByTestId('sort-eval_f1').click();
    await expect(page.getByTestId('run-row').first()).toContainText('label_smooth6_seed44');
    await page.getByTestId('filter-text').fill('smooth');
    await expect(page.getByTestId('results-count')).toHaveText('3 of 10 runs');
    await page.getByTestId('filter-reset').click();
    await page.getByTestId('filter-success').selectOption('failed');
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await page.getByTestId('filter-reset').click();

    // Curves for a selected run with a stored log history.
    await expect(page.getByTestId('plot-curves')).toHaveCount(0);
    await page.locator('[data-testid="run-row"]', { hasText: 'baseline_seed42' }).getByTestId('run-select').check();
    await expect(page.getByTestId('plot-curves')).toBeVisible();
    await page.locator('[data-testid="run-row"]', { hasText: 'baseline_seed43' }).getByTestId('run-select').check();
    await expect(page.getByTestId('curves-note')).toContainText('no logged steps stored for baseline_seed43');

    // Plots are keyboard reachable: the SVGs take focus.
    await page.locator('[data-testid="plot-config-f1"] svg').focus();
    await expect(page.locator('[data-testid="plot-config-f1"] svg')).toBeFocused();

    // PNG download at 2× the SVG size; SVG download is the chart.
    const svgWidth = Number(await page.locator('[data-testid="plot-config-f1"] svg').first().getAttribute('width'));
    const svgHeight = Number(await page.locator('[data-testid="plot-config-f1"] svg').first().getAttribute('height'));
    const png = await download(page, 'plot-config-f1-png');
    expect(png.name).toBe('configurations_f1.png');
    expect(pngSize(png.bytes)).toEqual({ width: svgWidth * 2, height: svgHeight * 2 });
    const svg = await download(page, 'plot-config-f1-svg');
    expect(svg.name).toBe('configurations_f1.svg');
    expect(svg.bytes.toString('utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const csv = await download(page, 'download-comparison-csv');
    expect(csv.bytes.toString('utf8').split('\r\n')[0]).toMatch(/^group,label,baseline,metric,test,/);

    // Everything in one zip.
    const all = await download(page, 'download-all');
    expect(all.name).toMatch(/^results_.*\.zip$/);
    const files = unzipFolder(new Uint8Array(all.bytes));
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['plots/configurations_f1.png', 'plots/training_curves.svg', 'plots/experiment_results.png', 'tables/runs.csv', 'tables/summary.csv', 'tables/comparison.csv', 'summary.txt', 'experiments/all_results.json', 'experiments/results.csv', 'experiments/experiment_results.png']));
    const resultsCsv = new TextDecoder().decode(files.find((f) => f.path === 'experiments/results.csv')!.bytes);
    expect(resultsCsv.split('\n')[0]).toBe(RESULTS_CSV_COLUMNS.join(','));
    const figure = pngSize(Buffer.from(files.find((f) => f.path === 'experiments/experiment_results.png')!.bytes));
    expect(figure.width).toBe(3200);
    expect(paths.filter((p) => /^experiments\/[^/]+\/results\.json$/.test(p))).toHaveLength(10);
    expect(paths).toContain(paths.find((p) => /^experiments\/baseline_seed42_[0-9a-f]{8}\/trainer_output\/trainer_state\.json$/.test(p)));

    // Export of the selected experiments only.
    const sel = await download(page, 'export-selected');
    const selPaths = unzipFolder(new Uint8Array(sel.bytes)).map((f) => f.path);
    expect(selPaths.filter((p) => p.endsWith('/results.json')).map((p) => p.split('/')[1].replace(/_[0-9a-f]{8}$/, '')).sort()).toEqual(['baseline_seed42', 'baseline_seed43']);

    // The same runs picked as a folder, imported under another name.
    const dir = path.join(work, 'picked');
    for (const e of pythonFolder()) {
      const f = path.join(dir, e.path);
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(f, e.bytes);
    }
    await page.getByTestId('import-dir-input').setInputFiles(path.join(dir, 'experiments'));
    await expect(page.getByTestId('import-count')).toHaveText('10');
    await expect(page.getByTestId('import-name')).toHaveValue('experiments');
    await page.getByTestId('import-name').fill('python-zip');
    await expect(page.getByTestId('import-replace')).toBeVisible();
    await expect(page.getByTestId('import-confirm')).toBeDisabled();
    await page.getByTestId('import-name').fill('python-dir');
    await page.getByTestId('import-confirm').click();
    await expect(page.getByTestId('results-count')).toHaveText('20 of 20 runs');
    await page.getByTestId('filter-source').selectOption('import:python-dir');
    await expect(page.getByTestId('results-count')).toHaveText('10 of 20 runs');
    await expect(smooth).toHaveAttribute('data-differs', 'true');
    await page.getByTestId('filter-reset').click();

    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: test.info().outputPath('results-page.png'), fullPage: true });

    // Stored: a reload shows the same runs.
    await page.reload();
    await expect(page.getByTestId('results-count')).toHaveText('20 of 20 runs');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('a broken folder lists its problems by file and field and stores nothing', async ({ page }) => {
  await page.goto('./?backend=wasm#/results');
  const files = pythonFolder().slice(0, 12);
  const enc = (s: string) => new TextEncoder().encode(s);
  const broken: FolderEntry[] = [
    ...files,
    { path: 'experiments/bad_12345678/results.json', bytes: enc('{"experiment_name": "bad", "config_hash": "12345678", "success": "yes"}') },
    { path: 'experiments/worse_87654321/results.json', bytes: enc('{ not json') },
  ];
  await page.getByTestId('import-zip-input').setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: Buffer.from(zipFolder(broken)) });
  await expect(page.getByTestId('import-review')).toBeVisible();
  await expect(page.getByTestId('import-problems')).toContainText('experiments/bad_12345678/results.json: success');
  await expect(page.getByTestId('import-problems')).toContainText('experiments/worse_87654321/results.json');
  await page.getByTestId('import-discard').click();
  await expect(page.getByTestId('results-empty')).toBeVisible();
  const stats = await page.evaluate(() => (window as unknown as { __lab: { dbStats(): Promise<{ counts: Record<string, number> } | null> } }).__lab.dbStats());
  expect(stats?.counts.runs).toBe(0);

  await page.getByTestId('import-zip-input').setInputFiles({ name: 'not.zip', mimeType: 'application/zip', buffer: Buffer.from('hello') });
  await expect(page.getByTestId('import-error')).toContainText('not.zip: not a readable zip archive');
});

test("the app's own runs: outputs joined with the stored eval rows and the run's model go into the exported folder", async ({ page }) => {
  await page.goto('./?backend=wasm#/results');
  // The demo dataset is created at start; its validation rows are the evaluated examples.
  const readDemo = () => page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('qa-lab');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const get = <T,>(store: string, key?: IDBValidKey): Promise<T> =>
      new Promise((res, rej) => {
        const r = key === undefined ? db.transaction(store).objectStore(store).getAll() : db.transaction(store).objectStore(store).get(key);
        r.onsuccess = () => res(r.result as T);
        r.onerror = () => rej(r.error);
      });
    const demo = (await get<{ id: string; source: string }[]>('datasets')).find((d) => d.source === 'demo');
    if (!demo) {
      db.close();
      return null;
    }
    const chunk = await get<{ rows: { id: string; context: string }[] }>('examples', [demo.id, 'validation', 0]);
    db.close();
    return { datasetId: demo.id, ids: chunk.rows.slice(0, 2).map((r) => r.id), context: chunk.rows[0].context };
  });
  await expect.poll(readDemo, { timeout: 120_000 }).not.toBeNull();
  const demo = (await readDemo())!;

  const runs = craftedFolderExperiments().slice(0, 3);
  await page.evaluate(
    async ({ runs, demo }) => {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open('qa-lab');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const tx = db.transaction(['experiments', 'runs', 'artifacts', 'models', 'modelFiles'], 'readwrite');
      runs.forEach((r, i) => {
        const experimentId = `sample@1/${i}/${r.config.name}`;
        const runId = `q:${experimentId}#1`;
        tx.objectStore('experiments').put({ id: experimentId, name: r.config.name, configHash: r.result!.config_hash, config: { config: r.config, app: r.app }, suiteId: 'sample@1', createdAt: '2026-11-25T10:00:00Z' });
        tx.objectStore('runs').put({ id: runId, experimentId, suiteId: 'sample@1', result: r.result, createdAt: `2026-11-25T10:0${i}:00Z` });
        if (i === 0) {
          tx.objectStore('models').put({ id: `run:${runId}`, name: 'trained', source: `run:${runId}`, createdAt: '', config: { model_type: 'electra', hidden_size: 32 }, bytes: 4 });
          tx.objectStore('modelFiles').put({ modelId: `run:${runId}`, name: 'model.safetensors', bytes: new Uint8Array([1, 2, 3, 4]).buffer });
          tx.objectStore('artifacts').put({
            id: `run-outputs:${runId}`,
            kind: 'run-outputs',
            name: 'outputs',
            datasetId: demo.datasetId,
            split: 'validation',
            createdAt: '',
            producedBy: runId,
            data: {
              logHistory: [{ step: 1, epoch: 0.5, loss: 4.2 }, { step: 2, epoch: 1, loss: 3.1, eval_f1: 20, eval_exact_match: 10 }],
              predictions: demo.ids.map((id) => ({ id, predicted_answer: 'x' })),
              filters: [],
              messages: [],
              modelId: `run:${runId}`,
              datasetId: demo.datasetId,
              evalSplit: 'validation',
            },
          });
        }
      });
      await new Promise<void>((res, rej) => {
        tx.oncomplete = () => res();
        tx.onerror = () => rej(tx.error);
      });
      db.close();
    },
    { runs, demo },
  );

  await page.getByTestId('results-refresh').click();
  await expect(page.getByTestId('results-count')).toHaveText('3 of 3 runs');
  await expect(page.getByTestId('run-row').first()).toContainText('sample@1');
  await page.locator('[data-testid="run-row"]', { hasText: 'baseline_seed42' }).getByTestId('run-select').check();
  await expect(page.getByTestId('plot-curves')).toBeVisible();

  const zip = await download(page, 'export-shown');
  const files = unzipFolder(new Uint8Array(zip.bytes));
  const base = files.find((f) => /^experiments\/baseline_seed42_[0-9a-f]{8}\/trainer_output\/eval_predictions\.jsonl$/.test(f.path));
  expect(base).toBeDefined();
  const lines = new TextDecoder().decode(base!.bytes).trim().split('\n').map((l) => JSON.parse(l) as { id: string; context: string; predicted_answer: string });
  expect(lines.map((l) => l.id)).toEqual(demo.ids);
  expect(lines[0].context).toBe(demo.context);
  expect(lines[0].predicted_answer).toBe('x');
  const dir = base!.path.replace(/eval_predictions\.jsonl$/, '');
  expect([...files.find((f) => f.path === `${dir}model.safetensors`)!.bytes]).toEqual([1, 2, 3, 4]);
  expect(JSON.parse(new TextDecoder().decode(files.find((f) => f.path === `${dir}config.json`)!.bytes))).toEqual({ model_type: 'electra', hidden_size: 32 });
  expect(files.some((f) => f.path === `${dir}eval_metrics.json`)).toBe(true);

  // Without weights on request.
  await page.getByTestId('include-weights').uncheck();
  const light = unzipFolder(new Uint8Array((await download(page, 'export-shown')).bytes));
  expect(light.some((f) => f.path.endsWith('model.safetensors'))).toBe(false);
});

test('data maps of imported runs: drawn for the selected runs with dynamics, said why for the others, PNG with every point at 2×', async ({ page }) => {
  const files = pythonFolder();
  const baseline42 = files.find((f) => /^experiments\/baseline_seed42_[0-9a-f]{8}\/results\.json$/.test(f.path))!.path.split('/')[1];
  // More examples than the SVG draws (a seeded sample of SVG_POINT_LIMIT = 20,000); the PNG has them all.
  const rows = Array.from({ length: 20_500 }, (_, i) => {
    const confidence = ((i * 37) % 1000) / 1000;
    return { id: `ex${i}`, confidence, variability: ((i * 13) % 450) / 1000, correctness: (i % 6) / 5, num_epochs: 5, start_confidence: confidence, end_confidence: confidence };
  });
  files.push({ path: `experiments/${baseline42}/cartography_output/cartography_metrics.csv`, bytes: new TextEncoder().encode(serializeMetricsCsv(rows)) });

  await page.goto('./?backend=wasm#/results');
  await page.getByTestId('import-zip-input').setInputFiles({ name: 'with-maps.zip', mimeType: 'application/zip', buffer: Buffer.from(zipFolder(files)) });
  await expect(page.getByTestId('import-cartography')).toContainText('1 experiment(s) come with cartography files');
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-message')).toContainText('1 of them with training dynamics');
  await expect(page.getByTestId('data-maps-hint')).toBeVisible();

  await page.locator('[data-testid="run-row"]', { hasText: 'baseline_seed42' }).getByTestId('run-select').check();
  await page.locator('[data-testid="run-row"]', { hasText: 'label_smooth6_seed43' }).getByTestId('run-select').check();
  const map = page.getByTestId('plot-data-map-baseline_seed42');
  await expect(map).toBeVisible();
  await expect(map).toHaveAttribute('data-points', '20500');
  await expect(map).toContainText('Data map · baseline_seed42 · seed 42');
  await expect(page.getByTestId('plot-data-map-baseline_seed42-svg-note')).toBeVisible();
  await expect(page.locator('[data-testid="data-map-note"]')).toHaveText(/label_smooth6_seed43: imported without cartography files/);
  // Keyboard reachable like the other plots.
  await page.getByTestId('plot-data-map-baseline_seed42-map').focus();
  await expect(page.getByTestId('plot-data-map-baseline_seed42-map')).toBeFocused();

  await map.screenshot({ path: test.info().outputPath('results-data-map.png') });
  const png = await download(page, 'plot-data-map-baseline_seed42-png');
  expect(png.name).toBe('data-map-baseline_seed42.png');
  expect(pngSize(png.bytes)).toEqual({ width: 1600, height: 1200 });
  const svg = await download(page, 'plot-data-map-baseline_seed42-svg');
  expect(svg.bytes.toString('utf8')).toContain('Data map · baseline_seed42 · seed 42');

  const all = await download(page, 'download-all');
  const paths = unzipFolder(new Uint8Array(all.bytes)).map((f) => f.path);
  expect(paths).toEqual(expect.arrayContaining(['plots/data-map-baseline_seed42.png', 'plots/data-map-baseline_seed42.svg']));
});
