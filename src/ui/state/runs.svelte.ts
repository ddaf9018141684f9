import type { LabDatabase } from '../../storage/db';
import { listRuns } from '../../storage/queue';
import type { RunRecord } from '../../storage/schema';
import { trainingCurvesChart, type LogHistoryEntry } from '../charts';
import { throttle } from './runs-view';

/**
 * State of the Runs section beyond the runner singleton: the stored result of each queue item
 * (outcomes, durations for the ETA) and the live loss curve, redrawn at most a few times a
 * second however fast the worker logs.
 */
export class RunsView {
  runs = $state.raw<ReadonlyMap<string, RunRecord>>(new Map());
  /** SVG of the running experiment's loss curve ('' when nothing runs). */
  curve = $state('');
  private source: { name: string; history: readonly Record<string, number | undefined>[] } | null = null;
  private readonly redraw = throttle(() => this.draw(), 300);

  constructor(private readonly db: () => LabDatabase | null) {}

  async refresh(): Promise<void> {
    const db = this.db();
    if (!db) return;
    const list = await listRuns(db);
    this.runs = new Map(list.map((r) => [r.id, r]));
  }

  /** New log entries of the running experiment (or null when none runs); the chart follows, throttled. */
  setLive(source: { name: string; history: readonly Record<string, number | undefined>[] } | null): void {
    this.source = source;
    if (source === null) {
      this.redraw.cancel();
      this.curve = '';
    } else this.redraw.call();
  }

  dispose(): void {
    this.redraw.cancel();
  }

  private draw(): void {
    const s = this.source;
    if (!s) return;
    // Only what the chart draws; entries without a finite step (none expected) are skipped.
    const history: LogHistoryEntry[] = [];
    for (const e of s.history) {
      if (typeof e.step !== 'number' || !Number.isFinite(e.step)) continue;
      const entry: LogHistoryEntry = { step: e.step };
      if (typeof e.loss === 'number' && Number.isFinite(e.loss)) entry.loss = e.loss;
      if (typeof e.eval_f1 === 'number' && Number.isFinite(e.eval_f1)) entry.eval_f1 = e.eval_f1;
      if (entry.loss !== undefined || entry.eval_f1 !== undefined) history.push(entry);
    }
    this.curve = trainingCurvesChart([{ name: s.name, history }], { width: 640, height: 380, id: 'live-curve', title: `Live: ${s.name}` });
  }
}
