import { describe, it, expect } from 'vitest';
import { denseMatrix, gaussian, pca, seededRandom, standardize, symmetricEigen } from '../../src/domain/clustering';

describe('standardize', () => {
  it('z-scores with the population std and maps a constant column to zeros', () => {
    // Column 0: 1, 2, 3 → mean 2, population std sqrt(2/3); column 1 constant.
    const s = standardize(denseMatrix(Float32Array.from([1, 5, 2, 5, 3, 5]), 3, 2));
    const z = 1 / Math.sqrt(2 / 3);
    // Stored as float32, like the embeddings.
    expect(Array.from(s.matrix.data)).toEqual([-z, 0, 0, 0, z, 0].map(Math.fround));
    expect(Array.from(s.mean)).toEqual([2, 5]);
    expect(s.scale[1]).toBe(1);
    expect(() => standardize(denseMatrix(Float64Array.from([1, Infinity]), 2, 1))).toThrow(/row 1, column 0/);
  });
});

describe('symmetricEigen', () => {
  it('decomposes a random symmetric matrix: A v = λ v, orthonormal, descending', () => {
    const n = 12;
    const g = gaussian(seededRandom(3));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++) {
        const v = g();
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    const { values, vectors } = symmetricEigen(a, n);
    for (let p = 0; p < n; p++) {
      if (p > 0) expect(values[p]).toBeLessThanOrEqual(values[p - 1]);
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[p * n + j];
        expect(av).toBeCloseTo(values[p] * vectors[p * n + i], 12);
      }
      for (let q = 0; q < n; q++) {
        let dot = 0;
        for (let j = 0; j < n; j++) dot += vectors[p * n + j] * vectors[q * n + j];
        expect(dot).toBeCloseTo(p === q ? 1 : 0, 12);
      }
    }
  });

  it('handles a diagonal matrix with repeated eigenvalues', () => {
    const { values } = symmetricEigen(Float64Array.from([2, 0, 0, 0, 5, 0, 0, 0, 2]), 3);
    expect(Array.from(values)).toEqual([5, 2, 2]);
  });
});

describe('pca', () => {
  it('recovers the direction of points on a line, with the largest entry positive', () => {
    // t·(−0.6, −0.8) + (1, 2) for t = −2..2: the axis is ±(0.6, 0.8); sklearn's sign rule makes 0.8 positive.
    const ts = [-2, -1, 0, 1, 2];
    const xs = ts.flatMap((t) => [1 - 0.6 * t, 2 - 0.8 * t]);
    const r = pca(denseMatrix(Float64Array.from(xs), 5, 2), 2);
    expect(r.components[0]).toBeCloseTo(0.6, 12);
    expect(r.components[1]).toBeCloseTo(0.8, 12);
    // Variance of t with the n − 1 divisor: (4 + 1 + 0 + 1 + 4) / 4 = 2.5; nothing across the line.
    expect(r.explainedVariance[0]).toBeCloseTo(2.5, 12);
    expect(r.explainedVariance[1]).toBeCloseTo(0, 12);
    expect(r.explainedVarianceRatio[0]).toBeCloseTo(1, 12);
    // Projections are −t (the points run against the chosen direction).
    for (let i = 0; i < 5; i++) expect(r.projected.data[i * 2]).toBeCloseTo(-ts[i], 12);
    expect(r.mean[0]).toBeCloseTo(1, 15);
    expect(r.mean[1]).toBeCloseTo(2, 15);
  });

  it('orders components by explained variance', () => {
    // (±3,0,0), (0,±2,0), (0,0,±1) and the origin: variances 18/6 = 3, 8/6, 2/6 along x, y, z.
    const pts = [3, 0, 0, -3, 0, 0, 0, 2, 0, 0, -2, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0];
    const r = pca(denseMatrix(Float64Array.from(pts), 7, 3), 3);
    expect(Array.from(r.explainedVariance).map((v) => +v.toFixed(12))).toEqual([3, 8 / 6, 2 / 6].map((v) => +v.toFixed(12)));
    expect(Array.from(r.components).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const total = 3 + 8 / 6 + 2 / 6;
    expect(r.explainedVarianceRatio[0]).toBeCloseTo(3 / total, 12);
    expect(() => pca(denseMatrix(Float64Array.from(pts), 7, 3), 4)).toThrow(/k must be an integer in \[1, min\(n, d\) = 3\]/);
  });
});
