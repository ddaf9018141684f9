/** One record as it came out of a file, before validation. */
export interface RawRow {
  file: string;
  split: string;
  /** 0-based position of the record in its file. */
  index: number;
  /** Human-readable location: "line 12", "row 55", "data[0].paragraphs[1].qas[3]". */
  where: string;
  /** The decoded value; absent when the record could not be decoded (see parseError). */
  value?: unknown;
  parseError?: string;
}
