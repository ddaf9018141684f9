/** The training worker's handlers for the embeddings API (the work is in ../embed-records.ts). */
import type { HandlersOf } from '../router';
import type { EmbeddingsApi } from '../api/embeddings';
import { ensureBackend } from './backend-state';
import { workerDb } from './experiment';
import { extractEmbeddingsTo } from '../embed-records';

export const embeddingsHandlers: HandlersOf<EmbeddingsApi> = {
  async extractEmbeddings(params, ctx) {
    await ensureBackend();
    return extractEmbeddingsTo(await workerDb(params.dbName), params, ctx);
  },
};
