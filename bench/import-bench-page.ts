// The page bench/import-bench.mjs drives: it runs the app's import worker on a file the bench serves.
import { ImportClient } from '../src/worker/import-client';
import type { JobProgress } from '../src/worker/import-protocol';

const worker = new Worker(new URL('../src/worker/import.worker.ts', import.meta.url), { type: 'module', name: 'import' });
const client = new ImportClient(worker);

declare global {
  interface Window {
    runImportBench(url: string, name: string): Promise<{ rows: number; seconds: number; fetchSeconds: number; skipped: number }>;
    benchProgress: JobProgress | null;
  }
}

window.benchProgress = null;
window.runImportBench = async (url, name) => {
  const f0 = performance.now();
  const blob = await (await fetch(url)).blob();
  const file = new File([blob], name);
  const t0 = performance.now();
  const res = await client.call(
    'import',
    { source: { kind: 'files', files: [{ name, data: file, split: 'train' }] }, policy: 'repair', name: `bench ${Date.now()}`, dbName: 'qa-lab-bench' },
    { onProgress: (p) => (window.benchProgress = p) },
  );
  return { rows: res.meta.splits.train.rows, seconds: (performance.now() - t0) / 1000, fetchSeconds: (t0 - f0) / 1000, skipped: res.report.totals.skipped };
};
document.getElementById('status')!.dataset.ready = 'true';
