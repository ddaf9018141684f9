import type { MethodSpec } from '../protocol';
import type { ClusterStage } from '../../domain/clustering/pipeline';

export interface ClusterEmbeddingsParams {
  /** A stored 'embeddings' artifact. */
  embeddingsId: string;
  /** PCA dimensions (`--reduction_dim`, default 50). */
  reductionDim?: number;
  /** `--min_cluster_size` (default 10). */
  minClusterSize?: number;
  /** `--min_samples`; null or absent falls back to min_cluster_size. */
  minSamples?: number | null;
  /** Compute the seeded 2-D UMAP for the map and the dim1/dim2 columns (default true). */
  umap?: boolean;
  /** UMAP seed (default 42, the origin's random_state). */
  seed?: number;
  /** Database to read from and write to (tests use their own). */
  dbName?: string;
}

export type ClusterJobStage = 'load' | ClusterStage | 'save';

export interface ClusterEmbeddingsProgress {
  stage: ClusterJobStage;
  /** During 'umap': optimisation epochs done and planned. */
  epoch?: number;
  epochs?: number;
}

export interface ClusterEmbeddingsResult {
  /** The stored 'clusters' artifact. */
  artifactId: string;
  n: number;
  nClusters: number;
  nNoise: number;
  reductionDim: number;
  minSamples: number;
  /** Seconds per stage. */
  timings: Partial<Record<ClusterJobStage, number>>;
}

/** The cluster worker's methods (src/worker/cluster.worker.ts). */
export interface ClusterApi {
  /**
   * cluster_analysis.py on a stored embeddings artifact (origin-system.md §4.2): standardize,
   * PCA, HDBSCAN, statistics and the seeded 2-D UMAP; stores a 'clusters' artifact whose
   * metadata is cluster_metadata.json.
   */
  clusterEmbeddings: MethodSpec<ClusterEmbeddingsParams, ClusterEmbeddingsProgress, ClusterEmbeddingsResult>;
}
