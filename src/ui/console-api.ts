import { trainingWorker } from './worker';
import { CallCancelledError } from '../worker/client';
import { app } from './state/app.svelte';
import type { ParityFixtureFiles } from '../domain/model/parity';
import type { TrainDemoParams, TrainDemoResult } from '../worker/api/train';
import type { TrainProgress } from '../domain/train/types';

/**
 * A small scripting surface on `window.__lab` for researchers working in the devtools console,
 * and for the end-to-end tests, which exercise the real worker through it.
 */
export function installConsoleApi(): void {
  const api = {
    /** Schema version and record count of every store, once the database is open. */
    async dbStats(): Promise<{ version: number; counts: Record<string, number> } | null> {
      const db = app.db;
      if (!db) return null;
      const counts: Record<string, number> = {};
      for (const name of db.objectStoreNames) counts[name] = await db.count(name);
      return { version: db.version, counts };
    },
    gradCheck: async (a: number[][], b: number[][]) => (await trainingWorker()).call('gradCheck', { a, b }),
    /** The PyTorch parity check of a fixture folder (files as fetched/read), on the worker's backend. */
    parity: async (files: ParityFixtureFiles) => (await trainingWorker()).call('parity', files),
    /** Starts a long worker request, cancels it after a few progress events, reports what happened. */
    async tickThenCancel(): Promise<{ progressed: number; outcome: string }> {
      const controller = new AbortController();
      let progressed = 0;
      const call = (await trainingWorker()).call('tick', { steps: 100, ms: 20 }, {
        signal: controller.signal,
        onProgress: () => {
          progressed++;
          if (progressed === 3) controller.abort();
        },
      });
      try {
        await call;
        return { progressed, outcome: 'completed' };
      } catch (e) {
        return { progressed, outcome: e instanceof CallCancelledError ? 'cancelled' : `error: ${String(e)}` };
      }
    },
    /**
     * Trains the demo model on a demo slice in the worker and collects its progress events; with
     * `cancelAtStep`, cancels once a training progress event reaches that step.
     */
    async trainDemo(
      params: TrainDemoParams,
      opts: { cancelAtStep?: number } = {},
    ): Promise<{ outcome: string; result: TrainDemoResult | null; progress: TrainProgress[]; ms: number }> {
      const controller = new AbortController();
      const progress: TrainProgress[] = [];
      const t0 = performance.now();
      try {
        const result = await (await trainingWorker()).call('trainDemo', params, {
          signal: controller.signal,
          onProgress: (p) => {
            progress.push(p);
            if (opts.cancelAtStep !== undefined && p.phase === 'train' && p.step >= opts.cancelAtStep) controller.abort();
          },
        });
        return { outcome: 'completed', result, progress, ms: performance.now() - t0 };
      } catch (e) {
        const outcome = e instanceof CallCancelledError ? 'cancelled' : `error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
        return { outcome, result: null, progress, ms: performance.now() - t0 };
      }
    },
  };
  (window as unknown as { __lab: typeof api }).__lab = api;
}
