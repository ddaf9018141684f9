// Recurring span selection records from pretraining notes: every answer is a real span of its
// note body occurring exactly once there, the query is the recap item with that span masked, and
// no record comes from a demo context.
import { describe, expect, it } from 'vitest';
import { demoContexts, demoPretrainingCorpus } from '../../src/domain/data/demo/corpus';
import { recapItems, spanSelectionRecords } from '../../src/domain/data/demo/span-selection';

describe('span selection', () => {
  it('splits a recap into its list items', () => {
    expect(recapItems('Medications on discharge: a 1 mg daily; b for pain, 2 mg at bedtime. Results: x on the ECG of 01/02/2003; y: 2.4 (01/02/2004).')).toEqual([
      'a 1 mg daily',
      'b for pain, 2 mg at bedtime',
      'x on the ECG of 01/02/2003',
      'y: 2.4 (01/02/2004)',
    ]);
  });

  it('masks a span of a recap item that occurs once in the body and points at it there', () => {
    const note = { context: 'She takes aspirin 81 mg daily for stroke. Lisinopril 10 mg daily for hypertension.', recap: 'Current medications: aspirin 81 mg daily for stroke; lisinopril 10 mg daily.' };
    const recs = spanSelectionRecords([note], { seed: 3 });
    expect(recs.length).toBe(2);
    for (const r of recs) {
      const [text] = r.answers.text;
      const [start] = r.answers.answer_start;
      expect(r.context.slice(start, start + text.length)).toBe(text);
      expect(r.question).toContain('[MASK]');
      expect(r.question.replace('[MASK]', '').trim().length).toBeGreaterThan(0);
      // Unique in the body: "mg daily" occurs twice, so it is never the answer.
      expect(r.context.toLowerCase().split(text.toLowerCase()).length - 1).toBe(1);
      expect(text.toLowerCase()).not.toBe('mg daily');
    }
    expect(spanSelectionRecords([note], { seed: 3 })).toEqual(recs);
  });

  it('draws from the pretraining corpus only: many records, none from a demo context', () => {
    const corpus = demoPretrainingCorpus({ notes: 300, seed: 7 });
    const recs = spanSelectionRecords(corpus.parts, { seed: 1 });
    expect(recs.length).toBeGreaterThan(3 * 300);
    const demo = demoContexts();
    expect(recs.some((r) => demo.has(r.context))).toBe(false);
    for (const r of recs) expect(r.context.slice(r.answers.answer_start[0]).toLowerCase().startsWith(r.answers.text[0].toLowerCase())).toBe(true);
  });
});
