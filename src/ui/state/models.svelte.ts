import { getHubModel } from '../../storage/model-cache';
import { deleteModel, listModels, saveModel } from '../../storage/models';
import type { ModelRecord } from '../../storage/schema';
import type { LabDatabase } from '../../storage/db';
import { parseHfConfig } from '../../domain/model/config';
import { readSafetensorsHeader } from '../../domain/model/safetensors';
import { readPytorchBin } from '../../domain/model/torch-bin';
import { DEMO_BASE_FILES } from '../../domain/train/demo-base';

export interface DownloadState {
  repo: string;
  file: string;
  overall: number;
  controller: AbortController;
}

/** Models stored in this browser, and the download / upload actions of the Model section. */
export class ModelsState {
  list = $state<ModelRecord[]>([]);
  download = $state<DownloadState | null>(null);
  message = $state<{ kind: 'ok' | 'error'; text: string } | null>(null);

  constructor(private readonly db: () => LabDatabase | null) {}

  async refresh(): Promise<void> {
    const db = this.db();
    if (db) this.list = await listModels(db);
  }

  async fromHub(repo: string, revision: string, endpoint: string, token: string): Promise<void> {
    const db = this.db();
    if (!db || this.download) return;
    const controller = new AbortController();
    this.download = { repo, file: 'config.json', overall: 0, controller };
    this.message = null;
    try {
      const { model, fromCache } = await getHubModel(db, repo, {
        revision,
        endpoint: endpoint || undefined,
        token: token || undefined,
        signal: controller.signal,
        onProgress: (p) => {
          if (this.download) this.download = { ...this.download, file: p.file, overall: p.overall };
        },
      });
      parseHfConfig(model.meta.config, `${repo}/config.json`);
      this.message = { kind: 'ok', text: fromCache ? `${repo} was already stored here; nothing downloaded.` : `${repo} downloaded and stored (${(model.meta.bytes / 1e6).toFixed(1)} MB of weights).` };
    } catch (e) {
      this.message = { kind: 'error', text: controller.signal.aborted ? 'Download cancelled; nothing was stored.' : (e as Error).message };
    } finally {
      this.download = null;
      await this.refresh();
    }
  }

  cancelDownload(): void {
    this.download?.controller.abort();
  }

  /**
   * Stores a model from files picked by the user: config.json, tokenizer.json or vocab.txt
   * (+ optional tokenizer_config.json), and model.safetensors or pytorch_model.bin.
   * Everything is validated before anything is written.
   */
  async fromFiles(files: File[], name: string): Promise<void> {
    const db = this.db();
    if (!db) return;
    this.message = null;
    try {
      const byName = new Map(files.map((f) => [f.name, f]));
      const configFile = byName.get('config.json');
      if (!configFile) throw new Error('Pick the model\'s config.json together with its tokenizer and weights files.');
      const config = JSON.parse(await configFile.text()) as Record<string, unknown>;
      parseHfConfig(config, 'config.json');
      const tokCfg = byName.get('tokenizer_config.json');
      const tokenizerConfig = tokCfg ? (JSON.parse(await tokCfg.text()) as Record<string, unknown>) : null;
      let tokenizer: unknown;
      const tj = byName.get('tokenizer.json');
      const vt = byName.get('vocab.txt');
      if (tj) tokenizer = { kind: 'tokenizer.json', json: JSON.parse(await tj.text()), tokenizerConfig };
      else if (vt) tokenizer = { kind: 'vocab.txt', vocab: await vt.text(), tokenizerConfig };
      else throw new Error('No tokenizer: pick tokenizer.json or vocab.txt as well.');
      const wf = byName.get('model.safetensors') ?? byName.get('pytorch_model.bin');
      if (!wf) throw new Error('No weights: pick model.safetensors or pytorch_model.bin as well.');
      const bytes = await wf.arrayBuffer();
      if (wf.name === 'model.safetensors') readSafetensorsHeader(new Uint8Array(bytes), wf.name);
      else readPytorchBin(new Uint8Array(bytes), wf.name);
      const id = `upload:${name || 'model'}:${Date.now().toString(36)}`;
      await saveModel(db, { id, name: name || configFile.name, source: 'upload', createdAt: new Date().toISOString(), config, tokenizer, bytes: bytes.byteLength }, { name: wf.name, bytes });
      this.message = { kind: 'ok', text: `Stored "${name || 'model'}" from ${files.length} files.` };
    } catch (e) {
      this.message = { kind: 'error', text: (e as Error).message };
    }
    await this.refresh();
  }

  /**
   * Stores a copy of the shipped demo base (from `baseUrl`, the folder's absolute URL) as a model
   * of its own, through the same checks as picked files: cluster embeddings and experiments can
   * then name it like any stored model.
   */
  async storeDemoBase(baseUrl: string): Promise<void> {
    this.message = null;
    try {
      const files = await Promise.all(
        DEMO_BASE_FILES.map(async (name) => {
          const res = await fetch(new URL(name, baseUrl));
          if (!res.ok) throw new Error(`${name} of the demo base: HTTP ${res.status}`);
          return new File([await res.blob()], name);
        }),
      );
      await this.fromFiles(files, 'demo base');
    } catch (e) {
      this.message = { kind: 'error', text: `The demo base could not be read: ${(e as Error).message}` };
    }
  }

  async remove(id: string): Promise<void> {
    const db = this.db();
    if (!db) return;
    await deleteModel(db, id);
    await this.refresh();
  }
}
