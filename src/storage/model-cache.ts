import { downloadModelRepo, type ModelDownloadProgress } from '../domain/hub/model-repo';
import type { HubRequestOptions } from '../domain/data/hub';
import type { LabDatabase } from './db';
import { hubModelId, loadModel, saveModel, type StoredModel } from './models';

/**
 * A Hub model from the local cache when it was downloaded before (no network at all), else
 * downloaded, stored in one transaction, and returned. Offline use needs one earlier download.
 */
export async function getHubModel(
  db: LabDatabase,
  repo: string,
  opts: HubRequestOptions & { revision?: string; onProgress?: (p: ModelDownloadProgress) => void } = {},
): Promise<{ model: StoredModel; fromCache: boolean }> {
  const revision = opts.revision?.trim() || 'main';
  const id = hubModelId(repo.trim(), revision);
  const cached = await loadModel(db, id);
  if (cached?.weights) return { model: cached, fromCache: true };

  const files = await downloadModelRepo(repo, { ...opts, revision });
  const weights = { name: files.weights.name, bytes: files.weights.bytes.slice().buffer };
  const tokenizer = files.tokenizer.kind === 'tokenizer.json'
    ? { kind: 'tokenizer.json', json: files.tokenizer.json, tokenizerConfig: files.tokenizer.tokenizerConfig }
    : { kind: 'vocab.txt', vocab: files.tokenizer.vocab, tokenizerConfig: files.tokenizer.tokenizerConfig };
  const meta = {
    id,
    name: files.repo,
    source: `hub:${files.repo}`,
    createdAt: new Date().toISOString(),
    config: files.config,
    tokenizer,
    bytes: weights.bytes.byteLength,
    hub: { endpoint: files.endpoint, repo: files.repo, revision },
  };
  await saveModel(db, meta, weights);
  return { model: { meta, weights }, fromCache: false };
}
