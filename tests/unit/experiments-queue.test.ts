import { describe, it, expect } from 'vitest';
import { openLabDB } from '../../src/storage/db';
import { IdbQueueStore, enqueueSuite, listQueue, listRuns, requeue } from '../../src/storage/queue';
import { QueueRunner, type Executor } from '../../src/domain/experiments/queue-runner';

interface Spec {
  name: string;
  fail?: boolean;
  slow?: boolean;
}
interface Result {
  experiment_name: string;
  success: boolean;
  error: string | null;
}

let n = 0;
const freshDb = () => openLabDB({ name: `queue-${Date.now()}-${n++}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const hooks = {
  isSuccess: (r: Result) => r.success,
  failure: (spec: Spec | null, _e: unknown, error: Error): Result => ({ experiment_name: spec?.name ?? '?', success: false, error: error.message }),
};

const executor: Executor<Spec, Result, number> = async (spec, _entry, { signal, onProgress }) => {
  for (let i = 0; i < (spec.slow ? 200 : 2); i++) {
    if (signal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    onProgress(i);
    await sleep(2);
  }
  if (spec.fail) throw new Error(`${spec.name} diverged`);
  return { experiment_name: spec.name, success: true, error: null };
};

const specs = (...xs: Spec[]) => xs.map((spec) => ({ name: spec.name, configHash: 'abcd1234', spec }));

describe('experiment queue runner', () => {
  it('runs a suite in order, continues after a failure by default, and records one result each', async () => {
    const db = await freshDb();
    await enqueueSuite(db, 's1', specs({ name: 'baseline' }, { name: 'broken', fail: true }, { name: 'cartography_filter' }));
    const started: string[] = [];
    const runner = new QueueRunner(new IdbQueueStore<Spec, Result>(db), executor, { ...hooks, onStart: (_e, s) => started.push(s.name) });
    const summary = await runner.run();
    expect(summary).toEqual({ done: 2, failed: 1, cancelled: 0, stopped: false });
    expect(started).toEqual(['baseline', 'broken', 'cartography_filter']);
    const runs = await listRuns(db);
    expect(runs.map((r) => (r.result as unknown as Result).experiment_name).sort()).toEqual(['baseline', 'broken', 'cartography_filter']);
    expect((runs.find((r) => (r.result as unknown as Result).experiment_name === 'broken')!.result as unknown as Result).error).toBe('broken diverged');
    db.close();
  });

  it('stops on the first failure when asked, leaving the rest pending', async () => {
    const db = await freshDb();
    await enqueueSuite(db, 's1', specs({ name: 'a', fail: true }, { name: 'b' }));
    const summary = await new QueueRunner(new IdbQueueStore<Spec, Result>(db), executor, hooks).run({ stopOnError: true });
    expect(summary).toEqual({ done: 0, failed: 1, cancelled: 0, stopped: true });
    expect((await listQueue(db)).map((q) => q.status)).toEqual(['failed', 'pending']);
    db.close();
  });

  it('resumes an interrupted queue at the interrupted experiment with no duplicate results', async () => {
    const db = await freshDb();
    await enqueueSuite(db, 's1', specs({ name: 'a' }, { name: 'b' }, { name: 'c' }));
    const store = new IdbQueueStore<Spec, Result>(db);
    // Simulate a tab closed mid-way: 'a' finished, 'b' was running when the page went away.
    const first = (await store.nextPending())!;
    await store.markRunning(first.id);
    await store.finish(first, 'done', { experiment_name: 'a', success: true, error: null });
    const second = (await store.nextPending())!;
    await store.markRunning(second.id);

    const started: string[] = [];
    const summary = await new QueueRunner(store, executor, { ...hooks, onStart: (_e, s) => started.push(s.name) }).run();
    expect(started).toEqual(['b', 'c']);
    expect(summary.done).toBe(2);
    const names = (await listRuns(db)).map((r) => (r.result as unknown as Result).experiment_name).sort();
    expect(names).toEqual(['a', 'b', 'c']);
    db.close();
  });

  it('cancels the current experiment and goes on, or cancels the whole queue', async () => {
    const db = await freshDb();
    await enqueueSuite(db, 's1', specs({ name: 'slow', slow: true }, { name: 'next' }, { name: 'last', slow: true }, { name: 'never' }));
    const runner = new QueueRunner(new IdbQueueStore<Spec, Result>(db), executor, {
      ...hooks,
      onProgress: (entry, p) => {
        if (p === 3 && entry.experimentId.endsWith('slow_abcd1234')) runner.cancelCurrent();
        if (p === 3 && entry.experimentId.endsWith('last_abcd1234')) runner.cancelQueue();
      },
    });
    const summary = await runner.run();
    expect(summary).toEqual({ done: 1, failed: 0, cancelled: 2, stopped: true });
    expect((await listQueue(db)).map((q) => q.status)).toEqual(['cancelled', 'done', 'cancelled', 'pending']);
    expect((await listRuns(db)).length).toBe(1);

    // Re-running: cancelled items go back to the queue; the finished one is not repeated.
    expect(await requeue(db, () => true)).toBe(2);
    const again = await new QueueRunner(new IdbQueueStore<Spec, Result>(db), executor, hooks).run();
    expect(again.done).toBe(3);
    expect((await listRuns(db)).length).toBe(4);
    db.close();
  });

  it('re-running a failed experiment keeps the failed attempt and adds a new one', async () => {
    const db = await freshDb();
    await enqueueSuite(db, 's1', specs({ name: 'flaky', fail: true }));
    await new QueueRunner(new IdbQueueStore<Spec, Result>(db), executor, hooks).run();
    await requeue(db, (q) => q.status === 'failed');
    const [item] = await listQueue(db);
    expect(item.attempt).toBe(2);
    await new QueueRunner(new IdbQueueStore<Spec, Result>(db), executor, hooks).run();
    expect((await listRuns(db)).map((r) => r.id).sort()).toEqual([`${item.id}#1`, `${item.id}#2`]);
    db.close();
  });
});
