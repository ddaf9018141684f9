/** The training worker's handlers for the embeddings API (the work is in ../embed-records.ts). */
import type { HandlersOf } from '../router';
import type { EmbeddingsApi } from '../api/embeddings';
import { ensureBackend } from './backend-state';
import { workerDb } from './experiment';
import { extractEmbeddingsTo } from '../embed-records';

export const embeddingsHandlers: HandlersOf<EmbeddingsApi> = {
  async extractEmbeddings(params, ctx) {
    const { backend } = await ensureBackend();
    // Shader backends compile per input shape: one fixed shape beats bucketed padding there.
    const padding = backend === 'webgpu' || backend === 'webgl' ? 'max_length' : 'bucket';
    return extractEmbeddingsTo(await workerDb(params.dbName), params, ctx, padding);
  },
};
