import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { generateDemoDataset } from '../../src/domain/data/demo/generator';
import { serializeMetricsCsv } from '../../src/domain/cartography/metrics-files';
import { categorize } from '../../src/domain/cartography/categories';
import type { CartographyMetricsRow } from '../../src/domain/cartography/types';
import { seededRandom } from '../../src/domain/clustering/random';
import { dataMapLayout, dataMapScales } from '../../src/ui/charts/data-map';
import { mapDomains } from '../../src/ui/state/cartography-view';

/**
 * A crafted cartography_metrics.csv for the demo train split: every row but the first five,
 * ten ids the split does not have, the noisy rows low-confidence and unstable, and one row
 * (the "probe") far from every other point so hovering its position must show it.
 */
function craftedMetrics() {
  const train = generateDemoDataset().train;
  const rand = seededRandom(11);
  const rows: CartographyMetricsRow[] = [];
  const seen = new Set<string>();
  for (const r of train.slice(5)) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const noisy = !!r.noise;
    const confidence = noisy ? 0.05 + 0.3 * rand() : 0.35 + 0.6 * rand();
    const variability = noisy ? 0.18 + 0.1 * rand() : 0.02 + 0.2 * rand();
    rows.push({ id: r.id, confidence, variability, correctness: Math.round(confidence * 5) / 5, num_epochs: 5, start_confidence: confidence, end_confidence: confidence });
  }
  const probe = train.find((r, i) => i >= 5 && !r.noise)!;
  const p = rows.find((r) => r.id === probe.id)!;
  Object.assign(p, { confidence: 0.02, variability: 0.45, correctness: 0 });
  for (let k = 0; k < 10; k++) rows.push({ id: `not-in-demo-${k}`, confidence: 0.5, variability: 0.1, correctness: 0.4, num_epochs: 5, start_confidence: 0.5, end_confidence: 0.5 });
  const distinctIds = new Set(train.map((r) => r.id)).size;
  const missingIds = new Set(train.slice(0, 5).map((r) => r.id).filter((id) => !seen.has(id))).size;
  return { csv: serializeMetricsCsv(rows), rows, probe, p, train, distinctIds, missingIds };
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

test('import a cartography_metrics.csv for the demo dataset: coverage, map, counts, hover, brush, PNG/SVG/CSV exports', async ({ page }) => {
  test.setTimeout(180_000);
  const crafted = craftedMetrics();
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto('./?backend=wasm#/cartography');
  await expect(page.getByTestId('carto-dataset')).toContainText('Demo', { timeout: 120_000 });
  await expect(page.getByTestId('carto-split')).toHaveValue('train');
  await expect(page.getByTestId('carto-empty')).toBeVisible();

  await page.getByTestId('carto-file-input').setInputFiles({ name: 'cartography_metrics.csv', mimeType: 'text/csv', buffer: Buffer.from(crafted.csv) });
  const report = page.getByTestId('carto-import-report');
  await expect(report).toBeVisible();
  const covered = crafted.train.length - crafted.train.slice(0, 5).filter((r) => !crafted.rows.some((m) => m.id === r.id)).length;
  await expect(page.getByTestId('carto-covered')).toContainText(`${covered} of ${crafted.train.length} rows`);
  await expect(page.getByTestId('carto-missing')).toContainText(`${crafted.missingIds} ids`);
  await expect(page.getByTestId('carto-extra')).toContainText('10 ids');
  await expect(page.getByTestId('carto-extra')).toContainText('not-in-demo-0');
  await page.getByTestId('carto-store').click();

  const map = page.getByTestId('data-map');
  await expect(map).toBeVisible();
  await expect(map).toHaveAttribute('data-points', String(crafted.rows.length));
  const cat = categorize(crafted.rows);
  for (const c of ['easy', 'hard', 'ambiguous'] as const) {
    await expect(page.getByTestId(`carto-count-${c}`)).toHaveAttribute('data-count', String(cat.counts[c]));
    await expect(page.getByTestId(`carto-count-${c}`)).toContainText(`${((100 * cat.counts[c]) / crafted.rows.length).toFixed(1)}%`);
  }
  // The demo dataset's noisy rows, crafted low-confidence and unstable, land in hard/ambiguous.
  await expect(page.getByTestId('carto-noise-share')).toHaveText('100.0%');
  await expect(page.getByTestId('carto-question-types').getByTestId('carto-qt-row').first()).toBeVisible();

  // Hover the probe: its screen position follows from the same layout and scales the map uses.
  const box = (await page.getByTestId('data-map-scatter').boundingBox())!;
  const layout = dataMapLayout(Math.round(box.width), Math.round(box.height));
  const cols = { n: crafted.rows.length, variability: Float32Array.from(crafted.rows, (r) => r.variability) };
  const scales = dataMapScales(layout, mapDomains(cols));
  const x = box.x + scales.x(crafted.p.variability);
  const y = box.y + scales.y(crafted.p.confidence);
  await page.mouse.move(x - 30, y - 30);
  await page.mouse.move(x, y, { steps: 4 });
  const tip = page.getByTestId('data-map-scatter-tooltip');
  await expect(tip).toBeVisible();
  await expect(tip).toContainText(crafted.probe.question);
  await expect(tip).toContainText(crafted.probe.answers.text[0]);
  await page.mouse.move(box.x + 2, box.y + 2);
  await expect(tip).toBeHidden();

  // Brush a rectangle around the probe: exactly it is selected and listed.
  await page.mouse.move(x - 8, y - 8);
  await page.mouse.down();
  await page.mouse.move(x + 8, y + 8, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('carto-selection-count')).toHaveText('1 examples selected');
  await expect(page.getByTestId('carto-sel-row')).toHaveCount(1);
  await expect(page.getByTestId('carto-sel-row')).toContainText(crafted.probe.question);
  const sel = await download(page, 'carto-sel-csv');
  expect(sel.name).toMatch(/selection\.csv$/);
  const selLines = sel.bytes.toString('utf8').trim().split('\n');
  expect(selLines[0]).toBe('id,category,confidence,variability,correctness,num_epochs,question,answer');
  expect(selLines).toHaveLength(2);
  expect(selLines[1].startsWith(`${crafted.probe.id},ambiguous,`)).toBe(true);

  // PNG at 2× of the chart, a valid PNG file.
  const png = await download(page, 'data-map-png');
  expect(png.name).toMatch(/_data_map\.png$/);
  expect(pngSize(png.bytes)).toEqual({ width: 2 * Math.round(box.width), height: 2 * Math.round(box.height) });
  // SVG with every point as a circle (under the 20k limit).
  const svg = (await download(page, 'data-map-svg')).bytes.toString('utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  const points = svg.slice(svg.indexOf('<g class="points">'), svg.indexOf('<g class="data-map-over">'));
  expect(points.match(/<circle /g)?.length).toBe(crafted.rows.length);
  // The metrics round-trip as the Python file.
  const csv = await download(page, 'carto-export-csv');
  expect(csv.name).toBe('cartography_metrics.csv');
  expect(csv.bytes.toString('utf8')).toBe(crafted.csv);

  // The stored artifact is offered after a reload.
  await page.reload();
  await expect(page.getByTestId('data-map')).toHaveAttribute('data-points', String(crafted.rows.length), { timeout: 120_000 });
});

test('an import with errors names the file, line and field, and stores nothing', async ({ page }) => {
  await page.goto('./?backend=wasm#/cartography');
  await expect(page.getByTestId('carto-dataset')).toContainText('Demo', { timeout: 120_000 });
  const bad = 'example_id,confidence,variability,correctness,num_epochs,start_confidence,end_confidence\nabc,0.5,0.1,0.4,5,0.5,0.5\ndef,1.7,0.1,0.4,5,0.5,0.5\n';
  await page.getByTestId('carto-file-input').setInputFiles({ name: 'cartography_metrics.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await expect(page.getByTestId('carto-import-error')).toContainText('cartography_metrics.csv, line 3, field "confidence"');
  await expect(page.getByTestId('carto-import-report')).toBeHidden();
  // A well-formed file for another dataset covers nothing and cannot be stored.
  const other = 'example_id,confidence,variability,correctness,num_epochs,start_confidence,end_confidence\nabc,0.5,0.1,0.4,5,0.5,0.5\n';
  await page.getByTestId('carto-file-input').setInputFiles({ name: 'cartography_metrics.csv', mimeType: 'text/csv', buffer: Buffer.from(other) });
  await expect(page.getByTestId('carto-covered')).toContainText('Covered: 0 of');
  await expect(page.getByTestId('carto-store')).toBeDisabled();
});
