/**
 * Weights on the host (CPU memory), independent of any tfjs backend: what the file readers
 * produce and the writers consume. Float data is always float32 here.
 */

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Tensors by Hugging Face parameter name, in insertion order. */
export type HostTensorMap = Map<string, HostTensor>;

export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads `count` little-endian float32 values starting at `offset` (any alignment). */
export function readF32LE(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

/** Writes float32 values little-endian at `offset` of `target`. */
export function writeF32LE(target: Uint8Array, offset: number, values: Float32Array): void {
  if (LITTLE_ENDIAN_HOST) {
    target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
  } else {
    const view = new DataView(target.buffer, target.byteOffset + offset, values.length * 4);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  }
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE half → float32 (exact; subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 is the upper half of a float32. */
export function bf16ToFloat(b: number): number {
  u32Scratch[0] = (b & 0xffff) << 16;
  return f32Scratch[0];
}

/** Reads `count` little-endian 16-bit floats (F16 or BF16) into float32. */
export function read16LE(bytes: Uint8Array, offset: number, count: number, kind: 'F16' | 'BF16'): Float32Array {
  const out = new Float32Array(count);
  const conv = kind === 'F16' ? halfToFloat : bf16ToFloat;
  for (let i = 0; i < count; i++) {
    const p = offset + i * 2;
    out[i] = conv(bytes[p] | (bytes[p + 1] << 8));
  }
  return out;
}

/** Reads `count` little-endian float64 values into float32 (rounded). */
export function readF64LE(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 8);
  for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
