import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runAnalyze } from '../../src/cli/analyze';
import { buildExperimentFolder } from '../../src/domain/experiments/folder';
import { COMPARISON_TABLE_COLUMNS, GROUPED_TABLE_COLUMNS, RESULTS_CSV_COLUMNS, parseCsv } from '../../src/domain/experiments/analysis';
import { craftedFolderExperiments } from '../helpers/results-suite';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'analyze-'));
  for (const e of buildExperimentFolder(craftedFolderExperiments(), { now: '2026-11-25T12:00:00' })) {
    const file = path.join(dir, e.path);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, e.bytes);
  }
  // A broken experiment (skipped and reported, as Python's loader skips it) and a folder without results.
  mkdirSync(path.join(dir, 'broken_deadbeef'));
  writeFileSync(path.join(dir, 'broken_deadbeef', 'results.json'), '{"experiment_name": "broken", ');
  mkdirSync(path.join(dir, 'notes'));
  writeFileSync(path.join(dir, 'notes', 'readme.txt'), 'not an experiment');
  // The stale results.csv that analyze replaces.
  writeFileSync(path.join(dir, 'results.csv'), 'old\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';

describe('CLI --mode analyze', () => {
  it('prints the Python summary, the grouped table, the comparison and writes the files', async () => {
    let out = '';
    const res = await runAnalyze({ experimentsDir: dir, log: (t) => (out += `${t}\n`) });

    expect(out).toContain('[WARNING] broken_deadbeef/results.json');
    expect(res.problems.map((p) => p.file)).toEqual(['broken_deadbeef/results.json']);
    expect(out).toContain('Loaded 10 experiment result(s)');
    expect(out).toContain('EXPERIMENT RESULTS SUMMARY');
    expect(out).toContain('Total experiments: 10\nSuccessful: 9\nFailed: 1');
    expect(out).toMatch(/RESULTS BY CONFIGURATION[\s\S]*label_smooth6\s+3\s+0\s+42,43,44/);
    expect(out).toMatch(/Comparison with baseline "baseline"/);
    expect(out).toMatch(/- label_smooth6 differs from the baseline by \+3\.03 F1/);
    expect(out).toMatch(/- cartography_top33 shows no significant difference/);

    const csv = readFileSync(path.join(dir, 'results.csv'), 'utf8');
    const records = parseCsv(csv, 'results.csv');
    expect(records[0]).toEqual([...RESULTS_CSV_COLUMNS]);
    expect(records).toHaveLength(11);
    expect(records.slice(1).map((r) => r[0]).slice(0, 3)).toEqual(['baseline_seed42', 'label_smooth6_seed42', 'cartography_top33_seed42']);

    const svg = readFileSync(path.join(dir, 'experiment_results.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="1600" height="\d+"/);
    expect(svg).toContain('Experiment Results Analysis');
    expect(parseCsv(readFileSync(path.join(dir, 'summary.csv'), 'utf8'), 'summary.csv')[0]).toEqual([...GROUPED_TABLE_COLUMNS]);
    const cmp = parseCsv(readFileSync(path.join(dir, 'comparison.csv'), 'utf8'), 'comparison.csv');
    expect(cmp[0]).toEqual([...COMPARISON_TABLE_COLUMNS]);
    expect(cmp.slice(1).map((r) => `${r[0]}/${r[3]}/${r[4]}`)).toEqual([
      'label_smooth6/eval_f1/paired',
      'label_smooth6/eval_exact_match/paired',
      'cartography_top33/eval_f1/paired',
      'cartography_top33/eval_exact_match/paired',
      'cluster_filter/eval_f1/welch',
      'cluster_filter/eval_exact_match/welch',
    ]);

    const pngPath = path.join(dir, 'experiment_results.png');
    if (existsSync(CHROMIUM)) {
      expect(res.notes).toEqual([]);
      const png = readFileSync(pngPath);
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
      const height = Number(/height="(\d+)"/.exec(svg)![1]);
      expect(png.readUInt32BE(16)).toBe(1600 * 2);
      expect(png.readUInt32BE(20)).toBe(height * 2);
      expect(res.written).toContain(pngPath);
    } else {
      expect(existsSync(pngPath)).toBe(false);
      expect(res.notes[0]).toMatch(/experiment_results\.png not written: no Chromium/);
    }
    expect(res.written.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['results.csv', 'experiment_results.svg', 'summary.csv', 'comparison.csv']));
  }, 60_000);

  it('says so when there is nothing to analyze, and writes nothing', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'analyze-empty-'));
    try {
      let out = '';
      const res = await runAnalyze({ experimentsDir: empty, log: (t) => (out += `${t}\n`) });
      expect(out).toContain('No results to summarize');
      expect(res.written).toEqual([]);
      let missing = '';
      await runAnalyze({ experimentsDir: path.join(empty, 'nope'), log: (t) => (missing += `${t}\n`) });
      expect(missing).toContain(`No experiments directory at ${path.join(empty, 'nope')}`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('skips the PNG when asked and still writes the SVG', async () => {
    let out = '';
    const other = mkdtempSync(path.join(tmpdir(), 'analyze-nopng-'));
    try {
      for (const e of buildExperimentFolder(craftedFolderExperiments().slice(0, 3), { now: '2026-11-25T12:00:00' })) {
        const file = path.join(other, e.path);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, e.bytes);
      }
      const res = await runAnalyze({ experimentsDir: other, png: false, baseline: 'label_smooth6', log: (t) => (out += `${t}\n`) });
      expect(existsSync(path.join(other, 'experiment_results.png'))).toBe(false);
      expect(existsSync(path.join(other, 'experiment_results.svg'))).toBe(true);
      expect(res.analysis?.baseline).toBe('label_smooth6');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
