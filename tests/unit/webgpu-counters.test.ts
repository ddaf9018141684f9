// The WebGPU API counters (src/worker/webgpu-counters.ts) on Dawn for Node: a training step's
// dispatches, uploads, reads and pipelines are counted, and a reset starts the count afresh.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import { installWebGpuCounters } from '../../src/worker/webgpu-counters';
import { timeTrainingSteps } from '../../src/domain/train/step-probe';
import { tinyElectraConfig } from '../../src/domain/model/config';

describe.skipIf(process.env.QA_LAB_NO_DAWN === '1')('WebGPU counters (Dawn for Node)', () => {
  it('count a training step: dispatches, CPU writes, one read-back, and no new pipelines once warm', async () => {
    await initNodeBackend('webgpu');
    const counters = installWebGpuCounters();
    expect(installWebGpuCounters()).toBe(counters);
    const config = tinyElectraConfig(64, { numHiddenLayers: 1, hiddenSize: 16, embeddingSize: 16, intermediateSize: 32, numAttentionHeads: 2, maxPositionEmbeddings: 64 });
    const perStep: ReturnType<typeof counters.snapshot>[] = [];
    let mark = counters.snapshot();
    await timeTrainingSteps(config, {
      batch: 2,
      seq: 32,
      steps: 3,
      onStep: (phase) => {
        const now = counters.snapshot();
        if (phase === 'warmup') expect(now.pipelines).toBeGreaterThan(0);
        else perStep.push({ ...now, dispatches: now.dispatches - mark.dispatches, reads: now.reads - mark.reads, pipelines: now.pipelines - mark.pipelines, writeBufferCalls: now.writeBufferCalls - mark.writeBufferCalls, bytesFromCpu: now.bytesFromCpu - mark.bytesFromCpu });
        mark = now;
      },
    });
    expect(perStep).toHaveLength(3);
    for (const s of perStep) {
      expect(s.dispatches).toBeGreaterThan(50);
      // One uniform upload per dispatch, and the batch's ids and labels.
      expect(s.writeBufferCalls).toBeGreaterThan(0);
      expect(s.bytesFromCpu).toBeGreaterThan(0);
      // The step's one read-back (loss, grad norm and the cartography numbers packed together).
      expect(s.reads).toBe(1);
    }
    // The first timed step still compiles a few programs the warm-up step did not run (3 here);
    // after it, nothing is compiled.
    expect(perStep[perStep.length - 1].pipelines).toBe(0);
    // The timed steps run the same programs.
    expect(perStep[2].dispatches).toBe(perStep[1].dispatches);
    console.log(`per step: ${perStep.map((s) => `${s.dispatches} dispatches, ${s.writeBufferCalls} writeBuffer, ${s.bytesFromCpu} B from the CPU, ${s.reads} read, ${s.pipelines} new pipelines`).join('; ')}`);
    counters.reset();
    const zero = counters.snapshot();
    expect([zero.dispatches, zero.reads, zero.pipelines, zero.bytesFromCpu]).toEqual([0, 0, 0, 0]);
    expect(zero.peakBufferBytes).toBe(zero.liveBufferBytes);
    expect(tf.getBackend()).toBe('webgpu');
  }, 120_000);
});
