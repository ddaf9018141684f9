import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { RawRow } from './raw-row';
import type { ByteSource } from './byte-source';
import { DataFileError } from './errors';

const REQUIRED = ['context', 'question', 'answers'] as const;
const WANTED = ['id', 'title', ...REQUIRED];

async function readMetadata(src: ByteSource): Promise<FileMetaData> {
  if (src.byteLength < 12) throw new DataFileError(src.name, `not a Parquet file (only ${src.byteLength} bytes)`);
  try {
    return await parquetMetadataAsync(src);
  } catch (e) {
    throw new DataFileError(src.name, `not a complete Parquet file: the footer is missing or damaged, the download may be truncated (${(e as Error).message})`);
  }
}

/**
 * Rows of a Parquet file as the Hugging Face Hub stores datasets (answers as a struct of lists;
 * SNAPPY, ZSTD, GZIP, BROTLI or LZ4 pages), decoded one row group at a time so only one group's
 * rows are in memory. Only the columns a QA row uses are read.
 */
export async function* parquetRows(src: ByteSource, split: string, onBytes?: (n: number) => void): AsyncGenerator<RawRow> {
  const metadata = await readMetadata(src);
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const missing = REQUIRED.filter((n) => !names.includes(n));
  if (missing.length) {
    throw new DataFileError(src.name, `Parquet file has no column ${missing.map((m) => `"${m}"`).join(', ')} (columns: ${names.join(', ')})`);
  }
  const columns = WANTED.filter((n) => names.includes(n));
  let rowStart = 0;
  let bytes = 0;
  let index = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: src, metadata, columns, rowStart, rowEnd, compressors });
    } catch (e) {
      throw new DataFileError(src.name, `rows ${rowStart}–${rowEnd - 1} could not be decoded (${(e as Error).message})`);
    }
    for (const value of rows) {
      yield { file: src.name, split, index, where: `row ${index}`, value };
      index++;
    }
    rowStart = rowEnd;
    bytes += Number(group.total_compressed_size ?? group.total_byte_size ?? 0);
    onBytes?.(Math.min(bytes, src.byteLength));
  }
  onBytes?.(src.byteLength);
}
