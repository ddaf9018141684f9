/**
 * The QA model as the trainer uses it: a config, one tf.Variable per Hugging Face parameter,
 * a seeded dropout mask source, and weight import/export.
 */
import * as tf from '@tensorflow/tfjs';
import { matchCheckpoint, type LoadReport } from './checkpoint';
import { parseHfConfig, toHfConfigJson, type EncoderConfig } from './config';
import { DropoutMasker } from './dropout';
import { createEmbeddingGradPlan, disposePlan } from './embedding';
import { qaForward, type ForwardOptions, type ModelInputs, type QAOutputs } from './encoder';
import type { HostTensorMap } from './host-tensor';
import { initParams } from './init';
import { paramSpecs } from './params';
import { readSafetensors, writeSafetensors } from './safetensors';
import { readPytorchBin } from './torch-bin';
import type { AttentionStrategy } from './ops';

let nextModelId = 0;

export interface QAModelOptions {
  /** Seed of the dropout masks (and of the init of missing parameters when loading). */
  seed: number;
}

export class QAModel {
  /** Trainable variables by Hugging Face name, in named_parameters() order. */
  readonly params: ReadonlyMap<string, tf.Variable>;
  readonly dropout: DropoutMasker;
  /** How attention's per-head products run; 'auto' picks by backend (benchmarks compare them). */
  attentionStrategy: AttentionStrategy = 'auto';
  /** 'auto': our WebGPU kernels on webgpu; 'ops': tfjs ops everywhere (benchmarks compare them). */
  kernels: 'auto' | 'ops' = 'auto';
  private readonly paramRecord: Record<string, tf.Variable>;
  private disposed = false;

  private constructor(
    readonly config: EncoderConfig,
    weights: HostTensorMap,
    seed: number,
  ) {
    // tfjs variable names are global to the engine: prefix them so that several models can coexist.
    const id = nextModelId++;
    const params = new Map<string, tf.Variable>();
    for (const spec of paramSpecs(config)) {
      const w = weights.get(spec.name);
      if (!w) throw new Error(`weights for "${spec.name}" are missing`);
      const t = tf.tensor(w.data, w.shape, 'float32');
      params.set(spec.name, tf.variable(t, true, `qa${id}/${spec.name}`));
      t.dispose();
    }
    this.params = params;
    this.paramRecord = Object.fromEntries(params);
    this.dropout = new DropoutMasker(seed);
  }

  /** A model with every parameter initialised from `seed` (tiny-model factory). */
  static fromConfig(config: EncoderConfig, options: QAModelOptions): QAModel {
    return new QAModel(config, initParams(config, options.seed), options.seed);
  }

  /**
   * A model from checkpoint tensors; parameters the checkpoint lacks are initialised from the
   * seed, and the report lists missing, unexpected, ignored and renamed keys.
   */
  static fromCheckpoint(
    config: EncoderConfig,
    tensors: HostTensorMap,
    options: QAModelOptions & { source?: string; otherNames?: string[] },
  ): { model: QAModel; report: LoadReport } {
    const { params, report } = matchCheckpoint(config, tensors, {
      initSeed: options.seed,
      source: options.source,
      otherNames: options.otherNames,
    });
    return { model: new QAModel(config, params, options.seed), report };
  }

  /** Runs the model (call inside tf.tidy or tf.variableGrads). Dropout masks come from this.dropout. */
  forward(inputs: ModelInputs, options: Omit<ForwardOptions, 'dropout'>): QAOutputs {
    this.assertLive();
    return qaForward(this.config, this.paramRecord, inputs, { ...options, dropout: this.dropout, attention: this.attentionStrategy, kernels: options.kernels ?? this.kernels });
  }

  variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /** The variable's Hugging Face name (tf.variableGrads keys its result by variable.name). */
  hfNameOf(variableName: string): string {
    const slash = variableName.indexOf('/');
    return slash < 0 ? variableName : variableName.slice(slash + 1);
  }

  /** Current weights read back to the host, by Hugging Face name. */
  async toHostTensors(): Promise<HostTensorMap> {
    this.assertLive();
    const out: HostTensorMap = new Map();
    for (const [name, v] of this.params) out.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    return out;
  }

  /** Overwrites the weights (e.g. restoring a checkpoint); shapes must match. */
  setWeights(weights: HostTensorMap): void {
    this.assertLive();
    for (const [name, v] of this.params) {
      const w = weights.get(name);
      if (!w) throw new Error(`setWeights: "${name}" is missing`);
      if (w.data.length !== v.size) throw new Error(`setWeights: "${name}" has ${w.data.length} values, the parameter ${v.size}`);
      tf.tidy(() => v.assign(tf.tensor(w.data, v.shape, 'float32')));
    }
  }

  /** model.safetensors + config.json as Hugging Face ElectraForQuestionAnswering loads them. */
  async exportHf(): Promise<{ safetensors: Uint8Array; configJson: string }> {
    const weights = await this.toHostTensors();
    return { safetensors: writeSafetensors(weights), configJson: JSON.stringify(toHfConfigJson(this.config), null, 2) + '\n' };
  }

  dispose(): void {
    if (this.disposed) return;
    for (const v of this.params.values()) v.dispose();
    this.dropout.dispose();
    this.disposed = true;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('the model has been disposed');
  }
}

export type WeightsFormat = 'safetensors' | 'pytorch';

/** Float tensors and non-float names from a weights file, by the file's format. */
export function readWeightsFile(bytes: Uint8Array, format: WeightsFormat, source: string): { tensors: HostTensorMap; otherNames: string[] } {
  if (format === 'safetensors') {
    const f = readSafetensors(bytes, source);
    return { tensors: f.tensors, otherNames: f.nonFloat.map((t) => t.name) };
  }
  const f = readPytorchBin(bytes, source);
  return { tensors: f.tensors, otherNames: f.nonFloat.map((t) => t.name) };
}

/** config.json (decoded JSON) + weights file → model and load report. */
export function loadQAModel(
  configJson: unknown,
  weights: { bytes: Uint8Array; format: WeightsFormat; name?: string },
  options: QAModelOptions,
): { model: QAModel; report: LoadReport } {
  const config = parseHfConfig(configJson);
  const source = weights.name ?? (weights.format === 'safetensors' ? 'model.safetensors' : 'pytorch_model.bin');
  const { tensors, otherNames } = readWeightsFile(weights.bytes, weights.format, source);
  return QAModel.fromCheckpoint(config, tensors, { ...options, source, otherNames });
}

export interface HostBatch {
  batchSize: number;
  seqLen: number;
  /** Row-major [batchSize × seqLen]. */
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
}

/**
 * Tensors for one batch, with the host-built word-embedding gradient plan (so the backward pass
 * reads nothing back from the device). Dispose with disposeModelInputs.
 */
export function createModelInputs(config: EncoderConfig, batch: HostBatch, options: { withGradPlan: boolean }): ModelInputs {
  const { batchSize: B, seqLen: T } = batch;
  const n = B * T;
  for (const [name, arr] of [
    ['inputIds', batch.inputIds],
    ['attentionMask', batch.attentionMask],
    ['tokenTypeIds', batch.tokenTypeIds],
  ] as const) {
    if (arr.length !== n) throw new Error(`${name} has ${arr.length} values, expected ${B} × ${T} = ${n}`);
  }
  for (let i = 0; i < n; i++) {
    const t = batch.tokenTypeIds[i];
    if (!(t >= 0 && t < config.typeVocabSize)) throw new RangeError(`token type id ${t} at flat position ${i} is outside [0, ${config.typeVocabSize})`);
  }
  // The plan also range-checks the token ids; build it first so nothing leaks on error. On wasm
  // the embedding gradient is a scatter-add of the ids on the heap (embedding.ts), which has
  // no use for a plan.
  const plan = options.withGradPlan && tf.getBackend() !== 'wasm' ? createEmbeddingGradPlan(batch.inputIds, config.vocabSize) : undefined;
  if (!plan) {
    for (let i = 0; i < n; i++) {
      const id = batch.inputIds[i];
      if (!(id >= 0 && id < config.vocabSize)) throw new RangeError(`token id ${id} at flat position ${i} is outside the vocabulary [0, ${config.vocabSize})`);
    }
  }
  return {
    inputIds: tf.tensor2d(batch.inputIds, [B, T], 'int32'),
    attentionMask: tf.tensor2d(batch.attentionMask, [B, T], 'int32'),
    tokenTypeIds: tf.tensor2d(batch.tokenTypeIds, [B, T], 'int32'),
    wordGradPlan: plan,
  };
}

export function disposeModelInputs(inputs: ModelInputs): void {
  inputs.inputIds.dispose();
  inputs.attentionMask.dispose();
  inputs.tokenTypeIds.dispose();
  disposePlan(inputs.wordGradPlan);
}
