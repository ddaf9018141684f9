import type { LabDatabase } from './db';
import type { ArtifactKind, ArtifactRecord } from './schema';
import type { CartographyMetricsRow, TrainingDynamics } from '../domain/cartography/types';
import type { ClusterAssignmentRow, ClusterStatisticsRow } from '../domain/clustering/types';

/** The typed content of each artifact kind (ArtifactRecord.data). */
export interface CartographyArtifactData {
  metrics: CartographyMetricsRow[];
  /** Per-epoch dynamics when the artifact came from a training run here (absent for imported CSVs). */
  dynamics?: TrainingDynamics;
  /** Epochs the run trained for. */
  epochs?: number;
}

export interface ClusterArtifactData {
  assignments: ClusterAssignmentRow[];
  statistics: ClusterStatisticsRow[];
  /** Settings the clustering ran with (cluster_metadata.json). */
  metadata?: Record<string, unknown>;
}

export interface EmbeddingsArtifactData {
  ids: string[];
  dim: number;
  data: Float32Array;
  modelId: string;
}

export interface RunOutputsData {
  /** HF-style log history: {step, epoch, loss?, learning_rate?, grad_norm?, eval_f1?, ...}. */
  logHistory: Record<string, number>[];
  /** In eval order. The original fields are joined back from the dataset on export. */
  predictions: { id: string; predicted_answer: string }[];
  /** Filter reports and console lines of the run. */
  filters: unknown[];
  messages: string[];
  /** The trained weights, stored as a model (`models` store), when they were kept. */
  modelId: string | null;
  datasetId: string;
  evalSplit: string | null;
}

export interface ArtifactDataOf {
  cartography: CartographyArtifactData;
  clusters: ClusterArtifactData;
  embeddings: EmbeddingsArtifactData;
  'run-outputs': RunOutputsData;
}

export type TypedArtifact<K extends ArtifactKind> = Omit<ArtifactRecord, 'kind' | 'data'> & { kind: K; data: ArtifactDataOf[K] };

export async function saveArtifact<K extends ArtifactKind>(db: LabDatabase, record: TypedArtifact<K>): Promise<void> {
  await db.put('artifacts', record as ArtifactRecord);
}

export async function getArtifact<K extends ArtifactKind>(db: LabDatabase, id: string, kind: K): Promise<TypedArtifact<K> | null> {
  const rec = await db.get('artifacts', id);
  if (!rec) return null;
  if (rec.kind !== kind) throw new Error(`Artifact "${rec.name}" is ${rec.kind}, not ${kind}`);
  return rec as TypedArtifact<K>;
}

/** Artifacts of a kind, newest first, optionally for one dataset and split. */
export async function listArtifacts<K extends ArtifactKind>(db: LabDatabase, kind: K, where: { datasetId?: string; split?: string } = {}): Promise<TypedArtifact<K>[]> {
  const all = (await db.getAllFromIndex('artifacts', 'byKind', kind)) as TypedArtifact<K>[];
  return all
    .filter((a) => (where.datasetId === undefined || a.datasetId === where.datasetId) && (where.split === undefined || a.split === where.split))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function deleteArtifact(db: LabDatabase, id: string): Promise<void> {
  await db.delete('artifacts', id);
}

/** The id of the 'cartography' artifact a run stores its training dynamics under (producedBy = the run id). */
export function runCartographyId(runId: string): string {
  return `cartography:run:${runId}`;
}

export function newArtifactId(kind: ArtifactKind): string {
  return `${kind}:${crypto.randomUUID()}`;
}
