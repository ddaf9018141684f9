// Step arithmetic, strategies' decisions, padding buckets and checkpoint rotation: the Trainer's
// rules, checked on hand-worked cases.
import { describe, expect, it } from 'vitest';
import { makeTrainingConfig } from '../../src/domain/config/defaults';
import { checkpointsToDelete, sortedCheckpoints } from '../../src/domain/train/checkpoints';
import { classifyBackendError, TrainError } from '../../src/domain/train/errors';
import { bucketLengths, bucketLengthsFor, bucketStepFor, paddedLength } from '../../src/domain/train/padding';
import { bestMetricKey, checkLoadBestConfig, epochEndDecisions, epochOrder, planTraining, stepDecisions } from '../../src/domain/train/plan';

describe('planTraining', () => {
  it('counts steps as the Trainer: ceil(epochs × ceil(features / batch)), fractional epochs included', () => {
    const t = makeTrainingConfig({ per_device_train_batch_size: 8, num_train_epochs: 1.5 });
    const p = planTraining(30, t, { hasEval: false });
    expect(p.stepsPerEpoch).toBe(4); // 8+8+8+6
    expect(p.maxSteps).toBe(6); // ceil(1.5 × 4)
    expect(p.epochsToRun).toBe(2);
    expect(planTraining(30, { ...t, num_train_epochs: 0.3 }, { hasEval: false }).maxSteps).toBe(2); // ceil(1.2)
    expect(planTraining(30, { ...t, num_train_epochs: 3 }, { hasEval: false }).maxSteps).toBe(12);
    expect(planTraining(30, t, { hasEval: false, maxSteps: 7 }).maxSteps).toBe(7);
  });

  it('turns intervals below 1 into a fraction of the run, and rejects nonsense', () => {
    const t = makeTrainingConfig({ per_device_train_batch_size: 1, num_train_epochs: 1, logging_steps: 0.25, eval_steps: 10 });
    const p = planTraining(10, t, { hasEval: true });
    expect(p.loggingSteps).toBe(3); // ceil(10 × 0.25)
    expect(() => planTraining(10, { ...t, logging_steps: 0 }, { hasEval: true })).toThrow(/logging_steps/);
    expect(() => planTraining(10, { ...t, per_device_train_batch_size: 0 }, { hasEval: true })).toThrow(/per_device_train_batch_size/);
    expect(() => planTraining(10, { ...t, num_train_epochs: -1 }, { hasEval: true })).toThrow(/num_train_epochs/);
    expect(() => planTraining(0, t, { hasEval: true })).toThrow(/no training features/);
  });

  it('decides log / evaluate / save per step and epoch as DefaultFlowCallback', () => {
    const t = makeTrainingConfig({
      per_device_train_batch_size: 1,
      num_train_epochs: 1,
      logging_steps: 2,
      eval_steps: 3,
      save_steps: 4,
      eval_strategy: 'steps',
      save_strategy: 'steps',
    });
    const p = planTraining(10, t, { hasEval: true });
    const at = (s: number) => stepDecisions(p, s);
    expect(at(2)).toEqual({ log: true, evaluate: false, save: false });
    expect(at(3)).toEqual({ log: false, evaluate: true, save: false });
    expect(at(4)).toEqual({ log: true, evaluate: false, save: true });
    // The last step always saves under a steps/epoch save strategy.
    expect(at(10).save).toBe(true);
    expect(epochEndDecisions(p)).toEqual({ evaluate: false, save: false });
    const noEval = planTraining(10, t, { hasEval: false });
    expect(stepDecisions(noEval, 3).evaluate).toBe(false);
    const byEpoch = planTraining(10, { ...t, eval_strategy: 'epoch', save_strategy: 'epoch' }, { hasEval: true });
    expect(epochEndDecisions(byEpoch)).toEqual({ evaluate: true, save: true });
    expect(stepDecisions(byEpoch, 4)).toEqual({ log: true, evaluate: false, save: false });
    const best = planTraining(10, { ...t, save_strategy: 'best' }, { hasEval: true });
    expect(stepDecisions(best, 10).save).toBe(false);
  });

  it('checks load_best_model_at_end settings with the Trainer rules', () => {
    const t = makeTrainingConfig({ load_best_model_at_end: true, eval_steps: 100, save_steps: 250 });
    expect(() => checkLoadBestConfig(t)).toThrow(/round multiple/);
    expect(() => checkLoadBestConfig({ ...t, save_steps: 300 })).not.toThrow();
    expect(() => checkLoadBestConfig({ ...t, save_steps: 300, eval_strategy: 'epoch' })).toThrow(/must match|match/);
    expect(() => checkLoadBestConfig({ ...t, save_steps: 300, metric_for_best_model: 'loss' })).toThrow(/eval_exact_match and eval_f1/);
    expect(bestMetricKey('f1')).toBe('eval_f1');
    expect(bestMetricKey('eval_exact_match')).toBe('eval_exact_match');
  });

  it('shuffles each epoch with its own seeded permutation', () => {
    const a = epochOrder(50, 42, 0);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(epochOrder(50, 42, 0))).toEqual(Array.from(a));
    expect(Array.from(epochOrder(50, 42, 1))).not.toEqual(Array.from(a));
    expect(Array.from(epochOrder(50, 43, 0))).not.toEqual(Array.from(a));
  });
});

describe('padding buckets', () => {
  it('uses multiples of 64 up to max_length, and max_length itself', () => {
    expect(bucketLengths(384)).toEqual([64, 128, 192, 256, 320, 384]);
    expect(bucketLengths(200)).toEqual([64, 128, 192, 200]);
    expect(bucketLengths(40)).toEqual([40]);
    expect(paddedLength(65, 384, 'bucket')).toBe(128);
    expect(paddedLength(64, 384, 'bucket')).toBe(64);
    expect(paddedLength(193, 200, 'bucket')).toBe(200);
    expect(paddedLength(10, 384, 'max_length')).toBe(384);
    expect(() => paddedLength(385, 384, 'bucket')).toThrow(/more than max_length/);
  });

  it('steps by 64 on GPU backends (pooled buffers) and by 16 on the CPU ones', () => {
    expect(bucketStepFor('webgpu')).toBe(64);
    expect(bucketStepFor('webgl')).toBe(64);
    expect(bucketStepFor('wasm')).toBe(16);
    expect(bucketStepFor('cpu')).toBe(16);
    // The demo's batches (longest window 150–176 tokens) no longer all pad to 192 on wasm.
    const cpu = bucketLengthsFor(192, 'wasm');
    expect(cpu).toEqual(bucketLengths(192, 16));
    expect(paddedLength(150, 192, 'bucket', cpu)).toBe(160);
    expect(paddedLength(176, 192, 'bucket', cpu)).toBe(176);
    expect(paddedLength(150, 192, 'bucket', bucketLengths(192, bucketStepFor('webgpu')))).toBe(192);
  });
});

describe('checkpoint rotation', () => {
  it('deletes the oldest beyond save_total_limit', () => {
    expect(checkpointsToDelete([2, 4, 6], null, 2)).toEqual([2]);
    expect(checkpointsToDelete([2, 4], null, 2)).toEqual([]);
    expect(checkpointsToDelete([2, 4, 6, 8], null, 0)).toEqual([]);
  });

  it('never deletes the best checkpoint (bubbled to the second-to-last place)', () => {
    expect(sortedCheckpoints([2, 4, 6, 8], 2)).toEqual([4, 6, 2, 8]);
    expect(checkpointsToDelete([2, 4, 6], 2, 2)).toEqual([4]);
    expect(checkpointsToDelete([2, 4, 6, 8], 4, 2)).toEqual([2, 6]);
    // The newest being the best: plain rotation.
    expect(checkpointsToDelete([2, 4, 6], 6, 2)).toEqual([2]);
  });

  it('with limit 1 keeps the newest beside an older best', () => {
    expect(checkpointsToDelete([2, 4], 2, 1)).toEqual([]);
    expect(checkpointsToDelete([2, 4, 6], 2, 1)).toEqual([4]);
    expect(checkpointsToDelete([2, 4], 4, 1)).toEqual([2]);
  });
});

describe('backend errors', () => {
  const where = { batchSize: 8, seqLength: 384, backend: 'webgpu' };
  it('names out-of-memory and device loss, with advice', () => {
    const oom = classifyBackendError(new Error('Failed to allocate GPUBuffer: out of memory'), where) as TrainError;
    expect(oom).toBeInstanceOf(TrainError);
    expect(oom.code).toBe('oom');
    expect(oom.message).toMatch(/smaller per_device_train_batch_size or max_length/);
    const lost = classifyBackendError(new Error('Device is lost'), where) as TrainError;
    expect(lost.code).toBe('device-lost');
    expect(lost.message).toMatch(/batch 8 × length 384/);
    const other = new Error('shapes do not match');
    expect(classifyBackendError(other, where)).toBe(other);
  });
});
