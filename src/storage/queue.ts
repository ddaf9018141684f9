import type { LabDatabase } from './db';
import type { ExperimentRecord, QueueItem, RunRecord } from './schema';
import type { QueueEntry, QueueStore } from '../domain/experiments/queue-runner';

export interface EnqueueInput<Spec> {
  name: string;
  configHash: string;
  spec: Spec;
}

const now = () => new Date().toISOString();

export function runIdOf(item: Pick<QueueItem, 'id' | 'attempt'>): string {
  return `${item.id}#${item.attempt}`;
}

/**
 * Adds a suite to the queue: its experiments and queue items in one transaction, after every
 * item already queued.
 */
export async function enqueueSuite<Spec>(db: LabDatabase, suiteId: string, experiments: EnqueueInput<Spec>[]): Promise<QueueItem[]> {
  const tx = db.transaction(['experiments', 'queue'], 'readwrite');
  const queue = tx.objectStore('queue');
  let maxOrder = 0;
  for (const item of await queue.getAll()) maxOrder = Math.max(maxOrder, item.order);
  const items: QueueItem[] = [];
  const createdAt = now();
  experiments.forEach((e, i) => {
    const experimentId = `${suiteId}/${i}/${e.name}_${e.configHash}`;
    const rec: ExperimentRecord = { id: experimentId, name: e.name, configHash: e.configHash, config: e.spec as Record<string, unknown>, suiteId, createdAt };
    items.push({ id: `q:${experimentId}`, suiteId, order: maxOrder + i + 1, experimentId, status: 'pending', attempt: 1, updatedAt: createdAt });
    void tx.objectStore('experiments').put(rec);
    void queue.put(items[i]);
  });
  await tx.done;
  return items;
}

/** Puts failed or cancelled items of a suite (or all) back in the queue as a new attempt. */
export async function requeue(db: LabDatabase, filter: (item: QueueItem) => boolean): Promise<number> {
  const tx = db.transaction('queue', 'readwrite');
  let n = 0;
  for (const item of await tx.store.getAll()) {
    if ((item.status === 'failed' || item.status === 'cancelled') && filter(item)) {
      await tx.store.put({ ...item, status: 'pending', attempt: item.status === 'failed' ? item.attempt + 1 : item.attempt, updatedAt: now() });
      n++;
    }
  }
  await tx.done;
  return n;
}

/** Removes pending items (e.g. the rest of a cancelled suite); finished results stay. */
export async function dropPending(db: LabDatabase, filter: (item: QueueItem) => boolean = () => true): Promise<number> {
  const tx = db.transaction('queue', 'readwrite');
  let n = 0;
  for (const item of await tx.store.getAll()) {
    if (item.status === 'pending' && filter(item)) {
      await tx.store.delete(item.id);
      n++;
    }
  }
  await tx.done;
  return n;
}

export async function listQueue(db: LabDatabase): Promise<QueueItem[]> {
  return (await db.getAll('queue')).sort((a, b) => a.order - b.order);
}

export async function listRuns(db: LabDatabase): Promise<RunRecord[]> {
  return (await db.getAll('runs')).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The IndexedDB-backed queue the runner drives. */
export class IdbQueueStore<Spec, Result extends object> implements QueueStore<Spec, Result> {
  constructor(private readonly db: LabDatabase) {}

  async recoverInterrupted(): Promise<number> {
    const tx = this.db.transaction('queue', 'readwrite');
    const running = await tx.store.index('byStatus').getAll('running');
    for (const item of running) await tx.store.put({ ...item, status: 'pending', updatedAt: now() });
    await tx.done;
    return running.length;
  }

  async nextPending(): Promise<QueueEntry | null> {
    const pending = await this.db.getAllFromIndex('queue', 'byStatus', 'pending');
    if (pending.length === 0) return null;
    const next = pending.reduce((a, b) => (b.order < a.order ? b : a));
    return toEntry(next);
  }

  async markRunning(id: string): Promise<void> {
    const tx = this.db.transaction('queue', 'readwrite');
    const item = await tx.store.get(id);
    if (!item) throw new Error(`Queue item ${id} disappeared`);
    await tx.store.put({ ...item, status: 'running', updatedAt: now() });
    await tx.done;
  }

  async finish(entry: QueueEntry, status: 'done' | 'failed' | 'cancelled', result: Result | null): Promise<void> {
    const tx = this.db.transaction(['queue', 'runs'], 'readwrite');
    const item = await tx.objectStore('queue').get(entry.id);
    if (!item) throw new Error(`Queue item ${entry.id} disappeared`);
    const updated: QueueItem = { ...item, status, updatedAt: now() };
    if (result) {
      // Keyed by item and attempt: writing the same attempt twice replaces, never duplicates.
      const runId = runIdOf(item);
      await tx.objectStore('runs').put({ id: runId, experimentId: item.experimentId, suiteId: item.suiteId, result: result as Record<string, unknown>, createdAt: now() });
      updated.runId = runId;
    }
    await tx.objectStore('queue').put(updated);
    await tx.done;
  }

  async loadSpec(experimentId: string): Promise<Spec> {
    const rec = await this.db.get('experiments', experimentId);
    if (!rec) throw new Error(`Experiment ${experimentId} is queued but its configuration is missing`);
    return rec.config as Spec;
  }
}

function toEntry(item: QueueItem): QueueEntry {
  return { id: item.id, suiteId: item.suiteId, order: item.order, experimentId: item.experimentId, status: item.status, attempt: item.attempt };
}
