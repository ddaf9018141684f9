/**
 * Cartography metrics from recorded dynamics, exactly as `DatasetCartographyCallback.on_train_end`
 * computes them (origin-system.md §2.2).
 */
import type { CartographyMetricsRow, EpochDynamics, TrainingDynamics } from './types';

/** Stores one epoch's record; a later record for the same example and epoch replaces the earlier one. */
export function recordDynamics(dynamics: TrainingDynamics, exampleId: string, epoch: number, record: EpochDynamics): void {
  if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`recordDynamics: epoch must be a non-negative integer, got ${epoch}`);
  let perEpoch = dynamics[exampleId];
  if (perEpoch === undefined) {
    perEpoch = {};
    dynamics[exampleId] = perEpoch;
  }
  perEpoch[epoch] = record;
}

/** The epochs recorded for one example, ascending (object keys are strings; sort numerically). */
export function sortedEpochs(perEpoch: Record<number, EpochDynamics>): number[] {
  return Object.keys(perEpoch)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * numpy's float64 `add.reduce`: pairwise summation with eight accumulators in blocks of up to
 * 128 values. Reproducing it keeps our means bit-identical to the Python system's for the
 * 8+ epoch case, where a plain left-to-right sum can differ in the last bit.
 */
export function numpySum(values: ArrayLike<number>, start = 0, n = values.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += values[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = values[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += values[start + i + j];
    // prettier-ignore
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += values[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(values, start, n2) + numpySum(values, start + n2, n - n2);
}

/** np.mean of float64 values. */
export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values) / values.length;
}

/** np.std with ddof=0 (population): mean first, then the mean squared deviation. */
export function populationStd(values: ArrayLike<number>): number {
  const m = numpyMean(values);
  const sq = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - m;
    sq[i] = d * d;
  }
  return Math.sqrt(numpySum(sq) / values.length);
}

/** Metrics of one example over its recorded epochs (sorted ascending). Throws if none are recorded. */
export function computeExampleMetrics(id: string, perEpoch: Record<number, EpochDynamics>): CartographyMetricsRow {
  const epochs = sortedEpochs(perEpoch);
  if (epochs.length === 0) throw new RangeError(`computeMetrics: example "${id}" has no recorded epoch`);
  const pe = new Float64Array(epochs.length);
  const ps = new Float64Array(epochs.length);
  const pend = new Float64Array(epochs.length);
  let correct = 0;
  epochs.forEach((e, i) => {
    const r = perEpoch[e];
    // The report's Eq. 3 says p_start·p_end; the code takes the geometric mean.
    pe[i] = Math.sqrt(r.start_prob * r.end_prob);
    ps[i] = r.start_prob;
    pend[i] = r.end_prob;
    if (r.correct) correct++;
  });
  return {
    id,
    confidence: numpyMean(pe),
    variability: populationStd(pe),
    correctness: correct / epochs.length,
    num_epochs: epochs.length,
    start_confidence: numpyMean(ps),
    end_confidence: numpyMean(pend),
  };
}

/** One metrics row per example, in the dynamics' key order. */
export function computeMetrics(dynamics: TrainingDynamics): CartographyMetricsRow[] {
  return Object.keys(dynamics).map((id) => computeExampleMetrics(id, dynamics[id]));
}
