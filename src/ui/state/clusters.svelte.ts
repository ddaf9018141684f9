/**
 * State of the Clusters section: a trained model and a dataset split → embeddings (training
 * worker) → HDBSCAN clustering (cluster worker), each with progress and cancel; the stored
 * clusterings of the split with their map, sizes, persistence, samples, the cross-tab with a
 * cartography artifact, the cluster filter's preview, imports and exports.
 */
import type { LabDatabase } from '../../storage/db';
import { listDatasets, type DatasetListing } from '../../storage/datasets';
import { listModels } from '../../storage/models';
import type { ModelRecord } from '../../storage/schema';
import { deleteArtifact, getArtifact, listArtifacts, newArtifactId, saveArtifact } from '../../storage/artifacts';
import { serializeAssignmentsCsv, serializeStatisticsCsv, ASSIGNMENTS_FILE, STATISTICS_FILE } from '../../domain/clustering/cluster-files';
import { clusterSamples, type ClusterSample } from '../../domain/clustering/samples';
import { filterByClusters, type ClusterFilterReport } from '../../domain/clustering/cluster-filter';
import type { ClusterAssignmentRow, ClusterStatisticsRow } from '../../domain/clustering/types';
import { categorize, categoryById } from '../../domain/cartography/categories';
import type { QARecord } from '../../domain/data/types';
import { SplitIndex } from './cartography-split';
import { clusterColumns, crossTab, parseExcludeList, type ClusterColumns, type CrossTab } from './clusters-view';
import { checkClusterImport, parseClusterFiles, METADATA_FILE, type CheckedClusters } from './clusters-import';
import { trainingWorker } from '../worker';
import { getClusterWorker } from '../../worker/cluster-client';
import { CallCancelledError } from '../../worker/client';
import type { ClusterEmbeddingsProgress } from '../../worker/api/cluster';
import { downloadText } from '../components/download-file';

export interface ArtifactChoice {
  id: string;
  name: string;
  createdAt: string;
  detail: string;
}

export interface LoadedClusters {
  id: string;
  name: string;
  assignments: ClusterAssignmentRow[];
  statistics: ClusterStatisticsRow[];
  metadata: Record<string, unknown> | null;
  columns: ClusterColumns;
  nClusters: number;
  nNoise: number;
}

export interface Job {
  kind: 'embed' | 'cluster';
  label: string;
  /** 0..1 when known. */
  fraction: number | null;
  controller: AbortController;
}

export const STAGE_LABEL: Record<ClusterEmbeddingsProgress['stage'], string> = {
  load: 'loading the embeddings',
  standardize: 'standardizing',
  pca: 'PCA',
  neighbours: 'nearest neighbours',
  hdbscan: 'HDBSCAN',
  statistics: 'cluster statistics',
  umap: '2-D UMAP',
  save: 'storing',
};

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class ClustersState {
  datasets = $state.raw<DatasetListing[]>([]);
  models = $state.raw<ModelRecord[]>([]);
  datasetId = $state<string | null>(null);
  split = $state<string | null>(null);
  modelId = $state<string | null>(null);
  maxSamples = $state<number | null>(2000);
  batchSize = $state(32);

  embeddings = $state.raw<ArtifactChoice[]>([]);
  embeddingsId = $state<string | null>(null);
  reductionDim = $state(50);
  minClusterSize = $state(10);
  minSamples = $state<number | null>(null);
  umap = $state(true);

  clusterings = $state.raw<ArtifactChoice[]>([]);
  clustersId = $state<string | null>(null);
  loaded = $state.raw<LoadedClusters | null>(null);
  index = $state.raw<SplitIndex | null>(null);
  samples = $state.raw<Record<string, ClusterSample[]> | null>(null);

  cartographies = $state.raw<ArtifactChoice[]>([]);
  cartographyId = $state<string | null>(null);
  crossTab = $state.raw<CrossTab | null>(null);

  excludeText = $state('-1');
  minProbability = $state<number | null>(null);

  job = $state.raw<Job | null>(null);
  busy = $state<string | null>(null);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  pendingImport = $state.raw<CheckedClusters | null>(null);
  importError = $state<string | null>(null);

  private loadSeq = 0;

  constructor(
    private readonly db: () => LabDatabase | null,
    private readonly dbName?: string,
  ) {}

  get dataset(): DatasetListing | null {
    return this.datasets.find((d) => d.id === this.datasetId) ?? null;
  }

  /** The cluster filter on this split's rows with the current settings (§4.3), or why it cannot run. */
  get filterPreview(): { report: ClusterFilterReport } | { error: string } | null {
    const l = this.loaded;
    const index = this.index;
    if (!l || !index) return null;
    try {
      const exclude = parseExcludeList(this.excludeText);
      // An emptied number input gives null or undefined.
      const minP = typeof this.minProbability === 'number' && Number.isFinite(this.minProbability) ? this.minProbability : null;
      const rows = index.ids.map((id) => ({ id }));
      return { report: filterByClusters(rows, l.assignments, { excludeClusters: exclude, minClusterProbability: minP, split: index.split, source: l.name }).report };
    } catch (e) {
      return { error: errorText(e) };
    }
  }

  async start(): Promise<void> {
    const db = this.db();
    if (!db) return;
    try {
      [this.datasets, this.models] = await Promise.all([listDatasets(db), listModels(db)]);
      if (!this.modelId || !this.models.some((m) => m.id === this.modelId)) {
        // Trained runs first: an untrained Hub checkpoint's QA head is random.
        this.modelId = (this.models.find((m) => m.source.startsWith('run:')) ?? this.models[0])?.id ?? null;
      }
      if (this.datasetId && this.dataset) return this.refreshArtifacts();
      const newest = (await listArtifacts(db, 'clusters')).find((a) => this.datasets.some((d) => d.id === a.datasetId));
      if (newest) {
        this.datasetId = newest.datasetId;
        this.split = newest.split;
        await this.refreshArtifacts();
        await this.openClusters(newest.id);
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
    this.embeddingsId = null;
    this.pendingImport = null;
    await this.refreshArtifacts();
  }

  private clearShown(): void {
    this.clustersId = null;
    this.loaded = null;
    this.samples = null;
    this.crossTab = null;
  }

  async refreshArtifacts(): Promise<void> {
    const db = this.db();
    if (!db || !this.datasetId || !this.split) {
      this.embeddings = this.clusterings = this.cartographies = [];
      return;
    }
    const where = { datasetId: this.datasetId, split: this.split };
    const [emb, clu, carto] = await Promise.all([listArtifacts(db, 'embeddings', where), listArtifacts(db, 'clusters', where), listArtifacts(db, 'cartography', where)]);
    this.embeddings = emb.map((a) => ({ id: a.id, name: a.name, createdAt: a.createdAt, detail: `${a.data.ids.length} × ${a.data.dim}` }));
    this.clusterings = clu.map((a) => ({ id: a.id, name: a.name, createdAt: a.createdAt, detail: `${a.data.assignments.length} rows` }));
    this.cartographies = carto.map((a) => ({ id: a.id, name: a.name, createdAt: a.createdAt, detail: `${a.data.metrics.length} examples` }));
    if (!this.embeddingsId || !this.embeddings.some((e) => e.id === this.embeddingsId)) this.embeddingsId = this.embeddings[0]?.id ?? null;
    if (this.cartographyId && !this.cartographies.some((c) => c.id === this.cartographyId)) this.cartographyId = null;
    if (!this.cartographyId) this.cartographyId = this.cartographies[0]?.id ?? null;
  }

  private async splitIndex(): Promise<SplitIndex> {
    const db = this.db();
    const ds = this.dataset;
    if (!db || !ds || !this.split) throw new Error('Choose a dataset and split first');
    if (this.index && this.index.dataset.id === ds.id && this.index.split === this.split) return this.index;
    this.busy = `Reading the ids of ${ds.name} / ${this.split}`;
    try {
      this.index = await SplitIndex.load(db, ds, this.split);
    } finally {
      this.busy = null;
    }
    return this.index;
  }

  /** Embeds the split's first rows with the chosen model, in the training worker. */
  async extract(): Promise<void> {
    if (this.job || !this.modelId || !this.datasetId || !this.split) return;
    const controller = new AbortController();
    this.job = { kind: 'embed', label: 'Embedding: starting the worker', fraction: null, controller };
    this.error = null;
    this.message = null;
    try {
      const res = await (await trainingWorker()).call(
        'extractEmbeddings',
        { modelId: this.modelId, datasetId: this.datasetId, split: this.split, maxSamples: this.maxSamples || null, batchSize: this.batchSize, dbName: this.dbName },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (this.job?.controller === controller) this.job = { ...this.job, label: `Embedding ${p.done} of ${p.total} examples`, fraction: p.total ? p.done / p.total : null };
          },
        },
      );
      this.message = `Embedded ${res.n} examples (${res.dim} dimensions, max length ${res.maxLength}) in ${res.seconds.toFixed(1)} s` + (res.noAnswerTokens ? `; ${res.noAnswerTokens} answers were cut off, their span half repeats [CLS]` : '') + '.';
      await this.refreshArtifacts();
      this.embeddingsId = res.artifactId;
    } catch (e) {
      if (e instanceof CallCancelledError) this.message = 'Embedding cancelled; nothing was stored.';
      else this.error = `Embedding failed: ${errorText(e)}`;
    } finally {
      if (this.job?.controller === controller) this.job = null;
    }
  }

  /** Clusters the chosen embeddings in the cluster worker and shows the result. */
  async cluster(): Promise<void> {
    if (this.job || !this.embeddingsId) return;
    const controller = new AbortController();
    this.job = { kind: 'cluster', label: 'Clustering: starting the worker', fraction: null, controller };
    this.error = null;
    this.message = null;
    try {
      const res = await getClusterWorker().call(
        'clusterEmbeddings',
        { embeddingsId: this.embeddingsId, reductionDim: this.reductionDim, minClusterSize: this.minClusterSize, minSamples: this.minSamples || null, umap: this.umap, dbName: this.dbName },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (this.job?.controller !== controller) return;
            const epochs = p.stage === 'umap' && p.epochs ? ` (epoch ${p.epoch} of ${p.epochs})` : '';
            this.job = { ...this.job, label: `Clustering: ${STAGE_LABEL[p.stage]}${epochs}`, fraction: p.stage === 'umap' && p.epochs ? (p.epoch ?? 0) / p.epochs : null };
          },
        },
      );
      const total = Object.values(res.timings).reduce((a, b) => a + (b ?? 0), 0);
      this.message = `${res.nClusters} clusters and ${res.nNoise} noise points among ${res.n} examples (PCA ${res.reductionDim}, min_samples ${res.minSamples}) in ${total.toFixed(1)} s.`;
      await this.refreshArtifacts();
      await this.openClusters(res.artifactId);
    } catch (e) {
      if (e instanceof CallCancelledError) this.message = 'Clustering cancelled; nothing was stored.';
      else this.error = `Clustering failed: ${errorText(e)}`;
    } finally {
      if (this.job?.controller === controller) this.job = null;
    }
  }

  cancelJob(): void {
    this.job?.controller.abort();
  }

  async openClusters(id: string | null): Promise<void> {
    const db = this.db();
    this.clearShown();
    if (!db || !id) return;
    const seq = ++this.loadSeq;
    this.clustersId = id;
    try {
      const art = await getArtifact(db, id, 'clusters');
      if (!art) throw new Error('That clustering no longer exists');
      const { assignments, statistics } = art.data;
      const columns = clusterColumns(assignments);
      let nNoise = 0;
      for (const a of assignments) if (a.cluster < 0) nNoise++;
      const loaded: LoadedClusters = {
        id,
        name: art.name,
        assignments,
        statistics,
        metadata: art.data.metadata ?? null,
        columns,
        nClusters: statistics.filter((s) => s.cluster >= 0).length,
        nNoise,
      };
      const index = await this.splitIndex();
      if (seq !== this.loadSeq) return;
      this.loaded = loaded;
      await Promise.all([this.loadSamples(loaded, index, seq), this.computeCrossTab()]);
    } catch (e) {
      if (seq === this.loadSeq) this.error = errorText(e);
    }
  }

  /** cluster_samples.json: up to 10 examples per cluster, read from the split by id. */
  private async loadSamples(l: LoadedClusters, index: SplitIndex, seq: number): Promise<void> {
    const taken = new Map<number, number>();
    const ids: string[] = [];
    for (const a of l.assignments) {
      const k = taken.get(a.cluster) ?? 0;
      if (k >= 10 || !index.rowOf.has(a.id)) continue;
      taken.set(a.cluster, k + 1);
      ids.push(a.id);
    }
    const records = await index.recordsOf(ids);
    const byId = new Map<string, QARecord>();
    ids.forEach((id, k) => records[k] && byId.set(id, records[k] as QARecord));
    if (seq === this.loadSeq) this.samples = clusterSamples(l.assignments, (id) => byId.get(id));
  }

  async chooseCartography(id: string | null): Promise<void> {
    this.cartographyId = id;
    await this.computeCrossTab();
  }

  private async computeCrossTab(): Promise<void> {
    const db = this.db();
    const l = this.loaded;
    this.crossTab = null;
    if (!db || !l || !this.cartographyId) return;
    const art = await getArtifact(db, this.cartographyId, 'cartography');
    if (!art || this.loaded !== l) return;
    const rows = art.data.metrics;
    if (rows.length === 0) return;
    this.crossTab = crossTab(l.assignments, categoryById(rows, categorize(rows)));
  }

  async deleteShown(): Promise<void> {
    const db = this.db();
    if (!db || !this.clustersId) return;
    await deleteArtifact(db, this.clustersId);
    this.clearShown();
    await this.refreshArtifacts();
  }

  async importFiles(files: readonly File[]): Promise<void> {
    this.importError = null;
    this.pendingImport = null;
    if (!files.length) return;
    try {
      const texts = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
      const parsed = parseClusterFiles(texts);
      const index = await this.splitIndex();
      this.pendingImport = checkClusterImport(parsed, index.ids);
    } catch (e) {
      this.importError = errorText(e);
    }
  }

  discardImport(): void {
    this.pendingImport = null;
    this.importError = null;
  }

  async storeImport(): Promise<void> {
    const db = this.db();
    const imp = this.pendingImport;
    if (!db || !imp || !this.datasetId || !this.split || !imp.storable) return;
    const createdAt = new Date().toISOString();
    const id = newArtifactId('clusters');
    try {
      await saveArtifact(db, {
        id,
        kind: 'clusters',
        name: `imported ${imp.source} · ${this.split} · ${createdAt.slice(0, 16).replace('T', ' ')}`,
        datasetId: this.datasetId,
        split: this.split,
        createdAt,
        producedBy: `import:${imp.source}`,
        data: { assignments: imp.assignments, statistics: imp.statistics, ...(imp.metadata ? { metadata: imp.metadata } : {}) },
      });
      this.pendingImport = null;
      this.message = `Stored ${imp.assignments.length} assignments from ${imp.source}.`;
      await this.refreshArtifacts();
      await this.openClusters(id);
    } catch (e) {
      this.importError = `Nothing was stored: ${errorText(e)}`;
    }
  }

  fileBaseName(): string {
    return `${(this.dataset?.name ?? 'dataset').replace(/[^\w.-]+/g, '_')}_${this.split ?? 'split'}`;
  }

  export(what: 'assignments' | 'statistics' | 'metadata' | 'samples'): void {
    const l = this.loaded;
    if (!l) return;
    if (what === 'assignments') downloadText(serializeAssignmentsCsv(l.assignments), ASSIGNMENTS_FILE, 'text/csv;charset=utf-8');
    else if (what === 'statistics') downloadText(serializeStatisticsCsv(l.statistics), STATISTICS_FILE, 'text/csv;charset=utf-8');
    else if (what === 'metadata') downloadText(JSON.stringify(l.metadata ?? {}, null, 2) + '\n', METADATA_FILE, 'application/json');
    else if (this.samples) downloadText(JSON.stringify(this.samples, null, 2) + '\n', 'cluster_samples.json', 'application/json');
  }
}
