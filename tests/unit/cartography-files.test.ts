import { describe, it, expect } from 'vitest';
import {
  ArtifactParseError,
  checkCoverage,
  computeMetrics,
  dynamicsFileName,
  dynamicsThroughEpoch,
  forgetfulness,
  parseDynamics,
  parseDynamicsFileName,
  parseMetricsCsv,
  parseMetricsJson,
  parseTdMetricsJsonl,
  pyFloat32Repr,
  pyFloatRepr,
  serializeDynamics,
  serializeMetricsCsv,
  serializeMetricsJson,
  serializeTdMetrics,
  tdMetricsFromDynamics,
  type CartographyMetricsRow,
  type TrainingDynamics,
} from '../../src/domain/cartography';
import { parseCsv } from '../../src/domain/cartography/csv';

describe('Python float formatting', () => {
  it('matches repr(float)', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [1, '1.0'],
      [0, '0.0'],
      [-2.5, '-2.5'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [0.00012, '0.00012'],
      [1 / 3, '0.3333333333333333'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [123456789012345680, '1.2345678901234568e+17'],
      [1.5e-7, '1.5e-07'],
      [5e-324, '5e-324'],
      [1e100, '1e+100'],
      [NaN, 'nan'],
    ];
    for (const [x, s] of cases) expect(pyFloatRepr(x), String(x)).toBe(s);
  });

  it('matches str(np.float32) for float32 columns', () => {
    expect(pyFloat32Repr(0.1)).toBe('0.1');
    expect(pyFloat32Repr(1 / 3)).toBe('0.33333334');
    expect(pyFloat32Repr(-12.5)).toBe('-12.5');
    expect(pyFloat32Repr(2)).toBe('2.0');
  });
});

const rows: CartographyMetricsRow[] = [
  { id: 'abc', confidence: 0.1, variability: 1e-5, correctness: 1, num_epochs: 3, start_confidence: 0.5, end_confidence: null },
  { id: 'q,"x"', confidence: 0.25, variability: 0.5, correctness: 0, num_epochs: 3, start_confidence: 0.125, end_confidence: 0.75 },
];

describe('cartography_metrics.csv', () => {
  it('writes the Python layout (example_id index, repr floats, empty NaN, minimal quoting)', () => {
    expect(serializeMetricsCsv(rows)).toBe(
      'example_id,confidence,variability,correctness,num_epochs,start_confidence,end_confidence\n' +
        'abc,0.1,1e-05,1.0,3,0.5,\n' +
        '"q,""x""",0.25,0.5,0.0,3,0.125,0.75\n',
    );
  });

  it('round-trips and accepts an "id" index column and CRLF', () => {
    expect(parseMetricsCsv(serializeMetricsCsv(rows))).toEqual(rows);
    const text = 'id,confidence,variability,correctness,num_epochs\r\nx1,0.5,0.2,0.6666666666666666,3\r\n';
    expect(parseMetricsCsv(text)).toEqual([
      { id: 'x1', confidence: 0.5, variability: 0.2, correctness: 0.6666666666666666, num_epochs: 3, start_confidence: null, end_confidence: null },
    ]);
  });

  it('names file, line and field on bad input', () => {
    const head = 'example_id,confidence,variability,correctness,num_epochs\n';
    const err = (text: string): ArtifactParseError => {
      try {
        parseMetricsCsv(text, 'm.csv');
      } catch (e) {
        return e as ArtifactParseError;
      }
      throw new Error('expected a parse error');
    };
    expect(err(head + 'a,0.5,0.1,1,3\nb,high,0.1,1,3\n').message).toBe('m.csv, line 3, field "confidence": "high" is not a number');
    expect(err(head + 'a,1.5,0.1,1,3\n').message).toMatch(/line 2, field "confidence": must lie in \[0, 1\]/);
    expect(err(head + 'a,0.5,,1,3\n').message).toMatch(/line 2, field "variability": missing value/);
    expect(err(head + 'a,0.5,0.1,1,2.5\n').message).toMatch(/field "num_epochs": must be a positive integer/);
    expect(err(head + 'a,0.5,0.1,1,3\na,0.5,0.1,1,3\n').message).toMatch(/line 3.*duplicate id "a"/);
    expect(err(head + 'a,0.5,0.1\n').message).toMatch(/line 2: expected 5 fields/);
    expect(err('ident,confidence,variability,correctness,num_epochs\n').field).toBe('example_id');
    expect(err('example_id,confidence,correctness,num_epochs\n').message).toMatch(/field "variability": required column is missing/);
    expect(err('').message).toMatch(/empty/);
  });

  it('parses quoted fields spanning lines', () => {
    const t = parseCsv('a,b\n"x\ny",2\n', 'f.csv');
    expect(t.records).toEqual([{ line: 2, cells: ['x\ny', '2'] }]);
    expect(() => parseCsv('a,b\n"x,2\n', 'f.csv')).toThrow(/f\.csv, line 2: unterminated quoted field/);
  });
});

describe('cartography_metrics.json', () => {
  it('writes indent-2 Python JSON and reads it back, NaN included', () => {
    const text = serializeMetricsJson(rows.slice(0, 1));
    expect(text).toBe(
      '{\n  "abc": {\n    "confidence": 0.1,\n    "variability": 1e-05,\n    "correctness": 1.0,\n    "num_epochs": 3,\n' +
        '    "start_confidence": 0.5,\n    "end_confidence": NaN\n  }\n}',
    );
    expect(parseMetricsJson(text)).toEqual(rows.slice(0, 1));
    expect(parseMetricsJson(serializeMetricsJson(rows))).toEqual(rows);
  });

  it('names the record and field on bad input', () => {
    expect(() => parseMetricsJson('{"a": {"confidence": "x"}}', 'm.json')).toThrow('m.json, record a, field "confidence": expected a number, got "x"');
    expect(() => parseMetricsJson('[1]', 'm.json')).toThrow(/m\.json: expected a JSON object/);
    expect(() => parseMetricsJson('{\n"a": ', 'm.json')).toThrow(/m\.json, line 2: not valid JSON/);
    expect(() => parseMetricsJson('{"a": x}', 'm.json')).toThrow(/m\.json.*: not valid JSON/);
  });
});

describe('training_dynamics_epoch_N.json', () => {
  const dyn: TrainingDynamics = {
    ex1: { 0: { start_prob: 0.5, end_prob: 1e-5, correct: false }, 1: { start_prob: 0.75, end_prob: 0.25, correct: true } },
    ex2: { 0: { start_prob: 1, end_prob: 0.125, correct: true } },
  };

  it('writes the cumulative file exactly as json.dump(indent=2)', () => {
    expect(dynamicsFileName(1)).toBe('training_dynamics_epoch_1.json');
    expect(parseDynamicsFileName('out/training_dynamics_epoch_12.json')).toBe(12);
    expect(parseDynamicsFileName('cartography_metrics.json')).toBeNull();
    expect(serializeDynamics(dynamicsThroughEpoch(dyn, 1))).toBe(
      '{\n  "ex1": {\n    "0": {\n      "start_prob": 0.5,\n      "end_prob": 1e-05,\n      "correct": false\n    }\n  },\n' +
        '  "ex2": {\n    "0": {\n      "start_prob": 1.0,\n      "end_prob": 0.125,\n      "correct": true\n    }\n  }\n}',
    );
  });

  it('round-trips and rejects malformed records', () => {
    expect(parseDynamics(serializeDynamics(dyn))).toEqual(dyn);
    expect(() => parseDynamics('{"a": {"x": {}}}', 'd.json')).toThrow('d.json, record a: epoch key "x" is not a non-negative integer');
    expect(() => parseDynamics('{"a": {"0": {"start_prob": 2, "end_prob": 0.1, "correct": true}}}', 'd.json')).toThrow(
      'd.json, record a, epoch "0", field "start_prob": expected a probability in [0, 1], got 2',
    );
    expect(() => parseDynamics('{"a": {"0": {"start_prob": 0.2, "end_prob": 0.1, "correct": 1}}}', 'd.json')).toThrow(/field "correct": expected true or false/);
    expect(() => parseDynamics('{"a": {"0": {"start_prob": NaN, "end_prob": 0.1, "correct": true}}}', 'd.json')).toThrow(/got null/);
    // The file written after epoch 1 holds epoch 0 only.
    const two = serializeDynamics(dyn);
    expect(() => parseDynamics(two, 'run/training_dynamics_epoch_1.json')).toThrow('run/training_dynamics_epoch_1.json, record ex1: epoch 1 cannot be in a file written after epoch 1 (it holds epochs 0..0)');
    expect(parseDynamics(two, 'training_dynamics_epoch_2.json')).toEqual(dyn);
  });
});

describe('allenai td_metrics.jsonl', () => {
  it('counts forgetting events as allenai does', () => {
    expect(forgetfulness([false, false, false])).toBe(1000);
    expect(forgetfulness([true, false, true, false])).toBe(2);
    expect(forgetfulness([false, true, true])).toBe(0);
  });

  it('exports from dynamics and imports with a count→fraction conversion', () => {
    const dyn: TrainingDynamics = {
      g1: { 0: { start_prob: 0.25, end_prob: 0.25, correct: true }, 1: { start_prob: 1, end_prob: 1, correct: false } },
      g2: { 0: { start_prob: 0.04, end_prob: 0.04, correct: false }, 1: { start_prob: 0.16, end_prob: 0.16, correct: false } },
    };
    const recs = tdMetricsFromDynamics(dyn);
    expect(recs[0]).toEqual({ guid: 'g1', index: 0, threshold_closeness: 0.625 * 0.375, confidence: 0.625, variability: 0.375, correctness: 1, forgetfulness: 1 });
    expect(recs[1].forgetfulness).toBe(1000);
    const text = serializeTdMetrics(recs);
    const given = parseTdMetricsJsonl(text, 'td.jsonl', { numEpochs: 2 });
    expect(given.epochsSource).toBe('given');
    expect(given.rows.map((r) => r.correctness)).toEqual([0.5, 0]);
    expect(given.rows[0]).toMatchObject({ id: 'g1', confidence: 0.625, num_epochs: 2, start_confidence: null });
    expect(computeMetrics(dyn)[0].confidence).toBe(given.rows[0].confidence);
  });

  it('falls back to the largest count when epochs are unknown, and says so', () => {
    const text = ['{"guid": 7, "index": 0, "confidence": 0.9, "variability": 0.1, "correctness": 4, "forgetfulness": 0}', '', '{"guid": "b", "confidence": 0.2, "variability": 0.3, "correctness": 1}'].join('\n');
    const imp = parseTdMetricsJsonl(text, 'td.jsonl');
    expect(imp.epochs).toBe(4);
    expect(imp.epochsSource).toBe('max_count_in_file');
    expect(imp.rows.map((r) => [r.id, r.correctness, r.num_epochs])).toEqual([
      ['7', 1, 4],
      ['b', 0.25, 4],
    ]);
    expect(imp.notes.join(' ')).toMatch(/largest count in the file \(4\)/);
  });

  it('names line and field on bad input', () => {
    expect(() => parseTdMetricsJsonl('{"guid": "a", "confidence": 0.5, "variability": 0.1, "correctness": 0.5}', 't.jsonl')).toThrow(
      /t\.jsonl, line 1, field "correctness": expected a count/,
    );
    expect(() => parseTdMetricsJsonl('{"guid": "a", "confidence": 0.5, "variability": 0.1, "correctness": 3}', 't.jsonl', { numEpochs: 2 })).toThrow(/exceeds the 2 epochs/);
    expect(() => parseTdMetricsJsonl('\n{oops\n', 't.jsonl')).toThrow(/t\.jsonl, line 2: not a JSON object/);
    expect(() => parseTdMetricsJsonl('{"confidence": 0.5}', 't.jsonl')).toThrow(/field "guid"/);
  });
});

describe('checkCoverage', () => {
  it('counts covered, missing and extra ids and rows', () => {
    const c = checkCoverage(['a', 'b', 'z'], ['a', 'a', 'b', 'c', 'd']);
    expect(c).toMatchObject({ datasetRows: 5, datasetIds: 4, fileIds: 3, coveredRows: 3, missingRows: 2, coveredIds: 2, missingIds: 2, extraIds: 1 });
    expect(c.coverage).toBeCloseTo(0.6, 15);
    expect(c.missingExamples).toEqual(['c', 'd']);
    expect(c.extraExamples).toEqual(['z']);
    expect(checkCoverage(['a'], ['b', 'c', 'd'], 1).missingExamples).toEqual(['b']);
  });
});
