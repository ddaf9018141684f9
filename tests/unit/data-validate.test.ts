import { describe, it, expect } from 'vitest';
import { checkRow } from '../../src/domain/data/normalize';
import { nearestOccurrence, repairSpans } from '../../src/domain/data/repair';
import { RowCleaner } from '../../src/domain/data/clean-rows';
import { ReportBuilder, problemTotal, reportNotes, type RepairPolicy } from '../../src/domain/data/problems';
import { exampleId } from '../../src/domain/data/example-id';
import { firstN, sampleIndices, sampleRows } from '../../src/domain/data/sample';
import type { RawRow } from '../../src/domain/data/raw-row';
import type { QARecord } from '../../src/domain/data/types';
import { row } from '../fixtures/data/helpers';

const raw = (value: unknown, index = 0, extra: Partial<RawRow> = {}): RawRow => ({ file: 'f.jsonl', split: 'train', index, where: `line ${index + 1}`, value, ...extra });

function clean(values: unknown[], policy: RepairPolicy = 'repair') {
  const builder = new ReportBuilder(policy, 3);
  const cleaner = new RowCleaner(builder, policy);
  const kept = values.map((v, i) => cleaner.clean(raw(v, i))).filter((r): r is QARecord => r !== null);
  return { kept, report: builder.report };
}

describe('example ids', () => {
  // Reference values computed with Python: hashlib.md5(f"{q} | {c}".encode("utf-8")).hexdigest()[:16]
  it('match the Python system byte for byte, non-ASCII included', () => {
    expect(exampleId('What is the dosage of lasix?', 'Patient was given lasix 40 mg daily.')).toBe('971ebd1d4b5ab56d');
    expect(exampleId('Qué dosis — µg?', 'Naïve café 10 µg 😀 日本語')).toBe('2792dc657e5c1d01');
    expect(exampleId('', '')).toBe('c02f226ecf3f20e2');
  });
});

describe('row checks', () => {
  it('accepts a good row in both answer shapes and keeps answer_end', () => {
    const ctx = 'Lasix 40 mg daily.';
    const a = checkRow(raw({ context: ctx, question: 'Dose?', answers: { text: ['40 mg'], answer_start: [6], answer_end: [11] } }));
    expect(a.problems).toEqual([]);
    expect(a.record?.answers).toEqual({ text: ['40 mg'], answer_start: [6], answer_end: [11] });
    const b = checkRow(raw({ context: ctx, question: 'Dose?', answers: [{ text: '40 mg', answer_start: 6 }] }));
    expect(b.problems).toEqual([]);
    expect(b.record?.answers).toEqual({ text: ['40 mg'], answer_start: [6] });
  });

  it('accepts unanswerable rows (empty answers) and bigint offsets from Parquet', () => {
    expect(checkRow(raw({ context: 'abc', question: 'q', answers: { text: [], answer_start: [] } })).problems).toEqual([]);
    const r = checkRow(raw({ context: 'abc', question: 'q', answers: { text: ['b'], answer_start: [1n], answer_end: [2n] } }));
    expect(r.problems).toEqual([]);
    expect(r.record?.answers.answer_start).toEqual([1]);
  });

  it('names missing fields', () => {
    const r = checkRow(raw({ question: 'q' }));
    expect(r.record).toBeNull();
    expect(r.problems.map((p) => [p.kind, p.field])).toEqual([
      ['missing_field', 'context'],
      ['missing_field', 'answers'],
    ]);
    expect(checkRow(raw({ context: 'c', question: 'q', answers: { text: ['c'] } })).problems.map((p) => p.field)).toEqual(['answers.answer_start']);
  });

  it('names wrong-typed fields', () => {
    const r = checkRow(raw({ context: 12, question: ['q'], answers: { text: 'x', answer_start: [0] }, id: {} }));
    expect(r.problems.map((p) => [p.kind, p.field])).toEqual([
      ['wrong_type', 'context'],
      ['wrong_type', 'question'],
      ['wrong_type', 'answers.text'],
      ['wrong_type', 'id'],
    ]);
    const s = checkRow(raw({ context: 'abc', question: 'q', answers: { text: ['a'], answer_start: ['0'] } }));
    expect(s.problems[0]).toMatchObject({ kind: 'wrong_type', field: 'answers.answer_start[0]' });
    expect(checkRow(raw([1, 2])).problems[0].kind).toBe('not_an_object');
  });

  it('flags empty context and question', () => {
    expect(checkRow(raw({ context: '  ', question: 'q', answers: { text: [], answer_start: [] } })).problems[0].kind).toBe('empty_context');
    expect(checkRow(raw({ context: 'c', question: '', answers: { text: [], answer_start: [] } })).problems[0].kind).toBe('empty_question');
  });

  it('flags mismatched answer counts', () => {
    const r = checkRow(raw({ context: 'abc', question: 'q', answers: { text: ['a', 'b'], answer_start: [0] } }));
    expect(r.problems[0].kind).toBe('answer_count_mismatch');
  });

  it('flags answers outside the context and text that is not context[start:end]', () => {
    const out = checkRow(raw({ context: 'abc', question: 'q', answers: { text: ['abcd'], answer_start: [0] } }));
    expect(out.problems[0]).toMatchObject({ kind: 'answer_out_of_range', field: 'answers.answer_start[0]' });
    expect(out.badSpans).toEqual([0]);
    const neg = checkRow(raw({ context: 'abc', question: 'q', answers: { text: ['a'], answer_start: [-1] } }));
    expect(neg.problems[0].kind).toBe('answer_out_of_range');
    const mis = checkRow(raw({ context: 'Lasix 40 mg daily.', question: 'q', answers: { text: ['40 mg'], answer_start: [5] } }));
    expect(mis.problems[0].kind).toBe('answer_mismatch');
    expect(mis.problems[0].message).toContain('" 40 m"');
  });

  it('uses answer_end when present (end = answer_end ?? start + len(text))', () => {
    const ctx = 'Lasix 40 mg daily.';
    const bad = checkRow(raw({ context: ctx, question: 'q', answers: { text: ['40 mg'], answer_start: [6], answer_end: [17] } }));
    expect(bad.problems[0]).toMatchObject({ kind: 'answer_mismatch', field: 'answers.answer_start[0]/answer_end[0]' });
  });
});

describe('repair', () => {
  it('finds the occurrence nearest to the given start', () => {
    const ctx = 'lasix here, lasix there, lasix everywhere';
    expect(nearestOccurrence(ctx, 'lasix', 0)).toBe(0);
    expect(nearestOccurrence(ctx, 'lasix', 14)).toBe(12);
    expect(nearestOccurrence(ctx, 'lasix', 100)).toBe(25);
    expect(nearestOccurrence(ctx, 'aspirin', 3)).toBe(-1);
  });

  it('moves start (and answer_end) to the nearest occurrence', () => {
    const rec: QARecord = { id: 'x', context: 'a 40 mg b 40 mg', question: 'q', answers: { text: ['40 mg'], answer_start: [9], answer_end: [14] } };
    expect(repairSpans(rec, [0])?.answers).toEqual({ text: ['40 mg'], answer_start: [10], answer_end: [15] });
  });
});

describe('cleaning with a policy', () => {
  const good = row('Lasix 40 mg daily.', 'What is the dosage of lasix?', '40 mg');
  const shifted = { context: 'Lasix 40 mg daily.', question: 'Dose?', answers: { text: ['40 mg'], answer_start: [4] } };
  const absent = { context: 'Lasix 40 mg daily.', question: 'Why?', answers: { text: ['heart failure'], answer_start: [0] } };
  const broken = { context: 'Lasix', answers: { text: [], answer_start: [] } };

  it('repair: fixes what it can, skips and reports the rest; nothing is dropped silently', () => {
    const { kept, report } = clean([good, shifted, absent, broken], 'repair');
    expect(kept.map((r) => r.question)).toEqual(['What is the dosage of lasix?', 'Dose?']);
    expect(kept[1].answers.answer_start).toEqual([6]);
    expect(report.totals).toEqual({ read: 4, kept: 2, repaired: 1, skipped: 2 });
    expect(report.unrepairable).toBe(1);
    expect(report.counts.answer_mismatch).toBe(2);
    expect(report.counts.missing_field).toBe(1);
    expect(report.examples.missing_field[0]).toMatchObject({ file: 'f.jsonl', split: 'train', index: 3, where: 'line 4', field: 'question' });
    expect(report.totals.read).toBe(report.totals.kept + report.totals.skipped);
    expect(reportNotes(report).join('\n')).toMatch(/2 rows kept of 4 read \(policy: repair\)[\s\S]*1 rows could not be repaired/);
  });

  it('skip: drops every row with a span problem', () => {
    const { kept, report } = clean([good, shifted, absent], 'skip');
    expect(kept).toHaveLength(1);
    expect(report.totals).toEqual({ read: 3, kept: 1, repaired: 0, skipped: 2 });
    expect(report.unrepairable).toBe(0);
  });

  it('keeps given ids, hashes missing ones, reports duplicates (and keeps them, as Python does)', () => {
    const { kept, report } = clean([{ ...good, id: 'given' }, good, good, { ...good, id: 7 }]);
    expect(kept.map((r) => r.id)).toEqual(['given', exampleId(good.question, good.context), exampleId(good.question, good.context), '7']);
    expect(report.generatedIds).toBe(2);
    expect(report.counts.duplicate_id).toBe(1);
    expect(report.examples.duplicate_id[0]).toMatchObject({ index: 2, field: 'id' });
  });

  it('keeps at most N examples per kind but counts them all', () => {
    const { report } = clean(Array.from({ length: 10 }, () => broken));
    expect(report.counts.missing_field).toBe(10);
    expect(report.examples.missing_field).toHaveLength(3);
    expect(problemTotal(report)).toBe(10);
  });

  it('invalid JSON lines are reported with their line', () => {
    const builder = new ReportBuilder('repair');
    const cleaner = new RowCleaner(builder, 'repair');
    expect(cleaner.clean(raw(undefined, 4, { parseError: 'line 5 is not valid JSON (Unexpected end)' }))).toBeNull();
    expect(builder.report.examples.invalid_json[0]).toMatchObject({ where: 'line 5', message: expect.stringContaining('line 5') });
  });
});

describe('sampling', () => {
  const rows = Array.from({ length: 50 }, (_, i) => i);
  it('first N is max_train_samples', () => {
    expect(firstN(rows, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(firstN(rows, null)).toHaveLength(50);
    expect(firstN(rows, 500)).toHaveLength(50);
  });
  it('a seeded random sample is reproducible, without repeats, in stored order', () => {
    const a = sampleRows(rows, { mode: 'random', n: 10, seed: 7 });
    expect(a).toEqual(sampleRows(rows, { mode: 'random', n: 10, seed: 7 }));
    expect(a).not.toEqual(sampleRows(rows, { mode: 'random', n: 10, seed: 8 }));
    expect(new Set(a).size).toBe(10);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(Array.from(sampleIndices(5, { mode: 'random', n: 9, seed: 1 }))).toEqual([0, 1, 2, 3, 4]);
    expect(() => sampleIndices(5, { mode: 'first', n: -1 })).toThrow(/non-negative integer/);
  });
});
