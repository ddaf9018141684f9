/**
 * The stored form of a set of backend measurements (IndexedDB in the browser, a cache file for the
 * CLI), with a version, validated on read.
 */
import { z } from 'zod';
import { BACKEND_NAMES, type BackendMeasurement, type ProbeSetup } from './backend-choice';

const candidate = z.object({
  backend: z.enum(BACKEND_NAMES as [string, ...string[]]),
  threads: z.number().int().positive().optional(),
  software: z.boolean().optional(),
});

const measurement = z.object({
  candidate,
  ok: z.boolean(),
  msPerStep: z.number().nonnegative().optional(),
  warmupMs: z.number().nonnegative().optional(),
  atLeastMs: z.number().nonnegative().optional(),
  note: z.string(),
});

export const measurementsRecord = z.object({
  version: z.literal(1),
  device: z.string(),
  shape: z.string(),
  probe: z.object({ batch: z.number().int().positive(), seq: z.number().int().positive(), steps: z.number().int().positive(), minTimedMs: z.number().positive().optional(), maxSteps: z.number().int().positive().optional() }),
  measuredAt: z.string(),
  measurements: z.array(measurement),
});

export interface StoredMeasurements {
  version: 1;
  /** The browser or machine the figures belong to. */
  device: string;
  /** The model architecture timed (backend-choice shapeKey). */
  shape: string;
  probe: ProbeSetup;
  measuredAt: string;
  measurements: BackendMeasurement[];
}

/** The record, or null when it is not a valid version-1 record for this device and shape. */
export function parseStoredMeasurements(value: unknown, device: string, shape: string): StoredMeasurements | null {
  const parsed = measurementsRecord.safeParse(value);
  if (!parsed.success || parsed.data.device !== device || parsed.data.shape !== shape) return null;
  return parsed.data as StoredMeasurements;
}
