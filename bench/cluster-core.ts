/**
 * The clustering benchmark's core, free of Node APIs so a page can import it too: synthetic
 * embeddings shaped like the origin's (N × 512 float32), then standardize → PCA 50 → HDBSCAN,
 * optionally the 2-D UMAP, each step timed with performance.now().
 */
import { gaussian, seededRandom } from '../src/domain/clustering/random';
import { runClusteringPipeline } from '../src/domain/clustering/pipeline';
import { denseMatrix } from '../src/domain/clustering/types';

export interface SyntheticEmbeddings {
  n: number;
  dim: number;
  data: Float32Array;
  /** Generating blob per row, -1 for the scattered noise rows. */
  truth: Int32Array;
}

export interface SyntheticOptions {
  n?: number;
  dim?: number;
  clusters?: number;
  /** Share of rows drawn as broad background noise instead of from a blob. */
  noiseShare?: number;
  seed?: number;
}

/**
 * Gaussian blobs with unequal spreads plus scattered noise. Blob centres are N(0, I) in `dim`
 * dimensions and members N(centre, s²I) with s in [0.6, 1.0], so in 512 dimensions the blobs
 * are well apart (distance concentration) while each is a diffuse cloud, like embeddings of
 * topical groups. Noise rows lie at a random point between two random centres (plus the same
 * kind of spread): sparse bridges, like examples that mix topics. (Isotropic background noise
 * would not do: in 512 dimensions it concentrates on a thin shell and forms a cluster itself.)
 */
export function makeSyntheticEmbeddings(options: SyntheticOptions = {}): SyntheticEmbeddings {
  const n = options.n ?? 10_000;
  const dim = options.dim ?? 512;
  const clusters = options.clusters ?? 12;
  const noiseShare = options.noiseShare ?? 0.05;
  const rand = seededRandom(options.seed ?? 42);
  const g = gaussian(rand);
  const centres = Array.from({ length: clusters }, () => Float64Array.from({ length: dim }, () => g()));
  const spreads = Array.from({ length: clusters }, () => 0.6 + 0.4 * rand());
  const data = new Float32Array(n * dim);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    if (rand() < noiseShare) {
      truth[i] = -1;
      const a = centres[Math.floor(rand() * clusters)];
      const b = centres[Math.floor(rand() * clusters)];
      const w = 0.2 + 0.6 * rand();
      for (let t = 0; t < dim; t++) data[o + t] = w * a[t] + (1 - w) * b[t] + 0.8 * g();
    } else {
      const c = Math.floor(rand() * clusters);
      truth[i] = c;
      for (let t = 0; t < dim; t++) data[o + t] = centres[c][t] + spreads[c] * g();
    }
  }
  return { n, dim, data, truth };
}

export interface ClusterBenchOptions {
  reductionDim?: number;
  minClusterSize?: number;
  umap?: boolean;
  /** UMAP optimisation epochs (umap-js chooses by size when unset). */
  umapEpochs?: number;
}

export interface ClusterBenchResult {
  n: number;
  dim: number;
  reductionDim: number;
  standardizeSeconds: number;
  pcaSeconds: number;
  hdbscanSeconds: number;
  umapSeconds?: number;
  totalSeconds: number;
  nClusters: number;
  noiseShare: number;
  /** When the generating labels are known: rows whose HDBSCAN cluster is a pure blob (majority share). */
  purity?: number;
}

const round2 = (s: number): number => Math.round(s * 100) / 100;

/**
 * Runs the app's own clustering pipeline (so the figures are what a user waits for) and
 * reports its stage timings: hdbscanSeconds includes the exact k-NN pass that feeds the core
 * distances (and, when requested, UMAP).
 */
export async function runClusterBench(data: Float32Array, n: number, dim: number, options: ClusterBenchOptions = {}, truth?: Int32Array): Promise<ClusterBenchResult> {
  const t0 = performance.now();
  const r = await runClusteringPipeline(denseMatrix(data, n, dim), {
    reductionDim: options.reductionDim ?? 50,
    minClusterSize: options.minClusterSize ?? 10,
    umap: options.umap ? { seed: 42, ...(options.umapEpochs !== undefined ? { nEpochs: options.umapEpochs } : {}) } : false,
  });
  const totalSeconds = round2((performance.now() - t0) / 1000);
  const t = r.timings;
  const hdb = r.hdbscan;
  let noise = 0;
  for (let i = 0; i < n; i++) if (hdb.labels[i] < 0) noise++;
  const result: ClusterBenchResult = {
    n,
    dim,
    reductionDim: r.reductionDim,
    standardizeSeconds: round2(t.standardize ?? 0),
    pcaSeconds: round2(t.pca ?? 0),
    hdbscanSeconds: round2((t.neighbours ?? 0) + (t.hdbscan ?? 0)),
    ...(t.umap !== undefined ? { umapSeconds: round2(t.umap) } : {}),
    totalSeconds,
    nClusters: hdb.nClusters,
    noiseShare: Math.round((noise / n) * 10000) / 10000,
  };
  if (truth) {
    // For each found cluster, the share of its members from its most common generating blob.
    const counts = new Map<number, Map<number, number>>();
    for (let i = 0; i < n; i++) {
      if (hdb.labels[i] < 0) continue;
      let m = counts.get(hdb.labels[i]);
      if (!m) counts.set(hdb.labels[i], (m = new Map()));
      m.set(truth[i], (m.get(truth[i]) ?? 0) + 1);
    }
    let majority = 0;
    let clustered = 0;
    for (const m of counts.values()) {
      majority += Math.max(...m.values());
      for (const v of m.values()) clustered += v;
    }
    result.purity = clustered ? Math.round((majority / clustered) * 10000) / 10000 : 0;
  }
  return result;
}
