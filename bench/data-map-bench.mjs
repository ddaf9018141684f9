#!/usr/bin/env node
// Data map benchmark: builds bench/data-map-bench.html (the app's data map component on synthetic
// cartography metrics) with Vite, opens it in headless Chromium and times the first draw of
// 131k points. Each run uses a fresh page (a first draw, not a warm redraw). Prints JSON.
//
// Usage: node bench/data-map-bench.mjs [--n 131000] [--runs 3] ; CHROMIUM=/path/to/chromium to override the browser.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, extname, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('n', 131_000);
const RUNS = arg('runs', 3);
const TARGET_MS = 1000;
const TYPES = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json', '.css': 'text/css' };

async function main() {
  const outDir = mkdtempSync(join(tmpdir(), 'qa-data-map-bench-'));
  try {
    await build({
      configFile: false,
      root,
      logLevel: 'warn',
      base: './',
      plugins: [svelte()],
      build: { outDir, emptyOutDir: true, target: 'es2022', rollupOptions: { input: join(root, 'bench/data-map-bench.html') } },
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
      const runs = [];
      for (let k = 0; k < RUNS; k++) {
        const page = await browser.newPage({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 });
        page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
        await page.goto(`${base}/bench/data-map-bench.html`);
        await page.waitForSelector('#status[data-ready="true"]');
        runs.push(await page.evaluate((n) => window.runDataMapBench(n), N));
        await page.close();
      }
      const sorted = [...runs].sort((a, b) => a.firstDrawMs - b.firstDrawMs);
      const median = sorted[Math.floor(sorted.length / 2)];
      console.log(
        JSON.stringify({
          points: N,
          runs: runs.length,
          firstDrawMs: median.firstDrawMs,
          firstDrawMsRuns: runs.map((r) => r.firstDrawMs),
          prepareMs: median.prepareMs,
          mountToDrawnMs: median.mountToDrawnMs,
          canvasDrawMs: median.drawMs,
          rasterFlushMs: median.rasterFlushMs,
          targetMs: TARGET_MS,
          withinTarget: median.firstDrawMs < TARGET_MS,
          browser: `chromium ${browser.version()}`,
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
