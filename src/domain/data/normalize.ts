import type { QARecord } from './types';
import type { Problem } from './problems';
import type { RawRow } from './raw-row';

/** The outcome of checking one raw record. */
export interface CheckedRow {
  /** Null when the row is structurally unusable (missing or wrong-typed fields, empty text). */
  record: QARecord | null;
  problems: Problem[];
  /** Index of every answer whose span does not match the context (repairable). */
  badSpans: number[];
  /** The id given in the file, if any (empty strings count as none). */
  givenId: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function toInt(v: unknown): number | null {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return null;
}

/** Both shapes the Hugging Face world uses: {text[], answer_start[], answer_end[]?} or [{text, answer_start, answer_end?}]. */
function readAnswers(v: unknown, problems: Problem[]): { text: string[]; start: number[]; end: number[] | null } | null {
  // Only this field's own problems decide whether to go on; earlier fields may have added theirs.
  const before = problems.length;
  const failed = () => problems.length > before;
  let texts: unknown;
  let starts: unknown;
  let ends: unknown;
  if (Array.isArray(v)) {
    texts = [];
    starts = [];
    const e: unknown[] = [];
    let anyEnd = false;
    for (let i = 0; i < v.length; i++) {
      const a = v[i];
      if (!isObject(a)) {
        problems.push({ kind: 'wrong_type', field: `answers[${i}]`, message: `answers[${i}] must be an object with text and answer_start, got ${typeName(a)}` });
        return null;
      }
      if (!('text' in a)) problems.push({ kind: 'missing_field', field: `answers[${i}].text`, message: `answers[${i}] has no "text"` });
      if (!('answer_start' in a)) problems.push({ kind: 'missing_field', field: `answers[${i}].answer_start`, message: `answers[${i}] has no "answer_start"` });
      (texts as unknown[]).push(a.text);
      (starts as unknown[]).push(a.answer_start);
      if ('answer_end' in a) anyEnd = true;
      e.push(a.answer_end);
    }
    if (failed()) return null;
    ends = anyEnd ? e : undefined;
  } else if (isObject(v)) {
    texts = v.text;
    starts = v.answer_start;
    ends = v.answer_end;
    if (texts === undefined) problems.push({ kind: 'missing_field', field: 'answers.text', message: 'answers has no "text" list' });
    if (starts === undefined) problems.push({ kind: 'missing_field', field: 'answers.answer_start', message: 'answers has no "answer_start" list' });
    if (failed()) return null;
  } else {
    problems.push({ kind: 'wrong_type', field: 'answers', message: `answers must be an object {text, answer_start} or a list of them, got ${typeName(v)}` });
    return null;
  }

  const field = (name: string, i?: number) => (Array.isArray(v) ? `answers[${i}].${name}` : `answers.${name}${i === undefined ? '' : `[${i}]`}`);
  if (!Array.isArray(texts)) {
    problems.push({ kind: 'wrong_type', field: field('text'), message: `answers.text must be a list of strings, got ${typeName(texts)}` });
    return null;
  }
  if (!Array.isArray(starts)) {
    problems.push({ kind: 'wrong_type', field: field('answer_start'), message: `answers.answer_start must be a list of integers, got ${typeName(starts)}` });
    return null;
  }
  if (ends !== undefined && ends !== null && !Array.isArray(ends)) {
    problems.push({ kind: 'wrong_type', field: field('answer_end'), message: `answers.answer_end must be a list of integers, got ${typeName(ends)}` });
    return null;
  }
  const text: string[] = [];
  const start: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== 'string') problems.push({ kind: 'wrong_type', field: field('text', i), message: `answer text ${i} must be a string, got ${typeName(texts[i])}` });
    else text.push(texts[i]);
  }
  for (let i = 0; i < starts.length; i++) {
    const n = toInt(starts[i]);
    if (n === null) problems.push({ kind: 'wrong_type', field: field('answer_start', i), message: `answer_start ${i} must be an integer, got ${typeName(starts[i])} ${JSON.stringify(String(starts[i]))}` });
    else start.push(n);
  }
  let end: number[] | null = null;
  if (Array.isArray(ends) && ends.length > 0) {
    end = [];
    for (let i = 0; i < ends.length; i++) {
      const n = toInt(ends[i]);
      if (n === null) problems.push({ kind: 'wrong_type', field: field('answer_end', i), message: `answer_end ${i} must be an integer, got ${typeName(ends[i])}` });
      else end.push(n);
    }
  }
  if (failed()) return null;
  if (text.length !== start.length) {
    problems.push({ kind: 'answer_count_mismatch', field: 'answers', message: `${text.length} answer texts but ${start.length} answer_start values` });
    return null;
  }
  if (end && end.length !== text.length) {
    problems.push({ kind: 'answer_count_mismatch', field: 'answers', message: `${text.length} answer texts but ${end.length} answer_end values` });
    return null;
  }
  return { text, start, end };
}

function readText(row: Record<string, unknown>, name: 'context' | 'question', problems: Problem[]): string | null {
  const v = row[name];
  if (v === undefined) {
    problems.push({ kind: 'missing_field', field: name, message: `no "${name}" field` });
    return null;
  }
  if (typeof v !== 'string') {
    problems.push({ kind: 'wrong_type', field: name, message: `"${name}" must be a string, got ${typeName(v)}` });
    return null;
  }
  if (v.trim() === '') {
    problems.push({ kind: name === 'context' ? 'empty_context' : 'empty_question', field: name, message: `"${name}" is empty` });
    return null;
  }
  return v;
}

/** Where the answer's span ends in the Python pipeline: answer_end when given, else start + len(text). */
export function answerEnd(answers: QARecord['answers'], i: number): number {
  return answers.answer_end?.[i] ?? answers.answer_start[i] + answers.text[i].length;
}

const ASTRAL = /[\uD800-\uDBFF][\uDC00-\uDFFF]/;

/** UTF-16 index of the code point at `cp` (clamped to the end). */
function utf16Index(context: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < context.length; n++) i += context.codePointAt(i)! > 0xffff ? 2 : 1;
  return i;
}

/**
 * Python (and so every Hub dataset) counts answer offsets in code points; JavaScript strings index
 * UTF-16 units. They differ only after a character outside the Basic Multilingual Plane (emoji,
 * rare CJK). When a span does not match as UTF-16 but matches as code points, it is converted in
 * place, so the stored row slices correctly here. Returns how many spans were converted.
 */
export function convertCodePointSpans(rec: QARecord): number {
  const { answers, context } = rec;
  if (!ASTRAL.test(context)) return 0;
  let converted = 0;
  for (let i = 0; i < answers.text.length; i++) {
    const start = answers.answer_start[i];
    const end = answerEnd(answers, i);
    if (context.slice(start, end) === answers.text[i]) continue;
    const s16 = utf16Index(context, start);
    const e16 = answers.answer_end ? utf16Index(context, answers.answer_end[i]) : s16 + answers.text[i].length;
    if (context.slice(s16, e16) !== answers.text[i]) continue;
    answers.answer_start[i] = s16;
    if (answers.answer_end) answers.answer_end[i] = e16;
    converted++;
  }
  return converted;
}

/** Checks each answer span against the context; returns the indexes of the bad ones and adds their problems. */
export function checkSpans(rec: QARecord, problems: Problem[]): number[] {
  const bad: number[] = [];
  const { answers, context } = rec;
  for (let i = 0; i < answers.text.length; i++) {
    const start = answers.answer_start[i];
    const end = answerEnd(answers, i);
    const field = answers.answer_end ? `answers.answer_start[${i}]/answer_end[${i}]` : `answers.answer_start[${i}]`;
    if (start < 0 || end < start || end > context.length) {
      problems.push({ kind: 'answer_out_of_range', field, message: `span [${start}, ${end}) lies outside the context (length ${context.length})` });
      bad.push(i);
    } else if (context.slice(start, end) !== answers.text[i]) {
      const found = context.slice(start, end);
      problems.push({
        kind: 'answer_mismatch',
        field,
        message: `answer text ${JSON.stringify(clip(answers.text[i]))} != context[${start}:${end}] ${JSON.stringify(clip(found))}`,
      });
      bad.push(i);
    }
  }
  return bad;
}

function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** Validates one raw record into a QARecord (id still unset when the file gave none). */
export function checkRow(raw: RawRow): CheckedRow {
  const problems: Problem[] = [];
  const fail = (): CheckedRow => ({ record: null, problems, badSpans: [], givenId: null });
  if (raw.parseError !== undefined) {
    problems.push({ kind: 'invalid_json', field: '', message: raw.parseError });
    return fail();
  }
  const row = raw.value;
  if (!isObject(row)) {
    problems.push({ kind: 'not_an_object', field: '', message: `a row must be an object, got ${typeName(row)}` });
    return fail();
  }
  const context = readText(row, 'context', problems);
  const question = readText(row, 'question', problems);
  let answers: ReturnType<typeof readAnswers> = null;
  if (row.answers === undefined) problems.push({ kind: 'missing_field', field: 'answers', message: 'no "answers" field' });
  else answers = readAnswers(row.answers, problems);

  let givenId: string | null = null;
  if (row.id !== undefined && row.id !== null) {
    if (typeof row.id === 'string') givenId = row.id === '' ? null : row.id;
    else if (typeof row.id === 'number' || typeof row.id === 'bigint') givenId = String(row.id);
    else problems.push({ kind: 'wrong_type', field: 'id', message: `"id" must be a string, got ${typeName(row.id)}` });
  }
  let title: string | undefined;
  if (row.title !== undefined && row.title !== null) {
    if (typeof row.title === 'string') title = row.title;
    else problems.push({ kind: 'wrong_type', field: 'title', message: `"title" must be a string, got ${typeName(row.title)}` });
  }
  if (problems.length || context === null || question === null || answers === null) return { ...fail(), givenId };

  const record: QARecord = {
    id: givenId ?? '',
    context,
    question,
    answers: { text: answers.text, answer_start: answers.start, ...(answers.end ? { answer_end: answers.end } : {}) },
  };
  if (title !== undefined) record.title = title;
  convertCodePointSpans(record);
  const badSpans = checkSpans(record, problems);
  return { record, problems, badSpans, givenId };
}
