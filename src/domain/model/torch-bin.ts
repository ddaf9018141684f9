/**
 * Reader for PyTorch `pytorch_model.bin` state dicts, both layouts `torch.save` has written:
 *
 * - zip (torch ≥ 1.6): `<dir>/data.pkl` is a pickle of the state dict whose tensors reference
 *   storages by persistent id ('storage', <torch.XStorage>, key, location, numel); the bytes of
 *   storage `key` are the zip entry `<dir>/data/<key>`, little-endian.
 * - legacy (torch < 1.6, e.g. checkpoints uploaded in early 2020): several pickles in a row
 *   (magic number, protocol version, sys info, the state dict, the list of storage keys), then
 *   for each key in that list an int64 element count followed by the raw storage bytes.
 *
 * Tensors are rebuilt by `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`,
 * which we interpret ourselves; any other global in the pickle is refused.
 */
import { unzipSync } from 'fflate';
import { sizeOfShape, readF32LE, read16LE, readF64LE, type HostTensorMap } from './host-tensor';
import { PyDict, PyGlobal, PyTuple, unpickle, type UnpickleHooks } from './pickle';

export class TorchBinError extends Error {
  constructor(source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = 'TorchBinError';
  }
}

const STORAGE_DTYPES: Record<string, { dtype: string; bytes: number }> = {
  FloatStorage: { dtype: 'F32', bytes: 4 },
  HalfStorage: { dtype: 'F16', bytes: 2 },
  BFloat16Storage: { dtype: 'BF16', bytes: 2 },
  DoubleStorage: { dtype: 'F64', bytes: 8 },
  LongStorage: { dtype: 'I64', bytes: 8 },
  IntStorage: { dtype: 'I32', bytes: 4 },
  ShortStorage: { dtype: 'I16', bytes: 2 },
  CharStorage: { dtype: 'I8', bytes: 1 },
  ByteStorage: { dtype: 'U8', bytes: 1 },
  BoolStorage: { dtype: 'BOOL', bytes: 1 },
};

const ALLOWED_CALLS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_parameter',
]);

interface StorageRef {
  kind: 'storage';
  key: string;
  dtype: string;
  elemBytes: number;
  /** Element offset into the root storage (legacy views), else 0. */
  elemOffset: number;
  numel: number;
}

interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  size: number[];
  stride: number[];
}

export interface TorchStateDict {
  tensors: HostTensorMap;
  /** Integer/bool tensors (e.g. `position_ids` buffers): listed, not decoded. */
  nonFloat: { name: string; dtype: string; shape: number[] }[];
}

function asIntArray(v: unknown, what: string, source: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
  if (!items || !items.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
    throw new TorchBinError(source, `${what} must be a tuple of non-negative integers`);
  }
  return items as number[];
}

function makeHooks(source: string, legacy: boolean): UnpickleHooks {
  return {
    allowGlobal(g: PyGlobal): boolean {
      if (ALLOWED_CALLS.has(g.qualified)) return true;
      return g.module === 'torch' && g.name in STORAGE_DTYPES;
    },
    call(g: PyGlobal, args: unknown[]): unknown {
      switch (g.qualified) {
        case 'collections.OrderedDict':
          if (args.length !== 0) throw new TorchBinError(source, 'OrderedDict called with arguments');
          return new PyDict();
        case 'torch._utils._rebuild_parameter':
          return args[0];
        case 'torch._utils._rebuild_tensor':
        case 'torch._utils._rebuild_tensor_v2': {
          const [storage, offset, size, stride] = args;
          if (!storage || (storage as StorageRef).kind !== 'storage') {
            throw new TorchBinError(source, `${g.qualified}: first argument is not a storage`);
          }
          if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
            throw new TorchBinError(source, `${g.qualified}: storage offset must be a non-negative integer`);
          }
          const ref: TensorRef = {
            kind: 'tensor',
            storage: storage as StorageRef,
            offset,
            size: asIntArray(size, 'tensor size', source),
            stride: asIntArray(stride, 'tensor stride', source),
          };
          if (ref.size.length !== ref.stride.length) throw new TorchBinError(source, 'tensor size and stride differ in rank');
          return ref;
        }
        default:
          throw new TorchBinError(source, `call of ${g.qualified} is not allowed`);
      }
    },
    persistentLoad(pid: unknown): unknown {
      if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage') {
        throw new TorchBinError(source, 'persistent id is not a storage tuple');
      }
      const [, type, key, , numel, view] = pid.items;
      if (!(type instanceof PyGlobal) || !(type.name in STORAGE_DTYPES)) {
        throw new TorchBinError(source, 'storage type is not a known torch storage class');
      }
      if (typeof key !== 'string' && typeof key !== 'number') throw new TorchBinError(source, 'storage key must be a string');
      if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
        throw new TorchBinError(source, `storage ${key}: element count must be a non-negative integer`);
      }
      const { dtype, bytes } = STORAGE_DTYPES[type.name];
      const ref: StorageRef = { kind: 'storage', key: String(key), dtype, elemBytes: bytes, elemOffset: 0, numel };
      if (legacy && view !== null && view !== undefined) {
        // (view_key, offset, view_size): a slice of the root storage `key`.
        if (!(view instanceof PyTuple) || view.items.length !== 3) throw new TorchBinError(source, 'malformed storage view metadata');
        const [, vOffset, vSize] = view.items;
        if (typeof vOffset !== 'number' || typeof vSize !== 'number' || vOffset < 0 || vSize < 0 || vOffset + vSize > numel) {
          throw new TorchBinError(source, `storage ${key}: view outside its root storage`);
        }
        ref.elemOffset = vOffset;
        ref.numel = vSize;
      }
      return ref;
    },
  };
}

function collectStateDict(root: unknown, source: string): Map<string, TensorRef> {
  if (!(root instanceof PyDict)) throw new TorchBinError(source, 'the pickled object is not a state dict (OrderedDict of tensors)');
  const out = new Map<string, TensorRef>();
  for (const [k, v] of root.map) {
    if (typeof k !== 'string') throw new TorchBinError(source, 'state dict has a key that is not a string');
    if (!v || (v as TensorRef).kind !== 'tensor') {
      throw new TorchBinError(source, `state dict entry "${k}" is not a tensor (is this a full training checkpoint rather than a state dict?)`);
    }
    out.set(k, v as TensorRef);
  }
  return out;
}

/** Decodes the tensors from their storages' bytes (strided copy, every index bounds-checked). */
function materialize(
  refs: Map<string, TensorRef>,
  storageBytes: (key: string) => Uint8Array,
  source: string,
): TorchStateDict {
  const tensors: HostTensorMap = new Map();
  const nonFloat: TorchStateDict['nonFloat'] = [];
  for (const [name, ref] of refs) {
    const { storage, size, stride, offset } = ref;
    const raw = storageBytes(storage.key);
    const rootNumel = Math.floor(raw.length / storage.elemBytes);
    if (storage.elemOffset + storage.numel > rootNumel) {
      throw new TorchBinError(source, `tensor "${name}": storage ${storage.key} has ${rootNumel} elements, needs ${storage.elemOffset + storage.numel}`);
    }
    const count = sizeOfShape(size);
    // Highest element index touched: offset + Σ (size_i - 1) * stride_i.
    let maxIndex = offset;
    for (let i = 0; i < size.length; i++) if (size[i] > 0) maxIndex += (size[i] - 1) * stride[i];
    if (count > 0 && maxIndex >= storage.numel) {
      throw new TorchBinError(source, `tensor "${name}": size ${JSON.stringify(size)} / stride ${JSON.stringify(stride)} reach past its storage of ${storage.numel} elements`);
    }
    // A state dict never holds expanded (stride-0) views; refusing them bounds allocations by the file size.
    if (count > storage.numel) {
      throw new TorchBinError(source, `tensor "${name}" has more elements (${count}) than its storage (${storage.numel})`);
    }
    if (!['F32', 'F16', 'BF16', 'F64'].includes(storage.dtype)) {
      nonFloat.push({ name, dtype: storage.dtype, shape: [...size] });
      continue;
    }
    const base = (storage.elemOffset + offset) * storage.elemBytes;
    const span = count === 0 ? 0 : maxIndex - offset + 1;
    const dense = decodeFloats(raw, base, span, storage.dtype);
    tensors.set(name, { shape: [...size], data: gatherStrided(dense, size, stride, count) });
  }
  return { tensors, nonFloat };
}

function decodeFloats(raw: Uint8Array, byteOffset: number, count: number, dtype: string): Float32Array {
  if (dtype === 'F32') return readF32LE(raw, byteOffset, count);
  if (dtype === 'F16' || dtype === 'BF16') return read16LE(raw, byteOffset, count, dtype);
  return readF64LE(raw, byteOffset, count);
}

function gatherStrided(src: Float32Array, size: number[], stride: number[], count: number): Float32Array {
  let contiguous = true;
  let expect = 1;
  for (let i = size.length - 1; i >= 0; i--) {
    if (size[i] !== 1 && stride[i] !== expect) contiguous = false;
    expect *= size[i];
  }
  if (contiguous) return src.length === count ? src : src.slice(0, count);
  const out = new Float32Array(count);
  const idx = new Array<number>(size.length).fill(0);
  for (let n = 0; n < count; n++) {
    let at = 0;
    for (let d = 0; d < size.length; d++) at += idx[d] * stride[d];
    out[n] = src[at];
    for (let d = size.length - 1; d >= 0; d--) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function readZip(bytes: Uint8Array, source: string): TorchStateDict {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        // Refuse entries whose declared sizes could not come from this file (no huge allocations).
        if (f.compression === 0 && f.size > bytes.length) throw new Error(`entry ${f.name} is larger than the archive`);
        if (f.compression !== 0 && (f.originalSize > 1032 * Math.max(f.size, 1) || f.originalSize > 2 ** 31)) {
          throw new Error(`entry ${f.name} declares an implausible uncompressed size`);
        }
        return true;
      },
    });
  } catch (e) {
    throw new TorchBinError(source, `not a readable zip archive: ${(e as Error).message}`);
  }
  const pklName = Object.keys(files).find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (!pklName) throw new TorchBinError(source, 'zip archive has no data.pkl (not a torch.save file)');
  const prefix = pklName.slice(0, -'data.pkl'.length);
  const order = files[`${prefix}byteorder`];
  if (order && new TextDecoder().decode(order).trim() !== 'little') {
    throw new TorchBinError(source, 'big-endian checkpoints are not supported');
  }
  const { value } = unpickle(files[pklName], makeHooks(source, false), `${source}:${pklName}`);
  const refs = collectStateDict(value, source);
  return materialize(
    refs,
    (key) => {
      const entry = files[`${prefix}data/${key}`];
      if (!entry) throw new TorchBinError(source, `storage ${key} is missing from the archive (${prefix}data/${key})`);
      return entry;
    },
    source,
  );
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

function readLegacy(bytes: Uint8Array, source: string): TorchStateDict {
  const hooks = makeHooks(source, true);
  const plain: UnpickleHooks = {
    allowGlobal: () => false,
    call: () => {
      throw new TorchBinError(source, 'unexpected call in header');
    },
    persistentLoad: () => {
      throw new TorchBinError(source, 'unexpected persistent id in header');
    },
  };
  let r = unpickle(bytes, plain, source, 0);
  if (r.value !== LEGACY_MAGIC) throw new TorchBinError(source, 'not a PyTorch file (bad magic number)');
  r = unpickle(bytes, plain, source, r.end);
  if (r.value !== 1001) throw new TorchBinError(source, `unsupported legacy protocol version ${String(r.value)}`);
  r = unpickle(bytes, plain, source, r.end); // sys_info
  const info = r.value;
  if (info instanceof PyDict && info.map.get('little_endian') === false) {
    throw new TorchBinError(source, 'big-endian checkpoints are not supported');
  }
  r = unpickle(bytes, hooks, source, r.end);
  const refs = collectStateDict(r.value, source);
  r = unpickle(bytes, plain, source, r.end);
  const keys = r.value;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new TorchBinError(source, 'storage key list is malformed');
  }
  // Element size of each root storage, from the tensors that use it.
  const elemBytes = new Map<string, number>();
  for (const ref of refs.values()) elemBytes.set(ref.storage.key, ref.storage.elemBytes);
  const storages = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = r.end;
  for (const key of keys as string[]) {
    if (pos + 8 > bytes.length) throw new TorchBinError(source, `storage ${key}: truncated before its length`);
    const lo = view.getUint32(pos, true);
    const hi = view.getUint32(pos + 4, true);
    pos += 8;
    const size = elemBytes.get(key) ?? 1;
    if (hi !== 0 || lo * size > bytes.length - pos) throw new TorchBinError(source, `storage ${key}: length runs past the end of the file`);
    storages.set(key, bytes.subarray(pos, pos + lo * size));
    pos += lo * size;
  }
  return materialize(
    refs,
    (key) => {
      const s = storages.get(key);
      if (!s) throw new TorchBinError(source, `storage ${key} is not in the file`);
      return s;
    },
    source,
  );
}

/** Reads a PyTorch state dict file (`pytorch_model.bin`), zip or legacy layout. */
export function readPytorchBin(bytes: Uint8Array, source = 'pytorch_model.bin'): TorchStateDict {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return readZip(bytes, source);
  }
  if (bytes.length >= 2 && bytes[0] === 0x80) return readLegacy(bytes, source);
  throw new TorchBinError(source, 'neither a zip archive nor a legacy pickle: not a PyTorch checkpoint');
}
