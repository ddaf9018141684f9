#!/usr/bin/env node
// Clustering benchmark in Chromium: builds bench/cluster-bench.html with Vite and runs
// runClusterBench (bench/cluster-core.ts: seeded synthetic N × 512 embeddings, then the app's
// standardize → PCA 50 → HDBSCAN pipeline, optionally the 2-D UMAP) in headless Chromium.
// Prints one JSON object (the same keys as `npx tsx bench/cluster-bench.ts`).
//
// Usage: node bench/cluster-bench-chromium.mjs [--n 10000] [--dim 512] [--umap]
//        CHROMIUM=/path/to/chromium to override the browser.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, extname, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('n', 10_000);
const DIM = arg('dim', 512);
const UMAP = process.argv.includes('--umap');
const TARGET_SECONDS = 20;
const TYPES = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };

async function main() {
  const outDir = mkdtempSync(join(tmpdir(), 'qa-cluster-bench-'));
  try {
    await build({
      configFile: false,
      root,
      logLevel: 'warn',
      base: './',
      build: { outDir, emptyOutDir: true, target: 'es2022', rollupOptions: { input: join(root, 'bench/cluster-bench.html') } },
    });
    const server = createServer(async (req, res) => {
      const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      try {
        const body = await readFile(join(outDir, p));
        res.writeHead(200, { 'content-type': TYPES[extname(p)] ?? 'application/octet-stream' });
        res.end(body);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${server.address().port}`;
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--headless'],
    });
    try {
      const page = await browser.newPage();
      page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
      await page.goto(`${base}/bench/cluster-bench.html`);
      await page.waitForSelector('#status[data-ready="true"]');
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
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
