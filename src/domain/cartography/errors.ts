/**
 * Errors raised by the cartography and clustering modules. Both carry enough structure for the
 * UI to point at the exact place (file, record, field) and for callers to branch on a code.
 */

/** An imported artifact file is malformed. `record` is a 1-based line number or a record key. */
export class ArtifactParseError extends Error {
  readonly file: string;
  readonly record: string | null;
  readonly field: string | null;

  constructor(file: string, record: string | number | null, field: string | null, problem: string) {
    const where = [
      file,
      record === null ? null : typeof record === 'number' ? `line ${record}` : `record ${record}`,
      field === null ? null : `field "${field}"`,
    ]
      .filter((p): p is string => p !== null)
      .join(', ');
    super(`${where}: ${problem}`);
    this.name = 'ArtifactParseError';
    this.file = file;
    this.record = record === null ? null : String(record);
    this.field = field;
  }
}

export type FilterInputErrorCode = 'missing_input' | 'no_coverage' | 'insufficient_coverage' | 'invalid_option';

/**
 * A data filter cannot run on what it was given. The Python system printed a message and
 * trained on the unfiltered data in these cases; we fail the experiment instead.
 */
export class FilterInputError extends Error {
  readonly code: FilterInputErrorCode;
  readonly filter: string;

  constructor(filter: string, code: FilterInputErrorCode, message: string) {
    super(`${filter}: ${message}`);
    this.name = 'FilterInputError';
    this.code = code;
    this.filter = filter;
  }
}
