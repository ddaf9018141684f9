import type { DatasetMeta } from '../storage/schema';
import type { RepairPolicy, ValidationReport } from '../domain/data/problems';
import type { ImportSource, JobProgress } from './import-job';

export type { ImportSource, JobProgress, FileInput } from './import-job';

/** Requests the UI sends to the import worker; each carries an id echoed by its events. */
export type ImportRequest =
  /** Read and validate a source without writing; Hub downloads are kept for the import that follows. */
  | { type: 'inspect'; id: string; source: ImportSource; policy: RepairPolicy }
  /** Parse, validate with `policy` and store the source as dataset `name` in one transaction. */
  | { type: 'import'; id: string; source: ImportSource; policy: RepairPolicy; name: string; replace?: boolean; dbName?: string }
  /** Store the demo dataset if it is not there yet (force: recreate it). */
  | { type: 'seed-demo'; id: string; force?: boolean; dbName?: string }
  /** Stop request `target`: its transaction is aborted, nothing is written. */
  | { type: 'cancel'; id: string; target: string }
  /** Drop kept Hub downloads. */
  | { type: 'forget'; id: string };

export interface InspectResult {
  report: ValidationReport;
  suggestedName: string;
  label: string;
  totalBytes: number;
  splits: Record<string, string[]>;
}

export interface ImportResult {
  meta: DatasetMeta;
  report: ValidationReport;
}

export interface ResultOf {
  inspect: InspectResult;
  import: ImportResult;
  'seed-demo': DatasetMeta | null;
  cancel: null;
  forget: null;
}

/** An error as it crosses the worker boundary; quota errors keep their figures. */
export interface ImportErrorInfo {
  name: string;
  message: string;
  needed?: number;
  available?: number | null;
}

export type ImportEvent =
  | { type: 'progress'; id: string; progress: JobProgress }
  | { [K in keyof ResultOf]: { type: 'result'; id: string; request: K; result: ResultOf[K] } }[keyof ResultOf]
  | { type: 'error'; id: string; error: ImportErrorInfo };

export function serializeError(e: unknown): ImportErrorInfo {
  if (e instanceof Error || e instanceof DOMException) {
    const out: ImportErrorInfo = { name: e.name, message: e.message };
    const q = e as { needed?: unknown; available?: unknown };
    if (typeof q.needed === 'number') out.needed = q.needed;
    if (typeof q.available === 'number' || q.available === null) out.available = q.available as number | null;
    return out;
  }
  return { name: 'Error', message: String(e) };
}
