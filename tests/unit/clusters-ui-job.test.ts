// The cluster worker's job (src/worker/cluster-job.ts) against fake IndexedDB, and the cluster
// client's terminate-on-abort behaviour (src/worker/cluster-client.ts) over a MessageChannel.
import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { clusterEmbeddingsTo } from '../../src/worker/cluster-job';
import { ClusterWorkerClient } from '../../src/worker/cluster-client';
import { CallCancelledError } from '../../src/worker/client';
import { CancelledError } from '../../src/worker/protocol';
import { serve, type HandlersOf } from '../../src/worker/router';
import type { ClusterApi, ClusterEmbeddingsProgress } from '../../src/worker/api/cluster';
import { openLabDB, type LabDatabase } from '../../src/storage/db';
import { getArtifact, saveArtifact } from '../../src/storage/artifacts';
import { gaussian, seededRandom } from '../../src/domain/clustering/random';

/** Three well-separated blobs of 40 points in 12 dimensions. */
function blobs(): { ids: string[]; data: Float32Array; dim: number; truth: number[] } {
  const dim = 12;
  const g = gaussian(seededRandom(3));
  const ids: string[] = [];
  const truth: number[] = [];
  const data = new Float32Array(120 * dim);
  for (let i = 0; i < 120; i++) {
    const c = i % 3;
    ids.push(`ex${i}`);
    truth.push(c);
    for (let j = 0; j < dim; j++) data[i * dim + j] = (j % 3 === c ? 8 : 0) + 0.3 * g();
  }
  return { ids, data, dim, truth };
}

async function dbWithEmbeddings(): Promise<{ db: LabDatabase; truth: number[] }> {
  const db = await openLabDB({ name: `cluster-job-${crypto.randomUUID()}` });
  const b = blobs();
  await saveArtifact(db, {
    id: 'embeddings:test',
    kind: 'embeddings',
    name: 'embeddings · tiny · demo · train · 120 rows',
    datasetId: 'ds1',
    split: 'train',
    createdAt: new Date().toISOString(),
    data: { ids: b.ids, dim: b.dim, data: b.data, modelId: 'run:x' },
  });
  return { db, truth: b.truth };
}

const live = () => new AbortController().signal;

describe('clusterEmbeddingsTo', () => {
  it('clusters a stored embeddings artifact and stores assignments, statistics and cluster_metadata.json', async () => {
    const { db, truth } = await dbWithEmbeddings();
    const stages: ClusterEmbeddingsProgress[] = [];
    const res = await clusterEmbeddingsTo(db, { embeddingsId: 'embeddings:test', reductionDim: 5, minClusterSize: 10 }, { signal: live(), progress: (p) => stages.push(p) });
    expect(res.nClusters).toBe(3);
    expect(res.n).toBe(120);
    expect(res.reductionDim).toBe(5);
    expect(res.minSamples).toBe(10);
    const order = [...new Set(stages.map((s) => s.stage))];
    expect(order).toEqual(['load', 'standardize', 'pca', 'neighbours', 'hdbscan', 'statistics', 'umap', 'save']);
    expect(stages.filter((s) => s.stage === 'umap' && s.epochs).length).toBeGreaterThan(0);

    const art = await getArtifact(db, res.artifactId, 'clusters');
    expect(art).not.toBeNull();
    expect(art!.datasetId).toBe('ds1');
    expect(art!.split).toBe('train');
    const a = art!.data.assignments;
    expect(a.map((r) => r.id)).toEqual(Array.from({ length: 120 }, (_, i) => `ex${i}`));
    // Each found cluster is one generating blob.
    const blobOf = new Map<number, Set<number>>();
    a.forEach((r, i) => {
      expect(Number.isFinite(r.dim1) && Number.isFinite(r.dim2)).toBe(true);
      if (r.cluster < 0) return;
      if (!blobOf.has(r.cluster)) blobOf.set(r.cluster, new Set());
      blobOf.get(r.cluster)!.add(truth[i]);
    });
    expect([...blobOf.values()].every((s) => s.size === 1)).toBe(true);
    expect(art!.data.statistics.map((s) => s.size).reduce((x, y) => x + y, 0)).toBe(120);
    expect(art!.data.metadata).toMatchObject({
      embedding_dir: 'embeddings · tiny · demo · train · 120 rows',
      n_samples: 120,
      embedding_dim: 12,
      reduction_dim: 5,
      reduction_method: 'pca',
      clustering_method: 'hdbscan',
      min_cluster_size: 10,
      min_samples: 10,
      metric: 'euclidean',
      n_clusters: 3,
      n_noise: res.nNoise,
      visualization_method: 'umap',
      embeddings_artifact: 'embeddings:test',
      model_id: 'run:x',
    });
    db.close();
  });

  it('skips the map when asked (dim1/dim2 NaN) and honours min_samples', async () => {
    const { db } = await dbWithEmbeddings();
    const res = await clusterEmbeddingsTo(db, { embeddingsId: 'embeddings:test', reductionDim: 5, minClusterSize: 10, minSamples: 3, umap: false }, { signal: live(), progress: () => {} });
    expect(res.minSamples).toBe(3);
    const art = await getArtifact(db, res.artifactId, 'clusters');
    expect(art!.data.assignments.every((r) => Number.isNaN(r.dim1) && Number.isNaN(r.dim2))).toBe(true);
    expect(art!.data.metadata).toMatchObject({ visualization_method: null, min_samples: 3 });
    db.close();
  });

  it('rejects bad settings and missing input with clear messages, and stores nothing when cancelled', async () => {
    const { db } = await dbWithEmbeddings();
    const run = (p: Partial<Parameters<typeof clusterEmbeddingsTo>[1]>, signal = live()) =>
      clusterEmbeddingsTo(db, { embeddingsId: 'embeddings:test', reductionDim: 5, ...p }, { signal, progress: () => {} });
    await expect(run({ minClusterSize: 1 })).rejects.toThrow(/min_cluster_size must be an integer ≥ 2/);
    await expect(run({ minSamples: 0 })).rejects.toThrow(/min_samples/);
    await expect(run({ reductionDim: 0 })).rejects.toThrow(/reduction dim/);
    await expect(run({ minClusterSize: 500 })).rejects.toThrow(/exceeds the 120 embeddings/);
    await expect(run({ embeddingsId: 'embeddings:nope' })).rejects.toThrow(/No embeddings artifact/);

    const controller = new AbortController();
    const stopped = clusterEmbeddingsTo(db, { embeddingsId: 'embeddings:test', reductionDim: 5 }, {
      signal: controller.signal,
      progress: (p) => {
        if (p.stage === 'pca') controller.abort();
      },
    });
    await expect(stopped).rejects.toBeInstanceOf(CancelledError);
    expect(await db.countFromIndex('artifacts', 'byKind', 'clusters')).toBe(0);
    db.close();
  });
});

describe('ClusterWorkerClient', () => {
  /** A fake Worker: the handlers served over a MessageChannel, with terminate() closing it. */
  function fakeSpawner(handlers: HandlersOf<ClusterApi>) {
    const spawned: { terminated: boolean }[] = [];
    const spawn = () => {
      const ch = new MessageChannel();
      const state = { terminated: false };
      spawned.push(state);
      serve<ClusterApi>(
        {
          postMessage: (m, t) => !state.terminated && ch.port1.postMessage(m, t as never),
          addEventListener: (_t, fn) => ch.port1.on('message', (data) => fn({ data } as MessageEvent)),
        },
        handlers,
      );
      return {
        postMessage: (m: unknown, t?: Transferable[]) => ch.port2.postMessage(m, t as never),
        addEventListener: (type: string, fn: (ev: MessageEvent) => void) => {
          if (type === 'message') ch.port2.on('message', (data) => fn({ data } as MessageEvent));
        },
        terminate: () => {
          state.terminated = true;
          ch.port1.close();
          ch.port2.close();
        },
      } as unknown as Worker;
    };
    return { spawn, spawned };
  }

  it('terminates the worker on abort, rejects with CallCancelledError, and starts a fresh worker for the next call', async () => {
    let calls = 0;
    const { spawn, spawned } = fakeSpawner({
      async clusterEmbeddings(_p, { progress }) {
        calls++;
        progress({ stage: 'load' });
        if (calls === 1) await new Promise(() => {}); // a stage that never ends by itself
        return { artifactId: 'clusters:1', n: 1, nClusters: 0, nNoise: 1, reductionDim: 1, minSamples: 1, timings: {} };
      },
    });
    const client = new ClusterWorkerClient(spawn);
    const controller = new AbortController();
    const first = client.call('clusterEmbeddings', { embeddingsId: 'e' }, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(first).rejects.toBeInstanceOf(CallCancelledError);
    expect(spawned.map((s) => s.terminated)).toEqual([true]);
    const second = await client.call('clusterEmbeddings', { embeddingsId: 'e' });
    expect(second.artifactId).toBe('clusters:1');
    expect(spawned.length).toBe(2);
    client.terminate();
  });
});
