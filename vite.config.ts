/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { execSync } from 'node:child_process';
import pkg from './package.json' with { type: 'json' };

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export default defineConfig({
  // Relative base: dist/ works from any path of any static server.
  base: './',
  define: {
    __APP_VERSION__: JSON.stringify(pkg.version),
    __GIT_COMMIT__: JSON.stringify(gitCommit()),
  },
  plugins: [
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: null,
      // Our own service worker (src/sw.ts): the precache plus the cross-origin isolation headers.
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      includeAssets: ['icon.svg', 'icons/*.png', 'demo/**/*'],
      manifest: {
        name: 'QA Cartography Lab',
        short_name: 'QA Lab',
        description: 'Train extractive QA models in the browser and test data-quality strategies.',
        theme_color: '#1f4e79',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: './',
        scope: './',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        // Everything the app needs at start, including the tfjs wasm binaries, worker chunks and the demo base.
        globPatterns: ['**/*.{js,mjs,css,html,svg,png,ico,wasm,json,webmanifest,txt,safetensors}'],
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      },
    }),
  ],
  worker: { format: 'es' },
  // The dev server has no service worker: it sends the isolation headers itself.
  // `vite preview` serves the build as a static host would, without them (preview.headers would
  // otherwise default to these): there the service worker has to isolate the page.
  server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' } },
  preview: { headers: {} },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
    sourcemap: true,
    // The worker bundles tfjs; its transform time is expected, not a problem to report on every build.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  test: {
    environment: 'node',
    include: ['tests/unit/**/*.test.ts'],
    setupFiles: ['tests/unit/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
