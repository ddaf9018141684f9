import { getWorker } from './worker';
import { CallCancelledError } from '../worker/client';
import { app } from './state/app.svelte';

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
    gradCheck: (a: number[][], b: number[][]) => getWorker().call('gradCheck', { a, b }),
    /** Starts a long worker request, cancels it after a few progress events, reports what happened. */
    async tickThenCancel(): Promise<{ progressed: number; outcome: string }> {
      const controller = new AbortController();
      let progressed = 0;
      const call = getWorker().call('tick', { steps: 100, ms: 20 }, {
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
  };
  (window as unknown as { __lab: typeof api }).__lab = api;
}
