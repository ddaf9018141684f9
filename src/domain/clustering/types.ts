/**
 * Shared shapes of the clustering module. Matrices are row-major typed arrays: `data[i * cols + j]`
 * is row i, column j. Arrays of arrays would cost ~10× the memory and time at 10k × 512.
 */

export interface DenseMatrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  rows: number;
  cols: number;
  data: T;
}

export function denseMatrix<T extends Float32Array | Float64Array>(data: T, rows: number, cols: number): DenseMatrix<T> {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) throw new RangeError(`matrix shape must be non-negative integers, got ${rows}×${cols}`);
  if (data.length !== rows * cols) throw new RangeError(`matrix data has ${data.length} values, expected ${rows}×${cols} = ${rows * cols}`);
  return { rows, cols, data };
}

/** One row of `cluster_assignments.csv` (origin-system.md §4.2). */
export interface ClusterAssignmentRow {
  id: string;
  /** HDBSCAN label; -1 is noise. */
  cluster: number;
  /** 2-D UMAP coordinates (float32 values); NaN when not computed or absent from an imported file. */
  dim1: number;
  dim2: number;
  /** Membership strength in [0, 1] (0 for noise); null when the file has no such column. */
  cluster_probability: number | null;
}

/** One row of `cluster_statistics.csv`. */
export interface ClusterStatisticsRow {
  cluster: number;
  size: number;
  /** size / n · 100 */
  percentage: number;
  /** L2 norm of the cluster mean, in standardized space. */
  mean_norm: number;
  /** L2 norm of the per-dimension population std, in standardized space. */
  std_norm: number;
  /** HDBSCAN cluster_persistence_; null for noise. */
  persistence: number | null;
}
