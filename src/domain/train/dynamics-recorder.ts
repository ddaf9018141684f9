/**
 * Dataset cartography recording during training (origin-system.md §2.1, with the app's fix for
 * overflow windows): per example and epoch, p_start, p_end and token-level correctness from the
 * training forward pass, taken from the one window cartographyWindows() picks for the example
 * (the first holding the gold answer, else its first window). epoch = int(state.epoch).
 */
import type { TrainingDynamics } from '../cartography/types';
import { recordDynamics } from '../cartography/metrics';
import { cartographyWindows, type FeatureBatch, type TrainFeatures } from '../qa/features';

export class DynamicsRecorder {
  readonly dynamics: TrainingDynamics = {};
  private readonly chosen: Int32Array;

  constructor(
    private readonly features: TrainFeatures,
    exampleCount: number,
  ) {
    this.chosen = cartographyWindows(features, exampleCount);
  }

  /** Records the rows of `batch` whose window is their example's cartography window. */
  record(batch: Pick<FeatureBatch, 'batchSize' | 'windowIndices' | 'exampleIndices'>, epoch: number, pStart: Float32Array, pEnd: Float32Array, correct: Uint8Array): void {
    for (let r = 0; r < batch.batchSize; r++) {
      const e = batch.exampleIndices[r];
      if (this.chosen[e] !== batch.windowIndices[r]) continue;
      recordDynamics(this.dynamics, this.features.exampleIds[e], epoch, {
        start_prob: pStart[r],
        end_prob: pEnd[r],
        correct: correct[r] === 1,
      });
    }
  }
}
