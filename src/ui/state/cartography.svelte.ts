/**
 * State of the Cartography section: which dataset split and cartography artifact are shown,
 * imports of origin files (checked against the split's ids before anything is stored), the
 * derived map data, hover and brush selection, and the exports.
 *
 * Large arrays (metrics rows, typed columns, ids) live in $state.raw: deep proxies over 131k
 * rows would cost seconds and memory for nothing, since they are replaced, never mutated.
 */
import type { LabDatabase } from '../../storage/db';
import { listDatasets, type DatasetListing } from '../../storage/datasets';
import { deleteArtifact, getArtifact, listArtifacts, newArtifactId, saveArtifact, type TypedArtifact } from '../../storage/artifacts';
import type { CartographyMetricsRow, CartographyCategory } from '../../domain/cartography/types';
import { CARTOGRAPHY_CATEGORIES } from '../../domain/cartography/types';
import { analyzeQuestionTypes, type QuestionTypeSummary } from '../../domain/cartography/question-types';
import { serializeMetricsCsv, serializeMetricsJson, METRICS_CSV_FILE, METRICS_JSON_FILE } from '../../domain/cartography/metrics-files';
import { dynamicsFileName, serializeDynamics } from '../../domain/cartography/dynamics-file';
import { formatCsv } from '../../domain/cartography/csv';
import type { QARecord } from '../../domain/data/types';
import { cartographyView, contextExcerpt, noiseByRegion, noiseLookup, type Excerpt, type NoiseByRegion, type RegionCount, type MapColumns } from './cartography-view';
import { checkImport, parseCartographyFiles, type CheckedImport } from './cartography-import';
import { SplitIndex } from './cartography-split';
import type { Categorization } from '../../domain/cartography/categories';
import { correctnessBins, type DataMapInput } from '../charts/data-map';
import { downloadText } from '../components/download-file';

export interface ArtifactSummary {
  id: string;
  name: string;
  createdAt: string;
  producedBy?: string;
  rows: number;
  epochs?: number;
  hasDynamics: boolean;
}

export interface LoadedCartography {
  artifact: ArtifactSummary & { datasetId: string; split: string };
  rows: CartographyMetricsRow[];
  categorization: Categorization;
  columns: MapColumns;
  regions: RegionCount[];
  input: DataMapInput;
  questionTypes: QuestionTypeSummary[];
  /** Only for the demo dataset (rows with QARecord.noise). */
  noise: NoiseByRegion | null;
  /** Metrics rows whose id is not in the split. */
  unmatched: number;
}

export interface ExampleView {
  index: number;
  id: string;
  category: CartographyCategory;
  confidence: number;
  variability: number;
  correctness: number;
  record: QARecord | null;
  excerpt: Excerpt | null;
}

export const SELECTION_PAGE_SIZE = 20;

const summaryOf = (a: TypedArtifact<'cartography'>): ArtifactSummary => ({
  id: a.id,
  name: a.name,
  createdAt: a.createdAt,
  producedBy: a.producedBy,
  rows: a.data.metrics.length,
  epochs: a.data.epochs,
  hasDynamics: !!a.data.dynamics,
});

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class CartographyState {
  datasets = $state.raw<DatasetListing[]>([]);
  datasetId = $state<string | null>(null);
  split = $state<string | null>(null);
  artifacts = $state.raw<ArtifactSummary[]>([]);
  artifactId = $state<string | null>(null);
  loaded = $state.raw<LoadedCartography | null>(null);
  index = $state.raw<SplitIndex | null>(null);

  busy = $state<string | null>(null);
  error = $state<string | null>(null);
  message = $state<string | null>(null);

  /** A parsed, checked import waiting for the user to store or discard it. */
  pendingImport = $state.raw<CheckedImport | null>(null);
  importError = $state<string | null>(null);
  /** Epochs of the run a td_metrics.jsonl came from (turns its correctness counts into fractions). */
  tdEpochs = $state<number | null>(null);

  selection = $state.raw<Uint32Array | null>(null);
  selectionPage = $state(0);
  selectionRows = $state.raw<ExampleView[]>([]);
  hover = $state.raw<ExampleView | null>(null);

  private loadSeq = 0;
  private hoverSeq = 0;
  private pageSeq = 0;

  constructor(private readonly db: () => LabDatabase | null) {}

  get dataset(): DatasetListing | null {
    return this.datasets.find((d) => d.id === this.datasetId) ?? null;
  }

  get selectionPages(): number {
    return this.selection ? Math.max(1, Math.ceil(this.selection.length / SELECTION_PAGE_SIZE)) : 0;
  }

  /** Datasets and, the first time, a sensible starting point: the newest cartography artifact, else the demo train split. */
  async start(): Promise<void> {
    const db = this.db();
    if (!db) return;
    try {
      this.datasets = await listDatasets(db);
      if (this.datasetId && this.dataset) return this.refreshArtifacts();
      const newest = (await listArtifacts(db, 'cartography')).find((a) => this.datasets.some((d) => d.id === a.datasetId));
      if (newest) {
        this.datasetId = newest.datasetId;
        this.split = newest.split;
        await this.refreshArtifacts();
        await this.openArtifact(newest.id);
        return;
      }
      const first = this.datasets.find((d) => d.source === 'demo') ?? this.datasets[0];
      if (first) await this.chooseDataset(first.id);
    } catch (e) {
      this.error = errorText(e);
    }
  }

  async chooseDataset(id: string): Promise<void> {
    this.datasetId = id;
    const splits = Object.keys(this.dataset?.splits ?? {});
    await this.chooseSplit(splits.includes('train') ? 'train' : (splits[0] ?? null));
  }

  async chooseSplit(split: string | null): Promise<void> {
    this.split = split;
    this.clearShown();
    this.pendingImport = null;
    this.importError = null;
    await this.refreshArtifacts();
  }

  private clearShown(): void {
    this.artifactId = null;
    this.loaded = null;
    this.selection = null;
    this.selectionRows = [];
    this.hover = null;
  }

  async refreshArtifacts(): Promise<void> {
    const db = this.db();
    if (!db || !this.datasetId || !this.split) {
      this.artifacts = [];
      return;
    }
    this.artifacts = (await listArtifacts(db, 'cartography', { datasetId: this.datasetId, split: this.split })).map(summaryOf);
  }

  /** The split's ids, questions and noise marks (read once per split). */
  private async splitIndex(): Promise<SplitIndex> {
    const db = this.db();
    const ds = this.dataset;
    if (!db || !ds || !this.split) throw new Error('Choose a dataset and split first');
    if (this.index && this.index.dataset.id === ds.id && this.index.split === this.split) return this.index;
    this.busy = `Reading the ids of ${ds.name} / ${this.split}`;
    const index = await SplitIndex.load(db, ds, this.split, (rows, total) => (this.busy = `Reading the ids of ${ds.name} / ${this.split}: ${rows} of ${total} rows`));
    this.index = index;
    return index;
  }

  async openArtifact(id: string | null): Promise<void> {
    const db = this.db();
    this.clearShown();
    if (!db || !id) return;
    const seq = ++this.loadSeq;
    this.artifactId = id;
    this.error = null;
    try {
      const art = await getArtifact(db, id, 'cartography');
      if (!art) throw new Error('That cartography artifact no longer exists');
      const index = await this.splitIndex();
      this.busy = 'Computing the data map';
      const loaded = this.derive(art, index);
      if (seq === this.loadSeq) this.loaded = loaded;
    } catch (e) {
      if (seq === this.loadSeq) this.error = errorText(e);
    } finally {
      if (seq === this.loadSeq) this.busy = null;
    }
  }

  private derive(art: TypedArtifact<'cartography'>, index: SplitIndex): LoadedCartography {
    const rows = art.data.metrics;
    if (rows.length === 0) throw new Error(`"${art.name}" holds no metrics`);
    const view = cartographyView(rows);
    let unmatched = 0;
    for (const r of rows) if (!index.rowOf.has(r.id)) unmatched++;
    const noise = index.noise ? noiseByRegion(rows, view.categorization, (id) => noiseLookupOf(index).get(id)) : null;
    return {
      artifact: { ...summaryOf(art), datasetId: art.datasetId, split: art.split },
      rows,
      categorization: view.categorization,
      columns: view.columns,
      regions: view.regions,
      input: { columns: view.columns, thresholds: view.categorization.thresholds, domains: view.domains, colorBins: correctnessBins(view.columns.correctness), title: art.name },
      questionTypes: analyzeQuestionTypes(rows, index.questionOf),
      noise,
      unmatched,
    };
  }

  /** Parses and checks picked files; nothing is stored until storeImport(). */
  async importFiles(files: readonly File[]): Promise<void> {
    this.importError = null;
    this.pendingImport = null;
    this.message = null;
    if (files.length === 0) return;
    try {
      const texts = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
      this.busy = 'Checking the file';
      const parsed = parseCartographyFiles(texts, this.tdEpochs ? { numEpochs: this.tdEpochs } : {});
      const index = await this.splitIndex();
      this.pendingImport = checkImport(parsed, index.ids);
    } catch (e) {
      this.importError = errorText(e);
    } finally {
      this.busy = null;
    }
  }

  discardImport(): void {
    this.pendingImport = null;
    this.importError = null;
  }

  /** Stores the checked import as a new artifact (one put: all or nothing) and shows it. */
  async storeImport(): Promise<void> {
    const db = this.db();
    const imp = this.pendingImport;
    if (!db || !imp || !this.datasetId || !this.split) return;
    if (!imp.storable) {
      this.importError = 'The file covers none of the rows of this split; it belongs to another dataset or split, so it was not stored.';
      return;
    }
    const createdAt = new Date().toISOString();
    const id = newArtifactId('cartography');
    try {
      await saveArtifact(db, {
        id,
        kind: 'cartography',
        name: `imported ${imp.source} · ${this.split} · ${createdAt.slice(0, 16).replace('T', ' ')}`,
        datasetId: this.datasetId,
        split: this.split,
        createdAt,
        producedBy: `import:${imp.source}`,
        data: { metrics: imp.rows, ...(imp.dynamics ? { dynamics: imp.dynamics } : {}), ...(imp.epochs !== undefined ? { epochs: imp.epochs } : {}) },
      });
      this.pendingImport = null;
      this.message = `Stored ${imp.rows.length} examples from ${imp.source}.`;
      await this.refreshArtifacts();
      await this.openArtifact(id);
    } catch (e) {
      this.importError = `Nothing was stored: ${errorText(e)}`;
    }
  }

  async deleteShown(): Promise<void> {
    const db = this.db();
    if (!db || !this.artifactId) return;
    await deleteArtifact(db, this.artifactId);
    this.clearShown();
    await this.refreshArtifacts();
  }

  private exampleView(i: number, record: QARecord | null): ExampleView {
    const l = this.loaded as LoadedCartography;
    const r = l.rows[i];
    return {
      index: i,
      id: r.id,
      category: l.categorization.categories[i],
      confidence: r.confidence,
      variability: r.variability,
      correctness: r.correctness,
      record,
      excerpt: record ? contextExcerpt(record) : null,
    };
  }

  /** Hover over point i (−1: none). The row is read asynchronously; stale answers are dropped. */
  async hoverAt(i: number): Promise<void> {
    const seq = ++this.hoverSeq;
    const l = this.loaded;
    if (!l || i < 0) {
      this.hover = null;
      return;
    }
    this.hover = this.exampleView(i, null);
    const record = (await this.index?.recordOf(l.rows[i].id).catch(() => undefined)) ?? null;
    if (seq === this.hoverSeq && this.loaded === l) this.hover = this.exampleView(i, record);
  }

  async select(indices: Uint32Array | null): Promise<void> {
    this.selection = indices && indices.length ? indices : null;
    await this.goToSelectionPage(0);
  }

  async goToSelectionPage(page: number): Promise<void> {
    const seq = ++this.pageSeq;
    const sel = this.selection;
    const l = this.loaded;
    if (!sel || !l) {
      this.selectionRows = [];
      this.selectionPage = 0;
      return;
    }
    const p = Math.max(0, Math.min(page, this.selectionPages - 1));
    this.selectionPage = p;
    const idx = Array.from(sel.subarray(p * SELECTION_PAGE_SIZE, (p + 1) * SELECTION_PAGE_SIZE));
    const records = (await this.index?.recordsOf(idx.map((i) => l.rows[i].id))) ?? idx.map(() => undefined);
    if (seq === this.pageSeq) this.selectionRows = idx.map((i, k) => this.exampleView(i, records[k] ?? null));
  }

  /** Selected examples with their question and first answer, as CSV. */
  async selectionCsv(): Promise<string> {
    const l = this.loaded;
    const sel = this.selection;
    if (!l || !sel) return '';
    const ids = Array.from(sel, (i) => l.rows[i].id);
    const records = (await this.index?.recordsOf(ids)) ?? ids.map(() => undefined);
    return formatCsv(
      ['id', 'category', 'confidence', 'variability', 'correctness', 'num_epochs', 'question', 'answer'],
      Array.from(sel, (i, k) => {
        const r = l.rows[i];
        const rec = records[k];
        return [r.id, l.categorization.categories[i], String(r.confidence), String(r.variability), String(r.correctness), String(r.num_epochs), rec?.question ?? '', rec?.answers.text[0] ?? ''];
      }),
    );
  }

  private baseName(): string {
    const l = this.loaded;
    return l ? `${(this.dataset?.name ?? 'dataset').replace(/[^\w.-]+/g, '_')}_${l.artifact.split}` : 'cartography';
  }

  exportMetrics(format: 'csv' | 'json'): void {
    const l = this.loaded;
    if (!l) return;
    if (format === 'csv') downloadText(serializeMetricsCsv(l.rows), METRICS_CSV_FILE, 'text/csv;charset=utf-8');
    else downloadText(serializeMetricsJson(l.rows), METRICS_JSON_FILE, 'application/json');
  }

  /** training_dynamics_epoch_N.json when the artifact carries dynamics (N = its epochs). */
  async exportDynamics(): Promise<void> {
    const db = this.db();
    const l = this.loaded;
    if (!db || !l || !l.artifact.hasDynamics) return;
    const art = await getArtifact(db, l.artifact.id, 'cartography');
    if (!art?.data.dynamics) return;
    let epochs = 0;
    for (const per of Object.values(art.data.dynamics)) epochs = Math.max(epochs, ...Object.keys(per).map((k) => Number(k) + 1));
    downloadText(serializeDynamics(art.data.dynamics), dynamicsFileName(epochs), 'application/json');
  }

  async exportSelection(): Promise<void> {
    const csv = await this.selectionCsv();
    if (csv) downloadText(csv, `${this.baseName()}_selection.csv`, 'text/csv;charset=utf-8');
  }

  fileBaseName(): string {
    return this.baseName();
  }
}

const lookups = new WeakMap<SplitIndex, Map<string, string | null>>();

function noiseLookupOf(index: SplitIndex): Map<string, string | null> {
  let m = lookups.get(index);
  if (!m) {
    m = noiseLookup(index.ids, index.noise ?? []);
    lookups.set(index, m);
  }
  return m;
}

export { CARTOGRAPHY_CATEGORIES };
