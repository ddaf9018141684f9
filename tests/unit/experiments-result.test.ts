import { describe, expect, it } from 'vitest';
import {
  allResultsJsonText,
  buildAllResults,
  formatRunSummary,
  makeDryRunResult,
  makeExperimentResult,
  mergeAllResults,
  parseAllResultsJson,
  parseResultsJson,
  resultKey,
  resultToDict,
  resultsJsonText,
  type ExperimentResult,
} from '../../src/domain/experiments/result';
import { pyIsoformatFromTimestamp } from '../../src/domain/experiments/pytime';
import { ConfigValidationError } from '../../src/domain/config/schema';
import { createBaselineConfig } from '../../src/domain/config/factories';

const UTC = 0;

function result(over: Partial<Parameters<typeof makeExperimentResult>[0]> = {}): ExperimentResult {
  return makeExperimentResult({
    experiment_name: 'baseline',
    config_hash: '70bb89f8',
    success: true,
    metrics: { eval_exact_match: 50, eval_f1: 62.5, eval_samples: 20 },
    start_time: 1732540000.25,
    end_time: 1732540600.75,
    utcOffsetMinutes: UTC,
    ...over,
  });
}

describe('timestamps as datetime.fromtimestamp(t).isoformat()', () => {
  it('matches Python (TZ=UTC and America/New_York)', () => {
    expect(pyIsoformatFromTimestamp(1732540000.25, 0)).toBe('2024-11-25T13:06:40.250000');
    expect(pyIsoformatFromTimestamp(1732540000.0, 0)).toBe('2024-11-25T13:06:40');
    expect(pyIsoformatFromTimestamp(1732540000.0000005, 0)).toBe('2024-11-25T13:06:40');
    expect(pyIsoformatFromTimestamp(1732540000.9999996, 0)).toBe('2024-11-25T13:06:41');
    expect(pyIsoformatFromTimestamp(1732540000.123456789, 0)).toBe('2024-11-25T13:06:40.123457');
    expect(pyIsoformatFromTimestamp(1732540000.25, -300)).toBe('2024-11-25T08:06:40.250000');
    expect(pyIsoformatFromTimestamp(1720000000.5, -240)).toBe('2024-07-03T05:46:40.500000');
  });

  it('uses the runtime zone by default', () => {
    const t = 1720000000.5;
    expect(pyIsoformatFromTimestamp(t)).toBe(pyIsoformatFromTimestamp(t, -new Date(t * 1000).getTimezoneOffset()));
  });
});

describe('ExperimentResult', () => {
  it('computes duration and timestamp as to_dict() does', () => {
    const r = result();
    expect(r.duration_seconds).toBe(600.5);
    expect(r.timestamp).toBe('2024-11-25T13:06:40.250000');
    expect(result({ start_time: 0 }).duration_seconds).toBeNull();
    expect(result({ start_time: 0 }).timestamp).toBeNull();
  });

  it('writes results.json exactly as json.dump(to_dict(), indent=2)', () => {
    // Expected: CPython json.dumps of the same to_dict() (TZ=UTC).
    expect(resultsJsonText(result())).toBe(`{
  "experiment_name": "baseline",
  "config_hash": "70bb89f8",
  "success": true,
  "metrics": {
    "eval_exact_match": 50.0,
    "eval_f1": 62.5,
    "eval_samples": 20
  },
  "error": null,
  "start_time": 1732540000.25,
  "end_time": 1732540600.75,
  "duration_seconds": 600.5,
  "timestamp": "2024-11-25T13:06:40.250000"
}`);
  });

  it('appends provenance after the Python keys', () => {
    const r = result({ provenance: { app_version: '0.1.0', git_commit: 'abc1234', backend: 'webgpu', adapter: 'SwiftShader' } });
    expect(Object.keys(resultToDict(r))).toEqual([
      'experiment_name',
      'config_hash',
      'success',
      'metrics',
      'error',
      'start_time',
      'end_time',
      'duration_seconds',
      'timestamp',
      'app_version',
      'git_commit',
      'backend',
      'adapter',
    ]);
    expect(parseResultsJson(resultsJsonText(r))).toEqual(r);
  });

  it('dry runs carry {dry_run: true} and no times', () => {
    const r = makeDryRunResult(createBaselineConfig());
    expect(r).toMatchObject({ experiment_name: 'baseline', success: true, metrics: { dry_run: true }, start_time: null, timestamp: null });
    expect(r.config_hash).toMatch(/^[0-9a-f]{8}$/);
  });

  it('reads a Python results.json and writes it back byte for byte', () => {
    const python = `{
  "experiment_name": "cartography_filter",
  "config_hash": "b398602c",
  "success": false,
  "metrics": {
    "epoch": 3.0,
    "steps": 12,
    "eval_samples": 2000.0
  },
  "error": "Command '['python', 'run.py']' returned non-zero exit status 1.",
  "start_time": 1732540000.0,
  "end_time": 1732540012.5,
  "duration_seconds": 12.5,
  "timestamp": "2024-11-25T13:06:40"
}`;
    const r = parseResultsJson(python, 'x/results.json');
    expect(r.integer_metrics).toEqual(['steps']);
    expect(resultsJsonText(r)).toBe(python);
    expect(r.app_version).toBeUndefined();
  });

  it('names file and field on invalid input', () => {
    const bad = (text: string) => {
      try {
        parseResultsJson(text, 'e/results.json');
      } catch (e) {
        if (e instanceof ConfigValidationError) return e.message;
        throw e;
      }
      return 'no error';
    };
    expect(bad('{"experiment_name": "a", "config_hash": "x", "success": "yes"}')).toBe(
      'e/results.json: success: expected true or false, got the string "yes"',
    );
    expect(bad('{"experiment_name": "a", "config_hash": "x", "success": true, "metrics": {"eval_f1": [1]}}')).toMatch(
      /^e\/results\.json: metrics\.eval_f1: expected a number, string, true\/false or null/,
    );
    expect(bad('{"experiment_name": "a", "config_hash": "x", "success": true, "metrics": null}')).toBe(
      'e/results.json: metrics: expected an object, got null',
    );
    expect(bad('{"experiment_name": "a"')).toMatch(/^e\/results\.json: invalid JSON at line 1/);
  });
});

describe('all_results.json', () => {
  const a = result({ experiment_name: 'baseline', start_time: 100.5, end_time: 200 });
  const b = result({ experiment_name: 'cartography_filter', config_hash: 'b398602c', success: false, metrics: {}, error: 'boom', start_time: 300.25, end_time: 310 });

  it('accumulates over runs without duplicates (same experiment + timestamp replaces)', () => {
    const first = mergeAllResults(null, [a], '2024-01-01T00:00:00');
    expect(first).toMatchObject({ num_experiments: 1, successful: 1, failed: 0 });
    const again = mergeAllResults(first, [a, b], '2024-01-02T00:00:00');
    expect(again.results.map(resultKey)).toEqual([resultKey(a), resultKey(b)]);
    expect(again).toMatchObject({ timestamp: '2024-01-02T00:00:00', num_experiments: 2, successful: 1, failed: 1 });
    const rerun = result({ experiment_name: 'baseline', start_time: 900, end_time: 1000 });
    const third = mergeAllResults(again, [{ ...b, error: 'boom again' }, rerun], '2024-01-03T00:00:00');
    expect(third.results).toHaveLength(3);
    expect(third.results[1].error).toBe('boom again');
    const dry = makeDryRunResult(createBaselineConfig());
    expect(mergeAllResults(third, [dry, dry], 't').results).toHaveLength(4);
  });

  it('round-trips through its JSON text', () => {
    const all = buildAllResults([a, b], '2024-11-25T13:06:40.250000');
    const text = allResultsJsonText(all);
    expect(text.startsWith('{\n  "timestamp": "2024-11-25T13:06:40.250000",\n  "num_experiments": 2,\n  "successful": 1,\n  "failed": 1,\n  "results": [\n    {\n      "experiment_name": "baseline",')).toBe(true);
    expect(parseAllResultsJson(text)).toEqual(all);
    expect(() => parseAllResultsJson(text.replace('"success": false', '"success": 0'), 'all_results.json')).toThrowError(
      /all_results\.json: results\[1\]\.success: expected true or false, got number 0/,
    );
  });
});

describe('console summary', () => {
  it('prints Python\'s EXPERIMENT SUMMARY lines', () => {
    const ok = result({ experiment_name: 'baseline', metrics: { eval_exact_match: 61.25, eval_f1: 72.03125 } });
    const failed = result({ experiment_name: 'cartography_filter', success: false, metrics: {}, error: 'exit status 1' });
    const dry = makeDryRunResult(createBaselineConfig({ name: 'dry' }));
    const lines = formatRunSummary([ok, failed, dry]).split('\n');
    expect(lines.slice(0, 12)).toEqual([
      '',
      '='.repeat(80),
      'EXPERIMENT SUMMARY',
      '='.repeat(80),
      '',
      'Total experiments: 3',
      'Successful: 2',
      'Failed: 1',
      '',
      'Results by experiment:',
      '-'.repeat(80),
      `✓ ${'baseline'.padEnd(30)} |     600.5s | F1=72.0312 EM=61.2500`,
    ]);
    expect(lines[12]).toBe(`✗ ${'cartography_filter'.padEnd(30)} |     600.5s | ERROR: exit status 1`);
    expect(lines[13]).toBe(`✓ ${'dry'.padEnd(30)} |        N/A | F1=N/A EM=N/A`);
  });
});
