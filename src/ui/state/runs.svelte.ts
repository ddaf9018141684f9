import type { LabDatabase } from '../../storage/db';
import { listRuns } from '../../storage/queue';
import type { RunRecord } from '../../storage/schema';
import { trainingCurvesChart, type LogHistoryEntry } from '../charts';
import { throttle } from './runs-view';
import type { TrainProgress } from '../../domain/train/types';

/**
 * State of the Runs section beyond the runner singleton: the stored result of each queue item
 * (outcomes, durations for the ETA) and the live loss curve, redrawn at most a few times a
 * second however fast the worker logs.
 */
export class RunsView {
  runs = $state.raw<ReadonlyMap<string, RunRecord>>(new Map());
  /** SVG of the running experiment's loss curve ('' when nothing runs). */
  curve = $state('');
  private source: { key: string; name: string; history: readonly Record<string, number | undefined>[] } | null = null;
  /** step → loss from progress events of the running experiment. */
  private samples = new Map<number, number>();
  private readonly redraw = throttle(() => this.draw(), 300);

  constructor(private readonly db: () => LabDatabase | null) {}

  async refresh(): Promise<void> {
    const db = this.db();
    if (!db) return;
    const list = await listRuns(db);
    this.runs = new Map(list.map((r) => [r.id, r]));
  }

  /**
   * The running experiment's log entries and latest progress (or null when none runs); the chart
   * follows, throttled. Progress samples fill the curve between logged steps, so short runs
   * (fewer steps than `logging_steps`) still show one.
   */
  setLive(source: { key: string; name: string; history: readonly Record<string, number | undefined>[]; progress: TrainProgress | null } | null): void {
    if (source === null || source.key !== this.source?.key) this.samples = new Map();
    const p = source?.progress;
    if (p && p.phase === 'train' && p.step > 0 && Number.isFinite(p.loss)) this.samples.set(p.step, p.loss);
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
    this.curve = liveCurve(s.name, s.history, this.samples);
  }
}

/**
 * A running experiment's history for the chart: logged entries (loss, eval F1) and, at steps
 * without a logged loss, the progress samples; in step order.
 */
export function liveHistory(logged: readonly Record<string, number | undefined>[], samples: ReadonlyMap<number, number>): LogHistoryEntry[] {
  const byStep = new Map<number, LogHistoryEntry>();
  for (const [step, loss] of samples) byStep.set(step, { step, loss });
  for (const e of logged) {
    if (typeof e.step !== 'number' || !Number.isFinite(e.step)) continue;
    const entry: LogHistoryEntry = { ...byStep.get(e.step), step: e.step };
    if (typeof e.loss === 'number' && Number.isFinite(e.loss)) entry.loss = e.loss;
    if (typeof e.eval_f1 === 'number' && Number.isFinite(e.eval_f1)) entry.eval_f1 = e.eval_f1;
    byStep.set(e.step, entry);
  }
  return [...byStep.values()].filter((e) => e.loss !== undefined || e.eval_f1 !== undefined).sort((a, b) => a.step - b.step);
}

/** The SVG of a running experiment's curve; '' while there is nothing to draw. */
export function liveCurve(name: string, logged: readonly Record<string, number | undefined>[], samples: ReadonlyMap<number, number>): string {
  const history = liveHistory(logged, samples);
  if (history.length === 0) return '';
  return trainingCurvesChart([{ name, history }], { width: 640, height: 380, id: 'live-curve', title: `Live: ${name}` });
}
