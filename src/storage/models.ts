import type { LabDatabase } from './db';
import type { ModelRecord } from './schema';

export interface StoredModel {
  meta: ModelRecord;
  weights: { name: string; bytes: ArrayBuffer } | null;
}

/** Writes a model's metadata and weights together: both or neither. */
export async function saveModel(db: LabDatabase, meta: ModelRecord, weights?: { name: string; bytes: ArrayBuffer }): Promise<void> {
  const tx = db.transaction(['models', 'modelFiles'], 'readwrite');
  await Promise.all([
    tx.objectStore('models').put(meta),
    weights ? tx.objectStore('modelFiles').put({ modelId: meta.id, name: weights.name, bytes: weights.bytes }) : tx.objectStore('modelFiles').delete(meta.id),
    tx.done,
  ]);
}

/** Metadata of every stored model, without loading any weights. */
export async function listModels(db: LabDatabase): Promise<ModelRecord[]> {
  const all = await db.getAll('models');
  return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function loadModel(db: LabDatabase, id: string): Promise<StoredModel | null> {
  const tx = db.transaction(['models', 'modelFiles'], 'readonly');
  const [meta, file] = await Promise.all([tx.objectStore('models').get(id), tx.objectStore('modelFiles').get(id), tx.done]);
  if (!meta) return null;
  return { meta, weights: file ? { name: file.name, bytes: file.bytes } : null };
}

export async function deleteModel(db: LabDatabase, id: string): Promise<void> {
  const tx = db.transaction(['models', 'modelFiles'], 'readwrite');
  await Promise.all([tx.objectStore('models').delete(id), tx.objectStore('modelFiles').delete(id), tx.done]);
}

export async function renameModel(db: LabDatabase, id: string, name: string): Promise<void> {
  const tx = db.transaction('models', 'readwrite');
  const meta = await tx.store.get(id);
  if (!meta) throw new Error(`No stored model "${id}"`);
  await tx.store.put({ ...meta, name });
  await tx.done;
}

export function hubModelId(repo: string, revision: string): string {
  return `hub:${repo}@${revision}`;
}
