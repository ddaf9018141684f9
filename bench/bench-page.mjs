// Shared by the Chromium benchmarks: builds one bench page with Vite into a temporary folder,
// serves it on a free loopback port, launches the system Chromium, and tears all of it down when
// the caller is done. The page signals it is ready with <p id="status" data-ready="true">.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css' };
/** Flags every launch needs here: root user, closed network (see README, e2e). */
const BASE_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * @param {import('./bench-page.d.mts').BenchPageOptions} options
 * @param {(ctx: import('./bench-page.d.mts').BenchPageContext) => Promise<T>} run
 * @returns {Promise<T>}
 * @template T
 */
export async function withBenchPage(options, run) {
  const outDir = options.prebuilt ?? mkdtempSync(join(tmpdir(), 'qa-bench-page-'));
  try {
    // Imported here: a packed bench (gpu-bench-pack.mjs) serves a page built beforehand, without Vite.
    if (!options.prebuilt) await (await import('vite')).build({
      configFile: false,
      root: ROOT,
      logLevel: 'warn',
      base: './',
      plugins: options.plugins ?? [],
      worker: { format: 'es' },
      build: { outDir, emptyOutDir: true, target: 'es2022', rollupOptions: { input: join(ROOT, 'bench', options.html) } },
    });
    const server = createServer(async (req, res) => {
      const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (options.route?.(p, res)) return;
      try {
        const body = await readFile(join(outDir, p));
        res.writeHead(200, { 'content-type': TYPES[extname(p)] ?? 'application/octet-stream', ...(options.headers ?? {}) });
        res.end(body);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
    const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/bench/${options.html}`;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? process.env.CHROME_PATH ?? '/usr/bin/chromium',
      args: [...(options.chromiumArgs ?? ['--headless']), ...BASE_ARGS],
    });
    try {
      const openPage = async (pageOptions) => {
        const page = await browser.newPage(pageOptions);
        page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
        await page.goto(url);
        await page.waitForSelector('#status[data-ready="true"]');
        return page;
      };
      return await run({ browser, url, openPage });
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    if (!options.prebuilt) rmSync(outDir, { recursive: true, force: true });
  }
}
