/**
 * `npx tsx bench/cluster-bench.ts [--umap] [--n 10000] [--dim 512] [--umap-epochs N]`
 * Times standardize → PCA 50 → HDBSCAN (min_cluster_size 10) on seeded synthetic embeddings
 * and prints one JSON object. The work itself lives in cluster-core.ts (shared with the page bench).
 */
import { makeSyntheticEmbeddings, runClusterBench } from './cluster-core';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const n = Number(arg('n') ?? 10_000);
const dim = Number(arg('dim') ?? 512);
const umapEpochs = arg('umap-epochs');
const synth = makeSyntheticEmbeddings({ n, dim, seed: 42 });
const result = await runClusterBench(
  synth.data,
  synth.n,
  synth.dim,
  { umap: process.argv.includes('--umap'), umapEpochs: umapEpochs === undefined ? undefined : Number(umapEpochs) },
  synth.truth,
);
const generatedNoise = synth.truth.reduce((s, c) => s + (c < 0 ? 1 : 0), 0) / synth.n;
console.log(JSON.stringify({ ...result, runtime: `node ${process.version}`, generatedClusters: 12, generatedNoiseShare: generatedNoise }));
