/**
 * Forward pass of `ElectraForQuestionAnswering` / `BertForQuestionAnswering` as tfjs ops over a
 * flat map of parameters with Hugging Face names:
 *
 *   embeddings: word + position + token type → LayerNorm → dropout (→ embeddings_project for
 *   ELECTRA when embedding_size ≠ hidden_size); N post-LayerNorm layers: self-attention with the
 *   additive mask (1 − mask) · float32_min, softmax, dropout on the probabilities, output dense,
 *   dropout, LayerNorm(residual); intermediate dense + exact GELU, output dense, dropout,
 *   LayerNorm(residual); QA head: Linear(hidden, 2) split into start/end logits.
 *
 * Activations are kept 2-D ([B·T, width]) between ops so no reshape lands on the gradient tape.
 */
import * as tf from '@tensorflow/tfjs';
import { encoderPrefix, hasEmbeddingsProject, type EncoderConfig } from './config';
import type { DropoutMasker } from './dropout';
import { embeddingLookup, type EmbeddingGradPlan } from './embedding';
import { addLayerNorm, attention, gelu, linear, type AttentionStrategy } from './ops';
import { addLayerNormGpu, attentionGpu, geluGpu, linearGpu } from './ops-webgpu';
import { addLayerNormWasm, attentionWasm, geluWasm, linearWasm, registerWasmOps } from './ops-wasm';

/** Parameters by Hugging Face name (tf.Variables while training, any tensors otherwise). */
export type ParamTensors = Readonly<Record<string, tf.Tensor>>;

export interface ModelInputs {
  /** [B, T] int32 token ids. */
  inputIds: tf.Tensor2D;
  /** [B, T] int32, 1 for real tokens and 0 for padding. */
  attentionMask: tf.Tensor2D;
  /** [B, T] int32 segment ids. */
  tokenTypeIds: tf.Tensor2D;
  /** Host-built description of inputIds for the word-embedding gradient (see embedding.ts). */
  wordGradPlan?: EmbeddingGradPlan;
}

export interface ForwardOptions {
  /** Dropout on (as model.train()) or off (model.eval()). */
  training: boolean;
  /** Mask source; required when training with any non-zero dropout probability. */
  dropout?: DropoutMasker;
  /** How attention's per-head products run (ops.ts); default 'auto' (by backend). */
  attention?: AttentionStrategy;
  /**
   * 'auto': on webgpu and wasm the layer's blocks run on our kernels (ops-webgpu.ts, ops-wasm.ts);
   * 'ops': the tfjs-op blocks of ops.ts everywhere (what the kernels are tested and benchmarked
   * against, and what the cpu backend runs).
   */
  kernels?: 'auto' | 'ops';
}

export interface QAOutputs {
  startLogits: tf.Tensor2D;
  endLogits: tf.Tensor2D;
  lastHiddenState: tf.Tensor3D;
}

/** float32's most negative finite value, torch.finfo(torch.float32).min. */
export const FLOAT32_MIN = -3.4028234663852886e38;

function param(params: ParamTensors, name: string): tf.Tensor {
  const p = params[name];
  if (!p) throw new Error(`model parameter "${name}" is missing`);
  return p;
}

/** Runs the model. Call inside tf.tidy (or tf.variableGrads); returns new tensors. */
export function qaForward(config: EncoderConfig, params: ParamTensors, inputs: ModelInputs, options: ForwardOptions): QAOutputs {
  const [B, T] = inputs.inputIds.shape;
  if (T > config.maxPositionEmbeddings) {
    throw new Error(`sequence length ${T} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`);
  }
  for (const [name, t] of [
    ['attentionMask', inputs.attentionMask],
    ['tokenTypeIds', inputs.tokenTypeIds],
  ] as const) {
    if (t.shape[0] !== B || t.shape[1] !== T) throw new Error(`${name} has shape [${t.shape}], inputIds [${B}, ${T}]`);
  }
  const hiddenRate = options.training ? config.hiddenDropoutProb : 0;
  const attnRate = options.training ? config.attentionProbsDropoutProb : 0;
  const masker = options.dropout;
  if ((hiddenRate > 0 || attnRate > 0) && !masker) {
    throw new Error('training with dropout needs a DropoutMasker (options.dropout)');
  }
  const dropout = <X extends tf.Tensor>(x: X, rate: number): X => (rate > 0 ? masker!.apply(x, rate) : x);

  const p = encoderPrefix(config);
  const P = (name: string) => param(params, `${p}.${name}`);
  const H = config.hiddenSize;
  const E = config.embeddingSize;
  const N = B * T;
  const eps = config.layerNormEps;
  const backend = options.kernels === 'ops' ? null : tf.getBackend();
  const onGpu = backend === 'webgpu';
  const onWasm = backend === 'wasm';
  if (onWasm) registerWasmOps();
  const dense = onGpu ? linearGpu : onWasm ? linearWasm : linear;
  const layerNorm = onGpu ? addLayerNormGpu : onWasm ? addLayerNormWasm : addLayerNorm;
  const act = onGpu ? geluGpu : onWasm ? geluWasm : gelu;

  // Embeddings. Positions are 0..T-1 for every row, so a slice replaces the lookup; the three
  // terms are summed inside the LayerNorm op.
  const words = embeddingLookup(P('embeddings.word_embeddings.weight') as tf.Tensor2D, inputs.inputIds, inputs.wordGradPlan);
  const types = embeddingLookup(P('embeddings.token_type_embeddings.weight') as tf.Tensor2D, inputs.tokenTypeIds);
  const positions = tf.slice(P('embeddings.position_embeddings.weight'), [0, 0], [T, E]);
  let h = layerNorm([words, types, positions], P('embeddings.LayerNorm.weight'), P('embeddings.LayerNorm.bias'), eps, [N, E]) as tf.Tensor2D;
  h = dropout(h, hiddenRate);
  if (hasEmbeddingsProject(config)) {
    h = dense(h, param(params, `${p}.embeddings_project.weight`), param(params, `${p}.embeddings_project.bias`));
  }

  // [B, 1, 1, T]: 0 where attended, float32 min where masked.
  const maskBias = tf.reshape(tf.mul(tf.sub(1, tf.cast(inputs.attentionMask, 'float32')), FLOAT32_MIN), [B, 1, 1, T]);
  const attnShape = { batch: B, seqLen: T, heads: config.numAttentionHeads };
  const attnDropout = attnRate > 0 ? { masker: masker!, rate: attnRate } : undefined;

  for (let i = 0; i < config.numHiddenLayers; i++) {
    const L = (name: string) => P(`encoder.layer.${i}.${name}`);
    const hIn = h;
    // One tidy per layer: the layer's intermediates are freed as soon as it is done (backprop
    // only needs what the ops saved), which bounds the forward pass's peak memory.
    h = tf.tidy(() => {
      let ctx: tf.Tensor2D;
      if (onGpu) {
        // Three products: the stacked weight's concat and the output's split cost more dispatches
        // (forward and backward) than the two extra matMul launches.
        const proj = (n: string) => dense(hIn, L(`attention.self.${n}.weight`), L(`attention.self.${n}.bias`));
        ctx = attentionGpu(proj('query'), proj('key'), proj('value'), maskBias, attnShape, attnDropout);
      } else {
        // q, k, v from one matMul against the stacked [3H, H] weight.
        const wQkv = tf.concat([L('attention.self.query.weight'), L('attention.self.key.weight'), L('attention.self.value.weight')], 0);
        const bQkv = tf.concat([L('attention.self.query.bias'), L('attention.self.key.bias'), L('attention.self.value.bias')], 0);
        const qkv = dense(hIn, wQkv, bQkv);
        if (onWasm) {
          ctx = attentionWasm(qkv, maskBias, attnShape, attnDropout);
        } else {
          const [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
          ctx = attention(q, k, v, maskBias, attnShape, attnDropout, options.attention);
        }
      }
      const attnOut = dropout(dense(ctx, L('attention.output.dense.weight'), L('attention.output.dense.bias')), hiddenRate);
      const h1 = layerNorm([attnOut, hIn], L('attention.output.LayerNorm.weight'), L('attention.output.LayerNorm.bias'), eps) as tf.Tensor2D;
      const inter = act(dense(h1, L('intermediate.dense.weight'), L('intermediate.dense.bias'))) as tf.Tensor2D;
      const out = dropout(dense(inter, L('output.dense.weight'), L('output.dense.bias')), hiddenRate);
      return layerNorm([out, h1], L('output.LayerNorm.weight'), L('output.LayerNorm.bias'), eps) as tf.Tensor2D;
    });
  }

  const logits = dense(h, param(params, 'qa_outputs.weight'), param(params, 'qa_outputs.bias')); // [N, 2]
  const [start, end] = tf.split(tf.reshape(logits, [B, T, 2]), 2, 2);
  return {
    startLogits: tf.reshape(start, [B, T]) as tf.Tensor2D,
    endLogits: tf.reshape(end, [B, T]) as tf.Tensor2D,
    lastHiddenState: tf.reshape(h, [B, T, H]) as tf.Tensor3D,
  };
}
