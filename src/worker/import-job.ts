import type { LabDatabase } from '../storage/db';
import { importDataset, deleteDataset, type ImportProgress } from '../storage/datasets';
import type { DatasetMeta } from '../storage/schema';
import type { QARecord } from '../domain/data/types';
import { blobSource, bufferSource, type ByteSource } from '../domain/data/byte-source';
import { sourceRows } from '../domain/data/read-source';
import { RowCleaner } from '../domain/data/clean-rows';
import { ReportBuilder, reportNotes, type RepairPolicy, type ValidationReport } from '../domain/data/problems';
import { downloadHubFile, listHubParquet, DEFAULT_HUB_ENDPOINT } from '../domain/data/hub';
import { generateDemoDataset, DEMO_DATASET_NAME, DEMO_DEFAULTS } from '../domain/data/demo/generator';

/** One file to import and the split its rows go to. */
export interface FileInput {
  name: string;
  data: Blob | ArrayBuffer;
  split: string;
}

export type ImportSource =
  | { kind: 'files'; files: FileInput[] }
  | { kind: 'hub'; dataset: string; config?: string; endpoint?: string; splits?: string[]; token?: string };

export interface JobProgress {
  phase: 'download' | 'read' | 'write';
  /** Rows read (phase "read") or written (phase "write") so far. */
  rows: number;
  /** Bytes downloaded (phase "download") or read from the files so far. */
  bytes: number;
  totalBytes: number | null;
  file?: string;
}

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
  fetch?: typeof fetch;
}

/** A source with every file at hand, grouped by split. */
export interface ResolvedSource {
  /** DatasetMeta.source: "file:<names>" or "hub:<repo>[:<config>]". */
  label: string;
  suggestedName: string;
  splits: Record<string, ByteSource[]>;
  totalBytes: number;
}

function baseName(name: string): string {
  return name.replace(/^.*[\\/]/, '').replace(/\.(jsonl|ndjson|jsonlines|json|parquet)$/i, '');
}

/** Turns a request's source into readable files: wraps local files, downloads Hub files (with progress). */
export async function resolveSource(src: ImportSource, hooks: JobHooks = {}): Promise<ResolvedSource> {
  if (src.kind === 'files') {
    if (src.files.length === 0) throw new Error('No file was given');
    const splits: Record<string, ByteSource[]> = {};
    let totalBytes = 0;
    for (const f of src.files) {
      const split = f.split.trim();
      if (!split) throw new Error(`${f.name}: choose a split name`);
      const bs = f.data instanceof ArrayBuffer ? bufferSource(f.name, f.data) : blobSource(f.name, f.data);
      (splits[split] ??= []).push(bs);
      totalBytes += bs.byteLength;
    }
    return { label: `file:${src.files.map((f) => f.name).join(',')}`, suggestedName: baseName(src.files[0].name), splits, totalBytes };
  }
  const endpoint = src.endpoint?.trim() || DEFAULT_HUB_ENDPOINT;
  const opts = { endpoint, signal: hooks.signal, fetch: hooks.fetch, token: src.token };
  const listing = await listHubParquet(src.dataset, src.config, opts);
  const wanted = src.splits?.length ? src.splits : Object.keys(listing.splits);
  for (const s of wanted) {
    if (!listing.splits[s]) throw new Error(`Dataset "${listing.dataset}" (config "${listing.config}") has no split "${s}"; it has: ${Object.keys(listing.splits).join(', ')}`);
  }
  const splits: Record<string, ByteSource[]> = {};
  let done = 0;
  for (const split of wanted) {
    splits[split] = [];
    for (const url of listing.splits[split]) {
      const file = await downloadHubFile(url, {
        ...opts,
        onProgress: (p) => hooks.onProgress?.({ phase: 'download', rows: 0, bytes: done + p.loaded, totalBytes: p.total === null ? null : done + p.total, file: url }),
      });
      done += file.byteLength;
      splits[split].push(file);
    }
  }
  const configPart = listing.configs.length > 1 || listing.config !== 'default' ? `:${listing.config}` : '';
  return { label: `hub:${listing.dataset}${configPart}`, suggestedName: `${listing.dataset}${configPart}`, splits, totalBytes: done };
}

/** The cleaned rows of every split, counted into `report`; bytes read are reported as progress. */
function splitIterables(src: ResolvedSource, cleaner: RowCleaner, hooks: JobHooks, progress: { rows: number; bytes: number }): Record<string, AsyncIterable<QARecord>> {
  const out: Record<string, AsyncIterable<QARecord>> = {};
  let doneBytes = 0;
  for (const [split, files] of Object.entries(src.splits)) {
    out[split] = (async function* () {
      for (const file of files) {
        const base = doneBytes;
        const onBytes = (n: number) => {
          progress.bytes = base + n;
        };
        for await (const raw of sourceRows(file, split, onBytes)) {
          hooks.signal?.throwIfAborted();
          const rec = cleaner.clean(raw);
          if (rec) yield rec;
        }
        doneBytes += file.byteLength;
        progress.bytes = doneBytes;
      }
    })();
  }
  return out;
}

/** Reads and validates every row without writing anything: the report the user decides on. */
export async function inspectSource(src: ResolvedSource, policy: RepairPolicy, hooks: JobHooks = {}): Promise<ValidationReport> {
  const builder = new ReportBuilder(policy);
  const cleaner = new RowCleaner(builder, policy);
  const progress = { rows: 0, bytes: 0 };
  let last = 0;
  for (const rows of Object.values(splitIterables(src, cleaner, hooks, progress))) {
    for await (const _ of rows) {
      progress.rows++;
      if (progress.rows - last >= 1000) {
        last = progress.rows;
        hooks.onProgress?.({ phase: 'read', rows: builder.report.totals.read, bytes: progress.bytes, totalBytes: src.totalBytes });
      }
    }
  }
  hooks.onProgress?.({ phase: 'read', rows: builder.report.totals.read, bytes: src.totalBytes, totalBytes: src.totalBytes });
  return builder.report;
}

export interface ImportJobOptions extends JobHooks {
  name: string;
  policy: RepairPolicy;
  replace?: boolean;
}

export interface ImportJobResult {
  meta: DatasetMeta;
  report: ValidationReport;
}

/**
 * Parses, validates (with the chosen policy) and stores a source as one dataset in one transaction.
 * A source whose rows are all rejected is refused rather than stored empty.
 */
export async function importSource(db: LabDatabase, src: ResolvedSource, opts: ImportJobOptions): Promise<ImportJobResult> {
  const builder = new ReportBuilder(opts.policy);
  const cleaner = new RowCleaner(builder, opts.policy);
  const progress = { rows: 0, bytes: 0 };
  const splits = splitIterables(src, cleaner, opts, progress);
  const emit = (p: ImportProgress) =>
    opts.onProgress?.({ phase: 'write', rows: p.totalRows, bytes: progress.bytes, totalBytes: src.totalBytes });
  const meta = await importDataset(
    db,
    {
      name: opts.name,
      source: src.label,
      importNotes: () => {
        if (builder.report.totals.kept === 0) {
          throw new Error(
            builder.report.totals.read === 0
              ? 'The source holds no rows; nothing was imported'
              : `None of the ${builder.report.totals.read} rows is usable; nothing was imported (see the validation report)`,
          );
        }
        return reportNotes(builder.report);
      },
    },
    splits,
    { replace: opts.replace, signal: opts.signal, onProgress: emit, expectedBytes: src.totalBytes * 2 },
  );
  opts.onProgress?.({ phase: 'write', rows: builder.report.totals.kept, bytes: src.totalBytes, totalBytes: src.totalBytes });
  return { meta, report: builder.report };
}

const DEMO_FLAG = 'datasets.demoSeeded';

/**
 * Stores the generated demo dataset unless one is already there. Once seeded it is not recreated
 * after the user deletes it, unless `force` (a "restore demo" action) is set.
 */
export async function seedDemoDataset(db: LabDatabase, opts: { force?: boolean; seed?: number } = {}): Promise<DatasetMeta | null> {
  const existing = (await db.getAll('datasets')).find((d) => d.source === 'demo');
  if (existing && !opts.force) return null;
  if (!opts.force && (await db.get('settings', DEMO_FLAG))) return null;
  const demo = generateDemoDataset({ seed: opts.seed ?? DEMO_DEFAULTS.seed });
  const noisy = [...demo.train, ...demo.validation].filter((r) => r.noise).length;
  if (existing) await deleteDataset(db, existing.id);
  const meta = await importDataset(
    db,
    {
      name: DEMO_DATASET_NAME,
      source: 'demo',
      importNotes: [
        `Generated clinical notes (seed ${opts.seed ?? DEMO_DEFAULTS.seed}); ${noisy} rows carry deliberate noise, named in their "noise" field`,
      ],
    },
    { train: demo.train, validation: demo.validation },
    { replace: true },
  );
  await db.put('settings', true, DEMO_FLAG);
  return meta;
}
