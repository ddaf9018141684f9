/**
 * What the Results section draws and downloads, without DOM or storage: the plot list (SVG
 * strings from the chart renderers), the tables as CSV, the text summary, the Python experiment
 * folder for chosen runs, and the "Download all" archive layout:
 *
 *   plots/{file}.svg, plots/{file}.png        every plot (PNG at 2×, rendered by the caller),
 *                                            data-map-<run>.* for each selected run's data map
 *   tables/runs.csv                          the runs table (Python columns, then provenance)
 *   tables/summary.csv                       grouped by configuration (groupedTableCsv)
 *   tables/comparison.csv                    comparison with the baseline (comparisonTableCsv)
 *   summary.txt                              Python summary, grouped table, comparison, sentences
 *   experiments/...                          the Python experiment folder (buildExperimentFolder)
 */
import {
  comparisonTableCsv,
  formatComparisonTable,
  formatGroupTable,
  formatResultsSummary,
  groupedTableCsv,
  type AnalysisRow,
  type ExperimentAnalysis,
} from '../../domain/experiments/analysis';
import { buildExperimentFolder, type FolderEntry, type FolderExperiment, type TrainerOutputFiles } from '../../domain/experiments/folder';
import {
  configurationChart,
  experimentResultsFigure,
  f1OverExperimentsChart,
  f1VsExactMatchChart,
  strategyComparisonChart,
  trainingCurvesChart,
  trainingEfficiencyChart,
  type RunHistory,
} from '../charts';
import type { LayeredPng } from '../charts/data-map-raster';
import { runsTableCsv, type ResultEntry } from './results-rows';
import { comparisonLines } from './results-sentences';

export interface PlotSpec {
  /** DOM id prefix and test id. */
  id: string;
  title: string;
  /** File name without extension. */
  file: string;
  svg: string;
  /**
   * Layers to compose the PNG from, for plots whose points are rasterised (data maps): the PNG
   * then has every point, where the SVG may hold a sample. Absent: the PNG is the SVG rasterised.
   */
  raster?: LayeredPng;
}

/**
 * The Results plots: per-configuration F1 and exact match (mean, CI, seeds, difference to the
 * baseline), the four Python plots, and the training curves when histories are given.
 */
export function resultPlots(rows: readonly AnalysisRow[], analysis: ExperimentAnalysis, histories: readonly RunHistory[] = []): PlotSpec[] {
  const plots: PlotSpec[] = [
    { id: 'plot-config-f1', title: 'F1 by configuration', file: 'configurations_f1', svg: configurationChart(analysis, { metric: 'eval_f1' }) },
    { id: 'plot-config-em', title: 'Exact match by configuration', file: 'configurations_exact_match', svg: configurationChart(analysis, { metric: 'eval_exact_match' }) },
    { id: 'plot-f1-over', title: 'F1 over experiments', file: 'f1_over_experiments', svg: f1OverExperimentsChart(rows) },
    { id: 'plot-f1-em', title: 'F1 vs exact match', file: 'f1_vs_exact_match', svg: f1VsExactMatchChart(rows) },
    { id: 'plot-strategy', title: 'Strategy comparison', file: 'strategy_comparison', svg: strategyComparisonChart(rows) },
    { id: 'plot-efficiency', title: 'Training efficiency', file: 'training_efficiency', svg: trainingEfficiencyChart(rows) },
  ];
  if (histories.some((h) => h.history.length > 0)) {
    plots.push({ id: 'plot-curves', title: 'Training curves', file: 'training_curves', svg: trainingCurvesChart(histories) });
  }
  return plots;
}

/** The 2×2 figure of the Python analysis (experiment_results.png). */
export function experimentFigure(rows: readonly AnalysisRow[]): PlotSpec {
  return { id: 'plot-figure', title: 'Experiment results (2×2)', file: 'experiment_results', svg: experimentResultsFigure(rows) };
}

/** The text report: the Python summary, then the grouped table, the comparison, and one sentence per configuration. */
export function summaryText(rows: readonly AnalysisRow[], analysis: ExperimentAnalysis): string {
  const lines = comparisonLines(analysis).map((l) => `- ${l.text}`);
  return [
    formatResultsSummary(rows).trimEnd(),
    '',
    'BY CONFIGURATION (seed left out): mean ± sd [95% CI]',
    formatGroupTable(analysis),
    '',
    formatComparisonTable(analysis),
    ...(lines.length ? ['', 'IN WORDS', ...lines] : []),
    '',
  ].join('\n');
}

export interface ResultTables {
  runs: string;
  summary: string;
  comparison: string;
}

export function resultTables(entries: readonly ResultEntry[], columns: readonly string[], analysis: ExperimentAnalysis): ResultTables {
  return { runs: runsTableCsv(entries, columns), summary: groupedTableCsv(analysis), comparison: comparisonTableCsv(analysis) };
}

/**
 * The experiments of a Python folder for these runs. Runs without a readable config (an import
 * whose config.json was missing or invalid) cannot get a folder `{name}_{hash}/config.json` and
 * are left out, named in `leftOut`.
 */
export function folderExperiments(
  entries: readonly ResultEntry[],
  trainerOutputs: ReadonlyMap<string, TrainerOutputFiles> = new Map(),
): { experiments: FolderExperiment[]; leftOut: string[] } {
  const experiments: FolderExperiment[] = [];
  const leftOut: string[] = [];
  for (const e of entries) {
    if (!e.config) {
      leftOut.push(`${e.result.experiment_name} (${e.runId}): no valid config.json, so it has no experiment folder`);
      continue;
    }
    const app = e.app && Object.keys(e.app).length ? e.app : undefined;
    experiments.push({ config: e.config, result: e.result, ...(app ? { app } : {}), ...(trainerOutputs.has(e.runId) ? { trainer_output: trainerOutputs.get(e.runId) } : {}) });
  }
  return { experiments, leftOut };
}

export interface ExperimentFolderInput {
  entries: readonly ResultEntry[];
  trainerOutputs?: ReadonlyMap<string, TrainerOutputFiles>;
  /** `datetime.now().isoformat()` for all_results.json. */
  now: string;
  /** experiment_results.png bytes. */
  plotPng?: Uint8Array;
  root?: string;
}

/** The Python experiments folder of these runs (root "experiments" by default). */
export function experimentFolderEntries(input: ExperimentFolderInput): { entries: FolderEntry[]; leftOut: string[] } {
  const { experiments, leftOut } = folderExperiments(input.entries, input.trainerOutputs);
  if (experiments.length === 0) return { entries: [], leftOut };
  const entries = buildExperimentFolder(experiments, { root: input.root ?? 'experiments', now: input.now, ...(input.plotPng ? { plot_png: input.plotPng } : {}) });
  return { entries, leftOut };
}

export interface RenderedPlot {
  file: string;
  svg: string;
  /** PNG bytes; absent when rasterising failed (the SVG is still written). */
  png?: Uint8Array;
}

export interface BundleInput {
  plots: readonly RenderedPlot[];
  tables: ResultTables;
  summary: string;
  /** The experiment folder, paths already under "experiments/". */
  folder: readonly FolderEntry[];
  /** Lines for a NOTES.txt (what was left out and why); omitted when empty. */
  notes?: readonly string[];
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Every file of the "Download all" archive, in the layout above. */
export function resultsBundleEntries(input: BundleInput): FolderEntry[] {
  const out: FolderEntry[] = [];
  for (const p of input.plots) {
    out.push({ path: `plots/${p.file}.svg`, bytes: utf8(p.svg) });
    if (p.png) out.push({ path: `plots/${p.file}.png`, bytes: p.png });
  }
  out.push({ path: 'tables/runs.csv', bytes: utf8(input.tables.runs) });
  out.push({ path: 'tables/summary.csv', bytes: utf8(input.tables.summary) });
  out.push({ path: 'tables/comparison.csv', bytes: utf8(input.tables.comparison) });
  out.push({ path: 'summary.txt', bytes: utf8(input.summary) });
  if (input.notes?.length) out.push({ path: 'NOTES.txt', bytes: utf8(`${input.notes.join('\n')}\n`) });
  out.push(...input.folder);
  return out;
}

/** A file-name-safe timestamp for download names ("2026-11-25T12-30-05"). */
export function fileStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}
