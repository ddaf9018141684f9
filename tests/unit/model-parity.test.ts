// Parity with the PyTorch fixtures in ../shared/reference/parity/<name>/ (every folder), on the
// wasm backend the Node path uses and on the cpu backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initNodeBackend, type NodeBackend } from '../../src/cli/tf-node';
import { runParity, summariseParity, type ParityFixtureFiles } from '../../src/domain/model/parity';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PARITY_DIR = path.resolve(repoRoot, '../shared/reference/parity');

function listFixtures(): string[] {
  if (!existsSync(PARITY_DIR)) return [];
  return readdirSync(PARITY_DIR)
    .filter((n) => statSync(path.join(PARITY_DIR, n)).isDirectory())
    .sort();
}

function loadFixture(name: string): ParityFixtureFiles {
  const dir = path.join(PARITY_DIR, name);
  const json = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as unknown;
  const bytes = (f: string) => new Uint8Array(readFileSync(path.join(dir, f)));
  return {
    name,
    configJson: json('config.json'),
    modelSafetensors: bytes('model.safetensors'),
    inputsJson: json('inputs.json'),
    expectedJson: json('expected.json'),
    expectedSafetensors: bytes('expected.safetensors'),
  };
}

const fixtures = listFixtures();

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
        const report = await runParity(loadFixture(name));
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
