// Tiny models and data for the trainer tests: the demo tokenizer and rows, a 1-layer width-16
// ELECTRA with 64 positions (demo examples then span 2–3 windows at max_length 64).
import { makeTrainingConfig, type TrainingOverrides } from '../../src/domain/config/defaults';
import type { TrainingConfig } from '../../src/domain/config/types';
import { generateDemoDataset, type DemoDataset } from '../../src/domain/data/demo/generator';
import { parseHfConfig } from '../../src/domain/model/config';
import { QAModel } from '../../src/domain/model/model';
import type { WordPieceTokenizer } from '../../src/domain/qa/tokenizer';
import { tokenizerFromFiles } from '../../src/domain/qa/tokenizer-files';
import { demoVocabulary } from '../../src/domain/train/demo-model';

let data: DemoDataset | null = null;
let tok: WordPieceTokenizer | null = null;

export function demoData(): DemoDataset {
  data ??= generateDemoDataset();
  return data;
}

export function demoTokenizer(): WordPieceTokenizer {
  if (!tok) {
    const built = demoVocabulary(demoData());
    tok = tokenizerFromFiles({ tokenizerJson: built.tokenizerJsonText, tokenizerConfig: built.tokenizerConfig });
  }
  return tok;
}

export function tinyModel(seed = 7, dropout = 0.1): QAModel {
  const config = parseHfConfig({
    model_type: 'electra',
    vocab_size: demoTokenizer().vocabSize,
    embedding_size: 16,
    hidden_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 64,
    hidden_dropout_prob: dropout,
    attention_probs_dropout_prob: dropout,
  });
  return QAModel.fromConfig(config, { seed });
}

export function tinyTraining(overrides: TrainingOverrides = {}): TrainingConfig {
  return makeTrainingConfig({
    max_length: 64,
    per_device_train_batch_size: 4,
    per_device_eval_batch_size: 8,
    num_train_epochs: 1,
    learning_rate: 5e-3,
    warmup_steps: 0,
    seed: 3,
    logging_steps: 1,
    eval_strategy: 'no',
    save_strategy: 'no',
    ...overrides,
  });
}
