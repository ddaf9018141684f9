import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runAnalyze } from '../../src/cli/analyze';
import { serializeMetricsCsv } from '../../src/domain/cartography/metrics-files';
import { serializeDynamics } from '../../src/domain/cartography/dynamics-file';
import type { CartographyMetricsRow, TrainingDynamics } from '../../src/domain/cartography/types';
import { buildExperimentFolder, readExperimentFolder, type FolderEntry } from '../../src/domain/experiments/folder';
import { findRunCartography, pickCartographyFile, resolveInTree, type FileTree } from '../../src/domain/experiments/run-cartography';
import { openLabDB, type LabDatabase } from '../../src/storage/db';
import { saveArtifact } from '../../src/storage/artifacts';
import { loadRunCartography, loadStoredRuns, runCartographyId, saveImportedFolder } from '../../src/storage/results';
import { entriesFromStored } from '../../src/ui/state/results-rows';
import { DataMapPlot, dataMapFileBases, dataMapView, noDataMapReason, usableMetricsRows } from '../../src/ui/state/results-data-map';
import { loadDataMaps, MAX_DATA_MAPS } from '../../src/ui/state/results-data-maps';
import { craftedFolderExperiments } from '../helpers/results-suite';

const enc = (s: string) => new TextEncoder().encode(s);

/** n metrics rows spread over the map (deterministic). */
function metricsRows(n: number, prefix = 'ex'): CartographyMetricsRow[] {
  return Array.from({ length: n }, (_, i) => {
    const confidence = ((i * 37) % 100) / 100;
    const variability = ((i * 13) % 50) / 100;
    return { id: `${prefix}${i}`, confidence, variability, correctness: (i % 6) / 5, num_epochs: 5, start_confidence: confidence, end_confidence: confidence };
  });
}

function dynamics(n: number, epochs: number): TrainingDynamics {
  const d: TrainingDynamics = {};
  for (let i = 0; i < n; i++) {
    d[`d${i}`] = {};
    for (let e = 0; e < epochs; e++) d[`d${i}`][e] = { start_prob: 0.1 + 0.8 * ((i + e) % 5) / 4, end_prob: 0.5, correct: (i + e) % 2 === 0 };
  }
  return d;
}

/** A memory tree over path → text. */
function tree(files: Record<string, string>): FileTree {
  return {
    list: (dir) => Object.keys(files).filter((p) => path.posix.dirname(p) === dir).map((p) => path.posix.basename(p)),
    read: (file) => enc(files[file]),
    join: (d, n) => path.posix.join(d, n),
  };
}

describe('finding a run’s cartography files', () => {
  it('prefers the metrics CSV, then the JSON, then the last dynamics file', () => {
    expect(pickCartographyFile(['training_dynamics_epoch_2.json', 'cartography_metrics.json', 'cartography_metrics.csv'])?.kind).toBe('metrics-csv');
    expect(pickCartographyFile(['training_dynamics_epoch_2.json', 'cartography_metrics.json'])?.name).toBe('cartography_metrics.json');
    expect(pickCartographyFile(['training_dynamics_epoch_2.json', 'training_dynamics_epoch_10.json', 'notes.txt'])?.name).toBe('training_dynamics_epoch_10.json');
    expect(pickCartographyFile(['notes.txt'])).toBeNull();
  });

  it('resolves config directories inside the tree only', () => {
    expect(resolveInTree('', './cartography_output')).toBe('cartography_output');
    expect(resolveInTree('a/b', '../c/./d')).toBe('a/c/d');
    expect(resolveInTree('a', '../../x')).toBeNull();
    expect(resolveInTree('a', '/abs/x')).toBeNull();
    expect(resolveInTree('a', 'C:\\x')).toBeNull();
  });

  it('reads a run’s own folder, attributes a config directory only to its single writer, and reports unreadable files', () => {
    const carto = (dir: string) => ({ training: { enable_cartography: true, cartography_output_dir: dir } }) as never;
    const files = {
      'exp/a_1/cartography_output/cartography_metrics.csv': serializeMetricsCsv(metricsRows(4)),
      'shared/training_dynamics_epoch_3.json': serializeDynamics(dynamics(3, 3)),
      'solo/training_dynamics_epoch_2.json': serializeDynamics(dynamics(2, 2)),
      'exp/broken_4/cartography_output/cartography_metrics.csv': 'id,confidence\nx,not-a-number\n',
    };
    const res = findRunCartography(
      tree(files),
      [
        { key: 'a', dir: 'exp/a_1', config: null },
        { key: 'b', dir: 'exp/b_2', config: carto('./shared') },
        { key: 'c', dir: 'exp/c_3', config: carto('shared') },
        { key: 'd', dir: 'exp/d_5', config: carto('./solo') },
        { key: 'broken', dir: 'exp/broken_4', config: null },
        { key: 'none', dir: 'exp/none_6', config: null },
      ],
      (d) => resolveInTree('', d),
    );
    expect(res.found.get('a')?.rows).toHaveLength(4);
    expect(res.found.get('a')?.file).toBe('exp/a_1/cartography_output/cartography_metrics.csv');
    // Two runs wrote to shared/: whichever ran last is there, so neither gets it.
    expect(res.found.has('b')).toBe(false);
    expect(res.found.has('c')).toBe(false);
    expect(res.warnings).toEqual([expect.stringMatching(/^shared: written by 2 runs with enable_cartography \(b, c\)/)]);
    // One writer: its dynamics become metrics as the callback computes them.
    const d = res.found.get('d')!;
    expect(d.file).toBe('solo/training_dynamics_epoch_2.json');
    expect(d.rows.map((r) => r.num_epochs)).toEqual([2, 2]);
    expect(d.rows[0].correctness).toBeCloseTo(0.5, 12);
    expect(res.problems).toHaveLength(1);
    expect(res.problems[0]).toMatchObject({ key: 'broken', file: 'exp/broken_4/cartography_output/cartography_metrics.csv' });
    expect(res.found.has('none')).toBe(false);
  });
});

/** The crafted suite's folder with a metrics CSV in the first experiment and dynamics from the single cartography writer. */
function folderWithCartography(): { files: FolderEntry[]; withMap: string[] } {
  const exps = craftedFolderExperiments();
  // The label-smoothing run of seed 42 tracked cartography into ./cartography_output (run.py's default).
  const tracked = exps.find((e) => e.config.name === 'label_smooth6_seed42')!;
  tracked.config = { ...tracked.config, training: { ...tracked.config.training, enable_cartography: true, cartography_output_dir: './cartography_output' } };
  const files = buildExperimentFolder(exps, { root: 'experiments', now: '2026-11-25T12:00:00' });
  const first = readExperimentFolder(files).experiments[0];
  files.push({ path: `experiments/${first.dir}/cartography_output/cartography_metrics.csv`, bytes: enc(serializeMetricsCsv(metricsRows(40))) });
  files.push({ path: 'cartography_output/training_dynamics_epoch_3.json', bytes: enc(serializeDynamics(dynamics(12, 3))) });
  return { files, withMap: [first.result.experiment_name, 'label_smooth6_seed42'] };
}

describe('importing runs with their training dynamics', () => {
  let db: LabDatabase;
  let n = 0;
  beforeEach(async () => {
    db = await openLabDB({ name: `results-data-maps-${n++}` });
  });
  afterEach(() => db.close());

  it('reads the maps from the folder, stores one cartography artifact per run, and draws them for the selected runs', async () => {
    const { files, withMap } = folderWithCartography();
    const folder = readExperimentFolder(files);
    expect(folder.problems).toEqual([]);
    expect(folder.experiments.filter((e) => e.cartography).map((e) => e.result.experiment_name).sort()).toEqual([...withMap].sort());
    const saved = await saveImportedFolder(db, folder, 'with-maps', { now: '2026-11-25T12:00:00Z' });
    expect(saved.cartographyRuns).toBe(2);

    const { entries } = entriesFromStored(await loadStoredRuns(db));
    const stored = await loadRunCartography(db, entries.map((e) => e.runId));
    expect([...stored.keys()].map((id) => entries.find((e) => e.runId === id)!.result.experiment_name).sort()).toEqual([...withMap].sort());
    for (const [runId, art] of stored) {
      expect(art.id).toBe(runCartographyId(runId));
      expect(art.producedBy).toBe(runId);
    }

    const chosen = entries.filter((e) => ['baseline_seed42', 'label_smooth6_seed42', 'baseline_seed43'].includes(e.result.experiment_name));
    const maps = await loadDataMaps(db, chosen);
    expect(maps.plots.map((p) => p.run.name).sort()).toEqual(['baseline_seed42', 'label_smooth6_seed42']);
    expect(maps.plots.find((p) => p.run.name === 'baseline_seed42')!.points).toBe(40);
    expect(maps.plots.find((p) => p.run.name === 'label_smooth6_seed42')!.points).toBe(12);
    expect(maps.notes.map((x) => `${x.name}: ${x.text}`)).toEqual([expect.stringMatching(/^baseline_seed43: imported without cartography files/)]);
    expect(maps.limitNote).toBeNull();
  });

  it('finds an app run’s artifact stored under an older random id by its producer, and says why other runs have none', async () => {
    const { files } = folderWithCartography();
    await saveImportedFolder(db, readExperimentFolder(files.filter((f) => !f.path.includes('cartography'))), 'plain', { now: '2026-11-25T12:00:00Z' });
    const { entries } = entriesFromStored(await loadStoredRuns(db));
    const target = entries[0];
    await saveArtifact(db, { id: 'cartography:0d9c-random', kind: 'cartography', name: 'older run', datasetId: 'd', split: 'train', createdAt: '2026-11-25T12:00:00Z', producedBy: target.runId, data: { metrics: metricsRows(5), epochs: 5 } });
    expect((await loadRunCartography(db, [target.runId])).size).toBe(0);
    const found = await loadRunCartography(db, [target.runId], new Set([target.runId]));
    expect(found.get(target.runId)?.id).toBe('cartography:0d9c-random');

    const many = [...entries, ...entries].slice(0, MAX_DATA_MAPS + 2);
    const maps = await loadDataMaps(db, many);
    expect(maps.limitNote).toBe(`Data maps are drawn for the first ${MAX_DATA_MAPS} of ${MAX_DATA_MAPS + 2} selected runs.`);
  });
});

describe('a run’s data map as a plot', () => {
  it('keeps usable rows, names files uniquely and titles the figure with the run', () => {
    const good = metricsRows(3);
    const { rows, dropped, error } = usableMetricsRows([...good, { id: 'x', confidence: 1.5, variability: 0, correctness: 0 }, { confidence: 0.5 }, null]);
    expect(rows).toEqual(good);
    expect(dropped).toBe(3);
    expect(error).toBeNull();
    expect(usableMetricsRows({}).error).toMatch(/not a list/);
    expect(dataMapFileBases([{ name: 'baseline_seed42' }, { name: 'baseline_seed42' }, { name: '../evil name' }])).toEqual(['data-map-baseline_seed42', 'data-map-baseline_seed42-2', 'data-map-evil_name']);

    const run = { runId: 'r1', name: 'baseline_seed42', seed: 42 };
    const plot = new DataMapPlot(run, dataMapView(run, metricsRows(30)), 'data-map-baseline_seed42');
    expect(plot.title).toBe('Data map · baseline_seed42 · seed 42');
    expect(plot.svg).toContain('>Data map · baseline_seed42 · seed 42</text>');
    expect(plot.svg.match(/<circle /g)!.length).toBeGreaterThanOrEqual(30);
    expect(plot.svg).toMatchSnapshot();
    const raster = plot.raster;
    const buf = raster.points(2);
    expect(buf.width).toBe(Math.round((raster.plot.right - raster.plot.left) * 2));
    expect(buf.data.some((v) => v !== 0)).toBe(true);
    expect(() => dataMapView(run, [])).toThrow(/no metrics rows/);
  });

  it('keeps the region labels off the axis when a median sits at an edge (a barely trained run)', () => {
    const run = { runId: 'r0', name: 'untrained', seed: 1 };
    const flat = metricsRows(40).map((r, i) => ({ ...r, confidence: 0.001 * (i % 3), correctness: 0 }));
    const plot = new DataMapPlot(run, dataMapView(run, flat), 'data-map-untrained');
    const { plot: box } = plot.layout;
    const rectY = (cat: string) => Number(new RegExp(`region-${cat}"><rect x="[^"]+" y="([^"]+)"`).exec(plot.svg)![1]);
    for (const cat of ['easy', 'hard', 'ambiguous']) {
      expect(rectY(cat)).toBeGreaterThanOrEqual(box.top);
      expect(rectY(cat) + 22).toBeLessThanOrEqual(box.bottom - 18);
    }
  });

  it('says why a run has no map, from how it was made', () => {
    const config = (on: boolean) => ({ training: { enable_cartography: on } }) as never;
    expect(noDataMapReason({ imported: true, config: null, result: { success: true } })).toMatch(/^imported without cartography files/);
    expect(noDataMapReason({ imported: false, config: config(false), result: { success: true } })).toMatch(/enable_cartography off/);
    expect(noDataMapReason({ imported: false, config: config(true), result: { success: false } })).toMatch(/the run failed/);
    expect(noDataMapReason({ imported: false, config: config(true), result: { success: true } })).toMatch(/no longer stored/);
  });
});

describe('CLI --mode analyze data maps', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'analyze-maps-'));
    for (const e of folderWithCartography().files) {
      const file = path.join(dir, e.path);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, e.bytes);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an SVG (and a 2× PNG with Chromium) per run with training dynamics and lists them', async () => {
    let out = '';
    const experiments = path.join(dir, 'experiments');
    const res = await runAnalyze({ experimentsDir: experiments, log: (t) => (out += `${t}\n`) });
    expect(res.dataMaps.map((m) => m.name).sort()).toEqual(['baseline_seed42', 'label_smooth6_seed42']);
    expect(out).toContain('DATA MAPS');
    for (const m of res.dataMaps) {
      const svgFile = m.files.find((f) => f.endsWith('.svg'))!;
      expect(path.basename(svgFile)).toBe(`data_map_${m.dir}.svg`);
      const svg = readFileSync(svgFile, 'utf8');
      expect(svg).toContain(`Data map · ${m.name} · seed 42`);
      expect(out).toContain(`- ${m.name} (seed 42): ${m.points} examples from `);
      const png = path.join(experiments, `data_map_${m.dir}.png`);
      if (existsSync(process.env.CHROME_PATH || '/usr/bin/chromium')) {
        const bytes = readFileSync(png);
        expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
        expect(bytes.readUInt32BE(16)).toBe(800 * 2);
        expect(bytes.readUInt32BE(20)).toBe(600 * 2);
      }
    }
    expect(res.dataMaps.find((m) => m.name === 'label_smooth6_seed42')!.source).toBe(path.join(dir, 'cartography_output', 'training_dynamics_epoch_3.json'));
  }, 90_000);
});
