import type { QARecord } from '../types';
import { exampleId } from '../example-id';
import { createRng, deriveSeed, type Rng } from '../../train/rng';
import { COMPLAINTS, DIAGNOSES, MEDICATIONS, SERVICES, TESTS, type LabTest, type Medication } from './vocabulary';

/** The deliberate corruptions (QARecord.noise) and what they do. */
export const NOISE_KINDS = ['shifted_span', 'wrong_answer', 'conflicting_duplicate'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

export interface DemoOptions {
  seed?: number;
  trainRows?: number;
  validationRows?: number;
  /** Share of rows in each split that carry a deliberate corruption. */
  noiseRate?: number;
}

export interface DemoDataset {
  train: QARecord[];
  validation: QARecord[];
}

export const DEMO_DEFAULTS = { seed: 42, trainRows: 3000, validationRows: 600, noiseRate: 0.08 } as const;
export const DEMO_DATASET_NAME = 'Demo clinical notes (emrQA-style)';

/** A marked span of a note: what a question can have as its answer. */
interface Fact {
  start: number;
  text: string;
  /** Answer type, so a corruption can pick a wrong answer that looks right (another dose for a dose). */
  type: string;
}

/** A question about a note: an intent with ≥2 phrasings (near-duplicates use another phrasing). */
interface Ask {
  phrasings: string[];
  answer: string;
}

interface MedFact {
  name: string;
  dose: string;
  freq: string;
  reason: string;
  date: string;
}

interface TestFact {
  name: string;
  result: string;
  date: string;
}

interface Note {
  context: string;
  facts: Record<string, Fact>;
  asks: Ask[];
  title: string;
  /** What the note says about each medication and test, for the pretraining notes' recap. */
  meds: MedFact[];
  tests: TestFact[];
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.nextInt(xs.length)];
const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

function pickDistinct<T>(rng: Rng, xs: readonly T[], n: number): T[] {
  return rng.shuffleInPlace(xs.slice()).slice(0, n);
}

function date(rng: Rng): string {
  const m = 1 + rng.nextInt(12);
  const d = 1 + rng.nextInt(28);
  const y = 2008 + rng.nextInt(13);
  return `${String(m).padStart(2, '0')}/${String(d).padStart(2, '0')}/${y}`;
}

/** Builds a note's text while recording where each answerable span lands. */
class NoteText {
  private parts: string[] = [];
  private len = 0;
  readonly facts: Record<string, Fact> = {};
  private open: Record<string, { start: number; type: string }> = {};

  add(s: string): this {
    this.parts.push(s);
    this.len += s.length;
    return this;
  }
  mark(key: string, type: string, s: string): this {
    this.facts[key] = { start: this.len, text: s, type };
    return this.add(s);
  }
  begin(key: string, type: string): this {
    this.open[key] = { start: this.len, type };
    return this;
  }
  end(key: string): this {
    const o = this.open[key];
    this.facts[key] = { start: o.start, text: this.parts.join('').slice(o.start), type: o.type };
    delete this.open[key];
    return this;
  }
  toString(): string {
    return this.parts.join('');
  }
}

type MedSentence = (t: NoteText, k: string, m: MedFact, he: string) => void;

// Every medication sentence keeps "name dose frequency" contiguous: that span answers "Has the patient ever been on X?".
const MED_SENTENCES: MedSentence[] = [
  (t, k, m, he) => t.add(`${he} was started on `).begin(`${k}.mention`, 'mention').mark(`${k}.name`, 'med', m.name).add(' ').mark(`${k}.dose`, 'dose', m.dose).add(' ').mark(`${k}.freq`, 'freq', m.freq).end(`${k}.mention`).add(' for ').mark(`${k}.reason`, 'reason', m.reason).add(' on ').mark(`${k}.date`, 'date', m.date).add('. '),
  (t, k, m) => t.add('On ').mark(`${k}.date`, 'date', m.date).add(' the patient was placed on ').begin(`${k}.mention`, 'mention').mark(`${k}.name`, 'med', m.name).add(' ').mark(`${k}.dose`, 'dose', m.dose).add(' ').mark(`${k}.freq`, 'freq', m.freq).end(`${k}.mention`).add(' to treat ').mark(`${k}.reason`, 'reason', m.reason).add('. '),
  (t, k, m) => t.add('For ').mark(`${k}.reason`, 'reason', m.reason).add(', ').begin(`${k}.mention`, 'mention').mark(`${k}.name`, 'med', m.name).add(' ').mark(`${k}.dose`, 'dose', m.dose).add(' ').mark(`${k}.freq`, 'freq', m.freq).end(`${k}.mention`).add(' was initiated on ').mark(`${k}.date`, 'date', m.date).add('. '),
  (t, k, m, he) => t.add(`${he} continues `).begin(`${k}.mention`, 'mention').mark(`${k}.name`, 'med', m.name).add(' ').mark(`${k}.dose`, 'dose', m.dose).add(' ').mark(`${k}.freq`, 'freq', m.freq).end(`${k}.mention`).add(' for ').mark(`${k}.reason`, 'reason', m.reason).add(', first prescribed on ').mark(`${k}.date`, 'date', m.date).add('. '),
  (t, k, m) => t.begin(`${k}.mention`, 'mention').mark(`${k}.name`, 'med', cap(m.name)).add(' ').mark(`${k}.dose`, 'dose', m.dose).add(' ').mark(`${k}.freq`, 'freq', m.freq).end(`${k}.mention`).add(' was begun on ').mark(`${k}.date`, 'date', m.date).add(' because of ').mark(`${k}.reason`, 'reason', m.reason).add('. '),
];

type TestSentence = (t: NoteText, k: string, x: TestFact) => void;

const TEST_SENTENCES: TestSentence[] = [
  (t, k, x) => t.add(`A ${x.name} on `).mark(`${k}.date`, 'date', x.date).add(' showed ').mark(`${k}.result`, 'result', x.result).add('. '),
  (t, k, x) => t.add(`${cap(x.name)} performed on `).mark(`${k}.date`, 'date', x.date).add(' revealed ').mark(`${k}.result`, 'result', x.result).add('. '),
  (t, k, x) => t.add('On ').mark(`${k}.date`, 'date', x.date).add(`, the ${x.name} was notable for `).mark(`${k}.result`, 'result', x.result).add('. '),
  (t, k, x) => t.add(`The ${x.name} obtained `).mark(`${k}.date`, 'date', x.date).add(' demonstrated ').mark(`${k}.result`, 'result', x.result).add('. '),
];

function medAsks(k: string, name: string, reason: string, reasonUnique: boolean): Ask[] {
  const asks: Ask[] = [
    { answer: `${k}.dose`, phrasings: [`What is the dosage of ${name}?`, `What dose of ${name} is the patient on?`, `How much ${name} does the patient take?`] },
    { answer: `${k}.freq`, phrasings: [`How often does the patient take ${name}?`, `What is the frequency of ${name}?`] },
    { answer: `${k}.reason`, phrasings: [`Why was the patient given ${name}?`, `Why is the patient on ${name}?`, `What is ${name} prescribed for?`] },
    { answer: `${k}.mention`, phrasings: [`Has the patient ever been on ${name}?`, `Has the patient ever received ${name}?`] },
    { answer: `${k}.date`, phrasings: [`When was ${name} started?`, `When was the patient started on ${name}?`] },
  ];
  if (reasonUnique) asks.push({ answer: `${k}.name`, phrasings: [`What medication was given for ${reason}?`, `What was the patient treated with for ${reason}?`] });
  return asks;
}

function testAsks(k: string, name: string): Ask[] {
  return [
    { answer: `${k}.date`, phrasings: [`When was the ${name} done?`, `When was the ${name} performed?`, `What was the date of the ${name}?`] },
    { answer: `${k}.result`, phrasings: [`What was the result of the ${name}?`, `What did the ${name} show?`] },
  ];
}

function makeNote(rng: Rng, n: number): Note {
  const t = new NoteText();
  const female = rng.nextInt(2) === 0;
  const he = female ? 'She' : 'He';
  const age = 24 + rng.nextInt(70);
  const admit = date(rng);
  const complaint = pick(rng, COMPLAINTS);
  const service = pick(rng, SERVICES);
  if (rng.nextInt(2) === 0) {
    t.add(`Patient is a ${age}-year-old ${female ? 'woman' : 'man'} admitted to ${service} on `).mark('admit', 'date', admit).add(' with ').mark('complaint', 'complaint', complaint).add('. ');
  } else {
    t.add(`This ${age}-year-old ${female ? 'woman' : 'man'} presented on `).mark('admit', 'date', admit).add(' with ').mark('complaint', 'complaint', complaint).add(` and was admitted to ${service}. `);
  }
  const [dx1, dx2, dxOut] = pickDistinct(rng, DIAGNOSES, 3);
  t.add('Past medical history is significant for ').mark('history', 'history', `${dx1} and ${dx2}`).add('. ');

  const meds: Medication[] = pickDistinct(rng, MEDICATIONS, 2 + rng.nextInt(2));
  const tests: LabTest[] = pickDistinct(rng, TESTS, 1 + rng.nextInt(2));
  const medFacts: MedFact[] = meds.map((m) => ({ name: m.name, dose: pick(rng, m.doses), freq: pick(rng, m.frequencies), reason: pick(rng, m.reasons), date: date(rng) }));
  const testFacts: TestFact[] = tests.map((x) => ({ name: x.name, result: pick(rng, x.results), date: date(rng) }));
  // Interleave medication and test sentences so position alone does not give the answer away.
  const order = rng.shuffleInPlace([...medFacts.map((_, i) => `m${i}`), ...testFacts.map((_, i) => `t${i}`)]);
  for (const k of order) {
    const i = Number(k.slice(1));
    if (k[0] === 'm') pick(rng, MED_SENTENCES)(t, k, medFacts[i], he);
    else pick(rng, TEST_SENTENCES)(t, k, testFacts[i]);
  }
  t.add('Discharge diagnosis was ').mark('dx', 'diagnosis', dxOut).add('. ');
  t.add(pick(rng, [`${he} was discharged home in stable condition with follow-up in ${2 + rng.nextInt(6)} weeks.`, `Plan to recheck labs in ${3 + rng.nextInt(10)} days and follow up with the primary care physician.`, `${he} will return to clinic in ${1 + rng.nextInt(4)} weeks.`]));

  const asks: Ask[] = [
    { answer: 'admit', phrasings: ['When was the patient admitted?', 'What was the date of admission?'] },
    { answer: 'complaint', phrasings: ['What brought the patient to the hospital?', 'What was the chief complaint?'] },
    { answer: 'history', phrasings: ["What is the patient's past medical history?", 'What conditions does the patient have a history of?'] },
    { answer: 'dx', phrasings: ['What was the discharge diagnosis?', 'What was the patient diagnosed with at discharge?'] },
  ];
  medFacts.forEach((m, i) => asks.push(...medAsks(`m${i}`, m.name, m.reason, medFacts.filter((o) => o.reason === m.reason).length === 1)));
  testFacts.forEach((x, i) => asks.push(...testAsks(`t${i}`, x.name)));
  return { context: t.toString(), facts: t.facts, asks, title: `demo-note-${String(n).padStart(4, '0')}`, meds: medFacts, tests: testFacts };
}

interface Row {
  record: QARecord;
  note: Note;
  ask: Ask;
}

function record(note: Note, question: string, fact: Fact): QARecord {
  return {
    id: exampleId(question, note.context),
    title: note.title,
    context: note.context,
    question,
    answers: { text: [fact.text], answer_start: [fact.start], answer_end: [fact.start + fact.text.length] },
  };
}

function cleanRows(rng: Rng, count: number, noteOffset: number): Row[] {
  const rows: Row[] = [];
  const ids = new Set<string>();
  for (let n = noteOffset; rows.length < count; n++) {
    const note = makeNote(rng, n);
    const asks = rng.shuffleInPlace(note.asks.slice()).slice(0, 5 + rng.nextInt(3));
    for (const ask of asks) {
      if (rows.length === count) break;
      const rec = record(note, pick(rng, ask.phrasings), note.facts[ask.answer]);
      if (ids.has(rec.id)) continue;
      ids.add(rec.id);
      rows.push({ record: rec, note, ask });
    }
  }
  return rows;
}

function otherFact(rng: Rng, note: Note, not: Fact): Fact | null {
  const all = Object.values(note.facts).filter((f) => f.text !== not.text);
  const same = all.filter((f) => f.type === not.type);
  if (same.length) return pick(rng, same);
  return all.length ? pick(rng, all) : null;
}

// Small surface edits, as annotators' templated questions drift: the question reads the same.
const EDITS: [RegExp, string][] = [
  [/^What is /, "What's "],
  [/the patient/, 'the pt'],
  [/dosage/, 'dose'],
  [/\?$/, ' ?'],
  [/^When was /, 'when was '],
  [/^What was /, 'what was '],
];

function nearDuplicate(rng: Rng, question: string): string {
  const applicable = EDITS.filter(([re]) => re.test(question));
  const [re, to] = pick(rng, applicable);
  return question.replace(re, to);
}

function shiftSpan(rng: Rng, rec: QARecord): QARecord {
  const { context } = rec;
  const start = rec.answers.answer_start[0];
  const len = rec.answers.text[0].length;
  for (let tries = 0; tries < 20; tries++) {
    const shift = (1 + rng.nextInt(6)) * (rng.nextInt(2) === 0 ? -1 : 1);
    const s = start + shift;
    if (s < 0 || s + len > context.length) continue;
    const text = context.slice(s, s + len);
    if (text === rec.answers.text[0] || text.trim() === '') continue;
    return { ...rec, answers: { text: [text], answer_start: [s], answer_end: [s + len] } };
  }
  const s = start > 0 ? start - 1 : start + 1;
  return { ...rec, answers: { text: [context.slice(s, s + len)], answer_start: [s], answer_end: [s + len] } };
}

/**
 * Corrupts round(rate × rows) rows of a split, each with one of the NOISE_KINDS, recorded in
 * `noise`. Every corrupted answer is still a real span of its context (text == context[start:end]),
 * so the rows pass validation and only training dynamics can reveal them.
 */
function addNoise(rng: Rng, rows: Row[], rate: number): void {
  const n = Math.round(rows.length * rate);
  const ids = new Set(rows.map((r) => r.record.id));
  const chosen = Array.from(rng.permutation(rows.length).slice(0, n));
  const chosenSet = new Set(chosen);
  chosen.forEach((i, j) => {
    const row = rows[i];
    const kind = NOISE_KINDS[j % NOISE_KINDS.length];
    const gold: Fact = { start: row.record.answers.answer_start[0], text: row.record.answers.text[0], type: row.note.facts[row.ask.answer].type };
    if (kind === 'conflicting_duplicate') {
      // Re-ask a clean sibling's question with a small edit, and give it another same-type answer.
      const sibling = rows.find((r, k) => r.note === row.note && k !== i && !chosenSet.has(k));
      if (sibling) {
        const sibFact = sibling.note.facts[sibling.ask.answer];
        const phrasing = nearDuplicate(rng, sibling.record.question);
        const wrong = otherFact(rng, row.note, sibFact);
        if (phrasing && wrong && !ids.has(exampleId(phrasing, row.note.context))) {
          ids.delete(row.record.id);
          row.record = { ...record(row.note, phrasing, wrong), noise: kind };
          ids.add(row.record.id);
          return;
        }
      }
    }
    if (kind !== 'shifted_span') {
      const wrong = otherFact(rng, row.note, gold);
      if (wrong) {
        row.record = { ...record(row.note, row.record.question, wrong), noise: 'wrong_answer' };
        return;
      }
    }
    row.record = { ...shiftSpan(rng, row.record), noise: 'shifted_span' };
  });
}

/**
 * The embedded demo dataset: clinical notes in the style of emrQA (medications with doses,
 * frequencies, reasons and start dates; tests with dates and results; admission and discharge
 * facts) with templated questions whose answers are short spans, in SQuAD format with answer_end.
 * Deterministic for a seed; train and validation come from different notes.
 */
export function generateDemoDataset(opts: DemoOptions = {}): DemoDataset {
  const seed = opts.seed ?? DEMO_DEFAULTS.seed;
  const rate = opts.noiseRate ?? DEMO_DEFAULTS.noiseRate;
  const trainRows = cleanRows(createRng(deriveSeed(seed, 'demo-train')), opts.trainRows ?? DEMO_DEFAULTS.trainRows, 0);
  const valRows = cleanRows(createRng(deriveSeed(seed, 'demo-validation')), opts.validationRows ?? DEMO_DEFAULTS.validationRows, 100000);
  addNoise(createRng(deriveSeed(seed, 'demo-noise-train')), trainRows, rate);
  addNoise(createRng(deriveSeed(seed, 'demo-noise-validation')), valRows, rate);
  return { train: trainRows.map((r) => r.record), validation: valRows.map((r) => r.record) };
}

// The recap's item shapes put each attribute at a different distance from the name, so a masked
// attribute is found by matching the name to its sentence in the note, not by position.
const MED_RECAP: ((m: MedFact) => string)[] = [
  (m) => `${m.name} ${m.dose} ${m.freq}`,
  (m) => `${m.name} ${m.dose} ${m.freq} for ${m.reason}`,
  (m) => `${m.name} for ${m.reason}, ${m.dose} ${m.freq}`,
  (m) => `${m.name} (started ${m.date}) ${m.dose} ${m.freq}`,
  (m) => `${m.name} ${m.dose} ${m.freq} since ${m.date} for ${m.reason}`,
];
const TEST_RECAP: ((x: TestFact) => string)[] = [(x) => `${x.name} ${x.date}: ${x.result}`, (x) => `${x.name}: ${x.result} (${x.date})`, (x) => `${x.result} on the ${x.name} of ${x.date}`];

/**
 * A discharge summary's closing lists: the note's medications and tests restated in a shuffled
 * order and varied shapes, as real summaries restate them. In pretraining, a masked dose, date or
 * reason in a list is best predicted by finding the same drug or test earlier in the note: the
 * question-to-context matching extractive QA needs, learnt from text alone.
 */
function recap(rng: Rng, note: Note): string {
  const meds = rng.shuffleInPlace(note.meds.slice()).map((m) => pick(rng, MED_RECAP)({ ...m, name: m.name.toLowerCase() }));
  const tests = rng.shuffleInPlace(note.tests.slice()).map((x) => pick(rng, TEST_RECAP)(x));
  return `${pick(rng, ['Discharge medications', 'Medications on discharge', 'Current medications'])}: ${meds.join('; ')}. ${pick(rng, ['Studies', 'Results', 'Diagnostics'])}: ${tests.join('; ')}.`;
}

export interface DemoNote {
  /** The note as the demo dataset writes its contexts. */
  context: string;
  /** Its closing medication and test lists (pretraining text only: demo contexts have none). */
  recap: string;
}

/**
 * `count` demo notes (contexts only: no questions, no answers) from their own stream of `seed`, for
 * self-supervised pretraining, each with its recap. A different seed than the demo dataset's
 * gives different notes; demoPretrainingCorpus also drops any that happens to equal a demo note.
 */
export function generateDemoNotes(seed: number, count: number): DemoNote[] {
  const rng = createRng(deriveSeed(seed, 'demo-pretraining-notes'));
  const recapRng = createRng(deriveSeed(seed, 'demo-pretraining-recap'));
  return Array.from({ length: count }, (_, n) => {
    const note = makeNote(rng, n);
    return { context: note.context, recap: recap(recapRng, note) };
  });
}
