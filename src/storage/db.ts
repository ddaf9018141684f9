import { openDB, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { DB_NAME, DB_VERSION, type LabDB } from './schema';

type UpgradeTx = IDBPTransaction<LabDB, StoreNames<LabDB>[], 'versionchange'>;

/**
 * One function per schema version, applied in order from the stored version up to DB_VERSION.
 * Steps only create stores/indexes or reshape records in place, so a database written by any
 * older build of the app opens with its data intact.
 */
export const MIGRATIONS: Record<number, (db: IDBPDatabase<LabDB>, tx: UpgradeTx) => void> = {
  1: (db) => {
    db.createObjectStore('datasets', { keyPath: 'id' });
    const ex = db.createObjectStore('examples', { keyPath: ['datasetId', 'split', 'chunk'] });
    ex.createIndex('byDataset', 'datasetId');
    db.createObjectStore('artifacts', { keyPath: 'id' });
  },
  2: (db, tx) => {
    tx.objectStore('examples').createIndex('bySplit', ['datasetId', 'split']);
    const art = tx.objectStore('artifacts');
    art.createIndex('byKind', 'kind');
    art.createIndex('byDataset', 'datasetId');
    db.createObjectStore('models', { keyPath: 'id' });
    db.createObjectStore('experiments', { keyPath: 'id' }).createIndex('bySuite', 'suiteId');
    const runs = db.createObjectStore('runs', { keyPath: 'id' });
    runs.createIndex('byExperiment', 'experimentId');
    runs.createIndex('bySuite', 'suiteId');
    const queue = db.createObjectStore('queue', { keyPath: 'id' });
    queue.createIndex('bySuite', 'suiteId');
    queue.createIndex('byStatus', 'status');
    db.createObjectStore('settings');
  },
  3: (db) => {
    db.createObjectStore('modelFiles', { keyPath: 'modelId' });
  },
  4: (_db, tx) => {
    // Model source "demo" became the shipped pretrained demo base; every experiment stored before
    // meant the demo model trained from scratch, now "demo-scratch" (an absent source meant "demo").
    // The cursor walk runs inside the upgrade transaction: opening completes only after it.
    void (async () => {
      let cursor = await tx.objectStore('experiments').openCursor();
      while (cursor) {
        const spec = cursor.value.config as { app?: { model_source?: string } };
        if (spec && typeof spec === 'object' && (spec.app?.model_source ?? 'demo') === 'demo') {
          await cursor.update({ ...cursor.value, config: { ...spec, app: { ...(spec.app ?? {}), model_source: 'demo-scratch' } } });
        }
        cursor = await cursor.continue();
      }
    })();
  },
};

export interface OpenOptions {
  name?: string;
  /** Called when another tab opened a newer schema: this connection has been closed. */
  onVersionChange?: () => void;
}

export type LabDatabase = IDBPDatabase<LabDB>;

/**
 * Opens (creating or upgrading) the lab database. When another tab needs a newer version,
 * this connection closes itself instead of blocking the upgrade forever; the caller is told
 * so it can ask the user to reload.
 */
export async function openLabDB(opts: OpenOptions = {}): Promise<LabDatabase> {
  const db = await openDB<LabDB>(opts.name ?? DB_NAME, DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, tx) {
      for (let v = oldVersion + 1; v <= DB_VERSION; v++) {
        const step = MIGRATIONS[v];
        if (!step) throw new Error(`No migration to schema version ${v}`);
        step(database, tx);
      }
    },
    blocking() {
      db.close();
      opts.onVersionChange?.();
    },
  });
  return db;
}

/** Space used and available for this origin, and whether storage is persistent. */
export interface StorageInfo {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

/** The part of StorageManager we use; typed structurally so window and worker code both fit. */
export interface StorageNavigator {
  storage?: {
    estimate?(): Promise<{ usage?: number; quota?: number }>;
    persisted?(): Promise<boolean>;
    persist?(): Promise<boolean>;
  };
}

const defaultNavigator = (): StorageNavigator | undefined => (globalThis as { navigator?: StorageNavigator }).navigator;

export async function storageInfo(nav: StorageNavigator | undefined = defaultNavigator()): Promise<StorageInfo> {
  const s = nav?.storage;
  if (!s) return { usage: null, quota: null, persisted: null };
  const est = s.estimate ? await s.estimate() : {};
  const persisted = s.persisted ? await s.persisted() : null;
  return { usage: est.usage ?? null, quota: est.quota ?? null, persisted };
}

export async function requestPersistence(nav: StorageNavigator | undefined = defaultNavigator()): Promise<boolean> {
  return (await nav?.storage?.persist?.()) ?? false;
}
