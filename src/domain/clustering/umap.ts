/**
 * The 2-D view of the reduced embeddings (origin-system.md §4.2 step 7): umap-js with the
 * origin's UMAP defaults (n_neighbors 15, min_dist 0.1) and a seeded random source, so the
 * same data always gives the same layout. It is for plots and the dim1/dim2 columns only;
 * umap-js initialises randomly rather than spectrally, so layouts differ from Python's.
 */
import { UMAP } from 'umap-js';
import { kNearestNeighbours, type KnnResult } from './knn';
import { seededRandom } from './random';
import type { DenseMatrix } from './types';

export interface UmapOptions {
  seed?: number;
  nNeighbors?: number;
  minDist?: number;
  /** Optimisation epochs; umap-js picks 500 up to 10k points and 200 above when unset. */
  nEpochs?: number;
  /**
   * Exact neighbours computed elsewhere (point itself excluded, at least nNeighbors − 1 per
   * row). Without it we compute them by brute force rather than with umap-js's approximate
   * NN-descent, which is slower here and depends on the random stream.
   */
  knn?: KnnResult;
  /** Called after each epoch with (epoch, total); return false to stop early. */
  onEpoch?: (epoch: number, total: number) => boolean | void;
  /** Aborts between epochs with an Error named "AbortError". */
  signal?: AbortSignal;
  /** Epochs between yields to the event loop (keeps a worker responsive to messages). */
  yieldEvery?: number;
}

/** Returns an n × 2 row-major layout. */
export async function projectUmap2d(x: DenseMatrix, options: UmapOptions = {}): Promise<Float64Array> {
  const { rows: n, cols: d, data } = x;
  const nNeighbors = options.nNeighbors ?? 15;
  if (n <= nNeighbors) throw new RangeError(`UMAP needs more than nNeighbors = ${nNeighbors} points, got ${n}`);
  const knn = options.knn ?? kNearestNeighbours(x, nNeighbors - 1);
  if (knn.indices.length !== n * knn.k || knn.k < nNeighbors - 1) throw new RangeError(`UMAP: precomputed neighbours must cover ${n} points × ${nNeighbors - 1}`);
  // umap-js expects each list to start with the point itself at distance 0.
  const indices: number[][] = new Array(n);
  const distances: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const ii = [i];
    const dd = [0];
    for (let j = 0; j < nNeighbors - 1; j++) {
      ii.push(knn.indices[i * knn.k + j]);
      dd.push(knn.distances[i * knn.k + j]);
    }
    indices[i] = ii;
    distances[i] = dd;
  }
  const rowsArr: number[][] = new Array(n);
  for (let i = 0; i < n; i++) rowsArr[i] = Array.from(data.subarray(i * d, i * d + d));

  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist: options.minDist ?? 0.1,
    random: seededRandom(options.seed ?? 42),
    ...(options.nEpochs !== undefined ? { nEpochs: options.nEpochs } : {}),
  });
  umap.setPrecomputedKNN(indices, distances);
  const total = umap.initializeFit(rowsArr);
  const yieldEvery = options.yieldEvery ?? 10;
  for (let epoch = 0; epoch < total; epoch++) {
    if (options.signal?.aborted) {
      const err = new Error('UMAP projection aborted');
      err.name = 'AbortError';
      throw err;
    }
    umap.step();
    if (options.onEpoch?.(epoch + 1, total) === false) break;
    if ((epoch + 1) % yieldEvery === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const emb = umap.getEmbedding();
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[i * 2] = emb[i][0];
    out[i * 2 + 1] = emb[i][1];
  }
  return out;
}
