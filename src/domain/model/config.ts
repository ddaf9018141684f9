/**
 * Hugging Face `config.json` for the encoders we run (model_type "electra" and "bert"),
 * validated into one typed shape. Missing fields take the defaults of the Hugging Face config
 * class, because that is what `ElectraConfig(**json)` / `BertConfig(**json)` does with the same file.
 */

export type ModelType = 'electra' | 'bert';

export interface EncoderConfig {
  modelType: ModelType;
  vocabSize: number;
  /** Width of the embedding tables; ELECTRA projects to hiddenSize when they differ. BERT: = hiddenSize. */
  embeddingSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: 'gelu';
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  padTokenId: number;
  initializerRange: number;
}

interface FieldDefaults {
  vocab_size: number;
  embedding_size: number | null;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  layer_norm_eps: number;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  pad_token_id: number;
  initializer_range: number;
}

// Defaults of transformers' ElectraConfig / BertConfig constructors.
const DEFAULTS: Record<ModelType, FieldDefaults> = {
  electra: {
    vocab_size: 30522,
    embedding_size: 128,
    hidden_size: 256,
    num_hidden_layers: 12,
    num_attention_heads: 4,
    intermediate_size: 1024,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    pad_token_id: 0,
    initializer_range: 0.02,
  },
  bert: {
    vocab_size: 30522,
    embedding_size: null,
    hidden_size: 768,
    num_hidden_layers: 12,
    num_attention_heads: 12,
    intermediate_size: 3072,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    pad_token_id: 0,
    initializer_range: 0.02,
  },
};

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${source}: field "${field}" ${detail}`);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

function readInt(json: Json, key: keyof FieldDefaults, fallback: number | null, min: number, source: string): number {
  const raw = json[key];
  if (raw === undefined || raw === null) {
    if (fallback === null) throw new ConfigError(source, key, 'is required');
    return fallback;
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    throw new ConfigError(source, key, `must be an integer, got ${JSON.stringify(raw)}`);
  }
  if (raw < min) throw new ConfigError(source, key, `must be ≥ ${min}, got ${raw}`);
  return raw;
}

function readNumber(
  json: Json,
  key: keyof FieldDefaults,
  fallback: number,
  check: (v: number) => boolean,
  rule: string,
  source: string,
): number {
  const raw = json[key];
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    throw new ConfigError(source, key, `must be a finite number, got ${JSON.stringify(raw)}`);
  }
  if (!check(raw)) throw new ConfigError(source, key, `${rule}, got ${raw}`);
  return raw;
}

/**
 * Parses a Hugging Face config.json (already JSON-decoded) into an EncoderConfig.
 * `source` names the file in error messages.
 */
export function parseHfConfig(json: unknown, source = 'config.json'): EncoderConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(source, '(root)', 'must be a JSON object');
  }
  const obj = json as Json;
  const modelType = obj.model_type;
  if (modelType !== 'electra' && modelType !== 'bert') {
    throw new ConfigError(source, 'model_type', `must be "electra" or "bert", got ${JSON.stringify(modelType)}`);
  }
  const d = DEFAULTS[modelType];

  const hiddenAct = obj.hidden_act ?? 'gelu';
  if (hiddenAct !== 'gelu') {
    throw new ConfigError(source, 'hidden_act', `must be "gelu" (exact erf GELU), got ${JSON.stringify(hiddenAct)}`);
  }
  const posType = obj.position_embedding_type ?? 'absolute';
  if (posType !== 'absolute') {
    throw new ConfigError(source, 'position_embedding_type', `must be "absolute", got ${JSON.stringify(posType)}`);
  }

  const vocabSize = readInt(obj, 'vocab_size', d.vocab_size, 1, source);
  const hiddenSize = readInt(obj, 'hidden_size', d.hidden_size, 1, source);
  let embeddingSize: number;
  if (modelType === 'electra') {
    embeddingSize = readInt(obj, 'embedding_size', d.embedding_size, 1, source);
  } else {
    if (obj.embedding_size !== undefined && obj.embedding_size !== null && obj.embedding_size !== hiddenSize) {
      throw new ConfigError(source, 'embedding_size', `must equal hidden_size (${hiddenSize}) for bert, got ${JSON.stringify(obj.embedding_size)}`);
    }
    embeddingSize = hiddenSize;
  }
  const numHiddenLayers = readInt(obj, 'num_hidden_layers', d.num_hidden_layers, 1, source);
  const numAttentionHeads = readInt(obj, 'num_attention_heads', d.num_attention_heads, 1, source);
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new ConfigError(source, 'num_attention_heads', `(${numAttentionHeads}) must divide hidden_size (${hiddenSize})`);
  }
  const intermediateSize = readInt(obj, 'intermediate_size', d.intermediate_size, 1, source);
  const maxPositionEmbeddings = readInt(obj, 'max_position_embeddings', d.max_position_embeddings, 1, source);
  const typeVocabSize = readInt(obj, 'type_vocab_size', d.type_vocab_size, 1, source);
  const padTokenId = readInt(obj, 'pad_token_id', d.pad_token_id, 0, source);
  if (padTokenId >= vocabSize) {
    throw new ConfigError(source, 'pad_token_id', `(${padTokenId}) must be < vocab_size (${vocabSize})`);
  }
  const layerNormEps = readNumber(obj, 'layer_norm_eps', d.layer_norm_eps, (v) => v > 0 && v < 1, 'must be in (0, 1)', source);
  const prob = (v: number) => v >= 0 && v < 1;
  const hiddenDropoutProb = readNumber(obj, 'hidden_dropout_prob', d.hidden_dropout_prob, prob, 'must be in [0, 1)', source);
  const attentionProbsDropoutProb = readNumber(
    obj,
    'attention_probs_dropout_prob',
    d.attention_probs_dropout_prob,
    prob,
    'must be in [0, 1)',
    source,
  );
  const initializerRange = readNumber(obj, 'initializer_range', d.initializer_range, (v) => v > 0, 'must be > 0', source);

  return {
    modelType,
    vocabSize,
    embeddingSize,
    hiddenSize,
    numHiddenLayers,
    numAttentionHeads,
    intermediateSize,
    hiddenAct: 'gelu',
    maxPositionEmbeddings,
    typeVocabSize,
    layerNormEps,
    hiddenDropoutProb,
    attentionProbsDropoutProb,
    padTokenId,
    initializerRange,
  };
}

/** Parses config.json text; JSON syntax errors name the file. */
export function parseHfConfigText(text: string, source = 'config.json'): EncoderConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(source, '(root)', `is not valid JSON: ${(e as Error).message}`);
  }
  return parseHfConfig(json, source);
}

/**
 * The config.json Hugging Face writes for a question-answering model with this encoder;
 * `ElectraForQuestionAnswering.from_pretrained` / `BertForQuestionAnswering` read it back unchanged.
 */
export function toHfConfigJson(config: EncoderConfig): Record<string, unknown> {
  const common = {
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    intermediate_size: config.intermediateSize,
    hidden_act: config.hiddenAct,
    hidden_dropout_prob: config.hiddenDropoutProb,
    attention_probs_dropout_prob: config.attentionProbsDropoutProb,
    max_position_embeddings: config.maxPositionEmbeddings,
    type_vocab_size: config.typeVocabSize,
    initializer_range: config.initializerRange,
    layer_norm_eps: config.layerNormEps,
    pad_token_id: config.padTokenId,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
  };
  if (config.modelType === 'electra') {
    return {
      architectures: ['ElectraForQuestionAnswering'],
      model_type: 'electra',
      embedding_size: config.embeddingSize,
      ...common,
    };
  }
  return { architectures: ['BertForQuestionAnswering'], model_type: 'bert', ...common };
}

/**
 * A small ELECTRA for models trained from scratch (the demo model): 2 layers, hidden 64,
 * 2 heads of 32, intermediate 256, embedding 64 (no projection), dropout 0.1, HF init range.
 * Any field can be overridden; the result is validated like a parsed config.json.
 */
export function tinyElectraConfig(vocabSize: number, overrides: Partial<Omit<EncoderConfig, 'modelType' | 'hiddenAct'>> = {}): EncoderConfig {
  const c: EncoderConfig = {
    modelType: 'electra',
    vocabSize,
    embeddingSize: 64,
    hiddenSize: 64,
    numHiddenLayers: 2,
    numAttentionHeads: 2,
    intermediateSize: 256,
    hiddenAct: 'gelu',
    maxPositionEmbeddings: 512,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
    hiddenDropoutProb: 0.1,
    attentionProbsDropoutProb: 0.1,
    padTokenId: 0,
    initializerRange: 0.02,
    ...overrides,
  };
  return parseHfConfig(toHfConfigJson(c), 'tinyElectraConfig');
}

/** Name prefix of the encoder's parameters in Hugging Face checkpoints. */
export function encoderPrefix(config: Pick<EncoderConfig, 'modelType'>): string {
  return config.modelType === 'electra' ? 'electra' : 'bert';
}

/** ELECTRA adds a Linear from embedding_size to hidden_size only when they differ. */
export function hasEmbeddingsProject(config: EncoderConfig): boolean {
  return config.modelType === 'electra' && config.embeddingSize !== config.hiddenSize;
}
