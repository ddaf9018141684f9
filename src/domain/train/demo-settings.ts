/**
 * The demo model's shape and training settings, apart from the model code so that the UI can
 * show and use them without loading TensorFlow.js on the main thread.
 */
import type { TrainingConfig } from '../config/types';

export const DEMO_VOCAB_SIZE = 2000;
export const DEMO_MAX_POSITIONS = 256;

/** config.json fields of the demo model (vocab_size is the built vocabulary's size). */
export const DEMO_MODEL_SHAPE = {
  model_type: 'electra',
  embedding_size: 64,
  hidden_size: 64,
  num_hidden_layers: 2,
  // Two heads of width 32 learn as fast as four of 16 here (EM 38.3 after 2 epochs against 39.0)
  // and halve the per-head products of the wasm attention (ops.ts): steps ~1.3× faster (325 against
  // 250 ms at batch 8 × 192, measured back to back in one process).
  num_attention_heads: 2,
  intermediate_size: 256,
  max_position_embeddings: DEMO_MAX_POSITIONS,
  type_vocab_size: 2,
  // No dropout: the templated demo data needs no regularisation in a few epochs, and on the wasm
  // backend dropout is expensive (the attention mask is [batch, heads, T, T]: a step at batch
  // 16 × 192 took 9.8 s with it against 1.7 s without, on this machine under load).
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
  layer_norm_eps: 1e-12,
  // Larger than ELECTRA's 0.02: a model this small, trained from scratch, sits on a loss plateau
  // (~3.4) for hundreds of steps at 0.02 while its attention is near-uniform; a sharper initial
  // attention leaves it early (EM on 200 validation rows after 400 steps of batch 8: 2 at 0.02 with
  // lr 5e-3, 13.5 at 0.08 with lr 3e-3, 19 at 0.15 with lr 5e-3).
  initializer_range: 0.15,
  pad_token_id: 0,
} as const;

/**
 * Training settings for the demo model (over the Python defaults). A from-scratch model needs a
 * far higher learning rate than fine-tuning ELECTRA-small (5e-5), and warmup keeps the first
 * steps of a randomly initialised post-LayerNorm encoder stable.
 *
 * Measured with `npx tsx src/cli/train-demo.ts` (EM on the 600 validation rows, 2 epochs unless
 * said): batch 8 at 5e-3 39.0; batch 16 at 5e-3 35.7 and at 8e-3 35.3; 1e-2 did not converge
 * (loss 4.1 after an epoch). Two epochs fit in the 5-minute CPU budget on a 2-core machine;
 * a third adds little (EM 40.0). Those are single-seed figures, and the init seed alone moves EM
 * by up to 13 points, depending on how long the model sits on the loss plateau near 3.3 before
 * its attention sharpens. A longer warmup (150 of the 750 steps) got all four seeds tried off it
 * in time: over seeds 42, 1, 2, 3 (wasm, bucket step 16) EM 33.5, 38.3, 32.8, 37.5 (mean 35.5)
 * with 150 warmup steps against 34.2, 22.5, 35.5, 37.7 (mean 32.5) with 50.
 * Tried and worse at 2 epochs (seed 42, 50 warmup steps, bucket step 64): hidden dropout 0.1
 * 18.5; initializer_range 0.25 11.8; lr 7e-3 with 100 warmup steps 26.0; intermediate_size 128
 * 27.3; 3 layers of width 48 36.7 (and slower); a token/position split of the width with identity
 * query/key in the first layer 16.3 after one epoch (25.8 without).
 */
export const DEMO_TRAINING: Partial<TrainingConfig> = {
  max_length: 192,
  per_device_train_batch_size: 8,
  per_device_eval_batch_size: 32,
  num_train_epochs: 2.0,
  learning_rate: 5e-3,
  weight_decay: 0.01,
  warmup_steps: 150,
  seed: 42,
  logging_steps: 25,
  eval_steps: 500,
  save_steps: 500,
  eval_strategy: 'no',
  save_strategy: 'no',
  save_total_limit: 2,
  load_best_model_at_end: false,
};

/**
 * Fine-tuning settings for the demo base (models/demo-base, pretrained by `npm run pretrain-demo`):
 * the from-scratch settings' batch, length and schedule shape, with the rate and epochs measured
 * for the pretrained start (see README, "The demo base").
 */
export const DEMO_BASE_TRAINING: Partial<TrainingConfig> = {
  ...DEMO_TRAINING,
  num_train_epochs: 6.0,
  learning_rate: 3e-3,
  warmup_steps: 75,
};

/** The demo run's batch × sequence, which the backend probe times before anything else is known. */
export const DEMO_TRAINING_SHAPE = { batch: DEMO_TRAINING.per_device_train_batch_size ?? 8, seq: DEMO_TRAINING.max_length ?? 192 };

/**
 * config.json of the demo model for timing its step (backend choice). The built vocabulary is
 * slightly smaller than DEMO_VOCAB_SIZE; the op mix is the same.
 */
export function demoProbeConfig(): Record<string, unknown> {
  return { ...DEMO_MODEL_SHAPE, vocab_size: DEMO_VOCAB_SIZE, hidden_act: 'gelu' };
}
