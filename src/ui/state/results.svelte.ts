import type { LabDatabase } from '../../storage/db';
import {
  configTextsOf,
  deleteImport,
  importNameTaken,
  listImports,
  loadRunOutputs,
  loadStoredRuns,
  loadTrainerOutputs,
  saveImportedFolder,
  ImportNameTakenError,
} from '../../storage/results';
import type { GroupBy } from '../../domain/experiments/analysis';
import { formatFolderProblems, readExperimentFolder, unzipFolder, zipFolder, type FolderEntry, type ImportedFolder } from '../../domain/experiments/folder';
import { pyIsoformatNow } from '../../domain/experiments/pytime';
import type { RunHistory } from '../charts';
import { svgToPngBlob } from '../charts/raster';
import { layeredPng } from '../charts/data-map-raster';
import type { DataMapPlot } from './results-data-map';
import { loadDataMaps, type DataMapLookup, type DataMapNote } from './results-data-maps';
import { downloadBlob, downloadBytes, downloadText } from '../components/download-file';
import { comparisonLines } from './results-sentences';
import {
  analyzeEntries,
  emptyFilter,
  entriesFromStored,
  filterEntries,
  sortEntries,
  sourcesOf,
  tableColumns,
  type EntryProblem,
  type ResultEntry,
  type ResultsFilter,
  type SortSpec,
} from './results-rows';
import {
  experimentFigure,
  experimentFolderEntries,
  fileStamp,
  resultPlots,
  resultsBundleEntries,
  resultTables,
  summaryText,
  type PlotSpec,
  type RenderedPlot,
} from './results-export';

export type ImportStage = 'idle' | 'reading' | 'review' | 'saving' | 'done' | 'error';

/** Curves are drawn for at most this many selected runs (more lines stop being readable). */
export const MAX_CURVES = 12;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A plot's PNG at 2×: composed from its layers when its points are rasterised (every point), else the SVG rasterised. */
function plotPng(plot: PlotSpec): Promise<Blob> {
  return plot.raster ? layeredPng(plot.raster, 2) : svgToPngBlob(plot.svg, 2);
}

async function pngBytes(plot: PlotSpec): Promise<Uint8Array> {
  return new Uint8Array(await (await plotPng(plot)).arrayBuffer());
}

/**
 * Intermediate checkpoints (optimizer and scheduler states, weights of every save step) are
 * large and not part of the results; only their trainer_state.json (the log history) is read.
 */
const CHECKPOINT_FILE = /(^|\/)trainer_output\/checkpoint-\d+\/(?!trainer_state\.json$)/;

async function readFileEntries(files: readonly File[]): Promise<{ entries: FolderEntry[]; name: string; skipped: { files: number; bytes: number } }> {
  const skipped = { files: 0, bytes: 0 };
  if (files.length === 1 && /\.zip$/i.test(files[0].name)) {
    const bytes = new Uint8Array(await files[0].arrayBuffer());
    const entries = unzipFolder(bytes, files[0].name).filter((e) => {
      if (!CHECKPOINT_FILE.test(e.path)) return true;
      skipped.files++;
      skipped.bytes += e.bytes.byteLength;
      return false;
    });
    return { entries, name: files[0].name.replace(/\.zip$/i, ''), skipped };
  }
  const entries: FolderEntry[] = [];
  for (const f of files) {
    // A directory pick gives "experiments/baseline_x/results.json"; loose files give their name only.
    const path = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
    if (CHECKPOINT_FILE.test(path)) {
      skipped.files++;
      skipped.bytes += f.size;
      continue;
    }
    entries.push({ path, bytes: new Uint8Array(await f.arrayBuffer()) });
  }
  const top = entries[0]?.path.includes('/') ? entries[0].path.split('/')[0] : 'experiments';
  return { entries, name: top, skipped };
}

/**
 * State of the Results section: the stored runs as a filterable, sortable table; the analysis
 * of the shown runs (grouping by configuration, comparison with a chosen baseline); plots; the
 * downloads; and the import of experiment folders.
 */
export class ResultsState {
  entries = $state.raw<ResultEntry[]>([]);
  problems = $state.raw<EntryProblem[]>([]);
  loading = $state(false);
  loadError = $state<string | null>(null);

  filter = $state<ResultsFilter>(emptyFilter());
  sort = $state<SortSpec>({ column: 'timestamp', direction: 'asc' });
  selected = $state.raw<ReadonlySet<string>>(new Set());
  groupBy = $state<GroupBy>('name');
  /** Chosen baseline group key; "" for the default (the group named "baseline"). */
  baselineChoice = $state('');

  histories = $state.raw<RunHistory[]>([]);
  curvesNote = $state<string | null>(null);

  /** Data maps of the selected runs (those with stored training dynamics). */
  dataMaps = $state.raw<DataMapPlot[]>([]);
  /** Selected runs without a map (and maps that left rows out), one line each. */
  dataMapNotes = $state.raw<DataMapNote[]>([]);
  dataMapLimitNote = $state<string | null>(null);
  dataMapsLoading = $state(false);
  dataMapError = $state<string | null>(null);
  /** Run id → its metrics view or why it has none; cleared when the stored runs are re-read. */
  private dataMapCache = new Map<string, DataMapLookup>();
  /** Counts data-map loads so that a slow one never overwrites the result of a later selection. */
  private dataMapGeneration = 0;

  busy = $state<string | null>(null);
  exportError = $state<string | null>(null);
  exportNotes = $state.raw<string[]>([]);
  includeWeights = $state(true);

  importStage = $state<ImportStage>('idle');
  importFolder = $state.raw<ImportedFolder | null>(null);
  importName = $state('');
  importReplace = $state(false);
  importNameIsTaken = $state(false);
  importKeepFiles = $state(true);
  importError = $state<string | null>(null);
  importMessage = $state<string | null>(null);
  imports = $state.raw<{ name: string; suiteId: string; runs: number }[]>([]);
  /** Checkpoint files not read (see CHECKPOINT_FILE). */
  importSkipped = $state.raw<{ files: number; bytes: number }>({ files: 0, bytes: 0 });
  private importEntries: FolderEntry[] = [];

  readonly columns = $derived(tableColumns(this.entries));
  readonly sources = $derived(sourcesOf(this.entries));
  /** Shown runs in the Python order (timestamp): the analysis input. */
  readonly shown = $derived(filterEntries(this.entries, this.filter));
  /** Shown runs in the table's order. */
  readonly visible = $derived(sortEntries(this.shown, this.sort));
  readonly analyzed = $derived(analyzeEntries(this.shown, this.groupBy, this.baselineChoice));
  readonly analysis = $derived(this.analyzed.analysis);
  readonly lines = $derived(this.analysis ? comparisonLines(this.analysis) : []);
  readonly drawn = $derived.by((): { plots: PlotSpec[]; error: string | null } => {
    if (!this.analysis || this.shown.length === 0) return { plots: [], error: null };
    try {
      return { plots: resultPlots(this.shown.map((e) => e.analysis), this.analysis, this.histories), error: null };
    } catch (e) {
      return { plots: [], error: message(e) };
    }
  });
  readonly plots = $derived(this.drawn.plots);
  readonly importProblems = $derived(this.importFolder ? formatFolderProblems(this.importFolder.problems) : []);

  constructor(private readonly db: () => LabDatabase | null) {}

  async refresh(): Promise<void> {
    const db = this.db();
    if (!db) return;
    this.loading = true;
    try {
      const { entries, problems } = entriesFromStored(await loadStoredRuns(db));
      this.entries = entries;
      this.problems = problems;
      this.imports = await listImports(db);
      this.loadError = null;
      const ids = new Set(entries.map((e) => e.runId));
      this.selected = new Set([...this.selected].filter((id) => ids.has(id)));
      this.dataMapCache.clear();
      await this.loadCurves();
      await this.loadDataMaps();
    } catch (e) {
      this.loadError = message(e);
    } finally {
      this.loading = false;
    }
  }

  toggleSort(column: string): void {
    this.sort = this.sort.column === column ? { column, direction: this.sort.direction === 'asc' ? 'desc' : 'asc' } : { column, direction: 'asc' };
  }

  toggleSelected(runId: string): void {
    const s = new Set(this.selected);
    if (s.has(runId)) s.delete(runId);
    else s.add(runId);
    this.selected = s;
    void this.loadCurves();
    void this.loadDataMaps();
  }

  /** Selects every shown run, or clears the selection when all are selected. */
  toggleAllShown(): void {
    const all = this.visible.every((e) => this.selected.has(e.runId));
    this.selected = all ? new Set() : new Set(this.visible.map((e) => e.runId));
    void this.loadCurves();
    void this.loadDataMaps();
  }

  resetFilter(): void {
    this.filter = emptyFilter();
  }

  /** Loads the logged history of the selected runs for the curve plot (hidden when none has one). */
  async loadCurves(): Promise<void> {
    const db = this.db();
    if (!db) return;
    const chosen = this.entries.filter((e) => this.selected.has(e.runId));
    if (chosen.length === 0) {
      this.histories = [];
      this.curvesNote = null;
      return;
    }
    const drawn = chosen.slice(0, MAX_CURVES);
    const outputs = await loadRunOutputs(db, drawn.map((e) => e.runId));
    const histories: RunHistory[] = [];
    const without: string[] = [];
    for (const e of drawn) {
      const h = outputs.get(e.runId)?.logHistory ?? [];
      if (h.length) histories.push({ name: e.result.experiment_name, history: h });
      else without.push(e.result.experiment_name);
    }
    this.histories = histories;
    const notes: string[] = [];
    if (chosen.length > MAX_CURVES) notes.push(`curves drawn for the first ${MAX_CURVES} of ${chosen.length} selected runs`);
    if (without.length) notes.push(`no logged steps stored for ${without.join(', ')}`);
    this.curvesNote = notes.length ? `${notes.join('; ')}.` : null;
  }

  /** Loads the data maps of the selected runs (in timestamp order, as the curves), or why each has none. */
  async loadDataMaps(): Promise<void> {
    const db = this.db();
    if (!db) return;
    const generation = ++this.dataMapGeneration;
    const chosen = this.entries.filter((e) => this.selected.has(e.runId));
    if (chosen.length === 0) {
      this.dataMaps = [];
      this.dataMapNotes = [];
      this.dataMapLimitNote = null;
      this.dataMapError = null;
      return;
    }
    this.dataMapsLoading = true;
    try {
      const loaded = await loadDataMaps(db, chosen, this.dataMapCache);
      if (generation !== this.dataMapGeneration) return;
      this.dataMaps = loaded.plots;
      this.dataMapNotes = loaded.notes;
      this.dataMapLimitNote = loaded.limitNote;
      this.dataMapError = null;
    } catch (e) {
      if (generation !== this.dataMapGeneration) return;
      this.dataMaps = [];
      this.dataMapNotes = [];
      this.dataMapError = message(e);
    } finally {
      if (generation === this.dataMapGeneration) this.dataMapsLoading = false;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Downloads

  private async run(label: string, job: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = label;
    this.exportError = null;
    try {
      await job();
    } catch (e) {
      this.exportError = `${label} failed: ${message(e)}`;
    } finally {
      this.busy = null;
    }
  }

  downloadPlot(plot: PlotSpec, format: 'png' | 'svg'): Promise<void> {
    return this.run(`Downloading ${plot.file}.${format}`, async () => {
      if (format === 'svg') downloadText(plot.svg, `${plot.file}.svg`, 'image/svg+xml;charset=utf-8');
      else downloadBlob(await plotPng(plot), `${plot.file}.png`);
    });
  }

  downloadTable(which: 'runs' | 'summary' | 'comparison'): void {
    if (!this.analysis) return;
    const t = resultTables(this.visible, this.columns, this.analysis);
    downloadText(t[which], `${which}.csv`, 'text/csv;charset=utf-8');
  }

  downloadSummaryText(): void {
    if (!this.analysis) return;
    downloadText(summaryText(this.shown.map((e) => e.analysis), this.analysis), 'summary.txt');
  }

  /**
   * Everything for the shown runs in one zip: plots (SVG + PNG; the curves and data maps of the
   * selected runs), tables, summary, the experiment folder.
   */
  downloadAll(): Promise<void> {
    return this.run('Download all', async () => {
      const db = this.db();
      const analysis = this.analysis;
      if (!db || !analysis) throw new Error('nothing to download');
      const shown = this.shown;
      const rows = shown.map((e) => e.analysis);
      const figure = experimentFigure(rows);
      const plots: RenderedPlot[] = [];
      for (const p of [...this.plots, ...this.dataMaps, figure]) plots.push({ file: p.file, svg: p.svg, png: await pngBytes(p) });
      const figurePng = plots[plots.length - 1].png;
      const { files, notes } = await loadTrainerOutputs(db, shown.map((e) => e.runId), { includeWeights: this.includeWeights });
      const folder = experimentFolderEntries({ entries: shown, trainerOutputs: files, now: pyIsoformatNow(Date.now()), plotPng: figurePng });
      const mapNotes = [
        ...this.dataMaps.filter((p) => p.svgNote).map((p) => `plots/${p.file}.svg: ${p.svgNote}`),
        ...this.dataMapNotes.map((n) => `data map of ${n.name}: ${n.text}`),
        ...(this.dataMapLimitNote ? [this.dataMapLimitNote] : []),
      ];
      const allNotes = [...folder.leftOut, ...notes, ...mapNotes];
      const entries = resultsBundleEntries({
        plots,
        tables: resultTables(sortEntries(shown, this.sort), this.columns, analysis),
        summary: summaryText(rows, analysis),
        folder: folder.entries,
        notes: allNotes,
      });
      this.exportNotes = allNotes;
      downloadBytes(zipFolder(entries), `results_${fileStamp(new Date())}.zip`, 'application/zip');
    });
  }

  /** The Python experiments folder (zip) of one run, the selected runs, or all shown runs. */
  exportExperiments(scope: 'selected' | 'shown' | { runId: string }): Promise<void> {
    return this.run('Export', async () => {
      const db = this.db();
      if (!db) throw new Error('the database is not open');
      const chosen =
        scope === 'shown' ? this.shown : scope === 'selected' ? this.shown.filter((e) => this.selected.has(e.runId)) : this.entries.filter((e) => e.runId === scope.runId);
      if (chosen.length === 0) throw new Error('no runs chosen');
      const png = await pngBytes(experimentFigure(chosen.map((e) => e.analysis)));
      const { files, notes } = await loadTrainerOutputs(db, chosen.map((e) => e.runId), { includeWeights: this.includeWeights });
      const folder = experimentFolderEntries({ entries: chosen, trainerOutputs: files, now: pyIsoformatNow(Date.now()), plotPng: png });
      this.exportNotes = [...folder.leftOut, ...notes];
      if (folder.entries.length === 0) throw new Error(folder.leftOut.join('; '));
      const name = typeof scope === 'object' ? `${chosen[0].result.experiment_name}_${chosen[0].result.config_hash}` : `experiments_${fileStamp(new Date())}`;
      downloadBytes(zipFolder(folder.entries), `${name}.zip`, 'application/zip');
    });
  }

  // -------------------------------------------------------------------------------------------
  // Import

  /** Reads a zip, or the files of a picked folder, and shows what would be imported. */
  async chooseImport(files: readonly File[]): Promise<void> {
    if (files.length === 0) return;
    this.importStage = 'reading';
    this.importError = null;
    this.importMessage = null;
    try {
      const { entries, name, skipped } = await readFileEntries(files);
      const folder = readExperimentFolder(entries);
      this.importSkipped = skipped;
      this.importEntries = entries;
      this.importFolder = folder;
      this.importName = await this.freeImportName(name);
      this.importReplace = false;
      await this.checkImportName();
      this.importStage = 'review';
    } catch (e) {
      this.importStage = 'error';
      this.importError = message(e);
    }
  }

  /** The name, or the name with the first free "-2", "-3", … suffix when an import already has it. */
  private async freeImportName(base: string): Promise<string> {
    const db = this.db();
    const name = base.trim() || 'import';
    if (!db) return name;
    for (let i = 1; i < 100; i++) {
      const candidate = i === 1 ? name : `${name}-${i}`;
      if (!(await importNameTaken(db, candidate))) return candidate;
    }
    return name;
  }

  async checkImportName(): Promise<void> {
    const db = this.db();
    const name = this.importName.trim();
    this.importNameIsTaken = !!db && name !== '' && (await importNameTaken(db, name));
  }

  async confirmImport(): Promise<void> {
    const db = this.db();
    const folder = this.importFolder;
    if (!db || !folder) return;
    this.importStage = 'saving';
    try {
      const saved = await saveImportedFolder(db, folder, this.importName, {
        replace: this.importReplace,
        keepTrainerFiles: this.importKeepFiles,
        configTexts: configTextsOf(this.importEntries, folder),
      });
      const skipped = folder.problems.filter((p) => p.skipped).length;
      this.importMessage = `Imported ${saved.runIds.length} run(s) as “${this.importName.trim()}”${skipped ? `; ${skipped} experiment(s) skipped` : ''}.${saved.cartographyRuns ? ` ${saved.cartographyRuns} of them with training dynamics (select them to see their data maps).` : ''}${saved.notes.length ? ` ${saved.notes.join(' ')}` : ''}`;
      this.importStage = 'done';
      this.importFolder = null;
      this.importEntries = [];
      await this.refresh();
    } catch (e) {
      if (e instanceof ImportNameTakenError) {
        this.importNameIsTaken = true;
        this.importStage = 'review';
      } else {
        this.importStage = 'error';
      }
      this.importError = message(e);
    }
  }

  discardImport(): void {
    this.importStage = 'idle';
    this.importFolder = null;
    this.importEntries = [];
    this.importError = null;
  }

  async removeImport(name: string): Promise<void> {
    const db = this.db();
    if (!db) return;
    await deleteImport(db, name);
    this.importMessage = `Removed the import “${name}”.`;
    await this.refresh();
  }
}
