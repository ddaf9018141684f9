/**
 * Matching a checkpoint's tensors to the QA model's parameters, as `from_pretrained` does:
 * - names with or without the `electra.` / `bert.` prefix (a bare ElectraModel/BertModel
 *   checkpoint gets the prefix added);
 * - TF-era LayerNorm names `gamma` / `beta` read as `weight` / `bias`;
 * - position_ids / token_type_ids buffers ignored;
 * - anything else unknown (discriminator_predictions.*, generator heads, bert.pooler.*, cls.*)
 *   reported as unexpected and dropped;
 * - parameters the checkpoint lacks (typically qa_outputs) initialised as HF does and reported.
 * A shape mismatch is an error naming the parameter.
 */
import { encoderPrefix, type EncoderConfig } from './config';
import { sizeOfShape, type HostTensorMap } from './host-tensor';
import { initParam } from './init';
import { paramSpecs } from './params';

export interface LoadReport {
  /** Model parameters absent from the checkpoint, initialised from the seed. */
  missing: string[];
  /** Checkpoint tensors the model has no use for (dropped). */
  unexpected: string[];
  /** Known non-parameter buffers that were skipped (e.g. electra.embeddings.position_ids). */
  ignored: string[];
  /** Checkpoint names that were read under another name. */
  renamed: { from: string; to: string }[];
}

export class CheckpointError extends Error {
  constructor(source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = 'CheckpointError';
  }
}

const BUFFER_SUFFIXES = ['embeddings.position_ids', 'embeddings.token_type_ids'];

/**
 * Resolves `tensors` (float tensors by checkpoint name) and `otherNames` (names of non-float
 * tensors in the same file) against the model for `config`.
 */
export function matchCheckpoint(
  config: EncoderConfig,
  tensors: HostTensorMap,
  options: { initSeed: number; source?: string; otherNames?: string[] },
): { params: HostTensorMap; report: LoadReport } {
  const source = options.source ?? 'checkpoint';
  const prefix = encoderPrefix(config);
  const specs = paramSpecs(config);
  const expected = new Map(specs.map((s) => [s.name, s]));
  const report: LoadReport = { missing: [], unexpected: [], ignored: [], renamed: [] };

  const allNames = [...tensors.keys(), ...(options.otherNames ?? [])];
  const hasPrefix = allNames.some((n) => n.startsWith(`${prefix}.`));
  const normalise = (name: string): string => {
    let n = name.replace(/\.LayerNorm\.gamma$/, '.LayerNorm.weight').replace(/\.LayerNorm\.beta$/, '.LayerNorm.bias');
    if (!hasPrefix && !n.startsWith('qa_outputs.') && (n.startsWith('embeddings.') || n.startsWith('encoder.') || n.startsWith('embeddings_project.'))) {
      n = `${prefix}.${n}`;
    }
    return n;
  };

  for (const name of options.otherNames ?? []) {
    const n = normalise(name);
    if (BUFFER_SUFFIXES.some((b) => n === `${prefix}.${b}`)) report.ignored.push(name);
    else report.unexpected.push(name);
  }

  const params: HostTensorMap = new Map();
  for (const [name, t] of tensors) {
    const n = normalise(name);
    if (BUFFER_SUFFIXES.some((b) => n === `${prefix}.${b}`)) {
      report.ignored.push(name);
      continue;
    }
    const spec = expected.get(n);
    if (!spec) {
      report.unexpected.push(name);
      continue;
    }
    if (params.has(n)) throw new CheckpointError(source, `parameter "${n}" appears twice (as "${name}" and another name)`);
    const same = spec.shape.length === t.shape.length && spec.shape.every((d, i) => d === t.shape[i]);
    if (!same || t.data.length !== sizeOfShape(spec.shape)) {
      throw new CheckpointError(source, `tensor "${name}" has shape [${t.shape}], the model's "${n}" needs [${spec.shape}] (does config.json match the weights?)`);
    }
    if (n !== name) report.renamed.push({ from: name, to: n });
    params.set(n, t);
  }

  const ordered: HostTensorMap = new Map();
  for (const spec of specs) {
    const t = params.get(spec.name);
    if (t) ordered.set(spec.name, t);
    else {
      report.missing.push(spec.name);
      ordered.set(spec.name, initParam(spec, config, options.initSeed));
    }
  }
  return { params: ordered, report };
}
