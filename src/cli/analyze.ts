/**
 * `--mode analyze`: what `python run_experiments.py --mode analyze` does on a folder on disk
 * (origin-system §9), plus the statistics the Python system never computed:
 *
 * - discovery of the immediate subfolders with a results.json (readExperimentFolder);
 * - the Python summary text, then the per-configuration table, the comparison with the baseline
 *   and one sentence per configuration;
 * - {dir}/results.csv (pandas-faithful), {dir}/experiment_results.svg and, when a Chromium is at
 *   hand (Playwright + /usr/bin/chromium or $CHROME_PATH), {dir}/experiment_results.png at 2×;
 * - {dir}/summary.csv (grouped by configuration) and {dir}/comparison.csv;
 * - {dir}/data_map_{name}_{hash}.svg (and .png at 2× with every point, with Chromium) for each
 *   run whose training dynamics are in the folder (run-cartography.ts says where they are looked for).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import {
  analyzeExperiments,
  comparisonTableCsv,
  formatComparisonTable,
  formatGroupTable,
  formatResultsSummary,
  groupedTableCsv,
  type AnalysisRow,
  type ExperimentAnalysis,
} from '../domain/experiments/analysis';
import { toAnalysisRow, resultsCsvText } from '../domain/experiments/csv';
import { formatFolderProblems, readExperimentFolder, type FolderEntry, type FolderProblem } from '../domain/experiments/folder';
import { findRunCartography, RUN_CARTOGRAPHY_DIR, type FileTree } from '../domain/experiments/run-cartography';
import { experimentResultsFigure } from '../ui/charts';
import type { LayeredPng } from '../ui/charts/data-map-raster';
import { comparisonLines } from '../ui/state/results-sentences';
import { DataMapPlot, dataMapView } from '../ui/state/results-data-map';

export interface AnalyzeOptions {
  experimentsDir: string;
  /** Python's `--show-plots`: open the figure in the system viewer when there is a display. */
  showPlots?: boolean;
  /** Write experiment_results.png (needs Chromium). Default true. */
  png?: boolean;
  /** Baseline group key; default the group named "baseline". */
  baseline?: string;
  /** Where the text goes (default: stdout). */
  log?: (text: string) => void;
}

export interface AnalyzeResult {
  rows: AnalysisRow[];
  analysis: ExperimentAnalysis | null;
  /** Paths written. */
  written: string[];
  problems: FolderProblem[];
  /** Why something was not written (no Chromium for the PNG, ...). */
  notes: string[];
  /** The data map written for each run with training dynamics in the folder. */
  dataMaps: WrittenDataMap[];
}

export interface WrittenDataMap {
  /** Experiment folder name ("baseline_seed42_1a2b3c4d"). */
  dir: string;
  name: string;
  seed: number | null;
  /** The cartography file the map was drawn from. */
  source: string;
  points: number;
  /** Paths written (the SVG, and the PNG when Chromium rendered it). */
  files: string[];
}

/** Files of the folder that the analysis reads: all_results.json and each subfolder's results/config/app JSON. */
async function readFolderFiles(dir: string): Promise<FolderEntry[]> {
  const entries: FolderEntry[] = [];
  const top = path.join(dir, 'all_results.json');
  if (existsSync(top)) entries.push({ path: 'all_results.json', bytes: new Uint8Array(await readFile(top)) });
  for (const d of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    for (const name of ['results.json', 'config.json', 'app.json']) {
      const file = path.join(dir, d.name, name);
      if (existsSync(file)) entries.push({ path: `${d.name}/${name}`, bytes: new Uint8Array(await readFile(file)) });
    }
  }
  return entries;
}

const PNG_SCALE = 2;

function svgSize(svg: string): { width: number; height: number } | null {
  const open = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(open)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(open)?.[1]);
  return width > 0 && height > 0 ? { width, height } : null;
}

/** Writes PNGs at 2× with one headless Chromium (Playwright) for all of them. */
export interface PngRenderer {
  /** A chart SVG rasterised. */
  svg(svg: string, file: string): Promise<void>;
  /** A chart whose points are rasterised (data map): SVG frame, every point, SVG labels, as the app's PNG export composes them. */
  layered(chart: LayeredPng, file: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts Chromium, or says why it cannot (no Chromium, no Playwright) so the caller can say so and go on. */
export async function openPngRenderer(scale = PNG_SCALE): Promise<PngRenderer | string> {
  const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) return `no Chromium at ${executablePath} (set CHROME_PATH to render PNGs)`;
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    return `playwright-core is not installed (${(e as Error).message})`;
  }
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const shoot = async (width: number, height: number, html: string, file: string, after?: (page: import('playwright-core').Page) => Promise<void>) => {
    const page = await browser.newPage({ viewport: { width: Math.ceil(width), height: Math.ceil(height) }, deviceScaleFactor: scale });
    try {
      await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${html}</body></html>`);
      await after?.(page);
      await page.screenshot({ path: file, type: 'png', clip: { x: 0, y: 0, width, height } });
    } finally {
      await page.close();
    }
  };
  return {
    async svg(svg, file) {
      const size = svgSize(svg);
      if (!size) throw new Error('the SVG has no numeric width and height');
      await shoot(size.width, size.height, svg, file);
    },
    async layered(chart, file) {
      const buf = chart.points(scale);
      const { plot } = chart;
      const layer = (svg: string) => `<div style="position:absolute;left:0;top:0;line-height:0">${svg}</div>`;
      const html =
        `<div style="position:relative;width:${chart.width}px;height:${chart.height}px">${layer(chart.under)}` +
        `<canvas id="points" width="${buf.width}" height="${buf.height}" style="position:absolute;left:${Math.round(plot.left * scale) / scale}px;top:${Math.round(plot.top * scale) / scale}px;width:${buf.width / scale}px;height:${buf.height / scale}px"></canvas>` +
        `${layer(chart.over)}</div>`;
      const pixels = Buffer.from(buf.data.buffer, buf.data.byteOffset, buf.data.byteLength).toString('base64');
      await shoot(chart.width, chart.height, html, file, (page) =>
        page.evaluate(
          ({ pixels, width, height }) => {
            const bin = atob(pixels);
            const data = new Uint8ClampedArray(bin.length);
            for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
            const canvas = document.getElementById('points') as HTMLCanvasElement;
            canvas.getContext('2d')?.putImageData(new ImageData(data, width, height), 0, 0);
          },
          { pixels, width: buf.width, height: buf.height },
        ),
      );
    },
    close: () => browser.close(),
  };
}

/** The experiments folder on disk as a FileTree (files directly in a directory; none when it is missing). */
const diskTree: FileTree = {
  list(dir) {
    try {
      return readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name);
    } catch {
      return [];
    }
  },
  read: (file) => new Uint8Array(readFileSync(file)),
  join: (dir, name) => path.join(dir, name),
};

function openInViewer(file: string): string | null {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display to show plots on';
  try {
    const child = spawn(cmd, process.platform === 'win32' ? ['/c', 'start', '', file] : [file], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

type PngWriter = (file: string, draw: (r: PngRenderer) => Promise<void>) => Promise<string | null>;

/** One Chromium for every PNG of a run, started on the first one; `write` says why a PNG was not written (null when it was). */
function lazyPngWriter(): { write: PngWriter; close(): Promise<void> } {
  let renderer: Promise<PngRenderer | string> | null = null;
  return {
    async write(file, draw) {
      renderer ??= openPngRenderer();
      const r = await renderer;
      if (typeof r === 'string') return r;
      return draw(r).then(
        () => null,
        (e: Error) => `rendering failed: ${e.message}`,
      );
    },
    async close() {
      const r = await renderer;
      if (r && typeof r !== 'string') await r.close();
    },
  };
}

/**
 * A data map (SVG, and PNG when `png` is given) for every experiment whose training dynamics
 * are in the folder; returns the summary's lines about them.
 */
async function writeDataMaps(
  dir: string,
  experiments: ReturnType<typeof readExperimentFolder>['experiments'],
  png: PngWriter | null,
  write: (name: string, content: string) => Promise<void>,
  result: AnalyzeResult,
): Promise<string[]> {
  const parent = path.dirname(path.resolve(dir));
  const search = findRunCartography(
    diskTree,
    experiments.map((e) => ({ key: e.dir, dir: path.join(dir, e.path), config: e.config })),
    (d) => path.resolve(parent, d),
  );
  const lines = ['DATA MAPS (confidence against variability over the training epochs, one per run with training dynamics)'];
  for (const w of search.warnings) lines.push(`[WARNING] ${w}`);
  for (const p of search.problems) lines.push(`[WARNING] ${p.file}${p.field ? `: ${p.field}` : ''}: ${p.message}; no data map for ${p.key}`);
  for (const e of experiments) {
    const found = search.found.get(e.dir);
    if (!found) {
      if (e.config?.training.enable_cartography && !search.problems.some((p) => p.key === e.dir)) {
        lines.push(
          `- ${e.result.experiment_name}: enable_cartography was on, but no cartography files are in ${path.join(dir, e.path, RUN_CARTOGRAPHY_DIR)} or ${path.resolve(parent, e.config.training.cartography_output_dir)}`,
        );
      }
      continue;
    }
    const run = { runId: e.dir, name: e.result.experiment_name, seed: toAnalysisRow(e.row).seed ?? e.config?.training.seed ?? null };
    const plot = new DataMapPlot(run, dataMapView(run, found.rows), `data_map_${e.dir}`);
    const map: WrittenDataMap = { dir: e.dir, name: run.name, seed: run.seed, source: found.file, points: plot.points, files: [] };
    await write(`${plot.file}.svg`, plot.svg);
    map.files.push(path.join(dir, `${plot.file}.svg`));
    let pngNote = '';
    if (png) {
      const file = path.join(dir, `${plot.file}.png`);
      const why = await png(file, (r) => r.layered(plot.raster, file));
      if (why === null) {
        result.written.push(file);
        map.files.push(file);
      } else pngNote = `; PNG not written: ${why}`;
    }
    result.dataMaps.push(map);
    const sampled = plot.svgNote ? ` (${plot.svgNote})` : '';
    lines.push(`- ${run.name} (seed ${run.seed ?? 'unknown'}): ${plot.points} examples from ${found.file} → ${map.files.map((f) => path.basename(f)).join(', ')}${sampled}${pngNote}`);
  }
  if (result.dataMaps.length === 0 && lines.length === 1) {
    lines.push(`No run in this folder has training dynamics ({experiment}/${RUN_CARTOGRAPHY_DIR}/ or, with enable_cartography, its cartography_output_dir); no data maps written.`);
  }
  lines.push('');
  return lines;
}

export async function runAnalyze(opts: AnalyzeOptions): Promise<AnalyzeResult> {
  const log = opts.log ?? ((t: string) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`));
  const dir = opts.experimentsDir;
  const result: AnalyzeResult = { rows: [], analysis: null, written: [], problems: [], notes: [], dataMaps: [] };
  let info;
  try {
    info = await stat(dir);
  } catch {
    info = null;
  }
  if (!info?.isDirectory()) {
    log(`No experiments directory at ${dir}`);
    log(formatResultsSummary([]));
    return result;
  }

  const folder = readExperimentFolder(await readFolderFiles(dir));
  result.problems = folder.problems;
  for (const line of formatFolderProblems(folder.problems)) log(`[WARNING] ${line}`);
  for (const w of folder.warnings) log(`[WARNING] ${w}`);
  log(`Loaded ${folder.experiments.length} experiment result(s) from ${dir}`);

  const rows = folder.rows.map(toAnalysisRow);
  result.rows = rows;
  log(formatResultsSummary(rows));
  if (rows.length === 0) return result;

  const analysis = analyzeExperiments(rows, opts.baseline ? { baseline: opts.baseline } : {});
  result.analysis = analysis;
  const lines = comparisonLines(analysis);
  log(
    [
      'RESULTS BY CONFIGURATION (seed left out): mean ± sd [95% CI]',
      formatGroupTable(analysis),
      '',
      formatComparisonTable(analysis),
      ...(lines.length ? ['', 'IN WORDS', ...lines.map((l) => `- ${l.text}`)] : []),
      '',
    ].join('\n'),
  );

  await mkdir(dir, { recursive: true });
  const write = async (name: string, content: string | Uint8Array) => {
    const file = path.join(dir, name);
    await writeFile(file, content);
    result.written.push(file);
  };
  await write('results.csv', resultsCsvText(folder.rows));
  const wantPng = opts.png ?? true;
  const pngs = lazyPngWriter();
  try {
    const svg = experimentResultsFigure(rows);
    await write('experiment_results.svg', svg);
    if (wantPng) {
      const pngPath = path.join(dir, 'experiment_results.png');
      const why = await pngs.write(pngPath, (r) => r.svg(svg, pngPath));
      if (why === null) result.written.push(pngPath);
      else result.notes.push(`experiment_results.png not written: ${why}; the SVG has the same figure`);
    }
    await write('summary.csv', groupedTableCsv(analysis));
    await write('comparison.csv', comparisonTableCsv(analysis));
    const mapLines = await writeDataMaps(dir, folder.experiments, wantPng ? pngs.write : null, write, result);
    for (const f of result.written) log(`Saved ${f}`);
    for (const n of result.notes) log(`[NOTE] ${n}`);
    log(mapLines.join('\n'));
  } finally {
    await pngs.close();
  }

  if (opts.showPlots) {
    const figure = result.written.find((f) => f.endsWith('.png')) ?? path.join(dir, 'experiment_results.svg');
    const why = openInViewer(figure);
    log(why === null ? `Opened ${figure}` : `--show-plots: ${why}; open ${figure} to view the plots`);
  }
  return result;
}
