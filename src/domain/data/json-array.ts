import type { RawRow } from './raw-row';
import { DataFileError } from './errors';
import { byteChunks, textChunks, type ByteSource } from './byte-source';

const enum C {
  Quote = 34,
  Backslash = 92,
  Comma = 44,
  OpenBrace = 123,
  CloseBrace = 125,
  OpenBracket = 91,
  CloseBracket = 93,
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;

/**
 * The source texts of the elements of a top-level JSON array, found by tracking nesting and strings
 * as the text streams in, so only one element is held at a time. Each element is then JSON.parse'd
 * on its own. A file that ends before the closing "]" (truncated) is an error for the whole file.
 */
export async function* jsonArrayElements(texts: AsyncIterable<string>, file: string): AsyncGenerator<string> {
  // Widened on purpose: TypeScript does not follow the assignments made inside the nested loops.
  let phase = 'before' as string;
  let depth = 0;
  let inString = false;
  let escape = false;
  let pending = '';
  for await (const s of texts) {
    let elemStart = phase === 'element' ? 0 : -1;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (inString) {
        if (escape) escape = false;
        else if (c === C.Backslash) escape = true;
        else if (c === C.Quote) inString = false;
        continue;
      }
      if (phase === 'element') {
        if (c === C.Quote) inString = true;
        else if (c === C.OpenBrace || c === C.OpenBracket) depth++;
        else if ((c === C.CloseBrace || c === C.CloseBracket) && depth > 0) depth--;
        else if (depth === 0 && (c === C.Comma || c === C.CloseBracket)) {
          yield pending + s.slice(elemStart, i);
          pending = '';
          phase = c === C.Comma ? 'between' : 'after';
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (phase === 'before') {
        if (c !== C.OpenBracket) throw new DataFileError(file, 'expected a JSON array of rows ("[" first)');
        phase = 'between';
      } else if (phase === 'between') {
        if (c === C.CloseBracket) phase = 'after';
        else if (c === C.Comma) throw new DataFileError(file, 'JSON array has an empty element (",,")');
        else {
          phase = 'element';
          elemStart = i;
          if (c === C.Quote) inString = true;
          else if (c === C.OpenBrace || c === C.OpenBracket) depth = 1;
        }
      } else {
        throw new DataFileError(file, `unexpected ${JSON.stringify(String.fromCharCode(c))} after the closing "]" of the array`);
      }
    }
    if (phase === 'element') pending += s.slice(elemStart);
  }
  if (phase !== 'after') throw new DataFileError(file, 'the JSON array ends before its closing "]" (the file is truncated or not valid JSON)');
}

/** Rows of a file holding one JSON array of row objects. */
export async function* jsonArrayRows(src: ByteSource, split: string, onBytes?: (n: number) => void): AsyncGenerator<RawRow> {
  let index = 0;
  for await (const text of jsonArrayElements(textChunks(byteChunks(src, onBytes)), src.name)) {
    const row: RawRow = { file: src.name, split, index, where: `element ${index}` };
    index++;
    try {
      row.value = JSON.parse(text);
    } catch (e) {
      row.parseError = `array element ${index - 1} is not valid JSON (${(e as Error).message})`;
    }
    yield row;
  }
}
