// The train-demo CLI as a user runs it (a child process): --seeds trains once per seed and
// summarises EM/F1 over the runs, with one predictions file per seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = path.resolve(__dirname, '../../src/cli/train-demo.ts');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-train-demo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', script, '--backend', 'wasm', ...args], { maxBuffer: 64 << 20 });

interface Run {
  training: { seed: number; warmup_steps: number };
  metrics: { eval_exact_match: number; eval_f1: number };
  logHistory: { train_loss?: number }[];
}

describe('train-demo --seeds', () => {
  it('trains once per seed and prints the spread', async () => {
    const predictions = path.join(dir, 'preds.jsonl');
    const { stdout } = await cli(['--seeds', '5,6', '--train-rows', '32', '--eval-rows', '12', '--epochs', '1', '--quiet', '--predictions', predictions]);
    const out = JSON.parse(stdout) as { seeds: number[]; eval_f1: { mean: number; min: number; max: number }; runs: Run[] };
    expect(out.seeds).toEqual([5, 6]);
    expect(out.runs.map((r) => r.training.seed)).toEqual([5, 6]);
    const f1 = out.runs.map((r) => r.metrics.eval_f1);
    expect(out.eval_f1.mean).toBeCloseTo((f1[0] + f1[1]) / 2, 10);
    expect(out.eval_f1.min).toBe(Math.min(...f1));
    expect(out.eval_f1.max).toBe(Math.max(...f1));
    // Different seeds are different inits: their training losses differ.
    const firstLoss = out.runs.map((r) => r.logHistory.find((h) => h.train_loss !== undefined)?.train_loss);
    expect(firstLoss[0]).toBeTypeOf('number');
    expect(firstLoss[0]).not.toBe(firstLoss[1]);
    for (const seed of [5, 6]) {
      const file = path.join(dir, `preds.seed-${seed}.jsonl`);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(12);
    }
    expect(existsSync(predictions)).toBe(false);
  }, 120_000);

  it('refuses a seed list that is not integers, naming the flag', async () => {
    await expect(cli(['--seeds', '5,x'])).rejects.toMatchObject({ stderr: expect.stringContaining('--seeds needs integers separated by commas, got "5,x"') });
  }, 60_000);
});
