import { describe, expect, it, vi } from 'vitest';
import { batchEta, batchProgress, currentBatch, itemDurations, itemOutcome, statusLabel, throttle } from '../../src/ui/state/runs-view';
import type { QueueItem, QueueStatus, RunRecord } from '../../src/storage/schema';
import { liveCurve, liveHistory } from '../../src/ui/state/runs.svelte';

let order = 0;
const item = (suiteId: string, status: QueueStatus, extra: Partial<QueueItem> = {}): QueueItem => {
  order++;
  return { id: `q${order}`, suiteId, order, experimentId: `e${order}`, status, attempt: 1, updatedAt: '', ...extra };
};

const run = (id: string, result: Record<string, unknown>): RunRecord => ({ id, experimentId: 'e', result, createdAt: '' });

describe('current batch', () => {
  it('is every item of the suites still in progress, in queue order', () => {
    const old = [item('s1', 'done'), item('s1', 'failed')];
    const a = [item('s2', 'done'), item('s2', 'running')];
    const b = [item('s3', 'pending')];
    const batch = currentBatch([...b, ...old, ...a]);
    expect(batch.map((i) => i.id)).toEqual([...a, ...b].map((i) => i.id));
    expect(batchProgress(batch)).toEqual({ total: 3, finished: 1, done: 1, failed: 0, cancelled: 0, pending: 1, running: 1 });
  });

  it('is the last suite when everything is finished, and empty for an empty queue', () => {
    const s1 = [item('s1', 'done')];
    const s2 = [item('s2', 'done'), item('s2', 'cancelled')];
    expect(currentBatch([...s2, ...s1]).map((i) => i.id)).toEqual(s2.map((i) => i.id));
    expect(currentBatch([])).toEqual([]);
  });

  it('takes a re-run (pending again) back into the batch with its suite', () => {
    const s1 = [item('s1', 'done'), item('s1', 'pending', { attempt: 2 })];
    const s2 = [item('s2', 'done')];
    expect(currentBatch([...s1, ...s2]).map((i) => i.id)).toEqual(s1.map((i) => i.id));
    expect(statusLabel(s1[1])).toBe('pending · attempt 2');
    expect(statusLabel(s1[0])).toBe('done');
  });
});

describe('ETA', () => {
  it('adds the running experiment\'s remaining time to the mean duration of finished ones per pending item', () => {
    const batch = [item('s', 'done'), item('s', 'failed'), item('s', 'running'), item('s', 'pending'), item('s', 'pending')];
    const durations = new Map([
      [batch[0].id, 100],
      [batch[1].id, 60],
    ]);
    expect(batchEta(batch, durations, { elapsedSeconds: 30, etaSeconds: 20 })).toBe(20 + 2 * 80);
    // Without a trainer estimate: the mean minus what already elapsed.
    expect(batchEta(batch, durations, { elapsedSeconds: 30, etaSeconds: null })).toBe(50 + 2 * 80);
    expect(batchEta(batch, durations, { elapsedSeconds: 300, etaSeconds: null })).toBe(0 + 2 * 80);
  });

  it('projects from the running experiment before any finished, and gives up without any figure', () => {
    const batch = [item('s', 'running'), item('s', 'pending')];
    expect(batchEta(batch, new Map(), { elapsedSeconds: 10, etaSeconds: 30 })).toBe(30 + 40);
    expect(batchEta(batch, new Map(), { elapsedSeconds: 10, etaSeconds: null })).toBeNull();
    expect(batchEta([item('s', 'running')], new Map(), { elapsedSeconds: 10, etaSeconds: Infinity })).toBeNull();
    expect(batchEta([item('s', 'done')], new Map(), null)).toBe(0);
    // Cancelled runs say nothing about durations.
    const c = [item('s', 'cancelled'), item('s', 'pending')];
    expect(batchEta(c, new Map([[c[0].id, 5]]), null)).toBeNull();
  });
});

describe('item outcome', () => {
  it('reads the latest attempt\'s result', () => {
    const runs = new Map([
      ['r1', run('r1', { success: true, metrics: { eval_f1: 61.5, eval_exact_match: 50 }, error: null, duration_seconds: 12.5 })],
      ['r2', run('r2', { success: false, metrics: {}, error: 'cartography metrics missing', duration_seconds: null })],
    ]);
    expect(itemOutcome({ runId: 'r1' }, runs)).toEqual({ success: true, f1: 61.5, exactMatch: 50, error: null, durationSeconds: 12.5 });
    expect(itemOutcome({ runId: 'r2' }, runs)).toEqual({ success: false, f1: null, exactMatch: null, error: 'cartography metrics missing', durationSeconds: null });
    expect(itemOutcome({}, runs)).toBeNull();
    expect(itemOutcome({ runId: 'gone' }, runs)).toBeNull();
    const items = [item('s', 'done', { runId: 'r1' }), item('s', 'failed', { runId: 'r2' })];
    expect([...itemDurations(items, runs)]).toEqual([[items[0].id, 12.5]]);
  });
});

describe('throttle', () => {
  it('runs at most once per interval, with a trailing call for the latest change', () => {
    vi.useFakeTimers();
    try {
      const fn = vi.fn();
      const t = throttle(fn, 300);
      t.call();
      expect(fn).toHaveBeenCalledTimes(1);
      t.call();
      t.call();
      expect(fn).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(299);
      expect(fn).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1);
      expect(fn).toHaveBeenCalledTimes(2);
      t.call();
      t.cancel();
      vi.advanceTimersByTime(1000);
      expect(fn).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('calls the timer functions unbound, as the browser requires', () => {
    const pending: Array<() => void> = [];
    const set = function (this: unknown, cb: () => void) {
      if (this !== undefined) throw new TypeError('Illegal invocation');
      pending.push(cb);
      return pending.length as unknown as ReturnType<typeof setTimeout>;
    } as unknown as typeof setTimeout;
    const clear = function (this: unknown) {
      if (this !== undefined) throw new TypeError('Illegal invocation');
      pending.length = 0;
    } as unknown as typeof clearTimeout;
    const fn = vi.fn();
    const t = throttle(fn, 60_000, { set, clear });
    t.call();
    t.call();
    expect(pending).toHaveLength(1);
    expect(() => t.cancel()).not.toThrow();
    expect(pending).toHaveLength(0);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('live curve', () => {
  it('uses progress samples where nothing was logged, logged values where they exist, and draws nothing before the first step', () => {
    expect(liveHistory([], new Map())).toEqual([]);
    expect(liveCurve('run', [{ step: 3, learning_rate: 1e-3 }], new Map())).toBe('');
    const logged = [{ step: 2, loss: 4.5, epoch: 1 }, { step: 4, eval_f1: 12.5 }];
    const samples = new Map([
      [3, 4.25],
      [1, 5.25],
      [2, 4.75],
    ]);
    expect(liveHistory(logged, samples)).toEqual([
      { step: 1, loss: 5.25 },
      { step: 2, loss: 4.5 },
      { step: 3, loss: 4.25 },
      { step: 4, eval_f1: 12.5 },
    ]);
    const svg = liveCurve('run', logged, samples);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Live: run');
    expect(svg).toContain('run, step 4: Eval F1 12.5');
  });
});
