import { QueueRunner, type QueueEntry } from '../../domain/experiments/queue-runner';
import { failedResult } from '../../domain/experiments/failure';
import { makeExperimentResult, type ExperimentResult } from '../../domain/experiments/result';
import type { ExperimentSpec } from '../../domain/config/types';
import { configHash } from '../../domain/config/serialize';
import { IdbQueueStore, dropPending, enqueueSuite, listQueue, requeue, runIdOf } from '../../storage/queue';
import type { QueueItem } from '../../storage/schema';
import type { RunExperimentProgress } from '../../worker/api/experiment';
import type { TrainProgress } from '../../domain/train/types';
import { trainingWorker } from '../worker';
import { app } from './app.svelte';
import { adapterText } from '../../worker/adapter';
import { demoProbeConfig } from '../../domain/train/demo-settings';
import { demoBaseUrl } from '../demo-base-url';

export interface LiveRun {
  entry: QueueEntry;
  spec: ExperimentSpec;
  startedAt: number;
  progress: TrainProgress | null;
  losses: { step: number; loss?: number; eval_f1?: number; learning_rate?: number }[];
  messages: string[];
}

const LOCK = 'qa-lab:runner';

/**
 * The experiment queue as the UI sees it, and the one runner that works through it. A Web Lock
 * makes sure only one tab runs the queue; the others show its state.
 */
export class RunnerState {
  items = $state.raw<QueueItem[]>([]);
  names = $state.raw<Record<string, string>>({});
  live = $state<LiveRun | null>(null);
  running = $state(false);
  otherTab = $state(false);
  lastSummary = $state<string | null>(null);
  stopOnError = $state(false);
  private starting = false;
  private runner: QueueRunner<ExperimentSpec, ExperimentResult, RunExperimentProgress> | null = null;

  async refresh(): Promise<void> {
    const db = app.db;
    if (!db) return;
    this.items = await listQueue(db);
    const names: Record<string, string> = {};
    for (const e of await db.getAll('experiments')) names[e.id] = e.name;
    this.names = names;
  }

  /** Adds experiments to the queue and starts the runner if it is idle. */
  async enqueue(suiteLabel: string, specs: ExperimentSpec[]): Promise<void> {
    const db = app.db;
    if (!db) throw new Error('The database is not open');
    const suiteId = `${suiteLabel}@${new Date().toISOString()}`;
    await enqueueSuite(
      db,
      suiteId,
      specs.map((spec) => ({ name: spec.config.name, configHash: configHash(spec.config), spec: $state.snapshot(spec) as ExperimentSpec })),
    );
    await this.refresh();
    void this.start();
  }

  /** Runs the queue until it is empty (resuming an interrupted experiment first). */
  async start(): Promise<void> {
    const db = app.db;
    // `starting` covers the wait for the lock: a second start() meanwhile is not "another tab".
    if (!db || this.running || this.starting) return;
    this.starting = true;
    const body = async () => {
      this.otherTab = false;
      this.running = true;
      const store = new IdbQueueStore<ExperimentSpec, ExperimentResult>(db);
      const runner = new QueueRunner<ExperimentSpec, ExperimentResult, RunExperimentProgress>(store, (spec, entry, ctx) => this.execute(spec, entry, ctx.signal, ctx.onProgress), {
        isSuccess: (r) => r.success,
        failure: (spec, entry, error, startedAt) =>
          spec
            ? failedResult(spec, error, startedAt.getTime() / 1000, Date.now() / 1000, this.provenance())
            : makeExperimentResult({ experiment_name: this.names[entry.experimentId] ?? entry.experimentId, config_hash: '', success: false, error: error.message }),
        onStart: (entry, spec) => {
          this.live = { entry, spec, startedAt: Date.now(), progress: null, losses: [], messages: [] };
          void this.refresh();
        },
        onProgress: (_entry, p) => this.onProgress(p),
        onFinish: () => {
          this.live = null;
          void this.refresh();
        },
      });
      this.runner = runner;
      try {
        const s = await runner.run({ stopOnError: this.stopOnError });
        this.lastSummary = `${s.done} succeeded, ${s.failed} failed, ${s.cancelled} cancelled${s.stopped ? ' (queue stopped)' : ''}`;
      } finally {
        this.runner = null;
        this.running = false;
        this.live = null;
        await this.refresh();
      }
    };
    try {
      if (navigator.locks) {
        await navigator.locks.request(LOCK, { ifAvailable: true }, async (lock) => {
          this.starting = false;
          if (!lock) {
            this.otherTab = true;
            return;
          }
          await body();
        });
      } else {
        this.starting = false;
        await body();
      }
    } finally {
      this.starting = false;
    }
  }

  /** Resumes a queue left with pending or interrupted items (after a reload or a closed tab). */
  async resumeIfPending(): Promise<void> {
    await this.refresh();
    if (this.items.some((i) => i.status === 'pending' || i.status === 'running')) await this.start();
  }

  cancelCurrent(): void {
    this.runner?.cancelCurrent();
  }

  cancelQueue(): void {
    this.runner?.cancelQueue();
  }

  async rerunFailed(): Promise<void> {
    const db = app.db;
    if (!db) return;
    await requeue(db, () => true);
    await this.refresh();
    void this.start();
  }

  async clearPending(): Promise<void> {
    const db = app.db;
    if (!db) return;
    await dropPending(db);
    await this.refresh();
  }

  private provenance() {
    const a = app.backend?.adapter;
    return {
      app_version: __APP_VERSION__,
      git_commit: __GIT_COMMIT__,
      backend: app.backend?.backend,
      adapter: a ? adapterText(a) : undefined,
    };
  }

  /** The model's config.json, so the backend is measured for its shape before it trains. */
  private async modelConfig(spec: ExperimentSpec): Promise<Record<string, unknown>> {
    const src = spec.app.model_source ?? 'demo';
    if (src.startsWith('model:') && app.db) {
      const rec = await app.db.get('models', src.slice('model:'.length));
      if (rec) return rec.config;
    }
    if (src === 'demo') {
      // The base's own shape; the from-scratch shape if it cannot be read (the run then says why).
      const res = await fetch(new URL('config.json', demoBaseUrl())).catch(() => null);
      if (res?.ok) return (await res.json()) as Record<string, unknown>;
    }
    return demoProbeConfig();
  }

  private async execute(spec: ExperimentSpec, entry: QueueEntry, signal: AbortSignal, onProgress: (p: RunExperimentProgress) => void): Promise<ExperimentResult> {
    const t = spec.config.training;
    await app.compute.ensureFor(await this.modelConfig(spec), { batch: t.per_device_train_batch_size, seq: t.max_length });
    return (await trainingWorker()).call(
      'runExperiment',
      { spec, runId: runIdOf(entry), experimentId: entry.experimentId, appVersion: __APP_VERSION__, gitCommit: __GIT_COMMIT__, demoBaseUrl: demoBaseUrl() },
      { signal, onProgress },
    );
  }

  private onProgress(p: RunExperimentProgress): void {
    const live = this.live;
    if (!live) return;
    if (p.kind === 'train') live.progress = p;
    else if (p.kind === 'message') live.messages = [...live.messages, p.line];
    else live.losses = [...live.losses, { ...p.entry, step: p.entry.step ?? 0 }];
  }
}

export const runner = new RunnerState();
