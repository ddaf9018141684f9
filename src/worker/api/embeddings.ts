import type { MethodSpec } from '../protocol';

export interface ExtractEmbeddingsParams {
  /** A stored model (models store id), e.g. "run:<runId>" for the weights of a trained run. */
  modelId: string;
  datasetId: string;
  split: string;
  /** The first N rows of the split (`--max_samples`); null or absent for all of them. */
  maxSamples?: number | null;
  /** Examples per forward pass (`--batch_size`, origin default 32). */
  batchSize: number;
  /** Tokenization length (origin 512); clamped to the model's max_position_embeddings. */
  maxLength?: number;
  /** Database to read from and write to (tests use their own). */
  dbName?: string;
}

export interface ExtractEmbeddingsProgress {
  /** Examples embedded so far. */
  done: number;
  total: number;
}

export interface ExtractEmbeddingsResult {
  /** The stored 'embeddings' artifact. */
  artifactId: string;
  n: number;
  /** 2 × hidden size ([CLS] ; mean over the gold-answer tokens). */
  dim: number;
  /** Examples whose answer had no token in the window (their span half repeats [CLS]). */
  noAnswerTokens: number;
  maxLength: number;
  seconds: number;
}

export interface EmbeddingsApi {
  /**
   * Embeds a dataset split with a trained model as extract_embeddings.py does (origin-system.md
   * §4.1): one window per example (no stride), eval mode, final-layer [CLS] joined with the mean
   * over the gold-answer tokens. Stores an 'embeddings' artifact. Cancellable between batches.
   */
  extractEmbeddings: MethodSpec<ExtractEmbeddingsParams, ExtractEmbeddingsProgress, ExtractEmbeddingsResult>;
}
