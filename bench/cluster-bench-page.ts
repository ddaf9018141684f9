// The page bench/cluster-bench-chromium.mjs drives: the same runClusterBench as the Node bench
// (bench/cluster-core.ts, the app's clustering pipeline), in Chromium's JavaScript engine.
import { makeSyntheticEmbeddings, runClusterBench, type ClusterBenchResult } from './cluster-core';

declare global {
  interface Window {
    runClusterBenchPage(opts: { n: number; dim: number; umap: boolean }): Promise<ClusterBenchResult & { generateSeconds: number }>;
  }
}

window.runClusterBenchPage = async ({ n, dim, umap }) => {
  const t0 = performance.now();
  const synth = makeSyntheticEmbeddings({ n, dim, seed: 42 });
  const generateSeconds = Math.round((performance.now() - t0) / 10) / 100;
  const result = await runClusterBench(synth.data, synth.n, synth.dim, { umap }, synth.truth);
  return { ...result, generateSeconds };
};
document.getElementById('status')!.dataset.ready = 'true';
