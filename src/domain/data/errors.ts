/** A file that cannot be read as a dataset at all (as opposed to bad rows, which are reported). */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}
