/**
 * Checkpoints as the Hugging Face Trainer keeps them: saved at the save strategy's steps, at most
 * save_total_limit kept (oldest deleted first, never the best one), the best tracked by
 * metric_for_best_model and restored at the end when load_best_model_at_end is set.
 *
 * Persistence is the caller's (IndexedDB in the browser, files in the CLI): the trainer hands a
 * CheckpointSink plain host data, the equivalent of a `checkpoint-N/` folder (model weights,
 * optimizer moments, trainer state).
 */
import type { HostTensorMap } from '../model/host-tensor';
import type { AdamWState } from './optimizer';
import type { RngState } from './rng';
import type { LogEntry } from './types';

export interface TrainerStateSnapshot {
  globalStep: number;
  epoch: number;
  maxSteps: number;
  logHistory: LogEntry[];
  /** Best value of metric_for_best_model so far, or null before any evaluation. */
  bestMetric: number | null;
  /** Step whose evaluation gave bestMetric (HF's best_model_checkpoint), or null. */
  bestStep: number | null;
}

export interface CheckpointState {
  step: number;
  /** Hugging Face config.json of the model (to write beside the weights). */
  modelConfig: Record<string, unknown>;
  /** Weights by Hugging Face parameter name (model.safetensors). */
  weights: HostTensorMap;
  /** AdamW moments and step count (optimizer.pt). */
  optimizer: AdamWState;
  /** trainer_state.json's essentials. */
  trainer: TrainerStateSnapshot;
  /** Position of the dropout mask stream (rng_state.pth's role), so a resumed run draws the same masks. */
  dropoutRng: RngState;
}

export interface CheckpointSink {
  save(step: number, state: CheckpointState): Promise<void>;
  remove(step: number): Promise<void>;
  load(step: number): Promise<CheckpointState>;
}

/** A sink that keeps checkpoints in memory (tests, short runs, the CLI before writing files). */
export class MemoryCheckpointSink implements CheckpointSink {
  readonly states = new Map<number, CheckpointState>();
  /** Every save and remove, in order, for inspection. */
  readonly events: Array<{ op: 'save' | 'remove'; step: number }> = [];

  async save(step: number, state: CheckpointState): Promise<void> {
    this.states.set(step, state);
    this.events.push({ op: 'save', step });
  }

  async remove(step: number): Promise<void> {
    this.states.delete(step);
    this.events.push({ op: 'remove', step });
  }

  async load(step: number): Promise<CheckpointState> {
    const s = this.states.get(step);
    if (!s) throw new Error(`checkpoint ${step} is not stored`);
    return s;
  }

  get steps(): number[] {
    return [...this.states.keys()].sort((a, b) => a - b);
  }
}

/**
 * Trainer._sorted_checkpoints: steps ascending, the best one bubbled up to the second-to-last
 * place so that rotation (which deletes from the front) never reaches it.
 */
export function sortedCheckpoints(steps: readonly number[], bestStep: number | null): number[] {
  const sorted = [...steps].sort((a, b) => a - b);
  if (bestStep !== null) {
    const at = sorted.indexOf(bestStep);
    if (at >= 0) {
      for (let i = at; i < sorted.length - 2; i++) [sorted[i], sorted[i + 1]] = [sorted[i + 1], sorted[i]];
    }
  }
  return sorted;
}

/**
 * Trainer._rotate_checkpoints: the steps to delete so that at most `limit` remain (limit ≤ 0:
 * keep all). With limit 1 and a best checkpoint that is not the newest, two are kept so that the
 * newest (to resume from) survives beside the best.
 */
export function checkpointsToDelete(steps: readonly number[], bestStep: number | null, limit: number): number[] {
  if (!(limit > 0)) return [];
  const sorted = sortedCheckpoints(steps, bestStep);
  if (sorted.length <= limit) return [];
  let keep = limit;
  if (bestStep !== null && limit === 1 && sorted[sorted.length - 1] !== bestStep) keep = 2;
  return sorted.slice(0, Math.max(0, sorted.length - keep));
}
