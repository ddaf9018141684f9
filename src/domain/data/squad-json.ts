import type { RawRow } from './raw-row';
import { DataFileError } from './errors';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when a parsed JSON document has the SQuAD layout data[].paragraphs[]. */
export function looksLikeSquad(doc: unknown): boolean {
  return isObject(doc) && Array.isArray(doc.data) && (doc.data.length === 0 || (isObject(doc.data[0]) && 'paragraphs' in doc.data[0]));
}

/**
 * Flattens a SQuAD v1.1/v2.0 document (data[].paragraphs[].qas[]) into row objects in the Hugging
 * Face layout. SQuAD v2 unanswerable questions (is_impossible) get empty answers, as in the `squad_v2`
 * Hub dataset; their plausible_answers are not answers. Structural errors above the qas level make
 * the file unreadable; errors inside a qa are left to row validation.
 */
export function* squadRows(doc: unknown, file: string, split: string): Generator<RawRow> {
  if (!isObject(doc) || !Array.isArray(doc.data)) throw new DataFileError(file, 'SQuAD JSON must be an object with a "data" list');
  let index = 0;
  for (let a = 0; a < doc.data.length; a++) {
    const article = doc.data[a];
    if (!isObject(article) || !Array.isArray(article.paragraphs)) {
      throw new DataFileError(file, `data[${a}] must be an object with a "paragraphs" list`);
    }
    const title = typeof article.title === 'string' ? article.title : undefined;
    for (let p = 0; p < article.paragraphs.length; p++) {
      const para = article.paragraphs[p];
      if (!isObject(para) || !Array.isArray(para.qas)) {
        throw new DataFileError(file, `data[${a}].paragraphs[${p}] must be an object with a "qas" list`);
      }
      for (let q = 0; q < para.qas.length; q++) {
        const qa = para.qas[q];
        const where = `data[${a}].paragraphs[${p}].qas[${q}]`;
        if (!isObject(qa)) {
          yield { file, split, index: index++, where, value: qa };
          continue;
        }
        const value: Record<string, unknown> = {
          context: para.context,
          question: qa.question,
          answers: qa.is_impossible === true ? [] : qa.answers,
        };
        if (qa.id !== undefined) value.id = qa.id;
        if (title !== undefined) value.title = title;
        yield { file, split, index: index++, where, value };
      }
    }
  }
}

/** Rows of a parsed JSON document that is either SQuAD, a {"data": [rows]} wrapper, or a single row. */
export function* jsonDocumentRows(doc: unknown, file: string, split: string): Generator<RawRow> {
  if (looksLikeSquad(doc)) {
    yield* squadRows(doc, file, split);
    return;
  }
  if (isObject(doc) && Array.isArray(doc.data)) {
    for (let i = 0; i < doc.data.length; i++) yield { file, split, index: i, where: `data[${i}]`, value: doc.data[i] };
    return;
  }
  if (Array.isArray(doc)) {
    for (let i = 0; i < doc.length; i++) yield { file, split, index: i, where: `element ${i}`, value: doc[i] };
    return;
  }
  if (isObject(doc) && ('context' in doc || 'question' in doc)) {
    yield { file, split, index: 0, where: 'line 1', value: doc };
    return;
  }
  throw new DataFileError(file, 'JSON is neither SQuAD (data[].paragraphs[].qas[]), a list of rows, nor JSON Lines of rows');
}
