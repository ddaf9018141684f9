/**
 * `cluster_analysis.py`'s pipeline on embeddings already in memory (origin-system.md §4.2):
 * standardize → PCA (50) → HDBSCAN → statistics, and optionally the 2-D UMAP. One exact
 * k-NN pass on the reduced data serves both HDBSCAN's core distances and UMAP.
 */
import { hdbscan, type HdbscanResult } from './hdbscan';
import { kNearestNeighbours } from './knn';
import { pca, type PcaResult } from './pca';
import { standardize, type Standardized } from './standardize';
import { clusterStatistics } from './statistics';
import { projectUmap2d, type UmapOptions } from './umap';
import type { ClusterStatisticsRow, DenseMatrix } from './types';

export type ClusterStage = 'standardize' | 'pca' | 'neighbours' | 'hdbscan' | 'statistics' | 'umap';

export interface ClusterPipelineOptions {
  /** PCA dimensions (origin default 50); capped at min(n, d). */
  reductionDim?: number;
  minClusterSize?: number;
  minSamples?: number;
  minSamplesIncludesSelf?: boolean;
  /** Compute the 2-D layout too (false by default: it is the slowest step). */
  umap?: boolean | Omit<UmapOptions, 'knn'>;
  onStage?: (stage: ClusterStage) => void;
}

export interface ClusterPipelineResult {
  reductionDim: number;
  /** min_samples as used (after the default and the n − 1 cap). */
  minSamples: number;
  standardized: Standardized;
  pca: PcaResult;
  hdbscan: HdbscanResult;
  statistics: ClusterStatisticsRow[];
  /** n × 2 UMAP layout, when requested. */
  layout: Float64Array | null;
  /** Seconds per stage. */
  timings: Partial<Record<ClusterStage, number>>;
}

export async function runClusteringPipeline(embeddings: DenseMatrix, options: ClusterPipelineOptions = {}): Promise<ClusterPipelineResult> {
  const { rows: n, cols: d } = embeddings;
  if (n < 2) throw new RangeError(`clustering needs at least 2 embeddings, got ${n}`);
  const timings: Partial<Record<ClusterStage, number>> = {};
  const timed = <T>(stage: ClusterStage, f: () => T): T => {
    options.onStage?.(stage);
    const t0 = performance.now();
    const r = f();
    timings[stage] = (performance.now() - t0) / 1000;
    return r;
  };
  const reductionDim = Math.min(options.reductionDim ?? 50, n, d);
  const minClusterSize = options.minClusterSize ?? 10;
  const minSamples = Math.max(1, Math.min(options.minSamples ?? minClusterSize, n - 1));
  const coreK = options.minSamplesIncludesSelf ? minSamples - 1 : minSamples;
  const umapOpts = options.umap === true ? {} : options.umap || null;
  const umapK = umapOpts ? (umapOpts.nNeighbors ?? 15) - 1 : 0;

  const standardized = timed('standardize', () => standardize(embeddings));
  const reduced = timed('pca', () => pca(standardized.matrix, reductionDim));
  const k = Math.min(Math.max(coreK, umapK, 1), n - 1);
  const knn = timed('neighbours', () => kNearestNeighbours(reduced.projected, k));
  const clusters = timed('hdbscan', () =>
    hdbscan(reduced.projected, { minClusterSize, minSamples, minSamplesIncludesSelf: options.minSamplesIncludesSelf, knn }),
  );
  const statistics = timed('statistics', () => clusterStatistics(clusters.labels, clusters.persistence, standardized.matrix));
  let layout: Float64Array | null = null;
  if (umapOpts) {
    options.onStage?.('umap');
    const t0 = performance.now();
    layout = await projectUmap2d(reduced.projected, { ...umapOpts, knn });
    timings.umap = (performance.now() - t0) / 1000;
  }
  return { reductionDim, minSamples, standardized, pca: reduced, hdbscan: clusters, statistics, layout, timings };
}
