/**
 * The CLI's measured backend step times, kept per machine and model shape in
 * ~/.cache/qa-lab/backends.json (as the browser keeps them in IndexedDB), so `--backend auto`
 * times the backends once per model shape rather than at every invocation.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measurementsRecord, parseStoredMeasurements, type StoredMeasurements } from '../domain/compute/measurement-record';

export function defaultCacheFile(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'qa-lab', 'backends.json');
}

/** This machine: the figures of another say nothing here. */
export function nodeDeviceKey(): string {
  const cpus = os.cpus();
  return `node ${process.version} | ${os.hostname()} | ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}`;
}

function readAll(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    // A damaged cache is measured again, never trusted.
    return {};
  }
}

export function readCachedMeasurements(device: string, shape: string, file = defaultCacheFile()): StoredMeasurements | null {
  return parseStoredMeasurements(readAll(file)[`${device} || ${shape}`], device, shape);
}

/** Writes through a temporary file and a rename, so a killed run never leaves half a cache. */
export function writeCachedMeasurements(rec: StoredMeasurements, file = defaultCacheFile()): void {
  measurementsRecord.parse(rec);
  const all = readAll(file);
  all[`${rec.device} || ${rec.shape}`] = rec;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n');
  renameSync(tmp, file);
}
