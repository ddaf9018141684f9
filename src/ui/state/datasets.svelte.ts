import type { LabDatabase } from '../../storage/db';
import type { DatasetMeta } from '../../storage/schema';
import { listDatasets, renameDataset, deleteDataset, readRowRange, type DatasetListing } from '../../storage/datasets';
import type { QARecord } from '../../domain/data/types';
import type { RepairPolicy, ValidationReport } from '../../domain/data/problems';
import { PROBLEM_KINDS } from '../../domain/data/problems';
import { splitFromFileName } from '../../domain/data/read-source';
import { answerEnd } from '../../domain/data/normalize';
import { DEFAULT_HUB_ENDPOINT } from '../../domain/data/hub';
import type { ImportClient } from '../../worker/import-client';
import type { ImportResult, ImportSource, InspectResult, JobProgress } from '../../worker/import-protocol';

export type ImportStage = 'idle' | 'inspecting' | 'review' | 'importing' | 'done' | 'error';

export interface PendingFile {
  file: File;
  split: string;
}

/** A piece of a context: plain text, or (part of) a gold answer. */
export interface Segment {
  text: string;
  answer: boolean;
}

/** Splits a context around its answer spans so the view can highlight them (overlaps merged). */
export function answerSegments(rec: QARecord): Segment[] {
  const spans = rec.answers.text
    .map((_, i) => [rec.answers.answer_start[i], answerEnd(rec.answers, i)] as [number, number])
    .filter(([s, e]) => s >= 0 && e > s && e <= rec.context.length)
    .sort((a, b) => a[0] - b[0]);
  const out: Segment[] = [];
  let pos = 0;
  for (const [s, e] of spans) {
    if (e <= pos) continue;
    const from = Math.max(s, pos);
    if (from > pos) out.push({ text: rec.context.slice(pos, from), answer: false });
    out.push({ text: rec.context.slice(from, e), answer: true });
    pos = e;
  }
  if (pos < rec.context.length) out.push({ text: rec.context.slice(pos), answer: false });
  return out;
}

/** Rows skipped under each policy, from a report made with the repair policy. */
export function skippedUnder(report: ValidationReport, policy: RepairPolicy): number {
  return policy === 'repair' ? report.totals.skipped : report.totals.skipped + report.totals.repaired;
}

/**
 * Stores the demo dataset on first start (in the import worker; a no-op once it exists or after the
 * user deleted it). Meant for app start-up, so the demo is there before the Datasets section is opened.
 */
export function seedDemoDataset(client: ImportClient, dbName?: string): Promise<DatasetMeta | null> {
  return client.call('seed-demo', { dbName });
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * State of the Datasets section: the stored list, one import at a time (choose files or a Hub
 * dataset → the worker inspects it → the user reviews the report and picks skip/repair → import),
 * and a paged row browser.
 */
export class DatasetsState {
  list = $state.raw<DatasetListing[]>([]);
  listError = $state<string | null>(null);

  stage = $state<ImportStage>('idle');
  progress = $state.raw<JobProgress | null>(null);
  error = $state<string | null>(null);
  /** Space figures of a quota error, for the message. */
  quota = $state.raw<{ needed: number; available: number | null } | null>(null);

  pendingFiles = $state<PendingFile[]>([]);
  hubId = $state('');
  hubConfig = $state('');
  hubEndpoint = $state(DEFAULT_HUB_ENDPOINT);
  private pendingSource = $state.raw<ImportSource | null>(null);

  inspected = $state.raw<InspectResult | null>(null);
  policy = $state<RepairPolicy>('repair');
  name = $state('');
  replace = $state(false);
  result = $state.raw<ImportResult | null>(null);

  browseId = $state<string | null>(null);
  browseSplit = $state('train');
  page = $state(0);
  readonly pageSize = 10;
  rows = $state.raw<QARecord[]>([]);

  private ctl: AbortController | null = null;

  constructor(
    private readonly db: () => LabDatabase | null,
    private readonly client: () => ImportClient,
  ) {}

  /** The worker opens its own connection: it must be to the same database as ours. */
  private get dbName(): string | undefined {
    return this.db()?.name;
  }

  get busy(): boolean {
    return this.stage === 'inspecting' || this.stage === 'importing';
  }

  get nameTaken(): boolean {
    const n = this.name.trim();
    return this.list.some((d) => d.name === n);
  }

  get browsed(): DatasetListing | undefined {
    return this.list.find((d) => d.id === this.browseId);
  }

  get pageCount(): number {
    const rows = this.browsed?.splits[this.browseSplit]?.rows ?? 0;
    return Math.max(1, Math.ceil(rows / this.pageSize));
  }

  /** Problem kinds present in the current report, with their counts and examples. */
  get problems() {
    const r = this.inspected?.report;
    if (!r) return [];
    return PROBLEM_KINDS.filter((k) => r.counts[k] > 0).map((k) => ({ kind: k, count: r.counts[k], examples: r.examples[k] }));
  }

  async refresh(): Promise<void> {
    const db = this.db();
    if (!db) return;
    try {
      this.list = await listDatasets(db);
      this.listError = null;
    } catch (e) {
      this.listError = message(e);
    }
  }

  /** Makes sure the demo dataset exists (first start), then refreshes the list. */
  async ensureDemo(force = false): Promise<void> {
    try {
      await this.client().call('seed-demo', { force, dbName: this.dbName });
    } catch (e) {
      this.listError = `The demo dataset could not be stored: ${message(e)}`;
    }
    await this.refresh();
  }

  setFiles(files: File[]): void {
    if (this.busy || files.length === 0) return;
    this.pendingFiles = files.map((file) => ({ file, split: splitFromFileName(file.name) }));
    this.startInspect({ kind: 'files', files: this.pendingFiles.map((p) => ({ name: p.file.name, data: p.file, split: p.split })) });
  }

  /** Changing a file's split regroups the rows, so the report is made again. */
  setSplit(index: number, split: string): void {
    if (this.busy) return;
    this.pendingFiles[index].split = split;
    this.startInspect({ kind: 'files', files: this.pendingFiles.map((p) => ({ name: p.file.name, data: p.file, split: p.split })) });
  }

  inspectHub(): void {
    if (this.busy) return;
    const dataset = this.hubId.trim();
    if (!dataset) {
      this.fail('Enter a dataset id such as "Eladio/emrqa-msquad"');
      return;
    }
    this.pendingFiles = [];
    this.startInspect({ kind: 'hub', dataset, config: this.hubConfig.trim() || undefined, endpoint: this.hubEndpoint.trim() || DEFAULT_HUB_ENDPOINT });
  }

  private fail(e: unknown): void {
    this.stage = 'error';
    this.error = message(e);
    const q = e as { name?: string; needed?: number; available?: number | null };
    this.quota = q?.name === 'StorageQuotaError' && typeof q.needed === 'number' ? { needed: q.needed, available: q.available ?? null } : null;
  }

  private async startInspect(source: ImportSource): Promise<void> {
    this.ctl?.abort();
    const ctl = (this.ctl = new AbortController());
    this.pendingSource = source;
    this.inspected = null;
    this.result = null;
    this.error = null;
    this.progress = null;
    this.stage = 'inspecting';
    try {
      // Inspected with "repair": its report tells how many rows each policy keeps.
      const res = await this.client().call('inspect', { source, policy: 'repair' }, { signal: ctl.signal, onProgress: (p) => (this.progress = p) });
      if (ctl !== this.ctl) return;
      this.inspected = res;
      this.name = this.uniqueName(res.suggestedName);
      this.replace = false;
      this.stage = 'review';
    } catch (e) {
      if (ctl === this.ctl) this.fail(e);
    }
  }

  private uniqueName(base: string): string {
    const taken = new Set(this.list.map((d) => d.name));
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base} (${i})`)) return `${base} (${i})`;
  }

  async runImport(): Promise<void> {
    const source = this.pendingSource;
    if (!source || this.stage !== 'review') return;
    const ctl = (this.ctl = new AbortController());
    this.stage = 'importing';
    this.progress = null;
    this.error = null;
    try {
      const res = await this.client().call(
        'import',
        { source, policy: this.policy, name: this.name, replace: this.replace, dbName: this.dbName },
        { signal: ctl.signal, onProgress: (p) => (this.progress = p) },
      );
      if (ctl !== this.ctl) return;
      this.result = res;
      this.stage = 'done';
      this.pendingFiles = [];
      this.pendingSource = null;
      await this.refresh();
      await this.browse(res.meta.id);
    } catch (e) {
      if (ctl === this.ctl) this.fail(e);
    }
  }

  /** Stops the running inspection or import; an import's transaction is aborted, nothing is written. */
  cancel(): void {
    this.ctl?.abort();
  }

  /** Forgets the pending source and report. */
  discard(): void {
    this.ctl?.abort();
    this.ctl = null;
    this.pendingFiles = [];
    this.pendingSource = null;
    this.inspected = null;
    this.result = null;
    this.error = null;
    this.quota = null;
    this.progress = null;
    this.stage = 'idle';
    this.client()
      .call('forget', {})
      .catch(() => {});
  }

  async rename(id: string, name: string): Promise<string | null> {
    const db = this.db();
    if (!db) return 'The database is not open';
    try {
      await renameDataset(db, id, name);
      await this.refresh();
      return null;
    } catch (e) {
      return message(e);
    }
  }

  async remove(id: string): Promise<void> {
    const db = this.db();
    if (!db) return;
    await deleteDataset(db, id);
    if (this.browseId === id) {
      this.browseId = null;
      this.rows = [];
    }
    await this.refresh();
  }

  async browse(id: string, split?: string): Promise<void> {
    const ds = this.list.find((d) => d.id === id);
    if (!ds) return;
    this.browseId = id;
    const splits = Object.keys(ds.splits);
    this.browseSplit = split && splits.includes(split) ? split : splits.includes('train') ? 'train' : splits[0];
    this.page = 0;
    await this.loadPage();
  }

  async goToPage(page: number): Promise<void> {
    this.page = Math.min(Math.max(0, page), this.pageCount - 1);
    await this.loadPage();
  }

  private async loadPage(): Promise<void> {
    const db = this.db();
    const id = this.browseId;
    if (!db || !id) return;
    const want = { id, split: this.browseSplit, page: this.page };
    const rows = await readRowRange(db, id, want.split, want.page * this.pageSize, this.pageSize);
    // Drop a stale page when the user moved on meanwhile.
    if (this.browseId === want.id && this.browseSplit === want.split && this.page === want.page) this.rows = rows;
  }
}
