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
  num_attention_heads: 4,
  intermediate_size: 256,
  max_position_embeddings: DEMO_MAX_POSITIONS,
  type_vocab_size: 2,
  hidden_dropout_prob: 0.1,
  // No dropout on the attention probabilities: its mask is [batch, heads, T, T], by far the largest
  // of the step, and on the wasm backend it made a demo step ~5× slower (measured 9.8 s against
  // 1.7 s at batch 16 × 192). The templated demo data does not need that regularisation.
  attention_probs_dropout_prob: 0,
  layer_norm_eps: 1e-12,
  initializer_range: 0.02,
  pad_token_id: 0,
} as const;

/**
 * Training settings for the demo model (over the Python defaults). A from-scratch model needs a
 * far higher learning rate than fine-tuning ELECTRA-small (5e-5), and warmup keeps the first
 * steps of a randomly initialised post-LayerNorm encoder stable.
 */
export const DEMO_TRAINING: Partial<TrainingConfig> = {
  max_length: 192,
  per_device_train_batch_size: 16,
  per_device_eval_batch_size: 32,
  num_train_epochs: 3.0,
  learning_rate: 2e-3,
  weight_decay: 0.01,
  warmup_steps: 50,
  seed: 42,
  logging_steps: 25,
  eval_steps: 500,
  save_steps: 500,
  eval_strategy: 'no',
  save_strategy: 'no',
  save_total_limit: 2,
  load_best_model_at_end: false,
};
