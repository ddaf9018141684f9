/**
 * The parameter list of a question-answering encoder, by Hugging Face name, in the order
 * PyTorch's `named_parameters()` yields them. Linear weights are [out, in], as PyTorch stores them.
 */
import { encoderPrefix, hasEmbeddingsProject, type EncoderConfig } from './config';

/** How a parameter is initialised (Hugging Face `_init_weights`) and whether weight decay applies. */
export type ParamKind = 'embedding' | 'linear.weight' | 'linear.bias' | 'layernorm.weight' | 'layernorm.bias';

export interface ParamSpec {
  name: string;
  shape: number[];
  kind: ParamKind;
  /** Row to zero at init (Embedding padding_idx), if any. */
  paddingRow?: number;
}

function linear(prefix: string, out: number, inp: number): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [out, inp], kind: 'linear.weight' },
    { name: `${prefix}.bias`, shape: [out], kind: 'linear.bias' },
  ];
}

function layerNorm(prefix: string, width: number): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [width], kind: 'layernorm.weight' },
    { name: `${prefix}.bias`, shape: [width], kind: 'layernorm.bias' },
  ];
}

/** Every trainable parameter of `<Electra|Bert>ForQuestionAnswering` for this config. */
export function paramSpecs(config: EncoderConfig): ParamSpec[] {
  const p = encoderPrefix(config);
  const E = config.embeddingSize;
  const H = config.hiddenSize;
  const specs: ParamSpec[] = [
    {
      name: `${p}.embeddings.word_embeddings.weight`,
      shape: [config.vocabSize, E],
      kind: 'embedding',
      paddingRow: config.padTokenId,
    },
    { name: `${p}.embeddings.position_embeddings.weight`, shape: [config.maxPositionEmbeddings, E], kind: 'embedding' },
    { name: `${p}.embeddings.token_type_embeddings.weight`, shape: [config.typeVocabSize, E], kind: 'embedding' },
    ...layerNorm(`${p}.embeddings.LayerNorm`, E),
  ];
  if (hasEmbeddingsProject(config)) specs.push(...linear(`${p}.embeddings_project`, H, E));
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const l = `${p}.encoder.layer.${i}`;
    specs.push(
      ...linear(`${l}.attention.self.query`, H, H),
      ...linear(`${l}.attention.self.key`, H, H),
      ...linear(`${l}.attention.self.value`, H, H),
      ...linear(`${l}.attention.output.dense`, H, H),
      ...layerNorm(`${l}.attention.output.LayerNorm`, H),
      ...linear(`${l}.intermediate.dense`, config.intermediateSize, H),
      ...linear(`${l}.output.dense`, H, config.intermediateSize),
      ...layerNorm(`${l}.output.LayerNorm`, H),
    );
  }
  specs.push(...linear('qa_outputs', 2, H));
  return specs;
}

/**
 * The Hugging Face Trainer's weight-decay exclusion: biases and LayerNorm weights get none
 * (`get_decay_parameter_names` drops "bias" and every parameter of a LayerNorm module).
 */
export function isNoDecayParam(name: string): boolean {
  return name.endsWith('.bias') || name.includes('LayerNorm');
}

export function paramCount(specs: ParamSpec[]): number {
  return specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}
