import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/run-experiments';
import { runAnalyze } from '../../src/cli/analyze';
import { createBaselineConfig } from '../../src/domain/config/factories';
import { configHash, configJsonText } from '../../src/domain/config/serialize';
import { parseMetricsCsv } from '../../src/domain/cartography/metrics-files';
import { parseAssignmentsCsv } from '../../src/domain/clustering/cluster-files';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI --mode run with --configs', () => {
  it('runs a config file as written but for --epochs, writes its cartography where the config says, and analyze draws its data map', async () => {
    const base = createBaselineConfig({ name: 'tracked', max_train_samples: 16, max_eval_samples: 8 });
    const cartoDir = path.join(dir, 'tracked_cartography');
    const config = { ...base, training: { ...base.training, max_length: 192, enable_cartography: true, cartography_output_dir: cartoDir } };
    const file = path.join(dir, 'tracked.json');
    writeFileSync(file, configJsonText(config));
    const experiments = path.join(dir, 'experiments');

    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    let code: number;
    try {
      code = await main(['--mode', 'run', '--configs', file, '--data', 'demo', '--model', 'demo', '--epochs', '2', '--experiments-dir', experiments, '--backend', 'wasm']);
    } finally {
      log.mockRestore();
    }
    expect(code, lines.join('\n')).toBe(0);

    // --epochs applies to config files too, and the folder is named by the hash of what ran.
    const ran = { ...config, training: { ...config.training, num_train_epochs: 2 } };
    const folder = `tracked_${configHash(ran)}`;
    expect(readdirSync(experiments)).toEqual(expect.arrayContaining([folder, 'all_results.json']));
    const written = JSON.parse(readFileSync(path.join(experiments, folder, 'config.json'), 'utf8'));
    expect(written.training.num_train_epochs).toBe(2);
    expect(written.training.max_train_samples).toBe(16);
    const results = JSON.parse(readFileSync(path.join(experiments, folder, 'results.json'), 'utf8'));
    expect(results.success).toBe(true);

    // Two epochs of dynamics and the metrics of 16 examples, where run.py writes them.
    expect(readdirSync(cartoDir).sort()).toEqual(['cartography_metrics.csv', 'cartography_metrics.json', 'training_dynamics_epoch_1.json', 'training_dynamics_epoch_2.json']);
    const metrics = parseMetricsCsv(readFileSync(path.join(cartoDir, 'cartography_metrics.csv'), 'utf8'));
    expect(metrics).toHaveLength(16);
    expect(metrics.every((m) => m.num_epochs === 2)).toBe(true);

    const res = await runAnalyze({ experimentsDir: experiments, png: false, log: () => {} });
    expect(res.dataMaps.map((m) => [m.dir, m.points, m.source])).toEqual([[folder, 16, path.join(cartoDir, 'cartography_metrics.csv')]]);
    expect(existsSync(path.join(experiments, `data_map_${folder}.svg`))).toBe(true);
  }, 120_000);
});

describe.skipIf(process.env.QA_LAB_NO_DAWN === '1')('CLI --backend webgpu (Dawn for Node)', () => {
  it('runs the minimal suite with its cartography prerequisite on tiny limits on WebGPU, and says so in the results', async () => {
    const experiments = path.join(dir, 'webgpu');
    // The suite's prerequisite writes ./cartography_output, as Python's does: keep it out of the checkout.
    const { code, out } = await runIn(dir, ['--mode', 'run', '--suite', 'minimal', '--data', 'demo', '--model', 'demo', '--max-train-samples', '8', '--max-eval-samples', '4', '--epochs', '1', '--cartography-epochs', '2', '--experiments-dir', experiments, '--backend', 'webgpu']);
    expect(code, out).toBe(0);
    expect(existsSync(path.join(dir, 'cartography_output', 'cartography_metrics.csv'))).toBe(true);
    expect(existsSync(path.join(experiments, 'all_results.json'))).toBe(true);
    const folders = readdirSync(experiments).filter((f) => existsSync(path.join(experiments, f, 'results.json')));
    expect(folders.length).toBeGreaterThanOrEqual(2);
    for (const f of folders) {
      const r = JSON.parse(readFileSync(path.join(experiments, f, 'results.json'), 'utf8'));
      expect(r.success, f).toBe(true);
      expect(JSON.stringify(r)).toContain('webgpu');
      expect(JSON.stringify(r)).toContain('Dawn for Node');
    }
  }, 600_000);
});

/** Runs the CLI from `cwd` (prerequisites are written relative to it), its console output collected. */
async function runIn(cwd: string, argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return { code: await main(argv), out: lines.join('\n') };
  } finally {
    process.chdir(before);
    log.mockRestore();
    err.mockRestore();
  }
}

describe('CLI --mode run, filtering suite', () => {
  it('makes every missing prerequisite itself: both cartography runs, then both clusterings with the cartography run\'s model, then the suite', async () => {
    const root = path.join(dir, 'filtering');
    mkdirSync(root, { recursive: true });
    const experiments = path.join(root, 'experiments');
    const { code, out } = await runIn(root, ['--mode', 'run', '--suite', 'filtering', '--data', 'demo', '--model', 'demo', '--max-train-samples', '160', '--max-eval-samples', '60', '--epochs', '1', '--cartography-epochs', '2', '--experiments-dir', experiments, '--backend', 'wasm']);
    // Exit code 2 when an experiment failed; which one, and why, is judged below.
    expect([0, 2], out).toContain(code);
    for (const f of ['cartography_output/cartography_metrics.csv', 'cartography_output_validation/cartography_metrics.csv', 'cluster_output/cluster_assignments.csv', 'cluster_output_validation/cluster_assignments.csv']) {
      expect(existsSync(path.join(root, f)), f).toBe(true);
    }
    // The clusterings embedded with the fine-tuned model the train cartography run saved (tokenizer included).
    expect(out).toMatch(/embeddings of the train split with the cartography run's model \(cartography_output\/initial_training\/cartography_train_[0-9a-f]{8}\/trainer_output\)/);
    const assignments = parseAssignmentsCsv(readFileSync(path.join(root, 'cluster_output/cluster_assignments.csv'), 'utf8'));
    expect(assignments).toHaveLength(160);
    const results = readdirSync(experiments).filter((f) => existsSync(path.join(experiments, f, 'results.json')));
    expect(results.map((f) => f.replace(/_[0-9a-f]{8}$/, '')).sort()).toEqual(['baseline', 'cartography_filter', 'cluster_filter']);
    const result = (name: string) => JSON.parse(readFileSync(path.join(experiments, results.find((f) => f.startsWith(`${name}_`))!, 'results.json'), 'utf8')) as { success: boolean; error: string | null };
    expect(result('baseline').success).toBe(true);
    expect(result('cartography_filter').success).toBe(true);
    // The cluster filter keeps the rows outside noise. On 160 rows of a model trained for two
    // epochs HDBSCAN may call every row noise; then the run must fail saying so, not train on nothing.
    const members = assignments.filter((a) => a.cluster >= 0).length;
    const cluster = result('cluster_filter');
    expect(out.slice(out.indexOf('EXPERIMENT 3/3: cluster_filter'))).toContain(`Filtered train size: ${members}\n`);
    if (members > 0) {
      expect(cluster.success).toBe(true);
      expect(code).toBe(0);
    }
    else expect(cluster).toMatchObject({ success: false, error: expect.stringContaining('removed every training row') });
  }, 600_000);
});
