import type { DBSchema } from 'idb';
import type { QARecord } from '../domain/data/types';

/**
 * IndexedDB layout. Every change to stores or indexes bumps DB_VERSION and adds one step to
 * MIGRATIONS (see db.ts); a step never deletes user data, it only adds or reshapes.
 */
export const DB_NAME = 'qa-lab';
export const DB_VERSION = 4;

/** Rows of one split are stored in chunks of this many records: one record per row is slow
 * to write, one record per split cannot be streamed and blows the structured-clone budget. */
export const EXAMPLES_PER_CHUNK = 2000;

export interface SplitSummary {
  rows: number;
  chunks: number;
  /** Approximate bytes of the stored rows (UTF-16 length of text fields × 2). */
  bytes: number;
}

export interface DatasetMeta {
  id: string;
  name: string;
  /** Where it came from: "demo", "file:<name>", "hub:<repo>[:<config>]". */
  source: string;
  splits: Record<string, SplitSummary>;
  createdAt: string;
  /** Free-form notes about the import (skipped/repaired counts, duplicate ids). */
  importNotes?: string[];
}

export interface ExampleChunk {
  datasetId: string;
  split: string;
  chunk: number;
  rows: QARecord[];
}

/**
 * - cartography: {metrics: CartographyMetricsRow[], dynamics?: TrainingDynamics} (see storage/artifacts.ts)
 * - clusters: {assignments: ClusterAssignmentRow[], statistics: ClusterStatisticsRow[], ...}
 * - embeddings: {ids: string[], dim: number, data: Float32Array, modelId: string}
 * - run-outputs: {logHistory, predictions, filters, messages, modelId} of one experiment run
 */
export type ArtifactKind = 'cartography' | 'embeddings' | 'clusters' | 'run-outputs';

export interface ArtifactRecord {
  id: string;
  kind: ArtifactKind;
  name: string;
  datasetId: string;
  split: string;
  createdAt: string;
  /** Which run/experiment produced it, when one did. */
  producedBy?: string;
  /** The artifact's content: plain data (rows, typed arrays). Shape depends on `kind`. */
  data: unknown;
}

export interface ModelRecord {
  id: string;
  name: string;
  /** "demo", "hub:<repo>", "upload", "run:<runId>", "checkpoint:<runId>:<step>". */
  source: string;
  createdAt: string;
  /** Hugging Face config.json content. */
  config: Record<string, unknown>;
  /** Hugging Face tokenizer.json content (or built from vocab.txt). */
  tokenizer?: unknown;
  /** Size of the weights file; the bytes themselves live in `modelFiles` so listing models stays cheap. */
  bytes: number;
  /** Hugging Face repo and revision for Hub models (the cache key of a download). */
  hub?: { endpoint: string; repo: string; revision: string };
}

/** A model's weight file, kept apart from its metadata (tens of MB that listing must not load). */
export interface ModelFileRecord {
  modelId: string;
  /** "model.safetensors" or "pytorch_model.bin". */
  name: string;
  bytes: ArrayBuffer;
}

export interface ExperimentRecord {
  id: string;
  name: string;
  configHash: string;
  /** ExperimentConfig as plain JSON (domain/config). */
  config: Record<string, unknown>;
  suiteId?: string;
  createdAt: string;
}

export interface RunRecord {
  id: string;
  experimentId: string;
  suiteId?: string;
  /** ExperimentResult (domain/experiments) as plain JSON. */
  result: Record<string, unknown>;
  createdAt: string;
}

export type QueueStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface QueueItem {
  id: string;
  suiteId: string;
  /** Global run order: items run in ascending order across suites. */
  order: number;
  experimentId: string;
  status: QueueStatus;
  /** 1 for the first run; a re-run of a failed or cancelled item increments it. */
  attempt: number;
  /** The result record of the latest finished attempt. */
  runId?: string;
  updatedAt: string;
}

export interface LabDB extends DBSchema {
  datasets: { key: string; value: DatasetMeta };
  examples: {
    key: [string, string, number];
    value: ExampleChunk;
    indexes: { byDataset: string; bySplit: [string, string] };
  };
  artifacts: {
    key: string;
    value: ArtifactRecord;
    indexes: { byKind: ArtifactKind; byDataset: string };
  };
  models: { key: string; value: ModelRecord };
  modelFiles: { key: string; value: ModelFileRecord };
  experiments: { key: string; value: ExperimentRecord; indexes: { bySuite: string } };
  runs: { key: string; value: RunRecord; indexes: { byExperiment: string; bySuite: string } };
  queue: { key: string; value: QueueItem; indexes: { bySuite: string; byStatus: QueueStatus } };
  settings: { key: string; value: unknown };
}
