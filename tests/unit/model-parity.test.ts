// Parity with the PyTorch fixtures in ../shared/reference/parity/<name>/ (every folder), on the
// wasm backend the Node path uses and on the cpu backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { initNodeBackend, type NodeBackend } from '../../src/cli/tf-node';
import { runParity, summariseParity } from '../../src/domain/model/parity';
import { listParityFixtures, loadParityFixture, PARITY_DIR } from './parity-fixtures';

const fixtures = listParityFixtures();

describe('parity fixtures folder', () => {
  it('exists and holds at least one fixture', () => {
    expect(existsSync(PARITY_DIR), `parity fixtures folder not found at ${PARITY_DIR} (expected ../shared/reference/parity from the repo root)`).toBe(true);
    expect(fixtures.length, `no fixture folders under ${PARITY_DIR}`).toBeGreaterThan(0);
  });
});

for (const backend of ['wasm', 'cpu'] as NodeBackend[]) {
  describe(`model parity on ${backend}`, () => {
    let previous = '';
    beforeAll(async () => {
      previous = tf.getBackend() ?? '';
      await initNodeBackend(backend);
    });
    afterAll(async () => {
      if (previous && previous !== backend) await tf.setBackend(previous);
    });

    for (const name of fixtures) {
      it(`${name}: logits, hidden state, losses, gradients and 3 AdamW steps match PyTorch`, async () => {
        const before = tf.memory().numTensors;
        const report = await runParity(loadParityFixture(name));
        if (!report.pass) console.error(summariseParity(report));
        expect(report.backend).toBe(backend);
        expect(report.failures).toEqual([]);
        expect(report.pass).toBe(true);
        // Every group was actually checked.
        for (const g of ['outputs', 'losses', 'schedule', 'gradients', 'after_steps']) {
          expect(report.checks.some((c) => c.group === g)).toBe(true);
        }
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  });
}
