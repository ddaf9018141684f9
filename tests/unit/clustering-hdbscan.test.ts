import { describe, it, expect } from 'vitest';
import { coreDistances, denseMatrix, gaussian, hdbscan, kNearestNeighbours, mutualReachabilityMst, seededRandom } from '../../src/domain/clustering';

const line = (xs: number[]) => denseMatrix(Float64Array.from(xs), xs.length, 1);

describe('HDBSCAN on a hand-derived 1-D case', () => {
  /*
   * Points (index: position): A = 0:0, 1:1, 2:2, 3:4 · B = 4:10, 5:10.5, 6:11, 7:11.5 · outlier 8:30.
   * min_cluster_size 3, min_samples 1 (the nearest OTHER point, as hdbscan's Boruvka path counts).
   *
   * Core distances: A 1, 1, 1, 2 · B 0.5 each · outlier 18.5 (to 11.5).
   * Mutual reachability MST: A (0–1) 1, (1–2) 1, (2–4) max(1, 2, 2) = 2; B three edges of 0.5;
   * A–B (4–10) 6; outlier (11.5–30) 18.5.
   * Condensed tree (λ = 1/distance):
   *   root (9): the outlier falls out at λ = 1/18.5; at 1/6 the rest splits into A (10) and B (11), both >= 3.
   *   A: at distance 2 point "4" falls out (λ = 0.5), then at distance 1 the remaining three
   *      (a 2 + 1 split, both parts < 3) fall out together at λ = 1.
   *   B: every split is at 0.5, so all four points fall out at λ = 2.
   * Stability: S(A) = (0.5 − 1/6)·1 + (1 − 1/6)·3 = 17/6;  S(B) = (2 − 1/6)·4 = 22/3.
   * EOM: A and B are leaves and the root cannot be selected → labels A 0, B 1, outlier −1.
   * Probabilities: max λ among A's rows is 1 → 0, 1, 2 get 1, point "4" 0.5/1 = 0.5; B all 1; noise 0.
   * Persistence (cluster_persistence_ = stability / (size · max λ of the whole tree = 2)):
   *   A (17/6) / 8 = 17/48, B (22/3) / 8 = 11/12.
   */
  const pts = [0, 1, 2, 4, 10, 10.5, 11, 11.5, 30];
  const res = hdbscan(line(pts), { minClusterSize: 3, minSamples: 1 });

  it('finds the labels, probabilities and persistence worked out by hand', () => {
    expect(Array.from(res.coreDistances)).toEqual([1, 1, 1, 2, 0.5, 0.5, 0.5, 0.5, 18.5]);
    expect(Array.from(res.labels)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, -1]);
    expect(Array.from(res.probabilities)).toEqual([1, 1, 1, 0.5, 1, 1, 1, 1, 0]);
    expect(res.nClusters).toBe(2);
    expect(res.persistence[0]).toBeCloseTo(17 / 48, 12);
    expect(res.persistence[1]).toBeCloseTo(11 / 12, 12);
    expect(res.stability[1]).toBeCloseTo(17 / 6, 12);
    expect(res.stability[2]).toBeCloseTo(22 / 3, 12);
  });

  it('builds the condensed tree as derived', () => {
    const ct = res.condensedTree;
    const rows = Array.from(ct.parent, (p, i) => [p, ct.child[i], ct.lambda[i], ct.childSize[i]]);
    const sortKey = (r: number[]) => r[0] * 100 + r[1];
    rows.sort((a, b) => sortKey(a) - sortKey(b));
    expect(rows.map((r) => [r[0], r[1], r[3]])).toEqual([
      [9, 8, 1],
      [9, 10, 4],
      [9, 11, 4],
      [10, 0, 1],
      [10, 1, 1],
      [10, 2, 1],
      [10, 3, 1],
      [11, 4, 1],
      [11, 5, 1],
      [11, 6, 1],
      [11, 7, 1],
    ]);
    const lam = new Map(rows.map((r) => [`${r[0]}-${r[1]}`, r[2]]));
    expect(lam.get('9-8')).toBeCloseTo(1 / 18.5, 15);
    expect(lam.get('9-10')).toBeCloseTo(1 / 6, 15);
    expect(lam.get('10-3')).toBe(0.5);
    expect(lam.get('10-0')).toBe(1);
    expect(lam.get('11-7')).toBe(2);
  });
});

describe('excess-of-mass selection', () => {
  it('keeps a parent whose own stability beats the sum of its children', () => {
    /*
     * G = {0, .1, .2} and H = {.35, .45, .55} (gap .15 vs spacing .1), K = {10, 10.1, 10.2, 10.3} far away.
     * min_cluster_size 3, min_samples 1: every core distance is 0.1 (0.15 for .2 and .35 is not
     * needed: their nearest other point is .1 away). G∪H is born when it leaves K (λ = 1/9.45),
     * splits at .15 (λ = 6.67) into G and H, whose points fall out at λ = 10.
     * S(G) = S(H) = 3·(10 − 6.67) = 10, so the children sum to 20, while
     * S(G∪H) = 6·(6.67 − 0.106) ≈ 39.4 > 20: G∪H is selected as ONE cluster.
     */
    const res = hdbscan(line([0, 0.1, 0.2, 0.35, 0.45, 0.55, 10, 10.1, 10.2, 10.3]), { minClusterSize: 3, minSamples: 1 });
    expect(Array.from(res.labels)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    // Points that left through a child at higher λ are capped at the cluster's own max λ → 1
    // (K's points fall out at λ ≈ 10 that differ in the last bits: 10.1 − 10 is not exactly 0.1).
    for (const p of res.probabilities) expect(p).toBeCloseTo(1, 12);
    expect(res.probabilities.slice(0, 6).every((p) => p === 1)).toBe(true);
    expect(res.stability[1]).toBeCloseTo(6 * (1 / 0.15 - 1 / 9.45), 9);
  });

  it('splits when the children are the more stable option', () => {
    // Same shape with a wide gap (.2 → 2.2): G and H each outlive their parent by far.
    const res = hdbscan(line([0, 0.1, 0.2, 2.2, 2.3, 2.4, 10, 10.1, 10.2, 10.3]), { minClusterSize: 3, minSamples: 1 });
    expect(new Set(res.labels.slice(0, 3)).size).toBe(1);
    expect(new Set(res.labels.slice(3, 6)).size).toBe(1);
    expect(res.labels[0]).not.toBe(res.labels[3]);
    expect(res.nClusters).toBe(3);
  });

  it('labels everything noise when no split reaches min_cluster_size', () => {
    const res = hdbscan(line([0, 1, 2, 3]), { minClusterSize: 3, minSamples: 1 });
    expect(Array.from(res.labels)).toEqual([-1, -1, -1, -1]);
    expect(Array.from(res.probabilities)).toEqual([0, 0, 0, 0]);
    expect(res.persistence.length).toBe(0);
  });
});

describe('core distances and min_samples', () => {
  it('counts neighbours without the point itself by default, with it on request', () => {
    const x = line([0, 1, 3, 7]);
    // min_samples 2, excluding self: the 2nd nearest other point.
    expect(Array.from(coreDistances(x, 2))).toEqual([3, 2, 3, 6]);
    // sklearn-style (self included): 2 − 1 = the 1st other point.
    const r = hdbscan(x, { minClusterSize: 2, minSamples: 2, minSamplesIncludesSelf: true });
    expect(Array.from(r.coreDistances)).toEqual([1, 1, 2, 4]);
    const r2 = hdbscan(x, { minClusterSize: 2, minSamples: 2 });
    expect(Array.from(r2.coreDistances)).toEqual([3, 2, 3, 6]);
  });

  it('finds exact nearest neighbours, ties by lower index', () => {
    const x = line([0, 2, -2, 5, 1]);
    const knn = kNearestNeighbours(x, 2);
    expect(Array.from(knn.indices)).toEqual([4, 1, 4, 0, 0, 4, 1, 4, 0, 1]);
    expect(Array.from(knn.distances)).toEqual([1, 2, 1, 2, 2, 3, 3, 4, 1, 1]);
  });
});

describe('HDBSCAN on seeded blobs with outliers', () => {
  it('recovers the generating clusters and leaves the outliers as noise', () => {
    const rand = seededRandom(7);
    const g = gaussian(rand);
    const centres = [
      [0, 0, 0],
      [8, 0, 0],
      [0, 8, 0],
      [4, 4, 8],
    ];
    const sizes = [60, 45, 35, 25];
    const xs: number[] = [];
    const truth: number[] = [];
    centres.forEach((c, k) => {
      for (let i = 0; i < sizes[k]; i++) {
        xs.push(c[0] + 0.6 * g(), c[1] + 0.6 * g(), c[2] + 0.6 * g());
        truth.push(k);
      }
    });
    // Outliers far from every blob and from one another.
    const outliers = [
      [20, 20, 20],
      [-15, 10, -5],
      [10, -18, 3],
      [-12, -12, 14],
      [25, -5, -10],
    ];
    for (const o of outliers) {
      xs.push(...o);
      truth.push(-1);
    }
    const res = hdbscan(denseMatrix(Float64Array.from(xs), truth.length, 3), { minClusterSize: 10 });
    expect(res.nClusters).toBe(4);
    // Every generating blob maps to exactly one label and every label to one blob.
    for (let k = 0; k < 4; k++) {
      const labels = truth.map((t, i) => (t === k ? res.labels[i] : null)).filter((l): l is number => l !== null);
      const inCluster = labels.filter((l) => l >= 0);
      expect(new Set(inCluster).size).toBe(1);
      // At most a few blob members on the fringe may be called noise.
      expect(inCluster.length).toBeGreaterThanOrEqual(sizes[k] - 3);
    }
    const blobLabels = [0, 1, 2, 3].map((k) => res.labels[truth.indexOf(k)]);
    expect(new Set(blobLabels).size).toBe(4);
    truth.forEach((t, i) => {
      if (t === -1) expect(res.labels[i]).toBe(-1);
    });
    for (let i = 0; i < truth.length; i++) {
      expect(res.probabilities[i]).toBeGreaterThanOrEqual(0);
      expect(res.probabilities[i]).toBeLessThanOrEqual(1);
      if (res.labels[i] === -1) expect(res.probabilities[i]).toBe(0);
    }
    // The densest point of each cluster has full membership.
    for (let l = 0; l < res.nClusters; l++) expect(Math.max(...Array.from(res.probabilities).filter((_, i) => res.labels[i] === l))).toBe(1);
    for (const p of res.persistence) {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it('rejects bad parameters', () => {
    expect(() => hdbscan(line([0, 1, 2]), { minClusterSize: 1 })).toThrow(/minClusterSize/);
    expect(() => hdbscan(line([0, NaN, 2]))).toThrow(/non-finite/);
    expect(hdbscan(line([5])).labels[0]).toBe(-1);
  });
});

describe('minimum spanning tree', () => {
  it('has the weight of a Kruskal tree over the full mutual-reachability matrix', () => {
    const g = gaussian(seededRandom(11));
    const n = 70;
    const xs = Float64Array.from({ length: n * 3 }, (_, i) => g() * (i % 3 === 0 ? 4 : 1));
    const x = denseMatrix(xs, n, 3);
    const core = coreDistances(x, 4);
    const edges: [number, number, number][] = [];
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const d = Math.hypot(xs[3 * i] - xs[3 * j], xs[3 * i + 1] - xs[3 * j + 1], xs[3 * i + 2] - xs[3 * j + 2]);
        edges.push([i, j, Math.max(d, core[i], core[j])]);
      }
    edges.sort((a, b) => a[2] - b[2]);
    const parent = Array.from({ length: n }, (_, i) => i);
    const find = (v: number): number => (parent[v] === v ? v : (parent[v] = find(parent[v])));
    let kruskal = 0;
    for (const [i, j, w] of edges) {
      const a = find(i);
      const b = find(j);
      if (a !== b) {
        parent[a] = b;
        kruskal += w;
      }
    }
    const mst = mutualReachabilityMst(x, core);
    expect(mst.weight.reduce((s, w) => s + w, 0)).toBeCloseTo(kruskal, 9);
    // A spanning tree: n − 1 edges reaching every point.
    expect(new Set([...mst.to, 0]).size).toBe(n);
  });
});

describe('exact duplicates', () => {
  it('gives infinite λ without NaN, full membership, and persistence 1 as the library does', () => {
    const xs: number[] = [];
    for (let i = 0; i < 12; i++) xs.push(5, 5);
    for (let i = 0; i < 10; i++) xs.push(i * 0.3, 0);
    for (let i = 0; i < 10; i++) xs.push(20 + i * 0.3, 0);
    const r = hdbscan(denseMatrix(Float64Array.from(xs), 32, 2), { minClusterSize: 5, minSamples: 3 });
    expect(r.nClusters).toBe(3);
    expect(new Set(r.labels.slice(0, 12)).size).toBe(1);
    expect(r.probabilities.slice(0, 12).every((p) => p === 1)).toBe(true);
    expect(Array.from(r.probabilities).some(Number.isNaN)).toBe(false);
    // With an infinite λ in the tree, cluster_persistence_ is defined as 1 for every cluster.
    expect(Array.from(r.persistence)).toEqual([1, 1, 1]);
  });
});
