/**
 * `--mode analyze`: what `python run_experiments.py --mode analyze` does on a folder on disk
 * (origin-system §9), plus the statistics the Python system never computed:
 *
 * - discovery of the immediate subfolders with a results.json (readExperimentFolder);
 * - the Python summary text, then the per-configuration table, the comparison with the baseline
 *   and one sentence per configuration;
 * - {dir}/results.csv (pandas-faithful), {dir}/experiment_results.svg and, when a Chromium is at
 *   hand (Playwright + /usr/bin/chromium or $CHROME_PATH), {dir}/experiment_results.png at 2×;
 * - {dir}/summary.csv (grouped by configuration) and {dir}/comparison.csv.
 */
import { existsSync } from 'node:fs';
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
import { experimentResultsFigure } from '../ui/charts';
import { comparisonLines } from '../ui/state/results-sentences';

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

/**
 * Renders an SVG to PNG at 2× in headless Chromium (Playwright). Returns null on success, or
 * why it could not (no Chromium, no Playwright) so the caller can say so and go on.
 */
export async function svgToPngFile(svg: string, file: string, scale = PNG_SCALE): Promise<string | null> {
  const open = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(open)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(open)?.[1]);
  if (!(width > 0 && height > 0)) return 'the SVG has no numeric width and height';
  const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) return `no Chromium at ${executablePath} (set CHROME_PATH to render PNGs)`;
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    return `playwright-core is not installed (${(e as Error).message})`;
  }
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: Math.ceil(width), height: Math.ceil(height) }, deviceScaleFactor: scale });
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
    await page.screenshot({ path: file, type: 'png', clip: { x: 0, y: 0, width, height } });
    return null;
  } finally {
    await browser.close();
  }
}

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

export async function runAnalyze(opts: AnalyzeOptions): Promise<AnalyzeResult> {
  const log = opts.log ?? ((t: string) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`));
  const dir = opts.experimentsDir;
  const result: AnalyzeResult = { rows: [], analysis: null, written: [], problems: [], notes: [] };
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
  const svg = experimentResultsFigure(rows);
  await write('experiment_results.svg', svg);
  if (opts.png ?? true) {
    const pngPath = path.join(dir, 'experiment_results.png');
    const why = await svgToPngFile(svg, pngPath).catch((e: Error) => `rendering failed: ${e.message}`);
    if (why === null) result.written.push(pngPath);
    else result.notes.push(`experiment_results.png not written: ${why}; the SVG has the same figure`);
  }
  await write('summary.csv', groupedTableCsv(analysis));
  await write('comparison.csv', comparisonTableCsv(analysis));
  for (const f of result.written) log(`Saved ${f}`);
  for (const n of result.notes) log(`[NOTE] ${n}`);

  if (opts.showPlots) {
    const figure = result.written.find((f) => f.endsWith('.png')) ?? path.join(dir, 'experiment_results.svg');
    const why = openInViewer(figure);
    log(why === null ? `Opened ${figure}` : `--show-plots: ${why}; open ${figure} to view the plots`);
  }
  return result;
}
