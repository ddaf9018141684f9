/**
 * The backend preference and the measured step times, in the `settings` store. Each record carries
 * a version and is validated on read: a record from another build, or one damaged by hand, is
 * ignored (and re-measured), never trusted.
 */
import { z } from 'zod';
import type { LabDatabase } from './db';
import { BACKEND_PREFERENCES, type BackendPreference } from '../domain/compute/backend-choice';
import { measurementsRecord, parseStoredMeasurements, type StoredMeasurements } from '../domain/compute/measurement-record';

export type { StoredMeasurements } from '../domain/compute/measurement-record';

const PREFERENCE_KEY = 'backend:preference';
const MEASUREMENTS_PREFIX = 'backend:measurements:';

const preferenceRecord = z.object({ version: z.literal(1), preference: z.enum(BACKEND_PREFERENCES as [string, ...string[]]) });

/** Identifies the browser and machine: figures measured elsewhere say nothing about this one. */
export function deviceKey(parts: { userAgent: string; hardwareConcurrency: number; adapter?: string | null }): string {
  return `${parts.userAgent} | ${parts.hardwareConcurrency} cores | ${parts.adapter || 'no WebGPU adapter'}`;
}

const measurementsKey = (device: string, shape: string) => `${MEASUREMENTS_PREFIX}${device} || ${shape}`;

export async function readBackendPreference(db: LabDatabase): Promise<BackendPreference> {
  const parsed = preferenceRecord.safeParse(await db.get('settings', PREFERENCE_KEY));
  return parsed.success ? (parsed.data.preference as BackendPreference) : 'auto';
}

export async function writeBackendPreference(db: LabDatabase, preference: BackendPreference): Promise<void> {
  if (!BACKEND_PREFERENCES.includes(preference)) throw new Error(`Unknown backend preference ${JSON.stringify(preference)}`);
  await db.put('settings', { version: 1, preference }, PREFERENCE_KEY);
}

export async function readMeasurements(db: LabDatabase, device: string, shape: string): Promise<StoredMeasurements | null> {
  return parseStoredMeasurements(await db.get('settings', measurementsKey(device, shape)), device, shape);
}

export async function writeMeasurements(db: LabDatabase, rec: Omit<StoredMeasurements, 'version'>): Promise<StoredMeasurements> {
  const full: StoredMeasurements = { version: 1, ...rec };
  measurementsRecord.parse(full);
  await db.put('settings', full, measurementsKey(rec.device, rec.shape));
  return full;
}

/** Forgets every stored measurement (the "Measure again" button). */
export async function clearMeasurements(db: LabDatabase): Promise<void> {
  const tx = db.transaction('settings', 'readwrite');
  for (const key of await tx.store.getAllKeys()) if (typeof key === 'string' && key.startsWith(MEASUREMENTS_PREFIX)) await tx.store.delete(key);
  await tx.done;
}
