/**
 * HDBSCAN (Campello, Moulavi & Sander 2013), following the definitions of the `hdbscan`
 * Python library the origin system calls (origin-system.md §4.2 step 5) with its defaults:
 * Euclidean metric, alpha 1, excess-of-mass selection, allow_single_cluster False,
 * cluster_selection_epsilon 0.
 *
 * Pipeline: core distances → mutual reachability → minimum spanning tree (Prim on the dense
 * graph, O(n²) time and O(n) memory) → single-linkage tree → condensed tree → stabilities →
 * excess-of-mass selection → labels, membership probabilities and cluster persistence.
 *
 * Where results can differ from the library:
 * - the library's Boruvka path builds an approximate MST by default (approx_min_span_tree);
 *   ours is exact, so on near-tied reachabilities the trees can differ;
 * - cluster label numbers follow the condensed tree's breadth-first order, as in the library,
 *   but which child is "left" depends on MST edge orientation, so two implementations may
 *   number the same clusters differently. Compare partitions, not label values.
 */
import { asFloat64, kNearestNeighbours, squaredDistanceBelow, type KnnResult } from './knn';
import type { DenseMatrix } from './types';

export interface HdbscanOptions {
  /** Smallest group that counts as a cluster (the origin CLI default is 10). Must be >= 2. */
  minClusterSize?: number;
  /** Neighbourhood size for core distances; defaults to minClusterSize. */
  minSamples?: number;
  /**
   * Whether the `minSamples` neighbourhood counts the point itself.
   *
   * The `hdbscan` package the origin system calls takes the distance to the min_samples-th
   * OTHER point on every code path (its docstring says "includes the point itself", but its
   * generic and Boruvka k-d tree paths query min_samples + 1 neighbours including the point,
   * and PR #394 of 2020 aligned the other paths with them): `false`, our default.
   * scikit-learn's `sklearn.cluster.HDBSCAN` counts the point itself: `true`.
   */
  minSamplesIncludesSelf?: boolean;
  /** Neighbours computed elsewhere (e.g. shared with UMAP); used when they reach far enough. */
  knn?: KnnResult;
}

/** The condensed tree as parallel arrays (rows are edges parent → child). Points are 0..n−1, clusters n, n+1, … (root n). */
export interface CondensedTree {
  parent: Int32Array;
  child: Int32Array;
  lambda: Float64Array;
  childSize: Int32Array;
}

export interface HdbscanResult {
  /** Cluster label per point, -1 for noise. */
  labels: Int32Array;
  /** Membership strength per point in [0, 1]; 0 for noise. */
  probabilities: Float64Array;
  /** `cluster_persistence_` per label 0..nClusters−1. */
  persistence: Float64Array;
  nClusters: number;
  coreDistances: Float64Array;
  condensedTree: CondensedTree;
  /** Stability of every condensed-tree cluster after selection (index: cluster id − n). */
  stability: Float64Array;
  /** Condensed-tree cluster id of each label. */
  selectedClusters: Int32Array;
}

/** Distance from each point to its k-th nearest other point (k >= 1), or 0 for k = 0. */
export function coreDistances(x: DenseMatrix, k: number, knn?: KnnResult): Float64Array {
  const n = x.rows;
  const core = new Float64Array(n);
  if (k === 0) return core;
  if (k > n - 1) throw new RangeError(`core distance: k = ${k} exceeds n − 1 = ${n - 1}`);
  const nn = knn && knn.k >= k ? knn : kNearestNeighbours(x, k);
  for (let i = 0; i < n; i++) core[i] = nn.distances[i * nn.k + k - 1];
  return core;
}

export interface MinimumSpanningTree {
  from: Int32Array;
  to: Int32Array;
  weight: Float64Array;
}

/**
 * Prim's algorithm on the complete mutual-reachability graph, weights
 * max(core_i, core_j, d(i, j)). Starts at point 0; ties pick the lower index. O(n²) pairs,
 * but a pair is skipped when both core distances already fail to beat the point's best
 * reachability, and its distance is only accumulated while it can still beat it.
 */
export function mutualReachabilityMst(x: DenseMatrix, core: Float64Array): MinimumSpanningTree {
  const { rows: n, cols: d } = x;
  const data = asFloat64(x.data);
  const from = new Int32Array(Math.max(n - 1, 0));
  const to = new Int32Array(Math.max(n - 1, 0));
  const weight = new Float64Array(Math.max(n - 1, 0));
  if (n < 2) return { from, to, weight };
  const core2 = new Float64Array(n);
  for (let i = 0; i < n; i++) core2[i] = core[i] * core[i];
  // Squared best reachability to the tree so far, and the tree point that achieves it.
  const best = new Float64Array(n).fill(Infinity);
  const bestFrom = new Int32Array(n).fill(-1);
  // Points not yet in the tree, kept dense (swap-remove) so the scan has no gaps.
  const remaining = new Int32Array(n - 1);
  for (let i = 1; i < n; i++) remaining[i - 1] = i;
  let left = n - 1;
  let current = 0;
  for (let e = 0; e < n - 1; e++) {
    const a = current * d;
    const cc = core2[current];
    let pick = -1;
    let pickBest = Infinity;
    let pickIndex = n;
    for (let q = 0; q < left; q++) {
      const j = remaining[q];
      let bj = best[j];
      const floor = cc > core2[j] ? cc : core2[j];
      if (floor < bj) {
        const s = squaredDistanceBelow(data, a, j * d, d, bj);
        const mr = s > floor ? s : floor;
        if (mr < bj) {
          bj = mr;
          best[j] = mr;
          bestFrom[j] = current;
        }
      }
      if (bj < pickBest || (bj === pickBest && j < pickIndex)) {
        pickBest = bj;
        pickIndex = j;
        pick = q;
      }
    }
    const next = remaining[pick];
    remaining[pick] = remaining[left - 1];
    left--;
    from[e] = bestFrom[next];
    to[e] = next;
    weight[e] = Math.sqrt(pickBest);
    current = next;
  }
  return { from, to, weight };
}

/**
 * The single-linkage merge tree of an MST (scipy linkage layout, as hdbscan's `label`):
 * edges by ascending weight (stable), merge k creates node n + k from the current roots of
 * its two endpoints.
 */
export interface SingleLinkageTree {
  left: Int32Array;
  right: Int32Array;
  distance: Float64Array;
  size: Int32Array;
}

export function singleLinkageTree(mst: MinimumSpanningTree, n: number): SingleLinkageTree {
  const m = n - 1;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => mst.weight[a] - mst.weight[b] || a - b);
  const parent = new Int32Array(2 * n - 1).fill(-1);
  const size = new Int32Array(2 * n - 1);
  for (let i = 0; i < n; i++) size[i] = 1;
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== -1) r = parent[r];
    while (parent[x] !== -1) {
      const p = parent[x];
      parent[x] = r;
      x = p;
    }
    return r;
  };
  const left = new Int32Array(m);
  const right = new Int32Array(m);
  const distance = new Float64Array(m);
  const outSize = new Int32Array(m);
  order.forEach((e, k) => {
    const a = find(mst.from[e]);
    const b = find(mst.to[e]);
    const node = n + k;
    left[k] = a;
    right[k] = b;
    distance[k] = mst.weight[e];
    size[node] = size[a] + size[b];
    outSize[k] = size[node];
    parent[a] = node;
    parent[b] = node;
  });
  return { left, right, distance, size: outSize };
}

/**
 * Condenses the single-linkage tree with a minimum cluster size, breadth first from the root
 * like hdbscan's `condense_tree`: a split into two parts of at least minClusterSize creates
 * two new clusters; a smaller part sheds its points from the parent at that lambda (1/distance).
 */
export function condenseTree(tree: SingleLinkageTree, n: number, minClusterSize: number): CondensedTree {
  const parent: number[] = [];
  const child: number[] = [];
  const lambda: number[] = [];
  const childSize: number[] = [];
  if (n < 2) return { parent: new Int32Array(0), child: new Int32Array(0), lambda: new Float64Array(0), childSize: new Int32Array(0) };
  const root = 2 * n - 2;
  const nodeSize = (node: number): number => (node < n ? 1 : tree.size[node - n]);
  const relabel = new Int32Array(2 * n - 1);
  relabel[root] = n;
  let nextLabel = n + 1;
  const stack: number[] = [];
  const shedPoints = (sub: number, into: number, lam: number): void => {
    stack.push(sub);
    while (stack.length) {
      const node = stack.pop() as number;
      if (node < n) {
        parent.push(into);
        child.push(node);
        lambda.push(lam);
        childSize.push(1);
      } else {
        stack.push(tree.right[node - n], tree.left[node - n]);
      }
    }
  };
  const queue: number[] = [root];
  for (let qi = 0; qi < queue.length; qi++) {
    const node = queue[qi];
    const k = node - n;
    const l = tree.left[k];
    const r = tree.right[k];
    const dist = tree.distance[k];
    const lam = dist > 0 ? 1 / dist : Infinity;
    const ls = nodeSize(l);
    const rs = nodeSize(r);
    const here = relabel[node];
    if (ls >= minClusterSize && rs >= minClusterSize) {
      relabel[l] = nextLabel++;
      parent.push(here), child.push(relabel[l]), lambda.push(lam), childSize.push(ls);
      relabel[r] = nextLabel++;
      parent.push(here), child.push(relabel[r]), lambda.push(lam), childSize.push(rs);
      queue.push(l, r);
    } else if (ls < minClusterSize && rs < minClusterSize) {
      shedPoints(l, here, lam);
      shedPoints(r, here, lam);
    } else if (ls < minClusterSize) {
      shedPoints(l, here, lam);
      relabel[r] = here;
      if (r >= n) queue.push(r);
    } else {
      shedPoints(r, here, lam);
      relabel[l] = here;
      if (l >= n) queue.push(l);
    }
  }
  return { parent: Int32Array.from(parent), child: Int32Array.from(child), lambda: Float64Array.from(lambda), childSize: Int32Array.from(childSize) };
}

/**
 * Stability of each cluster: Σ over its condensed-tree rows of (λ_row − λ_birth)·size
 * (`compute_stability`). Index: cluster id − n. The root is born at λ = 0.
 */
export function clusterStabilities(ct: CondensedTree, n: number): { stability: Float64Array; birth: Float64Array; count: number } {
  let maxId = n;
  for (let i = 0; i < ct.parent.length; i++) maxId = Math.max(maxId, ct.parent[i], ct.child[i]);
  const count = maxId - n + 1;
  const birth = new Float64Array(count);
  for (let i = 0; i < ct.child.length; i++) if (ct.child[i] >= n) birth[ct.child[i] - n] = ct.lambda[i];
  const stability = new Float64Array(count);
  for (let i = 0; i < ct.parent.length; i++) {
    const c = ct.parent[i] - n;
    const gain = (ct.lambda[i] - birth[c]) * ct.childSize[i];
    // ∞ − ∞ only arises for a cluster born at λ = ∞ (a clump of exact duplicates); it adds nothing.
    stability[c] += Number.isNaN(gain) ? 0 : gain;
  }
  return { stability, birth, count };
}

export function hdbscan(x: DenseMatrix, options: HdbscanOptions = {}): HdbscanResult {
  const n = x.rows;
  const minClusterSize = options.minClusterSize ?? 10;
  if (!Number.isInteger(minClusterSize) || minClusterSize < 2) throw new RangeError(`hdbscan: minClusterSize must be an integer >= 2, got ${minClusterSize}`);
  const minSamplesOpt = options.minSamples ?? minClusterSize;
  if (!Number.isInteger(minSamplesOpt) || minSamplesOpt < 1) throw new RangeError(`hdbscan: minSamples must be a positive integer, got ${minSamplesOpt}`);
  for (let i = 0; i < x.data.length; i++) if (!Number.isFinite(x.data[i])) throw new RangeError(`hdbscan: row ${Math.floor(i / x.cols)} has a non-finite value`);

  // Like the library: min_samples is capped at n − 1 (and kept >= 1).
  const minSamples = Math.max(1, Math.min(minSamplesOpt, n - 1));
  const kth = options.minSamplesIncludesSelf ? minSamples - 1 : minSamples;
  if (options.knn && options.knn.indices.length !== n * options.knn.k) throw new RangeError(`hdbscan: the neighbour lists do not belong to these ${n} points`);
  const core = n >= 2 ? coreDistances(x, kth, options.knn) : new Float64Array(n);

  const empty = (): HdbscanResult => ({
    labels: new Int32Array(n).fill(-1),
    probabilities: new Float64Array(n),
    persistence: new Float64Array(0),
    nClusters: 0,
    coreDistances: core,
    condensedTree: { parent: new Int32Array(0), child: new Int32Array(0), lambda: new Float64Array(0), childSize: new Int32Array(0) },
    stability: new Float64Array(0),
    selectedClusters: new Int32Array(0),
  });
  if (n < 2) return empty();

  const mst = mutualReachabilityMst(x, core);
  const slt = singleLinkageTree(mst, n);
  const ct = condenseTree(slt, n, minClusterSize);
  return extractClusters(ct, n, core);
}

/** Excess-of-mass selection, labels, probabilities and persistence from a condensed tree. */
export function extractClusters(ct: CondensedTree, n: number, core: Float64Array = new Float64Array(n)): HdbscanResult {
  const { stability, count } = clusterStabilities(ct, n);
  const rows = ct.parent.length;
  const clusterParent = new Int32Array(count).fill(-1);
  const childClusters: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < rows; i++) {
    if (ct.child[i] >= n) {
      clusterParent[ct.child[i] - n] = ct.parent[i] - n;
      childClusters[ct.parent[i] - n].push(ct.child[i] - n);
    }
  }
  // Excess of mass: children before parents (ids grow away from the root), root excluded.
  const isCluster = new Uint8Array(count);
  for (let c = 1; c < count; c++) isCluster[c] = 1;
  for (let c = count - 1; c >= 1; c--) {
    let subtree = 0;
    for (const ch of childClusters[c]) subtree += stability[ch];
    // The library holds this sum in a C float (float32); rounding it the same way keeps
    // near-ties resolving as they do there.
    subtree = Math.fround(subtree);
    if (subtree > stability[c]) {
      isCluster[c] = 0;
      stability[c] = subtree;
    } else {
      const stack = [...childClusters[c]];
      while (stack.length) {
        const s = stack.pop() as number;
        isCluster[s] = 0;
        stack.push(...childClusters[s]);
      }
    }
  }
  const selected: number[] = [];
  for (let c = 1; c < count; c++) if (isCluster[c]) selected.push(c);
  const labelOf = new Int32Array(count).fill(-1);
  selected.forEach((c, label) => (labelOf[c] = label));
  // The selected cluster at or above each cluster (parents have smaller ids, so one pass).
  const owner = new Int32Array(count).fill(-1);
  for (let c = 1; c < count; c++) owner[c] = isCluster[c] ? c : owner[clusterParent[c]];

  const deaths = new Float64Array(count);
  let maxLambda = 0;
  for (let i = 0; i < rows; i++) {
    const p = ct.parent[i] - n;
    if (ct.lambda[i] > deaths[p]) deaths[p] = ct.lambda[i];
    if (ct.lambda[i] > maxLambda) maxLambda = ct.lambda[i];
  }

  const labels = new Int32Array(n).fill(-1);
  const probabilities = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    const point = ct.child[i];
    if (point >= n) continue;
    const o = owner[ct.parent[i] - n];
    if (o < 0) continue;
    labels[point] = labelOf[o];
    const death = deaths[o];
    const lam = ct.lambda[i];
    probabilities[point] = death === 0 || !Number.isFinite(lam) ? 1 : Math.min(lam, death) / death;
  }

  const sizes = new Int32Array(selected.length);
  for (let i = 0; i < n; i++) if (labels[i] >= 0) sizes[labels[i]]++;
  const persistence = new Float64Array(selected.length);
  selected.forEach((c, label) => {
    persistence[label] = !Number.isFinite(maxLambda) || maxLambda === 0 || sizes[label] === 0 ? 1 : stability[c] / (sizes[label] * maxLambda);
  });

  return {
    labels,
    probabilities,
    persistence,
    nClusters: selected.length,
    coreDistances: core,
    condensedTree: ct,
    stability,
    selectedClusters: Int32Array.from(selected, (c) => c + n),
  };
}
