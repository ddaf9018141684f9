/**
 * Dispatches of one ELECTRA-small training step on WebGPU (Dawn for Node), by WebGPU program: where
 * the step's dispatches go, and what the fused kernels (src/domain/compute/webgpu/) save. The count
 * does not depend on the batch, so the step runs at batch 1 × 32 (seconds on SwiftShader).
 *
 *   npx tsx bench/webgpu-dispatch-count.ts [--layers 12] [--kernels ops] [--adamw kernels|ops]
 *   (--kernels ops: layers, dropout and optimizer as tfjs ops, the count before our kernels;
 *    --adamw: only the optimizer as its three-dispatch kernels or as tfjs ops)
 * Prints one JSON object.
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../src/cli/tf-node';
import { QAModel } from '../src/domain/model/model';
import { parseHfConfig } from '../src/domain/model/config';
import { AdamW, HF_ADAMW_DEFAULTS } from '../src/domain/train/optimizer';
import { syntheticBatch } from '../src/domain/train/step-probe';
import { runTrainStep } from '../src/domain/train/step';
import { onInPlaceDispatch } from '../src/domain/compute/webgpu/kernel-util';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const layers = Number(arg('layers') ?? 12);
const kernels = arg('kernels') === 'ops' ? 'ops' : 'auto';
const adamw = kernels === 'ops' ? 'ops' : ((arg('adamw') ?? 'auto') as 'auto' | 'kernels' | 'ops');

await initNodeBackend('webgpu');
const config = parseHfConfig({ model_type: 'electra', num_hidden_layers: layers, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 }, 'electra-small');
const model = QAModel.fromConfig(config, { seed: 1 });
model.kernels = kernels;
model.dropout.implementation = kernels;
const optimizer = new AdamW(model.params, { ...HF_ADAMW_DEFAULTS, weightDecay: 0.01, implementation: adamw });
const batch = syntheticBatch(config, 1, 32, 7);
const step = () => runTrainStep(model, optimizer, batch, {}, { lr: 1e-4, withStats: false });
await step(); // warm-up: compiles the pipelines

// tfjs dispatches go through backend.runWebGPUProgram: count them by program class.
const backend = tf.backend() as unknown as { runWebGPUProgram: (p: object, ...rest: unknown[]) => unknown };
const original = backend.runWebGPUProgram.bind(backend);
const byProgram = new Map<string, number>();
backend.runWebGPUProgram = (p: object, ...rest: unknown[]) => {
  const k = p.constructor.name;
  byProgram.set(k, (byProgram.get(k) ?? 0) + 1);
  return original(p, ...rest);
};
// Our in-place dispatches bypass runWebGPUProgram.
onInPlaceDispatch((key) => byProgram.set(key, (byProgram.get(key) ?? 0) + 1));
await step();
const dispatches = [...byProgram.values()].reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ tool: 'webgpu-dispatch-count', tfjs: tf.version.tfjs, layers, kernels, adamw, dropout: 0.1, dispatches, byProgram: Object.fromEntries([...byProgram].sort((a, b) => b[1] - a[1])) }, null, 1));
optimizer.dispose();
model.dispose();
process.exit(0);
