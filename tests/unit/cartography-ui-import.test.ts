// The Cartography section's import flow (src/ui/state/cartography-import.ts) and the view
// computations (src/ui/state/cartography-view.ts): file recognition, parsing of each origin format
// with precise errors, dynamics → metrics, coverage against the split, region counts, the noisy
// rows per region, excerpts.
import { describe, expect, it } from 'vitest';
import { checkImport, detectKind, parseCartographyFiles } from '../../src/ui/state/cartography-import';
import { contextExcerpt, histogram, mapDomains, noiseByRegion, noiseLookup, regionCounts, cartographyView, CATEGORY_CODE } from '../../src/ui/state/cartography-view';
import { serializeMetricsCsv, serializeMetricsJson } from '../../src/domain/cartography/metrics-files';
import { serializeDynamics, dynamicsThroughEpoch } from '../../src/domain/cartography/dynamics-file';
import { serializeTdMetrics, tdMetricsFromDynamics } from '../../src/domain/cartography/td-metrics';
import { categorize } from '../../src/domain/cartography/categories';
import type { CartographyMetricsRow, TrainingDynamics } from '../../src/domain/cartography/types';

const row = (id: string, confidence: number, variability: number, correctness = 0.5): CartographyMetricsRow => ({
  id,
  confidence,
  variability,
  correctness,
  num_epochs: 2,
  start_confidence: confidence,
  end_confidence: confidence,
});

/** Two epochs for three examples, with hand-computable metrics. */
const dynamics: TrainingDynamics = {
  a: { 0: { start_prob: 0.25, end_prob: 0.25, correct: false }, 1: { start_prob: 0.81, end_prob: 0.81, correct: true } },
  b: { 0: { start_prob: 0.5, end_prob: 0.5, correct: true }, 1: { start_prob: 0.5, end_prob: 0.5, correct: true } },
  c: { 0: { start_prob: 0.04, end_prob: 0.16, correct: false }, 1: { start_prob: 0.09, end_prob: 0.01, correct: false } },
};

describe('detectKind', () => {
  it('recognises the origin file names and, for renamed files, their content', () => {
    expect(detectKind({ name: 'cartography_metrics.csv', text: '' })).toBe('metrics-csv');
    expect(detectKind({ name: 'cartography_metrics.json', text: '{}' })).toBe('metrics-json');
    expect(detectKind({ name: 'training_dynamics_epoch_3.json', text: '{}' })).toBe('dynamics');
    expect(detectKind({ name: 'td_metrics.jsonl', text: '' })).toBe('td-metrics');
    expect(detectKind({ name: 'export.json', text: '{\n  "x": {\n    "0": {"start_prob": 0.1}' })).toBe('dynamics');
    expect(detectKind({ name: 'export.json', text: '{\n  "x": {\n    "confidence": 0.1' })).toBe('metrics-json');
    expect(detectKind({ name: 'export.txt', text: 'example_id,confidence,variability\n' })).toBe('metrics-csv');
    expect(detectKind({ name: 'export.txt', text: '{"guid": 1, "confidence": 0.3}\n' })).toBe('td-metrics');
    expect(() => detectKind({ name: 'notes.txt', text: 'hello' })).toThrow(/notes\.txt: not a cartography file/);
  });
});

describe('parseCartographyFiles', () => {
  it('reads the metrics CSV and JSON as written by the Python system', () => {
    const rows = [row('a', 0.9, 0.05, 1), row('b', 0.4, 0.2, 0.5)];
    const csv = parseCartographyFiles([{ name: 'cartography_metrics.csv', text: serializeMetricsCsv(rows) }]);
    expect(csv).toMatchObject({ kind: 'metrics-csv', source: 'cartography_metrics.csv', epochs: 2 });
    expect(csv.rows).toEqual(rows);
    const json = parseCartographyFiles([{ name: 'cartography_metrics.json', text: serializeMetricsJson(rows) }]);
    expect(json.rows).toEqual(rows);
  });

  it('computes metrics from the latest of several cumulative dynamics files', () => {
    const files = [1, 2].map((n) => ({ name: `training_dynamics_epoch_${n}.json`, text: serializeDynamics(dynamicsThroughEpoch(dynamics, n)) }));
    const out = parseCartographyFiles(files);
    expect(out.kind).toBe('dynamics');
    expect(out.source).toBe('training_dynamics_epoch_2.json');
    expect(out.epochs).toBe(2);
    expect(out.notes.join(' ')).toMatch(/training_dynamics_epoch_1\.json not needed/);
    const a = out.rows.find((r) => r.id === 'a')!;
    // p_e = sqrt(ps·pe): 0.25, 0.81 → mean 0.53, population std 0.28, correct in 1 of 2 epochs.
    expect(a.confidence).toBeCloseTo(0.53, 12);
    expect(a.variability).toBeCloseTo(0.28, 12);
    expect(a.correctness).toBe(0.5);
    const c = out.rows.find((r) => r.id === 'c')!;
    // sqrt(0.04·0.16) = 0.08, sqrt(0.09·0.01) = 0.03.
    expect(c.confidence).toBeCloseTo(0.055, 12);
    expect(c.variability).toBeCloseTo(0.025, 12);
    expect(out.dynamics).toEqual(dynamics);
  });

  it('turns allenai correctness counts into fractions with the given epochs, or the largest count', () => {
    const text = serializeTdMetrics(tdMetricsFromDynamics(dynamics));
    const given = parseCartographyFiles([{ name: 'td_metrics.jsonl', text }], { numEpochs: 4 });
    expect(given.epochs).toBe(4);
    expect(given.rows.find((r) => r.id === 'b')!.correctness).toBe(0.5);
    const guessed = parseCartographyFiles([{ name: 'td_metrics.jsonl', text }]);
    expect(guessed.epochs).toBeUndefined();
    expect(guessed.rows.find((r) => r.id === 'b')!.correctness).toBe(1);
    expect(guessed.notes.join(' ')).toMatch(/number of epochs is unknown/);
  });

  it('names the file, line and field of a bad value, and refuses mixes, duplicates and empty files', () => {
    const bad = 'example_id,confidence,variability,correctness,num_epochs,start_confidence,end_confidence\na,0.5,0.1,0.5,2,0.5,0.5\nb,0.5,-0.3,0.5,2,0.5,0.5\n';
    expect(() => parseCartographyFiles([{ name: 'cartography_metrics.csv', text: bad }])).toThrow(/cartography_metrics\.csv, line 3, field "variability"/);
    const dup = serializeMetricsCsv([row('a', 0.5, 0.1), row('a', 0.6, 0.1)]);
    expect(() => parseCartographyFiles([{ name: 'cartography_metrics.csv', text: dup }])).toThrow(/cartography_metrics\.csv, line 3, field "example_id": duplicate id "a"/);
    expect(() =>
      parseCartographyFiles([
        { name: 'cartography_metrics.csv', text: serializeMetricsCsv([row('a', 0.5, 0.1)]) },
        { name: 'training_dynamics_epoch_1.json', text: '{}' },
      ]),
    ).toThrow(/not a mix/);
    expect(() => parseCartographyFiles([{ name: 'training_dynamics_epoch_2.json', text: '{}' }])).toThrow(/no examples/);
    expect(() => parseCartographyFiles([{ name: 'td_metrics.jsonl', text: '{"guid": "x", "confidence": 2, "variability": 0, "correctness": 1}\n' }])).toThrow(
      /td_metrics\.jsonl, line 1, field "confidence"/,
    );
    expect(() => parseCartographyFiles([])).toThrow(/No file/);
  });
});

describe('checkImport', () => {
  it('reports covered, missing and extra ids with examples, and stores only when something is covered', () => {
    const parsed = parseCartographyFiles([{ name: 'cartography_metrics.csv', text: serializeMetricsCsv([row('a', 0.5, 0.1), row('b', 0.5, 0.1), row('zz', 0.5, 0.1)]) }]);
    const checked = checkImport(parsed, ['a', 'b', 'b', 'c', 'd']);
    expect(checked.coverage).toMatchObject({ datasetRows: 5, coveredRows: 3, missingRows: 2, missingIds: 2, extraIds: 1, missingExamples: ['c', 'd'], extraExamples: ['zz'] });
    expect(checked.storable).toBe(true);
    expect(checkImport(parsed, ['x', 'y']).storable).toBe(false);
  });
});

describe('view computations', () => {
  // Medians: confidence of (0.9, 0.8, 0.3, 0.2, 0.6) = 0.6; variability of (0.1, 0.3, 0.05, 0.2, 0.15) = 0.15.
  const rows = [row('e1', 0.9, 0.1), row('a1', 0.8, 0.3), row('h1', 0.3, 0.05), row('a2', 0.2, 0.2), row('e2', 0.6, 0.15)];

  it('counts the regions with percentages, in easy / hard / ambiguous order', () => {
    const cat = categorize(rows);
    expect(cat.categories).toEqual(['easy', 'ambiguous', 'hard', 'ambiguous', 'easy']);
    expect(regionCounts(cat)).toEqual([
      { category: 'easy', count: 2, percent: 40 },
      { category: 'hard', count: 1, percent: 20 },
      { category: 'ambiguous', count: 2, percent: 40 },
    ]);
    const v = cartographyView(rows);
    expect(Array.from(v.columns.category)).toEqual([CATEGORY_CODE.easy, CATEGORY_CODE.ambiguous, CATEGORY_CODE.hard, CATEGORY_CODE.ambiguous, CATEGORY_CODE.easy]);
    expect(v.domains.x[0]).toBe(0);
    expect(v.domains.x[1]).toBeCloseTo(0.315, 6);
  });

  it('puts the noisy rows in their regions (an id is noisy when any of its rows is) and compares with the clean ones', () => {
    const cat = categorize(rows);
    const lookup = noiseLookup(['e1', 'a1', 'h1', 'a2', 'a2', 'e2'], [null, 'wrong_answer', 'shifted_span', null, 'conflicting_duplicate', null]);
    expect(lookup.get('a2')).toBe('conflicting_duplicate');
    const n = noiseByRegion([...rows, row('gone', 0.5, 0.1)], categorize([...rows, row('gone', 0.5, 0.1)]), (id) => lookup.get(id));
    expect(n.noisyTotal).toBe(3);
    expect(n.cleanTotal).toBe(2);
    expect(n.unmatched).toBe(1);
    expect(n.noisyHardOrAmbiguousShare).toBe(1);
    expect(n.byKind.shifted_span.hard).toBe(1);
    const plain = noiseByRegion(rows, cat, (id) => lookup.get(id));
    expect(plain.clean).toEqual({ easy: 2, hard: 0, ambiguous: 0 });
    expect(plain.cleanHardOrAmbiguousShare).toBe(0);
  });

  it('histograms clamp into the edge bins; domains cap variability at 0.5', () => {
    const h = histogram([0, 0.1, 0.49, 0.5, 0.7, -1, NaN], 0, 0.5, 5);
    expect(Array.from(h.counts)).toEqual([2, 1, 0, 0, 3]);
    expect(h.max).toBe(3);
    expect(mapDomains({ n: 2, variability: Float32Array.of(0.1, 0.49) }).x[1]).toBe(0.5);
    expect(() => histogram([1], 1, 1, 3)).toThrow(/empty/);
  });

  it('excerpts the context around the first answer', () => {
    const context = 'x'.repeat(300) + 'ANSWER' + 'y'.repeat(300);
    const e = contextExcerpt({ context, answers: { text: ['ANSWER'], answer_start: [300] } }, 10);
    expect(e).toEqual({ before: 'x'.repeat(10), answer: 'ANSWER', after: 'y'.repeat(10), cutStart: true, cutEnd: true });
    const none = contextExcerpt({ context: 'short', answers: { text: [], answer_start: [] } }, 10);
    expect(none).toEqual({ before: 'short', answer: '', after: '', cutStart: false, cutEnd: false });
  });
});
