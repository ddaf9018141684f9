#!/usr/bin/env node
// Data map benchmark: builds bench/data-map-bench.html (the app's data map component on synthetic
// cartography metrics) with Vite, opens it in headless Chromium and times the first draw of
// 131k points. Each run uses a fresh page (a first draw, not a warm redraw). Prints JSON.
//
// Usage: node bench/data-map-bench.mjs [--n 131000] [--runs 3] ; CHROMIUM=/path/to/chromium to override the browser.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { withBenchPage } from './bench-page.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('n', 131_000);
const RUNS = arg('runs', 3);
const TARGET_MS = 1000;

async function main() {
  await withBenchPage({ html: 'data-map-bench.html', plugins: [svelte()] }, async ({ browser, openPage }) => {
    const runs = [];
    for (let k = 0; k < RUNS; k++) {
      const page = await openPage({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 });
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
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
