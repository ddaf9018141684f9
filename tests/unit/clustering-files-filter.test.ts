import { describe, it, expect } from 'vitest';
import {
  answerTokenIndices,
  buildAssignments,
  clusterSamples,
  clusterStatistics,
  composeEmbedding,
  composeEmbeddings,
  denseMatrix,
  filterByClusters,
  filterValidationByClusters,
  parseAssignmentsCsv,
  parseStatisticsCsv,
  serializeAssignmentsCsv,
  serializeStatisticsCsv,
  type ClusterAssignmentRow,
} from '../../src/domain/clustering';
import { FilterInputError } from '../../src/domain/cartography';
import type { QARecord } from '../../src/domain/data/types';

describe('cluster_assignments.csv', () => {
  const rows = buildAssignments(['a', 'b,c'], Int32Array.from([0, -1]), Float64Array.from([0.75, 0]), Float64Array.from([0.1, -1.5, 1 / 3, 2]));

  it('writes pandas layout: float32 coordinates, repr probabilities', () => {
    expect(serializeAssignmentsCsv(rows)).toBe('id,cluster,dim1,dim2,cluster_probability\na,0,0.1,-1.5,0.75\n"b,c",-1,0.33333334,2.0,0.0\n');
  });

  it('round-trips and allows repeated ids', () => {
    const back = parseAssignmentsCsv(serializeAssignmentsCsv(rows));
    expect(back).toEqual(rows);
    const dup = parseAssignmentsCsv('id,cluster,dim1,dim2,cluster_probability\nx,1,0,0,0.5\nx,1,0,0,0.5\n');
    expect(dup).toHaveLength(2);
  });

  it('reads a file without probability or coordinates', () => {
    expect(parseAssignmentsCsv('id,cluster\nx,3\n')).toEqual([{ id: 'x', cluster: 3, dim1: NaN, dim2: NaN, cluster_probability: null }]);
  });

  it('names line and field on bad input', () => {
    const head = 'id,cluster,dim1,dim2,cluster_probability\n';
    expect(() => parseAssignmentsCsv(head + 'a,1.5,0,0,0.5\n', 'ca.csv')).toThrow('ca.csv, line 2, field "cluster": expected an integer >= -1, got "1.5"');
    expect(() => parseAssignmentsCsv(head + 'a,-2,0,0,0.5\n', 'ca.csv')).toThrow(/field "cluster"/);
    expect(() => parseAssignmentsCsv(head + 'a,1,0,0,1.2\n', 'ca.csv')).toThrow(/line 2, field "cluster_probability": expected a probability/);
    expect(() => parseAssignmentsCsv(head + 'a,1,x,0,0.2\n', 'ca.csv')).toThrow(/field "dim1": "x" is not a number/);
    expect(() => parseAssignmentsCsv('cluster,dim1\n1,0\n', 'ca.csv')).toThrow(/field "id": required column is missing/);
  });
});

describe('cluster statistics', () => {
  it('computes norms in standardized space, persistence only for clusters, largest first', () => {
    // 2-D "standardized" data: cluster 0 = (1,0),(3,0); cluster 1 = (0,2); noise = (0,0),(0,-2),(0,-4).
    const x = denseMatrix(Float64Array.from([1, 0, 3, 0, 0, 2, 0, 0, 0, -2, 0, -4]), 6, 2);
    const stats = clusterStatistics(Int32Array.from([0, 0, 1, -1, -1, -1]), Float64Array.from([0.4, 0.9]), x);
    expect(stats.map((s) => s.cluster)).toEqual([-1, 0, 1]);
    // noise: mean (0, −2) → 2; std per dim (0, sqrt(8/3)) → sqrt(8/3)
    expect(stats[0]).toMatchObject({ size: 3, percentage: 50, persistence: null, mean_norm: 2 });
    expect(stats[0].std_norm).toBeCloseTo(Math.sqrt(8 / 3), 12);
    // cluster 0: mean (2, 0) → 2; std (1, 0) → 1
    expect(stats[1]).toMatchObject({ cluster: 0, size: 2, mean_norm: 2, std_norm: 1, persistence: 0.4 });
    expect(stats[2]).toMatchObject({ cluster: 1, size: 1, mean_norm: 2, std_norm: 0, persistence: 0.9 });
    const text = serializeStatisticsCsv(stats);
    expect(text.split('\n')[1]).toBe('-1,3,50.0,2.0,1.632993161855452,');
    expect(parseStatisticsCsv(text)).toEqual(stats);
    expect(() => parseStatisticsCsv('cluster,size,percentage,mean_norm,std_norm,persistence\n0,0,1,1,1,\n', 'cs.csv')).toThrow(/cs\.csv, line 2, field "size"/);
  });
});

describe('filterByClusters (origin-system §4.3 with our decisions)', () => {
  const a = (id: string, cluster: number, p: number | null): ClusterAssignmentRow => ({ id, cluster, dim1: 0, dim2: 0, cluster_probability: p });
  const assignments = [a('a', 0, 0.9), a('b', 1, 0.4), a('c', -1, 0), a('d', 1, 0.6), a('f', 0, 0.95), a('f', -1, 0)];
  const rows = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id }));

  it('excludes the listed clusters and drops rows without an assignment, counting each', () => {
    const { kept, report } = filterByClusters(rows, assignments, { excludeClusters: [-1] });
    // f has one noise row: one excluded row excludes the id.
    expect(kept.map((r) => r.id)).toEqual(['a', 'b', 'd']);
    expect(report.removed).toEqual({ excluded_cluster: 2, below_min_probability: 0, no_assignment: 1 });
    expect(report.keptByCluster).toEqual({ '0': 1, '1': 2 });
    expect(report.warnings.join(' ')).toMatch(/1 of 6 train rows have no cluster assignment and are dropped/);
  });

  it('an empty exclude list excludes nothing', () => {
    const { kept, report } = filterByClusters(rows, assignments, { excludeClusters: [] });
    expect(kept.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd', 'f']);
    expect(report.removed).toEqual({ excluded_cluster: 0, below_min_probability: 0, no_assignment: 1 });
  });

  it('drops members strictly below the probability threshold', () => {
    const { kept, report } = filterByClusters(rows, assignments, { excludeClusters: [], minClusterProbability: 0.6 });
    // b 0.4 and c 0 are below; d at exactly 0.6 stays; f has a 0-probability noise row.
    expect(kept.map((r) => r.id)).toEqual(['a', 'd']);
    expect(report.removed).toEqual({ excluded_cluster: 0, below_min_probability: 3, no_assignment: 1 });
  });

  it('cannot apply a threshold without probabilities, and says so', () => {
    const noP = assignments.map((r) => ({ ...r, cluster_probability: null }));
    const { kept, report } = filterByClusters(rows, noP, { excludeClusters: [], minClusterProbability: 0.6 });
    expect(kept).toHaveLength(5);
    expect(report.warnings[0]).toMatch(/no cluster_probability: min_cluster_probability 0.6 is not applied/);
  });

  it('fails on missing, non-covering or invalid input', () => {
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(FilterInputError);
        return (e as FilterInputError).code;
      }
      throw new Error('expected a FilterInputError');
    };
    expect(code(() => filterByClusters(rows, null, { excludeClusters: [-1] }))).toBe('missing_input');
    expect(code(() => filterByClusters([{ id: 'zz' }], assignments, { excludeClusters: [-1] }))).toBe('no_coverage');
    expect(code(() => filterByClusters(rows, assignments, { excludeClusters: [-1], minCoverage: 1 }))).toBe('insufficient_coverage');
    expect(code(() => filterByClusters(rows, assignments, { excludeClusters: [-1], minClusterProbability: 2 }))).toBe('invalid_option');
    expect(code(() => filterByClusters(rows, assignments, { excludeClusters: [-3] }))).toBe('invalid_option');
    expect(() => filterValidationByClusters(rows, [], { excludeClusters: [] })).toThrow(/cluster filter \(validation\): no cluster assignments/);
  });
});

describe('cluster samples', () => {
  it('takes up to n per label in dataset order, context cut to 200 code points plus "..."', () => {
    const rec = (id: string, context: string): QARecord => ({ id, question: `q ${id}`, context, answers: { text: ['x'], answer_start: [0] } });
    const long = '😀'.repeat(250);
    const records = new Map([
      ['a', rec('a', long)],
      ['b', rec('b', 'short')],
      ['c', rec('c', 'c')],
    ]);
    const assignments: ClusterAssignmentRow[] = [
      { id: 'a', cluster: 1, dim1: 0, dim2: 0, cluster_probability: 0.5 },
      { id: 'b', cluster: -1, dim1: 0, dim2: 0, cluster_probability: 0 },
      { id: 'c', cluster: 1, dim1: 0, dim2: 0, cluster_probability: 1 },
    ];
    const s = clusterSamples(assignments, (id) => records.get(id), 1);
    expect(Object.keys(s)).toEqual(['noise', 'cluster_1']);
    expect(s.cluster_1.map((x) => x.id)).toEqual(['a']);
    expect(Array.from(s.cluster_1[0].context)).toHaveLength(203);
    expect(s.noise[0]).toEqual({ id: 'b', question: 'q b', context: 'short...', probability: 0, answers: ['x'] });
  });
});

describe('embedding composition (§4.1)', () => {
  // 4 tokens × hidden 2: h0 = CLS.
  const h = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

  it('joins [CLS] with the mean over answer tokens, or repeats [CLS] when there are none', () => {
    expect(Array.from(composeEmbedding(h, 4, 2, [1, 2]))).toEqual([1, 2, 4, 5]);
    expect(Array.from(composeEmbedding(h, 4, 2, []))).toEqual([1, 2, 1, 2]);
    expect(Array.from(composeEmbeddings(Float32Array.from([...h, ...h]), 2, 4, 2, [[3], []]))).toEqual([1, 2, 7, 8, 1, 2, 1, 2]);
    expect(() => composeEmbedding(h, 4, 2, [4])).toThrow(/outside 0..3/);
  });

  it('selects context tokens whose span overlaps the answer', () => {
    // [CLS] q [SEP] "Aspir" "in" "daily" [SEP]; answer "in daily" at 6..14 (length 8).
    const offsets: [number, number][] = [
      [0, 0],
      [0, 4],
      [0, 0],
      [0, 5],
      [6, 8],
      [9, 14],
      [0, 0],
    ];
    const types = [0, 0, 0, 1, 1, 1, 1];
    expect(answerTokenIndices(offsets, types, 6, 8)).toEqual([4, 5]);
    // A span touching the answer's end without overlap is excluded.
    expect(answerTokenIndices(offsets, types, 0, 6)).toEqual([3]);
    expect(answerTokenIndices(offsets, types, 20, 3)).toEqual([]);
  });
});
