import type { RawRow } from './raw-row';
import { byteChunks, textChunks, textLines, type ByteSource } from './byte-source';

/**
 * JSON Lines, one record per line, decoded as the bytes arrive: only the current chunk and line
 * are in memory. A line that is not valid JSON becomes a row with parseError (reported, skipped);
 * blank lines are ignored. Indexes count records, `where` names the 1-based line.
 */
export function jsonLinesRows(src: ByteSource, split: string, onBytes?: (n: number) => void): AsyncGenerator<RawRow> {
  return jsonLinesFromChunks(byteChunks(src, onBytes), src.name, split);
}

/** The same from raw byte chunks (e.g. `streamChunks(response.body)`), for sources without random access. */
export async function* jsonLinesFromChunks(chunks: AsyncIterable<Uint8Array>, file: string, split: string): AsyncGenerator<RawRow> {
  let lineNo = 0;
  let index = 0;
  for await (const line of textLines(textChunks(chunks))) {
    lineNo++;
    if (line.trim() === '') continue;
    const row: RawRow = { file, split, index: index++, where: `line ${lineNo}` };
    try {
      row.value = JSON.parse(line);
    } catch (e) {
      row.parseError = `line ${lineNo} is not valid JSON (${(e as Error).message})`;
    }
    yield row;
  }
}
