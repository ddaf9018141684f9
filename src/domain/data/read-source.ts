import type { RawRow } from './raw-row';
import { byteChunks, readAllText, textChunks, type ByteSource } from './byte-source';
import { DataFileError } from './errors';
import { jsonLinesRows } from './json-lines';
import { jsonArrayRows } from './json-array';
import { jsonDocumentRows } from './squad-json';
import { parquetRows } from './parquet';

export type DataFormat = 'parquet' | 'jsonl' | 'json-array' | 'json-document';

const ROW_KEYS = ['context', 'question', 'answers', 'id'];

async function firstLine(src: ByteSource): Promise<{ line: string; complete: boolean }> {
  let acc = '';
  for await (const s of textChunks(byteChunks(src, undefined, 1 << 20))) {
    acc += s;
    const nl = acc.indexOf('\n');
    if (nl !== -1) return { line: acc.slice(0, nl), complete: true };
  }
  return { line: acc, complete: false };
}

/**
 * Decides how to read a file from its first bytes, falling back on the name: "PAR1" is Parquet,
 * "[" a JSON array, "{" either JSON Lines (first line is a whole row object, as `datasets`' to_json
 * writes even under a .json name) or one JSON document (SQuAD).
 */
export async function detectFormat(src: ByteSource): Promise<DataFormat> {
  const lower = src.name.toLowerCase();
  if (src.byteLength === 0) throw new DataFileError(src.name, 'the file is empty');
  const head = new Uint8Array(await src.slice(0, Math.min(src.byteLength, 64 << 10)));
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return 'parquet';
  if (lower.endsWith('.parquet')) throw new DataFileError(src.name, 'not a Parquet file (it does not start with "PAR1")');
  const text = new TextDecoder().decode(head).replace(/^\uFEFF/, '');
  const first = text.trimStart()[0];
  if (first === undefined) {
    if (src.byteLength <= head.length) throw new DataFileError(src.name, 'the file is empty (only whitespace)');
    throw new DataFileError(src.name, 'the file starts with more than 64 KiB of whitespace');
  }
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.jsonlines')) return 'jsonl';
  if (first === '[') return 'json-array';
  if (first === '{') {
    const { line, complete } = await firstLine(src);
    if (!complete) return 'json-document';
    try {
      const v = JSON.parse(line) as unknown;
      if (typeof v === 'object' && v !== null && ROW_KEYS.some((k) => k in v)) return 'jsonl';
    } catch {
      // A pretty-printed document: its first line alone is not JSON.
    }
    return 'json-document';
  }
  throw new DataFileError(src.name, `not a dataset file: expected Parquet, JSON or JSON Lines, but it starts with ${JSON.stringify(text.trimStart().slice(0, 20))}`);
}

/** The raw rows of one file, whatever its format; onBytes gets the bytes consumed so far. */
export async function* sourceRows(src: ByteSource, split: string, onBytes?: (n: number) => void, format?: DataFormat): AsyncGenerator<RawRow> {
  const fmt = format ?? (await detectFormat(src));
  switch (fmt) {
    case 'parquet':
      yield* parquetRows(src, split, onBytes);
      return;
    case 'jsonl':
      yield* jsonLinesRows(src, split, onBytes);
      return;
    case 'json-array':
      yield* jsonArrayRows(src, split, onBytes);
      return;
    case 'json-document': {
      const text = await readAllText(src, onBytes);
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new DataFileError(src.name, `not valid JSON, the file may be truncated (${(e as Error).message})`);
      }
      yield* jsonDocumentRows(doc, src.name, split);
      return;
    }
  }
}

/** A split name guessed from a file name: train, validation (val, dev, valid) or test; train otherwise. */
export function splitFromFileName(name: string): string {
  const base = name.toLowerCase().replace(/\.[^.]*$/, '');
  if (/(^|[^a-z])(validation|valid|val|dev|eval)([^a-z]|$)/.test(base)) return 'validation';
  if (/(^|[^a-z])test([^a-z]|$)/.test(base)) return 'test';
  return 'train';
}
