/**
 * The cluster worker's job against IndexedDB: load an embeddings artifact, run the clustering
 * pipeline (origin-system.md §4.2), store a 'clusters' artifact. Free of worker globals so Node
 * tests run it directly.
 *
 * Cancellation: the pipeline's numeric stages are synchronous, so a `$cancel` message is only
 * read between stages and during UMAP (which yields between epochs). The cluster client
 * therefore also terminates the worker on abort; the artifact is written in one put at the
 * end, so a job stopped at any point leaves nothing behind.
 */
import { throwIfCancelled, type HandlerContext } from './router';
import type { ClusterEmbeddingsParams, ClusterEmbeddingsProgress, ClusterEmbeddingsResult, ClusterJobStage } from './api/cluster';
import type { LabDatabase } from '../storage/db';
import { getArtifact, newArtifactId, saveArtifact } from '../storage/artifacts';
import { runClusteringPipeline } from '../domain/clustering/pipeline';
import { buildAssignments } from '../domain/clustering/cluster-files';
import { denseMatrix } from '../domain/clustering/types';

const UMAP_NEIGHBOURS = 15;

function positiveInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

export async function clusterEmbeddingsTo(
  db: LabDatabase,
  p: ClusterEmbeddingsParams,
  ctx: Pick<HandlerContext<ClusterEmbeddingsProgress>, 'signal' | 'progress'>,
): Promise<ClusterEmbeddingsResult> {
  const reductionDim = positiveInt('reduction dim', p.reductionDim ?? 50, 1);
  const minClusterSize = positiveInt('min_cluster_size', p.minClusterSize ?? 10, 2);
  const minSamplesIn = p.minSamples ?? null;
  if (minSamplesIn !== null) positiveInt('min_samples', minSamplesIn, 1);
  const withUmap = p.umap ?? true;
  const seed = p.seed ?? 42;

  const timings: Partial<Record<ClusterJobStage, number>> = {};
  let t = performance.now();
  ctx.progress({ stage: 'load' });
  const emb = await getArtifact(db, p.embeddingsId, 'embeddings');
  if (!emb) throw new Error(`No embeddings artifact "${p.embeddingsId}" (it may have been deleted)`);
  const { ids, dim, data } = emb.data;
  const n = ids.length;
  if (!(data instanceof Float32Array) || data.length !== n * dim) throw new Error(`Embeddings "${emb.name}" are damaged: ${data?.length ?? 0} values for ${n} ids × ${dim}`);
  if (n < 2) throw new RangeError(`Clustering needs at least 2 embeddings; "${emb.name}" has ${n}`);
  if (withUmap && n <= UMAP_NEIGHBOURS) throw new RangeError(`The 2-D UMAP needs more than ${UMAP_NEIGHBOURS} embeddings; "${emb.name}" has ${n} (turn the map off or embed more rows)`);
  if (minClusterSize > n) throw new RangeError(`min_cluster_size ${minClusterSize} exceeds the ${n} embeddings`);
  timings.load = (performance.now() - t) / 1000;
  throwIfCancelled(ctx.signal);

  let lastEpochReport = 0;
  const result = await runClusteringPipeline(denseMatrix(data, n, dim), {
    reductionDim,
    minClusterSize,
    ...(minSamplesIn !== null ? { minSamples: minSamplesIn } : {}),
    umap: withUmap
      ? {
          seed,
          signal: ctx.signal,
          yieldEvery: 5,
          onEpoch: (epoch, epochs) => {
            const now = performance.now();
            if (now - lastEpochReport > 200 || epoch === epochs) {
              lastEpochReport = now;
              ctx.progress({ stage: 'umap', epoch, epochs });
            }
          },
        }
      : false,
    onStage: (stage) => {
      throwIfCancelled(ctx.signal);
      ctx.progress({ stage });
    },
  });
  Object.assign(timings, result.timings);
  throwIfCancelled(ctx.signal);

  t = performance.now();
  ctx.progress({ stage: 'save' });
  const hdb = result.hdbscan;
  const assignments = buildAssignments(ids, hdb.labels, hdb.probabilities, result.layout);
  let nNoise = 0;
  for (let i = 0; i < n; i++) if (hdb.labels[i] < 0) nNoise++;
  // cluster_metadata.json's fields, then what only this app knows.
  const metadata: Record<string, unknown> = {
    embedding_dir: emb.name,
    n_samples: n,
    embedding_dim: dim,
    reduction_dim: result.reductionDim,
    reduction_method: 'pca',
    clustering_method: 'hdbscan',
    min_cluster_size: minClusterSize,
    min_samples: result.minSamples,
    metric: 'euclidean',
    n_clusters: hdb.nClusters,
    n_noise: nNoise,
    visualization_method: withUmap ? 'umap' : null,
    embeddings_artifact: emb.id,
    model_id: emb.data.modelId,
    umap_seed: withUmap ? seed : null,
    timings_seconds: result.timings,
  };
  const createdAt = new Date().toISOString();
  const artifactId = newArtifactId('clusters');
  const base = emb.name.replace(/^embeddings · /, '');
  await saveArtifact(db, {
    id: artifactId,
    kind: 'clusters',
    name: `clusters · ${base} · mcs ${minClusterSize}${minSamplesIn !== null ? ` ms ${minSamplesIn}` : ''} · ${hdb.nClusters} clusters`,
    datasetId: emb.datasetId,
    split: emb.split,
    createdAt,
    producedBy: emb.id,
    data: { assignments, statistics: result.statistics, metadata },
  });
  timings.save = (performance.now() - t) / 1000;
  return { artifactId, n, nClusters: hdb.nClusters, nNoise, reductionDim: result.reductionDim, minSamples: result.minSamples, timings };
}
