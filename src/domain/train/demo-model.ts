/**
 * "The demo model": a tiny ELECTRA trained from scratch on the embedded demo dataset, so that the
 * app, the worker and the CLI can train and evaluate end to end without downloading anything.
 *
 * Its tokenizer is an uncased WordPiece vocabulary built from the demo training split's questions
 * and contexts (deterministic: the dataset and the builder are), its weights a seeded init. The
 * shape is chosen for speed: the demo's windows are at most ~180 tokens, so 256 positions cover
 * every example in one window, and 2 layers of width 64 train in minutes on a CPU.
 */
import type { TrainingConfig } from '../config/types';
import { generateDemoDataset, type DemoDataset } from '../data/demo/generator';
import { parseHfConfig, toHfConfigJson, type EncoderConfig } from '../model/config';
import { QAModel } from '../model/model';
import { buildWordPieceVocabulary, type BuiltVocabulary } from '../qa/vocab-builder';
import { tokenizerFromFiles } from '../qa/tokenizer-files';
import type { WordPieceTokenizer } from '../qa/tokenizer';

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

export interface DemoModelBundle {
  /** config.json text, as Hugging Face writes it. */
  configJson: string;
  /** tokenizer.json text. */
  tokenizerJson: string;
  /** tokenizer_config.json text. */
  tokenizerConfigJson: string;
  vocabTxt: string;
  config: EncoderConfig;
  tokenizer: WordPieceTokenizer;
  /** Freshly initialised from `seed`; the caller owns it (dispose when done). */
  model: QAModel;
}

export interface DemoModelOptions {
  /** Seed of the weight init and the dropout masks; default 42. */
  seed?: number;
  /** The demo dataset to build the vocabulary from; default generateDemoDataset() (seed 42). */
  dataset?: DemoDataset;
  /** Changes to the shape (e.g. a 1-layer variant for slow software GPUs); default none. */
  shape?: Partial<Record<Exclude<keyof typeof DEMO_MODEL_SHAPE, 'model_type'>, number>>;
}

/** A 1-layer, width-32 variant with the demo tokenizer: for smoke tests on software WebGPU, where every kernel launch costs. */
export const DEMO_TINY_SHAPE: DemoModelOptions['shape'] = {
  embedding_size: 32,
  hidden_size: 32,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 64,
  max_position_embeddings: 128,
};

let cachedVocabulary: { dataset: DemoDataset | null; built: BuiltVocabulary } | null = null;

/** The demo WordPiece vocabulary (built once per dataset and cached; ~0.5 s). */
export function demoVocabulary(dataset?: DemoDataset): BuiltVocabulary {
  const key = dataset ?? null;
  if (cachedVocabulary && cachedVocabulary.dataset === key) return cachedVocabulary.built;
  const data = dataset ?? generateDemoDataset();
  const built = buildWordPieceVocabulary(
    data.train.flatMap((r) => [r.question, r.context]),
    { vocabSize: DEMO_VOCAB_SIZE, modelMaxLength: DEMO_MAX_POSITIONS },
  );
  cachedVocabulary = { dataset: key, built };
  return built;
}

/** config.json of the demo model for a vocabulary of `vocabSize` ids. */
export function demoConfigJson(vocabSize: number, shape: DemoModelOptions['shape'] = {}): Record<string, unknown> {
  return { architectures: ['ElectraForQuestionAnswering'], ...DEMO_MODEL_SHAPE, ...shape, vocab_size: vocabSize, hidden_act: 'gelu' };
}

/** The demo model's files and a freshly initialised model. */
export function createDemoModel(options: DemoModelOptions = {}): DemoModelBundle {
  const built = demoVocabulary(options.dataset);
  const tokenizerConfigJson = JSON.stringify(built.tokenizerConfig, null, 2) + '\n';
  const tokenizer = tokenizerFromFiles({ tokenizerJson: built.tokenizerJsonText, tokenizerConfig: built.tokenizerConfig });
  const config = parseHfConfig(demoConfigJson(tokenizer.vocabSize, options.shape), 'demo config.json');
  const model = QAModel.fromConfig(config, { seed: options.seed ?? 42 });
  return {
    configJson: JSON.stringify(toHfConfigJson(config), null, 2) + '\n',
    tokenizerJson: built.tokenizerJsonText,
    tokenizerConfigJson,
    vocabTxt: built.vocabTxt,
    config,
    tokenizer,
    model,
  };
}
