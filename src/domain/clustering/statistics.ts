/**
 * `cluster_statistics.csv` rows (origin-system.md §4.2): per label (noise included) its size,
 * share, the L2 norm of its mean and of its per-dimension population std in standardized
 * space, and HDBSCAN persistence (none for noise); sorted by size, largest first.
 */
import type { ClusterStatisticsRow, DenseMatrix } from './types';

export function clusterStatistics(labels: Int32Array, persistence: Float64Array, standardized: DenseMatrix): ClusterStatisticsRow[] {
  const { rows: n, cols: d, data } = standardized;
  if (labels.length !== n) throw new RangeError(`clusterStatistics: ${labels.length} labels for ${n} rows`);
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    let m = members.get(labels[i]);
    if (!m) members.set(labels[i], (m = []));
    m.push(i);
  }
  const rows: ClusterStatisticsRow[] = [];
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (const [cluster, idx] of members) {
    mean.fill(0);
    sq.fill(0);
    for (const i of idx) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= idx.length;
    for (const i of idx) {
      for (let j = 0; j < d; j++) {
        const v = data[i * d + j] - mean[j];
        sq[j] += v * v;
      }
    }
    let meanNorm = 0;
    let stdNorm = 0;
    for (let j = 0; j < d; j++) {
      meanNorm += mean[j] * mean[j];
      stdNorm += sq[j] / idx.length;
    }
    if (cluster >= 0 && cluster >= persistence.length) throw new RangeError(`clusterStatistics: no persistence for cluster ${cluster}`);
    rows.push({
      cluster,
      size: idx.length,
      percentage: (idx.length / n) * 100,
      mean_norm: Math.sqrt(meanNorm),
      std_norm: Math.sqrt(stdNorm),
      persistence: cluster < 0 ? null : persistence[cluster],
    });
  }
  return rows.sort((a, b) => b.size - a.size || a.cluster - b.cluster);
}
