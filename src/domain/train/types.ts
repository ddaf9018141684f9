/**
 * What a training run reports while it runs: throttled progress for the UI and the Hugging Face
 * Trainer's `log_history` entries.
 */

export type TrainPhase = 'tokenize' | 'train' | 'eval';

export interface TrainProgress {
  phase: TrainPhase;
  /** Optimizer steps done (train) or eval batches done (eval); 0 while tokenizing. */
  step: number;
  /** Steps of the run (train) or eval batches (eval). */
  totalSteps: number;
  /** Fractional epoch as the Trainer counts it (state.epoch). */
  epoch: number;
  /** Mean training loss since the previous progress event (NaN before the first step). */
  loss: number;
  learningRate: number;
  /** Training features (windows) per second of training time, evaluation excluded. */
  examplesPerSecond: number;
  /** Padded tokens (batch × padded length) per second, what the device actually processes. */
  tokensPerSecond: number;
  /** Seconds left for the remaining training steps at the rate so far (evaluation not included). */
  etaSeconds: number;
}

/**
 * One entry of the Trainer's log_history. Training logs carry loss (rounded to 4 decimals as the
 * Trainer does), learning_rate (the rate of the next step, as `lr_scheduler.get_last_lr()` gives
 * after stepping), grad_norm and, beyond Hugging Face, examples_per_second; evaluation logs carry
 * the eval_ metrics; the final entry carries train_runtime, train_samples_per_second,
 * train_steps_per_second and train_loss.
 */
export interface LogEntry {
  step: number;
  epoch: number;
  loss?: number;
  learning_rate?: number;
  grad_norm?: number;
  examples_per_second?: number;
  eval_exact_match?: number;
  eval_f1?: number;
  train_runtime?: number;
  train_samples_per_second?: number;
  train_steps_per_second?: number;
  train_loss?: number;
  [key: string]: number | undefined;
}
