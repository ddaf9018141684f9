import type { ExperimentSpec } from '../config/types';
import { configHash } from '../config/serialize';
import { makeExperimentResult, type ExperimentResult, type Provenance } from './result';

/** The failed result of an experiment that threw (setup error, NaN loss, out of memory, ...). */
export function failedResult(spec: ExperimentSpec, error: Error, startTime: number, endTime: number, provenance: Provenance): ExperimentResult {
  return makeExperimentResult({
    experiment_name: spec.config.name,
    config_hash: configHash(spec.config),
    success: false,
    error: error.message,
    start_time: startTime,
    end_time: endTime,
    provenance,
  });
}
