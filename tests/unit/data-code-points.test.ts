import { describe, it, expect } from 'vitest';
import { checkRow, convertCodePointSpans } from '../../src/domain/data/normalize';
import type { QARecord } from '../../src/domain/data/types';

describe('answer offsets counted in code points (Python) versus UTF-16 (JavaScript)', () => {
  const context = 'Patient 😀 took 5 mg of warfarin 🙂 daily.';
  // What Python's context.index("warfarin") gives: the emoji counts as one character.
  const cpStart = [...context.slice(0, context.indexOf('warfarin'))].length;

  it('converts a span that only matches as code points', () => {
    expect(cpStart).toBe(context.indexOf('warfarin') - 1);
    const rec: QARecord = { id: 'x', context, question: 'What drug?', answers: { text: ['warfarin'], answer_start: [cpStart], answer_end: [cpStart + 8] } };
    expect(convertCodePointSpans(rec)).toBe(1);
    const s = rec.answers.answer_start[0];
    expect(context.slice(s, rec.answers.answer_end![0])).toBe('warfarin');
  });

  it('leaves UTF-16 spans that already match, and text without astral characters, alone', () => {
    const utf16 = context.indexOf('warfarin');
    const rec: QARecord = { id: 'x', context, question: 'q', answers: { text: ['warfarin'], answer_start: [utf16] } };
    expect(convertCodePointSpans(rec)).toBe(0);
    expect(rec.answers.answer_start[0]).toBe(utf16);
  });

  it('validation accepts a Python-offset row from a file', () => {
    const checked = checkRow({ value: { context, question: 'What drug?', answers: { text: ['warfarin'], answer_start: [cpStart] } }, split: 'train', file: 'f.jsonl', index: 0 } as never);
    expect(checked.problems).toEqual([]);
    expect(checked.badSpans).toEqual([]);
  });
});
