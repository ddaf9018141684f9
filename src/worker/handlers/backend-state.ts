import { selectBackend } from '../backend';
import type { BackendName, BackendReport } from '../protocol';

let report: Promise<BackendReport> | null = null;

/** Selects the backend once per worker; later callers get the same report. */
export function initBackend(prefer?: BackendName[], onStage?: (stage: string) => void): Promise<BackendReport> {
  if (!report) {
    report = selectBackend(prefer, onStage);
    report.catch(() => (report = null));
  }
  return report;
}

/** The backend report, selecting with default preferences if nothing asked yet. */
export function ensureBackend(): Promise<BackendReport> {
  return initBackend();
}
