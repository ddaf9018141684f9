// `npm run clusters`: embeddings and HDBSCAN headless, writing the files a cluster filter reads.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/clusters';
import { parseAssignmentsCsv, parseStatisticsCsv } from '../../src/domain/clustering/cluster-files';
import { filterByClusters } from '../../src/domain/clustering/cluster-filter';
import { generateDemoDataset } from '../../src/domain/data/demo/generator';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-clusters-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('clusters CLI', () => {
  it('embeds the demo validation rows with the demo base and writes assignments, statistics, samples and metadata', async () => {
    const outDir = path.join(dir, 'cluster_output_validation');
    const { code, out } = await run(['--data', 'demo', '--split', 'validation', '--max-samples', '80', '--min-cluster-size', '5', '--no-umap', '--output-dir', outDir, '--backend', 'wasm']);
    expect(code).toBe(0);
    expect(out).toMatch(/Embedding 80 validation rows of demo .* with demo base \(pretrained\)/);
    expect(readdirSync(outDir).sort()).toEqual(['cluster_assignments.csv', 'cluster_metadata.json', 'cluster_samples.json', 'cluster_statistics.csv']);
    const rows = parseAssignmentsCsv(readFileSync(path.join(outDir, 'cluster_assignments.csv'), 'utf8'));
    expect(rows.map((r) => r.id)).toEqual(generateDemoDataset().validation.slice(0, 80).map((r) => r.id));
    for (const r of rows) {
      expect(Number.isInteger(r.cluster) && r.cluster >= -1).toBe(true);
      expect(r.cluster < 0 ? r.cluster_probability === 0 : r.cluster_probability! > 0).toBe(true);
    }
    const stats = parseStatisticsCsv(readFileSync(path.join(outDir, 'cluster_statistics.csv'), 'utf8'));
    expect(stats.reduce((n, s) => n + s.size, 0)).toBe(80);
    const meta = JSON.parse(readFileSync(path.join(outDir, 'cluster_metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ n_samples: 80, embedding_dim: 128, clustering_method: 'hdbscan', min_cluster_size: 5, n_noise: rows.filter((r) => r.cluster < 0).length });
    const samples = JSON.parse(readFileSync(path.join(outDir, 'cluster_samples.json'), 'utf8')) as Record<string, unknown[]>;
    expect(Object.keys(samples).every((k) => k === 'noise' || /^cluster_\d+$/.test(k))).toBe(true);
    // What the cluster filter keeps from it: every row outside noise.
    const kept = filterByClusters(generateDemoDataset().validation.slice(0, 80), rows, { excludeClusters: [-1] });
    expect(kept.report.keptRows).toBe(rows.filter((r) => r.cluster >= 0).length);
    expect(existsSync(path.join(outDir, '.cluster_assignments.csv.partial'))).toBe(false);
  });

  it('refuses bad flags with exit code 2 before doing anything', async () => {
    const outDir = path.join(dir, 'never');
    for (const argv of [['--split', 'test'], ['--min-cluster-size', '1'], ['--bogus'], ['--output-dir']]) {
      const { code, err } = await run([...argv, '--output-dir', outDir].slice(0, argv[0] === '--output-dir' ? 1 : undefined));
      expect(code, argv.join(' ')).toBe(2);
      expect(err).toMatch(/^Error: /);
    }
    expect(existsSync(outDir)).toBe(false);
  });
});
