import { openLabDB, storageInfo, requestPersistence, type LabDatabase, type StorageInfo } from '../../storage/db';
import type { BackendReport } from '../../worker/protocol';
import { BackendState } from './backend.svelte';
import { holdWorkerUntil } from '../worker';
import { getImportClient } from '../../worker/import-client';
import { seedDemoDataset } from './datasets.svelte';

/** App-wide state: the database connection, the worker's backend, storage figures. */
export class AppState {
  db = $state<LabDatabase | null>(null);
  dbError = $state<string | null>(null);
  /** Set when another tab upgraded the schema: this tab must reload to keep working. */
  dbOutdated = $state(false);
  /** Backend choice by measurement and the training worker's backend. */
  readonly compute = new BackendState();
  get backend(): BackendReport | null {
    return this.compute.report;
  }
  get backendStage(): string {
    return this.compute.measuring ? `measuring ${this.compute.measuring}` : 'starting';
  }
  get backendError(): string | null {
    return this.compute.error;
  }
  storage = $state<StorageInfo>({ usage: null, quota: null, persisted: null });

  /** True once the demo dataset exists (or was deliberately deleted by the user earlier). */
  demoReady = $state(false);

  async start(): Promise<void> {
    const opened = this.openDb();
    const worker = opened.then(() => this.startWorker());
    // Requests to the training worker wait until its backend is chosen and started.
    holdWorkerUntil(worker);
    await Promise.all([opened.then(() => this.seedDemo()), worker, this.refreshStorage()]);
  }

  /**
   * The demo dataset is generated at first start, so the lab has data offline with no download.
   * A Web Lock makes tabs opened together seed it once, one after the other.
   */
  private async seedDemo(): Promise<void> {
    if (!this.db) return;
    const seed = () => seedDemoDataset(getImportClient());
    try {
      if (navigator.locks) await navigator.locks.request('qa-lab:seed-demo', seed);
      else await seed();
      this.demoReady = true;
    } catch (e) {
      this.dbError = `The demo dataset could not be created: ${e instanceof Error ? e.message : String(e)}`;
    }
    await this.refreshStorage();
  }

  private async openDb(): Promise<void> {
    try {
      this.db = await openLabDB({ onVersionChange: () => (this.dbOutdated = true) });
    } catch (e) {
      this.dbError = e instanceof Error ? e.message : String(e);
    }
  }

  private async startWorker(): Promise<void> {
    // A failure is shown through compute.error (status bar, Settings).
    await this.compute.start(this.db).catch(() => undefined);
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
