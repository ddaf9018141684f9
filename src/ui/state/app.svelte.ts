import { openLabDB, storageInfo, requestPersistence, type LabDatabase, type StorageInfo } from '../../storage/db';
import type { BackendReport } from '../../worker/protocol';
import { getWorker } from '../worker';

/** App-wide state: the database connection, the worker's backend, storage figures. */
export class AppState {
  db = $state<LabDatabase | null>(null);
  dbError = $state<string | null>(null);
  /** Set when another tab upgraded the schema: this tab must reload to keep working. */
  dbOutdated = $state(false);
  backend = $state<BackendReport | null>(null);
  backendStage = $state('starting');
  backendError = $state<string | null>(null);
  storage = $state<StorageInfo>({ usage: null, quota: null, persisted: null });

  async start(): Promise<void> {
    await Promise.all([this.openDb(), this.startWorker(), this.refreshStorage()]);
  }

  private async openDb(): Promise<void> {
    try {
      this.db = await openLabDB({ onVersionChange: () => (this.dbOutdated = true) });
    } catch (e) {
      this.dbError = e instanceof Error ? e.message : String(e);
    }
  }

  private async startWorker(): Promise<void> {
    try {
      this.backend = await getWorker().call('init', {}, { onProgress: (p) => (this.backendStage = p.stage) });
      this.backendStage = 'ready';
    } catch (e) {
      this.backendError = e instanceof Error ? e.message : String(e);
    }
  }

  async refreshStorage(): Promise<void> {
    this.storage = await storageInfo();
  }

  async persist(): Promise<boolean> {
    const ok = await requestPersistence();
    await this.refreshStorage();
    return ok;
  }
}

export const app = new AppState();
