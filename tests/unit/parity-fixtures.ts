// The PyTorch parity fixtures in ../shared/reference/parity/<name>/ (every folder), as files.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParityFixtureFiles } from '../../src/domain/model/parity';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PARITY_DIR = path.resolve(repoRoot, '../shared/reference/parity');

export function listParityFixtures(): string[] {
  if (!existsSync(PARITY_DIR)) return [];
  return readdirSync(PARITY_DIR)
    .filter((n) => statSync(path.join(PARITY_DIR, n)).isDirectory())
    .sort();
}

export function loadParityFixture(name: string): ParityFixtureFiles {
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
