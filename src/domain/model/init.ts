/**
 * Seeded initialisation as Hugging Face's `_init_weights` for ELECTRA/BERT: Linear and Embedding
 * weights ~ normal(0, initializer_range), Linear biases 0, the Embedding padding_idx row 0,
 * LayerNorm weight 1 and bias 0.
 *
 * Each parameter draws from its own stream, derived from (seed, name), so a parameter's initial
 * value does not depend on which other parameters are initialised (a checkpoint missing only
 * `qa_outputs` gets the same head as a full init with the same seed).
 */
import type { EncoderConfig } from './config';
import type { HostTensor, HostTensorMap } from './host-tensor';
import { paramSpecs, type ParamSpec } from './params';
import { createRng, deriveSeed } from '../train/rng';

export function initParam(spec: ParamSpec, config: EncoderConfig, seed: number): HostTensor {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  switch (spec.kind) {
    case 'embedding':
    case 'linear.weight': {
      const rng = createRng(deriveSeed(seed, spec.name));
      const std = config.initializerRange;
      for (let i = 0; i < size; i++) data[i] = rng.nextNormal() * std;
      if (spec.paddingRow !== undefined) {
        const width = spec.shape[1];
        data.fill(0, spec.paddingRow * width, (spec.paddingRow + 1) * width);
      }
      break;
    }
    case 'layernorm.weight':
      data.fill(1);
      break;
    case 'linear.bias':
    case 'layernorm.bias':
      break;
  }
  return { shape: [...spec.shape], data };
}

/** Every parameter of the QA model for `config`, freshly initialised from `seed`. */
export function initParams(config: EncoderConfig, seed: number): HostTensorMap {
  const out: HostTensorMap = new Map();
  for (const spec of paramSpecs(config)) out.set(spec.name, initParam(spec, config, seed));
  return out;
}
