/**
 * Minimal RFC 4180 CSV reading and writing for the artifact files pandas produces and reads
 * (comma separator, double-quote quoting, LF or CRLF line ends, optional UTF-8 BOM).
 */
import { ArtifactParseError } from './errors';

export interface CsvTable {
  header: string[];
  /** Data records, each with its 1-based line number in the file (for error messages). */
  records: { line: number; cells: string[] }[];
}

/** Parses CSV text. Blank lines are skipped; quoted fields may span lines. */
export function parseCsv(text: string, file: string): CsvTable {
  const rows: { line: number; cells: string[] }[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    // Fast path for the common record without quotes: one line, split on commas.
    const nl = text.indexOf('\n', i);
    const end = nl < 0 ? n : nl;
    const seg = text.slice(i, end);
    if (seg.indexOf('"') < 0) {
      const body = seg.endsWith('\r') ? seg.slice(0, -1) : seg;
      if (body !== '') rows.push({ line: startLine, cells: body.split(',') });
      i = end + 1;
      line++;
      continue;
    }
    const cells: string[] = [];
    let cell = '';
    let endOfRecord = false;
    while (!endOfRecord) {
      if (i < n && text[i] === '"' && cell === '') {
        i++;
        let closed = false;
        while (i < n) {
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
            } else {
              i++;
              closed = true;
              break;
            }
          } else {
            if (ch === '\n') line++;
            cell += ch;
            i++;
          }
        }
        if (!closed) throw new ArtifactParseError(file, startLine, null, 'unterminated quoted field');
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new ArtifactParseError(file, line, null, 'unexpected character after a closing quote');
        }
      }
      while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        if (text[i] === '"') throw new ArtifactParseError(file, line, null, 'stray double quote inside an unquoted field');
        cell += text[i++];
      }
      cells.push(cell);
      cell = '';
      if (i >= n) endOfRecord = true;
      else if (text[i] === ',') i++;
      else {
        if (text[i] === '\r' && text[i + 1] === '\n') i++;
        i++;
        line++;
        endOfRecord = true;
      }
    }
    const blank = cells.length === 1 && cells[0] === '';
    if (!blank) rows.push({ line: startLine, cells });
  }
  if (rows.length === 0) throw new ArtifactParseError(file, null, null, 'the file is empty (no header row)');
  const [head, ...records] = rows;
  for (const r of records) {
    if (r.cells.length !== head.cells.length) {
      throw new ArtifactParseError(file, r.line, null, `expected ${head.cells.length} fields as in the header, found ${r.cells.length}`);
    }
  }
  return { header: head.cells, records };
}

/** Quotes a cell the way pandas' default QUOTE_MINIMAL does. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Joins rows into CSV text with LF line ends and a trailing newline (pandas' to_csv layout). */
export function formatCsv(header: string[], rows: string[][]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) lines.push(r.map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads one numeric cell as pandas would write it. Returns null for an empty cell or a NaN
 * spelling; throws for anything else that is not a number.
 */
export function parseNumberCell(raw: string, file: string, line: number, field: string): number | null {
  const s = raw.trim();
  if (s === '' || s === 'nan' || s === 'NaN') return null;
  if (s === 'inf' || s === 'Infinity') return Infinity;
  if (s === '-inf' || s === '-Infinity') return -Infinity;
  if (!FLOAT_RE.test(s)) throw new ArtifactParseError(file, line, field, `"${raw}" is not a number`);
  return Number(s);
}

/** Index of a header column, or -1. Header names are compared after trimming. */
export function columnIndex(header: string[], name: string): number {
  return header.findIndex((h) => h.trim() === name);
}
