/**
 * A file's bytes with random access, the shape hyparquet reads (AsyncBuffer). Files and Hub
 * downloads both fit it, and it can be re-read (the first pass validates, the second imports).
 */
export interface ByteSource {
  name: string;
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

export function bufferSource(name: string, data: ArrayBuffer | Uint8Array): ByteSource {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return {
    name,
    byteLength: bytes.byteLength,
    async slice(start, end = bytes.byteLength) {
      return bytes.slice(start, end).buffer;
    },
  };
}

/** A Blob (or File) read lazily slice by slice, so a large file is never held whole. */
export function blobSource(name: string, blob: Blob): ByteSource {
  return {
    name,
    byteLength: blob.size,
    slice: (start, end = blob.size) => blob.slice(start, end).arrayBuffer(),
  };
}

const READ_CHUNK = 4 << 20;

/** The bytes of a source in order, `chunkSize` at a time; onBytes gets the running total. */
export async function* byteChunks(src: ByteSource, onBytes?: (n: number) => void, chunkSize = READ_CHUNK): AsyncGenerator<Uint8Array> {
  for (let pos = 0; pos < src.byteLength; pos += chunkSize) {
    const end = Math.min(src.byteLength, pos + chunkSize);
    yield new Uint8Array(await src.slice(pos, end));
    onBytes?.(end);
  }
}

/** The chunks of a ReadableStream (a fetch body, Blob.stream()) as an async iterable, releasing the lock at the end. */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Decoded UTF-8 text pieces (BOM dropped); multi-byte characters split across chunks decode whole. */
export async function* textChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  for await (const c of chunks) {
    const s = decoder.decode(c, { stream: true });
    if (s) yield s;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

/** Lines without their terminators ("\n" or "\r\n"); the last line need not end in a newline. */
export async function* textLines(texts: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const s of texts) {
    let from = 0;
    let nl = s.indexOf('\n');
    while (nl !== -1) {
      let line = carry ? carry + s.slice(from, nl) : s.slice(from, nl);
      carry = '';
      if (line.endsWith('\r')) line = line.slice(0, -1);
      yield line;
      from = nl + 1;
      nl = s.indexOf('\n', from);
    }
    carry += s.slice(from);
  }
  if (carry) yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}

/** All of a source's text at once, for formats that must be parsed whole (SQuAD JSON). */
export async function readAllText(src: ByteSource, onBytes?: (n: number) => void): Promise<string> {
  const parts: string[] = [];
  for await (const s of textChunks(byteChunks(src, onBytes))) parts.push(s);
  return parts.join('');
}
