/**
 * Runs a persisted queue of experiments one at a time. Pure orchestration: where the queue lives
 * (IndexedDB in the browser, memory or disk in Node) and how an experiment trains are injected.
 *
 * Guarantees, given a store whose `finish` is atomic:
 * - an experiment's result and its queue status are recorded together, so a reload never loses a
 *   finished result nor records one twice;
 * - an item found 'running' at start was interrupted (tab closed, crash): it goes back to pending
 *   and its attempt runs again from the start.
 */

export type QueueItemStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface QueueEntry {
  id: string;
  suiteId: string;
  order: number;
  experimentId: string;
  status: QueueItemStatus;
  /** 1 for the first run; re-running a failed item increments it (each attempt keeps its result). */
  attempt: number;
}

export interface QueueStore<Spec, Result> {
  /** Puts interrupted ('running') items back to 'pending'; returns how many. */
  recoverInterrupted(): Promise<number>;
  /** The next pending item: lowest order within the oldest suite. */
  nextPending(): Promise<QueueEntry | null>;
  markRunning(id: string): Promise<void>;
  /** Records the outcome (and the result, unless cancelled) atomically with the status. */
  finish(entry: QueueEntry, status: 'done' | 'failed' | 'cancelled', result: Result | null): Promise<void>;
  loadSpec(experimentId: string): Promise<Spec>;
}

export interface ExecuteContext<Progress> {
  signal: AbortSignal;
  onProgress(p: Progress): void;
}

/** Trains and evaluates one experiment. Throws a cancellation error (name AbortError) when aborted. */
export type Executor<Spec, Result, Progress> = (spec: Spec, entry: QueueEntry, ctx: ExecuteContext<Progress>) => Promise<Result>;

export interface RunnerHooks<Spec, Result, Progress> {
  /** Whether a result counts as a success (failures continue or stop the queue by option). */
  isSuccess(result: Result): boolean;
  /** Builds the failure result of an experiment whose executor threw. */
  failure(spec: Spec | null, entry: QueueEntry, error: Error, startedAt: Date): Result;
  onStart?(entry: QueueEntry, spec: Spec): void;
  onProgress?(entry: QueueEntry, p: Progress): void;
  onFinish?(entry: QueueEntry, status: 'done' | 'failed' | 'cancelled', result: Result | null): void;
}

export interface RunSummary {
  done: number;
  failed: number;
  cancelled: number;
  /** True when the queue stopped early (cancelled, or stop-on-error after a failure). */
  stopped: boolean;
}

export function isCancellation(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'CancelledError');
}

export class QueueRunner<Spec, Result, Progress> {
  private current: AbortController | null = null;
  private queueStopped = false;
  private running = false;

  constructor(
    private readonly store: QueueStore<Spec, Result>,
    private readonly execute: Executor<Spec, Result, Progress>,
    private readonly hooks: RunnerHooks<Spec, Result, Progress>,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** Aborts the experiment in progress; the queue goes on with the next one. */
  cancelCurrent(): void {
    this.current?.abort();
  }

  /** Aborts the experiment in progress and stops; pending items stay pending for a later run. */
  cancelQueue(): void {
    this.queueStopped = true;
    this.current?.abort();
  }

  async run(opts: { stopOnError?: boolean } = {}): Promise<RunSummary> {
    if (this.running) throw new Error('The queue is already running');
    this.running = true;
    this.queueStopped = false;
    const summary: RunSummary = { done: 0, failed: 0, cancelled: 0, stopped: false };
    try {
      await this.store.recoverInterrupted();
      for (;;) {
        if (this.queueStopped) {
          summary.stopped = true;
          break;
        }
        const entry = await this.store.nextPending();
        if (!entry) break;
        const status = await this.runOne(entry);
        summary[status === 'done' ? 'done' : status === 'failed' ? 'failed' : 'cancelled']++;
        if (status === 'failed' && opts.stopOnError) {
          summary.stopped = true;
          break;
        }
      }
    } finally {
      this.running = false;
      this.current = null;
    }
    return summary;
  }

  private async runOne(entry: QueueEntry): Promise<'done' | 'failed' | 'cancelled'> {
    const startedAt = new Date();
    const controller = new AbortController();
    this.current = controller;
    let spec: Spec | null = null;
    let result: Result;
    try {
      spec = await this.store.loadSpec(entry.experimentId);
      await this.store.markRunning(entry.id);
      this.hooks.onStart?.(entry, spec);
      result = await this.execute(spec, entry, {
        signal: controller.signal,
        onProgress: (p) => this.hooks.onProgress?.(entry, p),
      });
    } catch (e) {
      if (controller.signal.aborted && isCancellation(e)) {
        await this.store.finish(entry, 'cancelled', null);
        this.hooks.onFinish?.(entry, 'cancelled', null);
        return 'cancelled';
      }
      result = this.hooks.failure(spec, entry, e instanceof Error ? e : new Error(String(e)), startedAt);
    } finally {
      this.current = null;
    }
    const status = this.hooks.isSuccess(result) ? 'done' : 'failed';
    await this.store.finish(entry, status, result);
    this.hooks.onFinish?.(entry, status, result);
    return status;
  }
}
