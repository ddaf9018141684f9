import { describe, it, expect } from 'vitest';
import { denseMatrix, gaussian, projectUmap2d, runClusteringPipeline, seededRandom } from '../../src/domain/clustering';

/** Three separated 8-D blobs of 30 points. */
function blobs(seed: number): { x: Float32Array; truth: number[] } {
  const g = gaussian(seededRandom(seed));
  const xs: number[] = [];
  const truth: number[] = [];
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < 30; i++) {
      for (let t = 0; t < 8; t++) xs.push((t === k ? 10 : 0) + 0.5 * g());
      truth.push(k);
    }
  }
  return { x: Float32Array.from(xs), truth };
}

describe('seeded UMAP', () => {
  it('is reproducible for a seed, differs across seeds, and keeps the blobs apart', async () => {
    const { x, truth } = blobs(1);
    const m = denseMatrix(x, 90, 8);
    const a = await projectUmap2d(m, { seed: 42, nEpochs: 60 });
    const b = await projectUmap2d(m, { seed: 42, nEpochs: 60 });
    const c = await projectUmap2d(m, { seed: 7, nEpochs: 60 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // Every point is nearer to its own blob's centroid than to the others'.
    const centroid = [0, 1, 2].map((k) => {
      const idx = truth.flatMap((t, i) => (t === k ? [i] : []));
      return [idx.reduce((s, i) => s + a[2 * i], 0) / idx.length, idx.reduce((s, i) => s + a[2 * i + 1], 0) / idx.length];
    });
    truth.forEach((t, i) => {
      const d = centroid.map(([cx, cy]) => Math.hypot(a[2 * i] - cx, a[2 * i + 1] - cy));
      expect(d.indexOf(Math.min(...d))).toBe(t);
    });
  });

  it('stops on abort', async () => {
    const { x } = blobs(2);
    const ctl = new AbortController();
    ctl.abort();
    await expect(projectUmap2d(denseMatrix(x, 90, 8), { nEpochs: 10, signal: ctl.signal })).rejects.toThrow(/aborted/);
  });
});

describe('runClusteringPipeline', () => {
  it('standardizes, reduces, clusters, summarizes and lays out', async () => {
    const { x, truth } = blobs(3);
    const stages: string[] = [];
    const r = await runClusteringPipeline(denseMatrix(x, 90, 8), {
      reductionDim: 4,
      minClusterSize: 10,
      umap: { nEpochs: 30 },
      onStage: (s) => stages.push(s),
    });
    expect(stages).toEqual(['standardize', 'pca', 'neighbours', 'hdbscan', 'statistics', 'umap']);
    expect(r.reductionDim).toBe(4);
    expect(r.minSamples).toBe(10);
    expect(r.hdbscan.nClusters).toBe(3);
    for (let k = 0; k < 3; k++) {
      const labels = new Set(truth.flatMap((t, i) => (t === k && r.hdbscan.labels[i] >= 0 ? [r.hdbscan.labels[i]] : [])));
      expect(labels.size).toBe(1);
    }
    expect(r.statistics.reduce((s, row) => s + row.size, 0)).toBe(90);
    expect(r.statistics.every((row, i) => i === 0 || row.size <= r.statistics[i - 1].size)).toBe(true);
    expect(r.layout).toHaveLength(180);
    expect(r.pca.explainedVarianceRatio[0]).toBeGreaterThan(r.pca.explainedVarianceRatio[3]);
  });

  it('caps the PCA dimension at the data size', async () => {
    const { x } = blobs(4);
    const r = await runClusteringPipeline(denseMatrix(x.slice(0, 20 * 8), 20, 8), { minClusterSize: 5 });
    expect(r.reductionDim).toBe(8);
    expect(r.layout).toBeNull();
  });
});
