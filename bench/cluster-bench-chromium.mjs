#!/usr/bin/env node
// Clustering benchmark in Chromium: builds bench/cluster-bench.html with Vite and runs
// runClusterBench (bench/cluster-core.ts: seeded synthetic N × 512 embeddings, then the app's
// standardize → PCA 50 → HDBSCAN pipeline, optionally the 2-D UMAP) in headless Chromium.
// Prints one JSON object (the same keys as `npx tsx bench/cluster-bench.ts`).
//
// Usage: node bench/cluster-bench-chromium.mjs [--n 10000] [--dim 512] [--umap]
//        CHROMIUM=/path/to/chromium to override the browser.
import { withBenchPage } from './bench-page.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('n', 10_000);
const DIM = arg('dim', 512);
const UMAP = process.argv.includes('--umap');
const TARGET_SECONDS = 20;

async function main() {
  await withBenchPage({ html: 'cluster-bench.html' }, async ({ browser, openPage }) => {
    const page = await openPage();
    const r = await page.evaluate((o) => window.runClusterBenchPage(o), { n: N, dim: DIM, umap: UMAP });
    const pcaHdbscanSeconds = Math.round((r.standardizeSeconds + r.pcaSeconds + r.hdbscanSeconds) * 100) / 100;
    console.log(
      JSON.stringify({
        ...r,
        pcaHdbscanSeconds,
        targetSeconds: TARGET_SECONDS,
        withinTarget: pcaHdbscanSeconds < TARGET_SECONDS,
        runtime: `chromium ${browser.version()}`,
        generatedClusters: 12,
      }),
    );
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
