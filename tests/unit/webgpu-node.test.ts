// WebGPU in Node through Dawn (npm `webgpu`): the PyTorch parity fixtures on the same WebGPU
// kernels the browser runs, and `--backend auto` timing every Node backend. CI installs
// libvulkan1 and Chromium (whose SwiftShader Vulkan driver Dawn falls back to), so a missing
// adapter fails here rather than skipping; QA_LAB_NO_DAWN=1 skips on machines without either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseNodeBackend, defaultNodeWasmThreads, initNodeBackend, nodeAdapter } from '../../src/cli/tf-node';
import { candidateLabel, fastestWithTies } from '../../src/domain/compute/backend-choice';
import { runParity, summariseParity } from '../../src/domain/model/parity';
import { demoProbeConfig } from '../../src/domain/train/demo-settings';

/** A run small enough that software WebGPU finishes its probe steps in a test. */
const SMALL_RUN = { batch: 2, seq: 128 };
import { listParityFixtures, loadParityFixture } from './parity-fixtures';

const skip = process.env.QA_LAB_NO_DAWN === '1';

describe.skipIf(skip)('WebGPU through Dawn for Node', () => {
  beforeAll(async () => {
    await initNodeBackend('webgpu');
  }, 120_000);
  afterAll(async () => {
    await initNodeBackend('wasm');
  });

  it('starts on a Vulkan adapter', () => {
    expect(tf.getBackend()).toBe('webgpu');
    const a = nodeAdapter();
    expect(a).not.toBeNull();
    console.log(`Dawn adapter: ${JSON.stringify(a)}`);
  });

  const fixtures = listParityFixtures();
  it('has parity fixtures to check', () => expect(fixtures.length).toBeGreaterThan(0));
  for (const name of fixtures) {
    it(`${name}: logits, hidden state, losses, gradients and 3 AdamW steps match PyTorch on WebGPU`, async () => {
      await initNodeBackend('webgpu');
      const report = await runParity(loadParityFixture(name));
      if (!report.pass) console.error(summariseParity(report));
      expect(report.backend).toBe('webgpu');
      expect(report.failures).toEqual([]);
      expect(report.pass).toBe(true);
    }, 300_000);
  }

  it('--backend auto times threaded and single-thread wasm, webgpu and cpu (each in a child process), trains on the fastest, and reuses the figures', async () => {
    const cacheFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'backends-')), 'backends.json');
    const lines: string[] = [];
    const first = await chooseNodeBackend('auto', demoProbeConfig(), SMALL_RUN, (l) => lines.push(l), { cacheFile });
    const threads = defaultNodeWasmThreads();
    expect(first.measurements.map((m) => candidateLabel(m.candidate))).toEqual([...(threads > 1 ? [`wasm ×${threads} threads`] : []), 'wasm 1 thread', 'webgpu (software)', 'cpu']);
    const timed = first.measurements.filter((m) => m.ok);
    expect(timed.length).toBeGreaterThanOrEqual(2);
    expect(first.choice.candidate).toEqual(fastestWithTies(first.measurements)?.candidate);
    expect(first.backend).toBe(first.choice.candidate.backend);
    expect(tf.getBackend()).toBe(first.backend);
    expect(lines.some((l) => l.startsWith('timing a training step on webgpu'))).toBe(true);
    const again: string[] = [];
    const second = await chooseNodeBackend('auto', demoProbeConfig(), SMALL_RUN, (l) => again.push(l), { cacheFile });
    expect(second.backend).toBe(first.backend);
    expect(again[0]).toMatch(/measured .* \(cache /);
    expect(again.some((l) => l.startsWith('timing'))).toBe(false);
  }, 300_000);
});
