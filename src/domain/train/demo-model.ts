/**
 * "The demo model": a tiny ELECTRA trained from scratch on the embedded demo dataset, so that the
 * app, the worker and the CLI can train and evaluate end to end without downloading anything.
 *
 * Its tokenizer is an uncased WordPiece vocabulary built from the demo training split's questions
 * and contexts (deterministic: the dataset and the builder are), its weights a seeded init. The
 * shape is chosen for speed: the demo's windows are at most ~180 tokens, so 256 positions cover
 * every example in one window, and 2 layers of width 64 train in minutes on a CPU.
 */
import * as tf from '@tensorflow/tfjs';
import { generateDemoDataset, type DemoDataset } from '../data/demo/generator';
import { parseHfConfig, toHfConfigJson, type EncoderConfig } from '../model/config';
import { QAModel } from '../model/model';
import { buildWordPieceVocabulary, type BuiltVocabulary } from '../qa/vocab-builder';
import { tokenizerFromFiles } from '../qa/tokenizer-files';
import type { WordPieceTokenizer } from '../qa/tokenizer';

export { DEMO_VOCAB_SIZE, DEMO_MAX_POSITIONS, DEMO_MODEL_SHAPE, DEMO_TRAINING } from './demo-settings';
import { DEMO_VOCAB_SIZE, DEMO_MAX_POSITIONS, DEMO_MODEL_SHAPE } from './demo-settings';

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
  /**
   * Initial position embeddings: 'sinusoidal' (default) or 'normal' (Hugging Face's init).
   * See sinusoidalPositions for why.
   */
  positionInit?: 'sinusoidal' | 'normal';
}

/**
 * Sinusoidal position table [positions, width] (Vaswani et al.), scaled to RMS `rms`.
 *
 * A model trained from scratch in a few minutes spends much of them learning a separate random
 * vector for every absolute position before it can express "the token after the one I matched".
 * With sinusoids, a dot product of two positions is already a function of their offset, so
 * relative-position attention is linear in the first layer's weights from step one. The table is
 * only an initial value: it stays a trainable ELECTRA position embedding, saved and loaded as usual.
 */
export function sinusoidalPositions(positions: number, width: number, rms: number): Float32Array {
  const out = new Float32Array(positions * width);
  const half = Math.ceil(width / 2);
  // sin² + cos² = 1 per frequency pair, so the raw row RMS is 1/√2 (exactly, for even widths).
  const scale = rms * Math.SQRT2;
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p / Math.pow(10000, (2 * i) / width);
      out[p * width + 2 * i] = Math.sin(angle) * scale;
      if (2 * i + 1 < width) out[p * width + 2 * i + 1] = Math.cos(angle) * scale;
    }
  }
  return out;
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

const POSITION_TABLE = 'electra.embeddings.position_embeddings.weight';

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
  if ((options.positionInit ?? 'sinusoidal') === 'sinusoidal') {
    const table = model.params.get(POSITION_TABLE);
    if (!table) throw new Error(`the demo model has no ${POSITION_TABLE}`);
    const [positions, width] = table.shape;
    const init = tf.tensor2d(sinusoidalPositions(positions, width, config.initializerRange), [positions, width]);
    table.assign(init);
    init.dispose();
  }
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
