import type { QueueItem, QueueStatus, RunRecord } from '../../storage/schema';
import type { ExperimentResult } from '../../domain/experiments/result';

/**
 * What the Runs section derives from the queue: the current batch (the suites still in
 * progress), its progress and ETA, and each item's outcome. Pure functions, tested headless.
 */

const FINISHED: ReadonlySet<QueueStatus> = new Set(['done', 'failed', 'cancelled']);

export const isFinished = (s: QueueStatus): boolean => FINISHED.has(s);

/**
 * The queue the progress bar counts: every item of the suites that still have pending or running
 * items (in queue order); when nothing is left to run, the most recently queued suite, so its
 * outcome stays visible. Older suites are history.
 */
export function currentBatch(items: readonly QueueItem[]): QueueItem[] {
  const open = new Set(items.filter((i) => !isFinished(i.status)).map((i) => i.suiteId));
  if (open.size === 0) {
    const last = items.reduce<QueueItem | null>((a, b) => (a === null || b.order > a.order ? b : a), null);
    if (!last) return [];
    open.add(last.suiteId);
  }
  return items.filter((i) => open.has(i.suiteId)).sort((a, b) => a.order - b.order);
}

export interface BatchProgress {
  total: number;
  finished: number;
  done: number;
  failed: number;
  cancelled: number;
  pending: number;
  running: number;
}

export function batchProgress(batch: readonly QueueItem[]): BatchProgress {
  const p: BatchProgress = { total: batch.length, finished: 0, done: 0, failed: 0, cancelled: 0, pending: 0, running: 0 };
  for (const i of batch) {
    p[i.status]++;
    if (isFinished(i.status)) p.finished++;
  }
  return p;
}

export interface LiveTiming {
  /** Seconds since the running experiment started. */
  elapsedSeconds: number;
  /** The trainer's estimate of its remaining training time (evaluation excluded), when known. */
  etaSeconds: number | null;
}

/**
 * Seconds until the batch is done: the running experiment's remaining time plus, for each pending
 * item, the mean duration of the batch's finished experiments (or, before any finished, the
 * running one's projected duration). Null when nothing gives a duration.
 */
export function batchEta(batch: readonly QueueItem[], durations: ReadonlyMap<string, number>, live: LiveTiming | null): number | null {
  const known = batch.filter((i) => (i.status === 'done' || i.status === 'failed') && durations.has(i.id)).map((i) => durations.get(i.id) as number);
  const pending = batch.filter((i) => i.status === 'pending').length;
  const liveEta = live && live.etaSeconds !== null && Number.isFinite(live.etaSeconds) ? Math.max(0, live.etaSeconds) : null;
  let mean: number | null = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
  if (mean === null && live && liveEta !== null) mean = live.elapsedSeconds + liveEta;
  let current = 0;
  if (live) {
    if (liveEta !== null) current = liveEta;
    else if (mean !== null) current = Math.max(0, mean - live.elapsedSeconds);
    else return null;
  }
  if (pending === 0) return current;
  if (mean === null) return null;
  return current + pending * mean;
}

/** "running", "failed · attempt 2": the badge text of a queue item. */
export function statusLabel(item: Pick<QueueItem, 'status' | 'attempt'>): string {
  return item.attempt > 1 ? `${item.status} · attempt ${item.attempt}` : item.status;
}

export interface ItemOutcome {
  success: boolean;
  f1: number | null;
  exactMatch: number | null;
  error: string | null;
  durationSeconds: number | null;
}

/** The outcome of an item's latest finished attempt, from its result record. */
export function itemOutcome(item: Pick<QueueItem, 'runId'>, runs: ReadonlyMap<string, RunRecord>): ItemOutcome | null {
  if (!item.runId) return null;
  const run = runs.get(item.runId);
  if (!run) return null;
  const r = run.result as unknown as ExperimentResult;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    success: r.success === true,
    f1: num(r.metrics?.eval_f1),
    exactMatch: num(r.metrics?.eval_exact_match),
    error: typeof r.error === 'string' ? r.error : null,
    durationSeconds: num(r.duration_seconds),
  };
}

/** Durations (seconds) of the items whose latest attempt has a result, keyed by item id. */
export function itemDurations(items: readonly QueueItem[], runs: ReadonlyMap<string, RunRecord>): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of items) {
    const d = itemOutcome(i, runs)?.durationSeconds;
    if (d !== null && d !== undefined) out.set(i.id, d);
  }
  return out;
}

/** Limits how often a function runs: at most once per `ms`, always with the latest call's effect. */
export function throttle(fn: () => void, ms: number, timers: { set: typeof setTimeout; clear: typeof clearTimeout } = { set: setTimeout, clear: clearTimeout }) {
  // Called unbound: browsers throw "Illegal invocation" when setTimeout's `this` is not the global.
  const { set, clear } = timers;
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = null;
    last = Date.now();
    fn();
  };
  return {
    call(): void {
      if (timer !== null) return;
      const wait = last + ms - Date.now();
      if (wait <= 0) run();
      else timer = set(run, wait);
    },
    cancel(): void {
      if (timer !== null) clear(timer);
      timer = null;
    },
  };
}
