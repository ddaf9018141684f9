/// <reference lib="webworker" />
/**
 * The cluster worker: PCA, HDBSCAN and UMAP off the main thread, apart from the training
 * worker so a clustering never waits behind a training run (and the other way round). It needs
 * no tfjs, so its bundle stays small.
 */
import { serve, type HandlersOf } from './router';
import type { ClusterApi } from './api/cluster';
import { clusterEmbeddingsTo } from './cluster-job';
import { openLabDB, type LabDatabase } from '../storage/db';

declare const self: DedicatedWorkerGlobalScope;

const connections = new Map<string, Promise<LabDatabase>>();

function db(name?: string): Promise<LabDatabase> {
  const key = name ?? '';
  let c = connections.get(key);
  if (!c) {
    c = openLabDB({ name, onVersionChange: () => connections.delete(key) });
    connections.set(key, c);
  }
  return c;
}

const handlers: HandlersOf<ClusterApi> = {
  clusterEmbeddings: async (params, ctx) => clusterEmbeddingsTo(await db(params.dbName), params, ctx),
};

serve<ClusterApi>(self, handlers);
