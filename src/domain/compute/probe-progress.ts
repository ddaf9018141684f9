/**
 * What a probe told before its deadline (warm-up, then timed steps), and the measurement that makes
 * when it is stopped there: the steps it finished, or a lower bound from the step in flight. The
 * browser's probe workers and the CLI's probe processes both report through it.
 */
import type { BackendCandidate, BackendMeasurement, ProbeSetup } from './backend-choice';

export class ProbeProgress {
  private warmupMs: number | undefined;
  private readonly stepMs: number[] = [];
  /** When the warm-up or the latest timed step ended: the step in flight started then. */
  private lastDoneAt: number | null = null;

  record(phase: 'warmup' | 'step', ms: number, now: number): void {
    this.lastDoneAt = now;
    if (phase === 'warmup') this.warmupMs = Math.round(ms);
    else this.stepMs.push(ms);
  }

  atDeadline(candidate: BackendCandidate, probe: ProbeSetup, deadlineMs: number, now: number): BackendMeasurement {
    const s = Math.round(deadlineMs / 1000);
    if (this.stepMs.length > 0) {
      const msPerStep = Math.round((10 * this.stepMs.reduce((a, b) => a + b, 0)) / this.stepMs.length) / 10;
      return { candidate, ok: true, msPerStep, warmupMs: this.warmupMs, note: `${this.stepMs.length} of ${probe.steps} timed step(s) before the ${s} s deadline` };
    }
    if (this.lastDoneAt === null) {
      return { candidate, ok: false, note: `stopped at the ${s} s deadline, still in its warm-up step (shader compilation or a very slow step)` };
    }
    const atLeastMs = Math.round(now - this.lastDoneAt);
    return { candidate, ok: false, atLeastMs, warmupMs: this.warmupMs, note: `stopped at the ${s} s deadline; its step in flight had run ${(atLeastMs / 1000).toFixed(1)} s` };
  }
}
