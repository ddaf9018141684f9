import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { demoVocabulary } from '../../src/domain/train/demo-model';
import { parseHfConfig } from '../../src/domain/model/config';
import { initParams } from '../../src/domain/model/init';
import { writeSafetensors } from '../../src/domain/model/safetensors';
import { tokenizerFromFiles } from '../../src/domain/qa/tokenizer-files';

/** A tiny ELECTRA with the demo tokenizer (seeded init), as the Model section would store it. */
function tinyModelRecord() {
  const built = demoVocabulary();
  const tokenizerJson = JSON.parse(built.tokenizerJsonText) as unknown;
  const config = {
    architectures: ['ElectraForQuestionAnswering'],
    model_type: 'electra',
    vocab_size: tokenizerFromFiles({ tokenizerJson: built.tokenizerJsonText, tokenizerConfig: built.tokenizerConfig }).vocabSize,
    embedding_size: 16,
    hidden_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 128,
    hidden_act: 'gelu',
  };
  const weights = writeSafetensors(initParams(parseHfConfig(config), 7));
  return {
    meta: { id: 'run:e2e-tiny', name: 'tiny e2e model', source: 'run:e2e-tiny', createdAt: new Date().toISOString(), config, tokenizer: { kind: 'tokenizer.json', json: tokenizerJson, tokenizerConfig: built.tokenizerConfig }, bytes: weights.byteLength },
    weights: Buffer.from(weights).toString('base64'),
  };
}

/** Writes the model into the app's IndexedDB as ModelsState does (metadata and weight file apart). */
async function storeModel(page: Page, rec: ReturnType<typeof tinyModelRecord>): Promise<void> {
  await page.evaluate(
    ({ meta, weights }) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('qa-lab');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const bin = atob(weights);
          const bytes = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
          const tx = db.transaction(['models', 'modelFiles'], 'readwrite');
          tx.objectStore('models').put(meta);
          tx.objectStore('modelFiles').put({ modelId: meta.id, name: 'model.safetensors', bytes: bytes.buffer });
          tx.oncomplete = () => (db.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    rec,
  );
}

async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') };
}

test('embeddings of 200 demo rows with a tiny model in the worker, clustered in the cluster worker: map, sizes, samples, filter preview, exports; cancel', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto('./?backend=wasm#/clusters');
  await expect(page.getByTestId('clu-dataset')).toContainText('Demo', { timeout: 120_000 });
  await storeModel(page, tinyModelRecord());
  await page.reload();
  await expect(page.getByTestId('clu-model')).toHaveValue('run:e2e-tiny', { timeout: 60_000 });
  await expect(page.getByTestId('clu-empty')).toBeVisible();

  // Cancel a long extraction (all 3,000 rows, one row per batch so that it runs well past the
  // click even on threaded wasm): nothing is stored.
  await page.getByTestId('clu-max-samples').fill('');
  await page.getByTestId('clu-batch').fill('1');
  await page.getByTestId('clu-extract').click();
  await expect(page.getByTestId('clu-job-label')).toContainText(/Embedding \d+ of 3000/, { timeout: 150_000 });
  await page.getByTestId('clu-cancel').click();
  await expect(page.getByTestId('clu-message')).toHaveText('Embedding cancelled; nothing was stored.');
  await expect(page.getByTestId('clu-embeddings')).toContainText('none for this split yet');

  await page.getByTestId('clu-max-samples').fill('200');
  await page.getByTestId('clu-extract').click();
  await expect(page.getByTestId('clu-message')).toContainText('Embedded 200 examples (32 dimensions, max length 128', { timeout: 120_000 });
  await expect(page.getByTestId('clu-embeddings')).toContainText('200 × 32');

  // A random-init model's embeddings are diffuse: small clusters on 10 PCA dimensions find their structure.
  await page.getByTestId('clu-reduction').fill('10');
  await page.getByTestId('clu-mcs').fill('5');
  await page.getByTestId('clu-ms').fill('2');
  await page.getByTestId('clu-run').click();
  await expect(page.getByTestId('clu-message')).toContainText(/\d+ clusters and \d+ noise points among 200 examples \(PCA 10, min_samples 2\)/, { timeout: 90_000 });
  const summary = (await page.getByTestId('clu-message').textContent()) ?? '';
  const [, k, noise] = /(\d+) clusters and (\d+) noise/.exec(summary)!.map(Number);
  expect(k).toBeGreaterThanOrEqual(1);

  const map = page.getByTestId('cluster-map');
  await expect(map).toHaveAttribute('data-points', '200');
  await expect(page.getByTestId('cluster-map-scatter-canvas')).toBeVisible();
  await expect(page.getByTestId('clu-sizes').locator('rect.bar')).toHaveCount(k + (noise > 0 ? 1 : 0));
  await expect(page.getByTestId('clu-sample-tab')).toHaveCount(k + (noise > 0 ? 1 : 0));
  await expect(page.getByTestId('clu-sample').first()).toBeVisible();

  // The filter on the whole train split: the 2,800 rows without an assignment are dropped, and noise by default.
  await expect(page.getByTestId('clu-dropped')).toHaveText(String(2800 + noise));
  await expect(page.getByTestId('clu-kept')).toHaveText(String(200 - noise));
  await page.getByTestId('clu-exclude').fill('');
  await expect(page.getByTestId('clu-kept')).toHaveText('200');

  const assignments = await download(page, 'clu-export-assignments');
  expect(assignments.name).toBe('cluster_assignments.csv');
  const lines = assignments.text.trim().split('\n');
  expect(lines[0]).toBe('id,cluster,dim1,dim2,cluster_probability');
  expect(lines).toHaveLength(201);
  const statistics = await download(page, 'clu-export-statistics');
  expect(statistics.text.split('\n')[0]).toBe('cluster,size,percentage,mean_norm,std_norm,persistence');
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cluster-map-png').click()]);
  const bytes = readFileSync(await png.path());
  expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
});
