// Threaded tfjs-wasm in Node (src/cli/wasm-threads-node.ts): the pool gets the threads asked for,
// even where tfjs would cap it at half the cores, and the PyTorch parity fixtures still pass.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initNodeBackend, nodeWasmThreads } from '../../src/cli/tf-node';
import { runParity, summariseParity } from '../../src/domain/model/parity';
import { listParityFixtures, loadParityFixture } from './parity-fixtures';

describe('wasm with 2 threads in Node', () => {
  it('starts the threaded build with a pool of 2, and a second variant in the same process is refused', async () => {
    await initNodeBackend('wasm', { threads: 2 });
    expect(tf.getBackend()).toBe('wasm');
    expect(getThreadsCount()).toBe(2);
    expect(nodeWasmThreads()).toBe(2);
    await expect(initNodeBackend('wasm', { threads: 1 })).rejects.toThrow(/already runs with 2 thread/);
  });

  for (const name of listParityFixtures()) {
    it(`${name}: logits, hidden state, losses, gradients and 3 AdamW steps match PyTorch on 2 threads`, async () => {
      await initNodeBackend('wasm', { threads: 2 });
      const report = await runParity(loadParityFixture(name));
      if (!report.pass) console.error(summariseParity(report));
      expect(report.failures).toEqual([]);
      expect(report.pass).toBe(true);
    }, 120_000);
  }
});
