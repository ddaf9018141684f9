import type { MethodSpec } from '../protocol';
import type { ExperimentSpec } from '../../domain/config/types';
import type { ExperimentResult } from '../../domain/experiments/result';
import type { TrainProgress } from '../../domain/train/types';

export interface RunExperimentParams {
  spec: ExperimentSpec;
  /** Result record id (queue item + attempt): names the outputs this run stores. */
  runId: string;
  experimentId: string;
  /** Database to read inputs from and write outputs to (tests use their own). */
  dbName?: string;
  appVersion: string;
  gitCommit: string;
  /** Keep the trained weights as a stored model (default true). */
  keepWeights?: boolean;
  /**
   * Absolute URL of the shipped demo base folder (models/demo-base/ under the app's base URL),
   * needed when the model source is "demo": a worker's own location says nothing about where the
   * app's public files are.
   */
  demoBaseUrl?: string;
}

export type RunExperimentProgress =
  | ({ kind: 'train' } & TrainProgress)
  | { kind: 'message'; line: string }
  | { kind: 'log'; entry: Record<string, number> };

export interface ExperimentApi {
  /**
   * Trains and evaluates one experiment inside the worker: reads its data, model and artifacts
   * from IndexedDB, writes its outputs there (run outputs, trained model, cartography artifact)
   * and returns the result record. Failures reject; the caller records them as failed results.
   */
  runExperiment: MethodSpec<RunExperimentParams, RunExperimentProgress, ExperimentResult>;
}
