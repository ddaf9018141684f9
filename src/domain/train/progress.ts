/**
 * Throughput bookkeeping and throttled progress events (a few per second at most, so that a
 * fast backend does not flood the worker channel; the first and last event of a phase always go).
 */
import type { TrainPhase, TrainProgress } from './types';

export const PROGRESS_INTERVAL_MS = 250;

export class TrainMeter {
  /** Seconds spent in training steps (evaluation and checkpointing excluded). */
  trainSeconds = 0;
  features = 0;
  tokens = 0;
  steps = 0;
  private lossSum = 0;
  private lossCount = 0;

  addStep(seconds: number, features: number, tokens: number, loss: number): void {
    this.trainSeconds += seconds;
    this.features += features;
    this.tokens += tokens;
    this.steps++;
    this.lossSum += loss;
    this.lossCount++;
  }

  /** Mean loss since the previous call (NaN when no step ran since). */
  takeMeanLoss(): number {
    const m = this.lossCount > 0 ? this.lossSum / this.lossCount : NaN;
    this.lossSum = 0;
    this.lossCount = 0;
    return m;
  }

  get examplesPerSecond(): number {
    return this.trainSeconds > 0 ? this.features / this.trainSeconds : 0;
  }

  get tokensPerSecond(): number {
    return this.trainSeconds > 0 ? this.tokens / this.trainSeconds : 0;
  }

  etaSeconds(remainingSteps: number): number {
    return this.steps > 0 ? (this.trainSeconds / this.steps) * remainingSteps : NaN;
  }
}

export class ProgressThrottle {
  private last = -Infinity;
  private lastPhase: TrainPhase | null = null;

  constructor(
    private readonly sink: ((p: TrainProgress) => void) | undefined,
    private readonly now: () => number = () => performance.now(),
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  /** Emits when `force`, on a phase change, or when the interval has passed; `make` runs only then. */
  maybe(phase: TrainPhase, make: () => TrainProgress, force = false): void {
    if (!this.sink) return;
    const t = this.now();
    if (!force && phase === this.lastPhase && t - this.last < this.intervalMs) return;
    this.last = t;
    this.lastPhase = phase;
    this.sink(make());
  }
}
