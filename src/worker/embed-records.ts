/**
 * Example embeddings into the database, in the training worker (the embedding itself is
 * domain/clustering/embed-records.ts).
 *
 * Kept apart from handlers/embeddings.ts (which selects the backend) so Node tests can run it on
 * a backend of their choosing.
 */
import { throwIfCancelled, type HandlerContext } from './router';
import type { ExtractEmbeddingsParams, ExtractEmbeddingsProgress, ExtractEmbeddingsResult } from './api/embeddings';
import type { LabDatabase } from '../storage/db';
import { getDataset, readFirstRows } from '../storage/datasets';
import { newArtifactId, saveArtifact } from '../storage/artifacts';
import { loadStoredQAModel } from '../storage/load-model';
import { embedRecords, type EmbedOptions, type EmbeddedRecords } from '../domain/clustering/embed-records';

/**
 * The handler's work against a database: reads the rows and the model, embeds, stores the
 * artifact. The backend must be selected by the caller (the worker's ensureBackend, or a test's
 * initNodeBackend).
 */
export async function extractEmbeddingsTo(
  db: LabDatabase,
  p: ExtractEmbeddingsParams,
  ctx: Pick<HandlerContext<ExtractEmbeddingsProgress>, 'signal' | 'progress'>,
  padding: EmbedOptions['padding'] = 'bucket',
): Promise<ExtractEmbeddingsResult> {
  const t0 = performance.now();
  const dataset = await getDataset(db, p.datasetId);
  if (!dataset) throw new Error(`No dataset "${p.datasetId}" (it may have been deleted)`);
  if (!dataset.splits[p.split]) throw new Error(`Dataset "${dataset.name}" has no "${p.split}" split (it has ${Object.keys(dataset.splits).join(', ')})`);
  const maxSamples = p.maxSamples ?? null;
  if (maxSamples !== null && !(Number.isInteger(maxSamples) && maxSamples >= 1)) throw new RangeError(`max samples must be a positive integer, got ${maxSamples}`);
  const rows = await readFirstRows(db, dataset.id, p.split, maxSamples);
  if (rows.length === 0) throw new Error(`The "${p.split}" split of "${dataset.name}" is empty`);
  throwIfCancelled(ctx.signal);
  const { model, tokenizer, meta } = await loadStoredQAModel(db, p.modelId, 42);
  let embedded: EmbeddedRecords;
  try {
    embedded = await embedRecords(model, tokenizer, rows, { batchSize: p.batchSize, maxLength: p.maxLength, padding, checkCancelled: () => throwIfCancelled(ctx.signal), onProgress: (x) => ctx.progress(x) });
  } finally {
    model.dispose();
  }
  throwIfCancelled(ctx.signal);
  const createdAt = new Date().toISOString();
  const artifactId = newArtifactId('embeddings');
  await saveArtifact(db, {
    id: artifactId,
    kind: 'embeddings',
    name: `embeddings · ${meta.name} · ${dataset.name} · ${p.split} · ${rows.length} rows`,
    datasetId: dataset.id,
    split: p.split,
    createdAt,
    producedBy: p.modelId,
    data: { ids: embedded.ids, dim: embedded.dim, data: embedded.data, modelId: p.modelId },
  });
  return {
    artifactId,
    n: rows.length,
    dim: embedded.dim,
    noAnswerTokens: embedded.noAnswerTokens,
    maxLength: embedded.maxLength,
    seconds: (performance.now() - t0) / 1000,
  };
}

