import SparkMD5 from 'spark-md5';

const encoder = new TextEncoder();

/**
 * The id the Python system gives a row that has none: the first 16 lowercase hex characters of
 * md5(`${question} | ${context}` encoded as UTF-8). Identical question+context pairs share an id.
 * Hashing the encoded bytes (not the JS string) keeps non-ASCII text byte-identical to hashlib.
 */
export function exampleId(question: string, context: string): string {
  const bytes = encoder.encode(`${question} | ${context}`);
  return SparkMD5.ArrayBuffer.hash(bytes.buffer as ArrayBuffer).slice(0, 16);
}
