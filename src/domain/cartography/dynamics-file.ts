/**
 * `training_dynamics_epoch_{N}.json` (origin-system.md §2.3): written at the end of epoch N
 * (1-based), cumulative (it holds every epoch recorded so far, keys "0".."N-1"), indent 2.
 */
import { ArtifactParseError } from './errors';
import { sortedEpochs } from './metrics';
import { isPlainObject, parsePythonJson } from './python-json';
import { pyJsonFloat, pyJsonString } from './python-format';
import type { EpochDynamics, TrainingDynamics } from './types';

export function dynamicsFileName(epochNumber: number): string {
  if (!Number.isInteger(epochNumber) || epochNumber < 1) throw new RangeError(`dynamicsFileName: epoch number is 1-based, got ${epochNumber}`);
  return `training_dynamics_epoch_${epochNumber}.json`;
}

/** The epoch number N of a `training_dynamics_epoch_N.json` name, or null for other names. */
export function parseDynamicsFileName(name: string): number | null {
  const m = /(?:^|[\\/])training_dynamics_epoch_(\d+)\.json$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** The dynamics as the file written after `epochNumber` epochs holds them: epochs 0..epochNumber-1. */
export function dynamicsThroughEpoch(dynamics: TrainingDynamics, epochNumber: number): TrainingDynamics {
  const out: TrainingDynamics = {};
  for (const id of Object.keys(dynamics)) {
    const kept: Record<number, EpochDynamics> = {};
    let any = false;
    for (const e of sortedEpochs(dynamics[id])) {
      if (e < epochNumber) {
        kept[e] = dynamics[id][e];
        any = true;
      }
    }
    if (any) out[id] = kept;
  }
  return out;
}

/**
 * The file text, byte-identical to `json.dump(dynamics, f, indent=2)` in the Python callback.
 * Written out directly rather than through pyJsonDumps: at 130k examples × 5 epochs the
 * generic path spends most of its time allocating wrappers.
 */
export function serializeDynamics(dynamics: TrainingDynamics): string {
  const ids = Object.keys(dynamics);
  if (ids.length === 0) return '{}';
  const chunks: string[] = [];
  for (const id of ids) {
    const epochs = sortedEpochs(dynamics[id]);
    if (epochs.length === 0) {
      chunks.push(`  ${pyJsonString(id)}: {}`);
      continue;
    }
    const inner = epochs.map((e) => {
      const r = dynamics[id][e];
      return (
        `    "${e}": {\n      "start_prob": ${pyJsonFloat(r.start_prob)},\n      "end_prob": ${pyJsonFloat(r.end_prob)},\n` +
        `      "correct": ${r.correct ? 'true' : 'false'}\n    }`
      );
    });
    chunks.push(`  ${pyJsonString(id)}: {\n${inner.join(',\n')}\n  }`);
  }
  return `{\n${chunks.join(',\n')}\n}`;
}

/**
 * Reads a dynamics file. When the name is `training_dynamics_epoch_N.json`, epochs must be
 * below N: the file is written at the end of epoch N and holds epochs 0..N−1.
 */
export function parseDynamics(text: string, file = 'training_dynamics.json'): TrainingDynamics {
  const data = parsePythonJson(text, file);
  const writtenAfter = parseDynamicsFileName(file);
  if (!isPlainObject(data)) throw new ArtifactParseError(file, null, null, 'expected a JSON object keyed by example id');
  const out: TrainingDynamics = {};
  for (const id of Object.keys(data)) {
    const perEpoch = data[id];
    if (!isPlainObject(perEpoch)) throw new ArtifactParseError(file, id, null, 'expected an object keyed by epoch');
    const rec: Record<number, EpochDynamics> = {};
    for (const key of Object.keys(perEpoch)) {
      const where = `${id}, epoch "${key}"`;
      if (!/^\d+$/.test(key)) throw new ArtifactParseError(file, id, null, `epoch key "${key}" is not a non-negative integer`);
      if (writtenAfter !== null && Number(key) >= writtenAfter) {
        throw new ArtifactParseError(file, id, null, `epoch ${key} cannot be in a file written after epoch ${writtenAfter} (it holds epochs 0..${writtenAfter - 1})`);
      }
      const e = perEpoch[key];
      if (!isPlainObject(e)) throw new ArtifactParseError(file, where, null, 'expected {start_prob, end_prob, correct}');
      for (const f of ['start_prob', 'end_prob'] as const) {
        const v = e[f];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
          throw new ArtifactParseError(file, where, f, `expected a probability in [0, 1], got ${JSON.stringify(v ?? null)}`);
        }
      }
      if (typeof e.correct !== 'boolean') throw new ArtifactParseError(file, where, 'correct', `expected true or false, got ${JSON.stringify(e.correct ?? null)}`);
      rec[Number(key)] = { start_prob: e.start_prob as number, end_prob: e.end_prob as number, correct: e.correct };
    }
    out[id] = rec;
  }
  return out;
}
