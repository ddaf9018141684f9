/**
 * safetensors reader and writer (https://github.com/huggingface/safetensors, format section):
 * 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the tensor bytes.
 *
 * The reader trusts nothing in the header: the length is checked against the file and a hard cap
 * before anything is decoded, every entry's dtype/shape/offsets are validated, the byte ranges must
 * lie inside the file and tile it without overlap, and no allocation is sized from the header alone
 * (every output buffer is bounded by bytes actually present in the file).
 */
import { readF32LE, read16LE, readF64LE, sizeOfShape, writeF32LE, type HostTensor, type HostTensorMap } from './host-tensor';

/** The same cap the reference implementation uses for the JSON header. */
export const MAX_HEADER_BYTES = 100_000_000;

const MAX_RANK = 16;

const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  U64: 8,
  I32: 4,
  U32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16']);

export class SafetensorsError extends Error {
  constructor(source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = 'SafetensorsError';
  }
}

export interface SafetensorsEntryInfo {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  /** Float tensors (F32 as stored; F16, BF16 and F64 converted to float32), in header order. */
  tensors: HostTensorMap;
  /** Tensors of non-float dtypes (e.g. an I64 `position_ids` buffer): validated, not decoded. */
  nonFloat: { name: string; dtype: string; shape: number[] }[];
  /** The `__metadata__` string map, empty when absent. */
  metadata: Record<string, string>;
  /** The dtype each float tensor had in the file. */
  sourceDTypes: Map<string, string>;
}

/** Validates the header and returns the entries, without decoding tensor data. */
export function readSafetensorsHeader(
  bytes: Uint8Array,
  source = 'model.safetensors',
): { entries: SafetensorsEntryInfo[]; metadata: Record<string, string>; dataStart: number } {
  if (bytes.length < 8) throw new SafetensorsError(source, `file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLen = hi * 4294967296 + lo;
  if (hi >= 2 ** 21 || headerLen > MAX_HEADER_BYTES) {
    throw new SafetensorsError(source, `header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  if (headerLen > bytes.length - 8) {
    throw new SafetensorsError(source, `header length ${headerLen} runs past the end of the ${bytes.length}-byte file`);
  }
  if (headerLen < 2) throw new SafetensorsError(source, `header length ${headerLen} is too short for a JSON object`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    throw new SafetensorsError(source, 'header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(source, `header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError(source, 'header must be a JSON object');
  }

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntryInfo[] = [];

  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new SafetensorsError(source, '"__metadata__" must be an object of strings');
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(source, `"__metadata__"."${k}" must be a string`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SafetensorsError(source, `${where}: entry must be an object with dtype, shape, data_offsets`);
    }
    const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
      throw new SafetensorsError(source, `${where}: unsupported dtype ${JSON.stringify(dtype)}`);
    }
    if (!Array.isArray(shape) || shape.length > MAX_RANK) {
      throw new SafetensorsError(source, `${where}: shape must be an array of at most ${MAX_RANK} dimensions`);
    }
    let count = 1;
    for (const d of shape) {
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
        throw new SafetensorsError(source, `${where}: shape ${JSON.stringify(shape)} has a dimension that is not a non-negative integer`);
      }
      count *= d;
      // Bounded by the bytes present, so no later allocation can exceed the file size.
      if (count * DTYPE_BYTES[dtype] > dataLen) {
        throw new SafetensorsError(source, `${where}: shape ${JSON.stringify(shape)} needs more bytes than the file holds`);
      }
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
    ) {
      throw new SafetensorsError(source, `${where}: data_offsets must be two non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) throw new SafetensorsError(source, `${where}: data_offsets [${begin}, ${end}] are reversed`);
    if (end > dataLen) {
      throw new SafetensorsError(source, `${where}: data_offsets [${begin}, ${end}] run past the ${dataLen}-byte data section`);
    }
    if (end - begin !== count * DTYPE_BYTES[dtype]) {
      throw new SafetensorsError(
        source,
        `${where}: data_offsets span ${end - begin} bytes but ${dtype} ${JSON.stringify(shape)} needs ${count * DTYPE_BYTES[dtype]}`,
      );
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }

  // The byte ranges must tile the data section: overlap or holes mean a corrupt or crafted file.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin !== cursor) {
      throw new SafetensorsError(
        source,
        e.begin < cursor
          ? `tensor "${e.name}" overlaps the previous tensor (starts at ${e.begin}, previous ends at ${cursor})`
          : `bytes ${cursor}..${e.begin} of the data section belong to no tensor`,
      );
    }
    cursor = e.end;
  }
  if (cursor !== dataLen) {
    throw new SafetensorsError(source, `data section is ${dataLen} bytes but the tensors cover ${cursor}`);
  }
  return { entries, metadata, dataStart };
}

/** Reads a safetensors file; see SafetensorsFile for what is decoded. */
export function readSafetensors(bytes: Uint8Array, source = 'model.safetensors'): SafetensorsFile {
  const { entries, metadata, dataStart } = readSafetensorsHeader(bytes, source);
  const tensors: HostTensorMap = new Map();
  const sourceDTypes = new Map<string, string>();
  const nonFloat: SafetensorsFile['nonFloat'] = [];
  for (const e of entries) {
    if (!FLOAT_DTYPES.has(e.dtype)) {
      nonFloat.push({ name: e.name, dtype: e.dtype, shape: e.shape });
      continue;
    }
    const count = sizeOfShape(e.shape);
    const at = dataStart + e.begin;
    let data: Float32Array;
    if (e.dtype === 'F32') data = readF32LE(bytes, at, count);
    else if (e.dtype === 'F16' || e.dtype === 'BF16') data = read16LE(bytes, at, count, e.dtype);
    else data = readF64LE(bytes, at, count);
    tensors.set(e.name, { shape: [...e.shape], data });
    sourceDTypes.set(e.name, e.dtype);
  }
  return { tensors, nonFloat, metadata, sourceDTypes };
}

/**
 * Writes float32 tensors as safetensors, names sorted, with `__metadata__` {"format": "pt"} so
 * that `transformers` loads the file as a PyTorch checkpoint. The header is space-padded to a
 * multiple of 8 bytes, as the reference writer does, so tensor data stays aligned.
 */
export function writeSafetensors(tensors: HostTensorMap, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const n = sizeOfShape(t.shape);
    if (n !== t.data.length) {
      throw new SafetensorsError('writeSafetensors', `tensor "${name}": shape ${JSON.stringify(t.shape)} holds ${n} values, data has ${t.data.length}`);
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + n * 4] };
    offset += n * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    writeF32LE(out, at, t.data);
    at += t.data.length * 4;
  }
  return out;
}
