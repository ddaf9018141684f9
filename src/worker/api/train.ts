import type { MethodSpec } from '../protocol';
import type { TrainProgress } from '../../domain/train/types';
import type { BackendName } from '../protocol';

export interface TrainDemoParams {
  /** Demo training rows to use (the first N of the split); default 64. */
  rows?: number;
  /** Optimizer steps (HF max_steps); default one epoch over the rows. */
  steps?: number;
  batchSize: number;
  maxLength: number;
  seed: number;
  /** Default DEMO_TRAINING.learning_rate. */
  learningRate?: number;
  /** Demo validation rows to evaluate on afterwards (first N); default 0 = no evaluation. */
  evalRows?: number;
  /** The 1-layer width-32 variant (DEMO_TINY_SHAPE) instead of the demo model; default false. */
  tiny?: boolean;
}

export interface TrainDemoResult {
  backend: BackendName;
  /** Exact training loss of every step, in order. */
  losses: number[];
  gradNorms: number[];
  globalStep: number;
  epochs: number;
  trainSeconds: number;
  examplesPerSecond: number;
  metrics: { eval_exact_match: number; eval_f1: number } | null;
}

export interface TrainApi {
  /**
   * Trains a fresh demo model (tiny ELECTRA, demo tokenizer, seeded init) on a slice of the demo
   * dataset inside the worker, reporting TrainProgress; cancel stops within one step. Nothing is
   * stored. Used to check a backend end to end (and by the e2e test).
   */
  trainDemo: MethodSpec<TrainDemoParams, TrainProgress, TrainDemoResult>;
}
