/**
 * pytorch_model.bin reading. Python torch is not installed here, so the fixtures are written by
 * hand in the exact byte layout torch.save produces:
 *
 * zip layout (torch ≥ 1.6), entries stored uncompressed:
 *   archive/data.pkl    pickle protocol 2 of an OrderedDict name → tensor, where each tensor is
 *                       REDUCE(torch._utils._rebuild_tensor_v2,
 *                              (BINPERSID(('storage', torch.FloatStorage, key, 'cpu', numel)),
 *                               storage_offset, size_tuple, stride_tuple, False, OrderedDict()))
 *   archive/data/<key>  the storage's raw little-endian bytes
 *   archive/version     "3\n";  archive/byteorder  "little"
 *
 * legacy layout (torch < 1.6): five pickles back to back: the magic number
 * 0x1950a86a20f9469cfc6c (LONG1), the protocol version 1001, a sys-info dict, the state dict
 * (persistent ids carry a 6th element, the view metadata, None here), the list of storage keys;
 * then per key an int64 element count followed by the storage bytes.
 */
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { readPytorchBin } from '../../src/domain/model/torch-bin';

/** Minimal pickle protocol-2 writer for the fixtures. */
class Pickle {
  private bytes: number[] = [];
  private memo = 0;
  raw(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  proto(): this {
    return this.raw(0x80, 2);
  }
  put(): this {
    return this.raw(0x71, this.memo++); // BINPUT
  }
  str(s: string): this {
    const u = new TextEncoder().encode(s);
    this.raw(0x58, u.length & 0xff, (u.length >> 8) & 0xff, 0, 0, ...u); // BINUNICODE
    return this.put();
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.raw(0x4b, n); // BININT1
    if (n >= 0 && n < 65536) return this.raw(0x4d, n & 0xff, n >> 8); // BININT2
    const b = new Uint8Array(new Int32Array([n]).buffer);
    return this.raw(0x4a, ...b); // BININT
  }
  global(module: string, name: string): this {
    this.raw(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`));
    return this.put();
  }
  tuple(build: (p: this) => void): this {
    this.raw(0x28); // MARK
    build(this);
    return this.raw(0x74).put(); // TUPLE
  }
  orderedDict(): this {
    return this.global('collections', 'OrderedDict').raw(0x29, 0x52).put(); // EMPTY_TUPLE REDUCE
  }
  tensor(storageType: string, key: string, numel: number, offset: number, size: number[], stride: number[], legacy = false): this {
    this.global('torch._utils', '_rebuild_tensor_v2');
    return this.tuple((p) => {
      p.tuple((q) => {
        q.str('storage').global('torch', storageType).str(key).str('cpu').int(numel);
        if (legacy) q.raw(0x4e); // view metadata None
      }).raw(0x51); // BINPERSID
      p.int(offset);
      p.tuple((q) => size.forEach((d) => q.int(d)));
      p.tuple((q) => stride.forEach((d) => q.int(d)));
      p.raw(0x89); // NEWFALSE (requires_grad)
      p.orderedDict();
    }).raw(0x52).put(); // REDUCE
  }
  stop(): Uint8Array {
    this.raw(0x2e);
    return new Uint8Array(this.bytes);
  }
}

const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

function stateDictPickle(legacy = false): Uint8Array {
  const p = new Pickle().proto().orderedDict().raw(0x28); // MARK for SETITEMS
  // [2, 3] contiguous float
  p.str('electra.embeddings_project.weight').tensor('FloatStorage', '0', 6, 0, [2, 3], [3, 1], legacy);
  // [3, 2] transposed view of a 6-element storage: element (i, j) = storage[i + 3j]
  p.str('qa_outputs.weight').tensor('FloatStorage', '1', 6, 0, [3, 2], [1, 3], legacy);
  // [2] half, offset 1 into a 3-element storage
  p.str('qa_outputs.bias').tensor('HalfStorage', '2', 3, 1, [2], [1], legacy);
  // int64 buffer: listed, not decoded
  p.str('electra.embeddings.position_ids').tensor('LongStorage', '3', 4, 0, [1, 4], [4, 1], legacy);
  p.raw(0x75); // SETITEMS
  // OrderedDict state set by BUILD (torch stores _metadata this way)
  p.raw(0x7d).raw(0x62); // EMPTY_DICT BUILD
  return p.stop();
}

const storages: Record<string, Uint8Array> = {
  '0': f32(1, 2, 3, 4, 5, 6),
  '1': f32(10, 11, 12, 13, 14, 15),
  '2': new Uint8Array(new Uint16Array([0x0000, 0x3c00, 0xc000]).buffer), // 0, 1, -2
  '3': new Uint8Array(new BigInt64Array([0n, 1n, 2n, 3n]).buffer),
};

function zipCheckpoint(pkl: Uint8Array, data = storages): Uint8Array {
  const entries: Record<string, [Uint8Array, { level: 0 }]> = {
    'archive/data.pkl': [pkl, { level: 0 }],
    'archive/version': [new TextEncoder().encode('3\n'), { level: 0 }],
    'archive/byteorder': [new TextEncoder().encode('little'), { level: 0 }],
  };
  for (const [k, v] of Object.entries(data)) entries[`archive/data/${k}`] = [v, { level: 0 }];
  return zipSync(entries);
}

function legacyCheckpoint(): Uint8Array {
  const magic = new Pickle().proto().raw(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).stop();
  const version = new Pickle().proto().int(1001).stop();
  const sysInfo = new Pickle().proto().raw(0x7d).put().raw(0x28).str('little_endian').raw(0x88).raw(0x75).stop();
  const body = stateDictPickle(true);
  const keys = new Pickle().proto().raw(0x5d).put().raw(0x28).str('0').str('1').str('2').str('3').raw(0x65).stop();
  const parts: Uint8Array[] = [magic, version, sysInfo, body, keys];
  for (const [k, bytesPerElem] of [
    ['0', 4],
    ['1', 4],
    ['2', 2],
    ['3', 8],
  ] as const) {
    parts.push(new Uint8Array(new BigInt64Array([BigInt(storages[k].length / bytesPerElem)]).buffer), storages[k]);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function expectStateDict(sd: ReturnType<typeof readPytorchBin>) {
  expect([...sd.tensors.keys()]).toEqual(['electra.embeddings_project.weight', 'qa_outputs.weight', 'qa_outputs.bias']);
  expect(sd.tensors.get('electra.embeddings_project.weight')).toEqual({ shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) });
  expect(sd.tensors.get('qa_outputs.weight')).toEqual({ shape: [3, 2], data: new Float32Array([10, 13, 11, 14, 12, 15]) });
  expect(sd.tensors.get('qa_outputs.bias')).toEqual({ shape: [2], data: new Float32Array([1, -2]) });
  expect(sd.nonFloat).toEqual([{ name: 'electra.embeddings.position_ids', dtype: 'I64', shape: [1, 4] }]);
}

describe('pytorch_model.bin reader', () => {
  it('reads a zip-format state dict (strided views, half storage, storage offsets)', () => {
    expectStateDict(readPytorchBin(zipCheckpoint(stateDictPickle())));
  });

  it('reads a legacy (pre-1.6) state dict', () => {
    expectStateDict(readPytorchBin(legacyCheckpoint()));
  });

  it('refuses globals outside the torch state-dict whitelist', () => {
    const evil = new Pickle().proto().global('os', 'system').tuple((p) => p.str('echo hi')).raw(0x52).stop();
    expect(() => readPytorchBin(zipCheckpoint(evil), 'evil.bin')).toThrow(/global os\.system is not allowed/);
    const builtins = new Pickle().proto().global('builtins', 'eval').stop();
    expect(() => readPytorchBin(zipCheckpoint(builtins), 'evil.bin')).toThrow(/global builtins\.eval is not allowed/);
  });

  it('rejects truncated pickles, missing or short storages and strides past the storage', () => {
    const pkl = stateDictPickle();
    // Cut inside a GLOBAL line, and just before STOP: both are errors naming file and byte.
    expect(() => readPytorchBin(zipCheckpoint(pkl.subarray(0, pkl.length - 40)), 'cut.bin')).toThrow(
      /^cut\.bin:archive\/data\.pkl: pickle byte \d+: unterminated text line/,
    );
    expect(() => readPytorchBin(zipCheckpoint(pkl.subarray(0, pkl.length - 1)), 'cut.bin')).toThrow(/pickle byte \d+: truncated/);
    const { '1': _dropped, ...withoutOne } = storages;
    expect(() => readPytorchBin(zipCheckpoint(pkl, withoutOne), 'x.bin')).toThrow(/storage 1 is missing from the archive/);
    expect(() => readPytorchBin(zipCheckpoint(pkl, { ...storages, '0': f32(1, 2) }), 'x.bin')).toThrow(/storage 0 has 2 elements, needs 6/);
    const farStride = new Pickle().proto().orderedDict().raw(0x28).str('w').tensor('FloatStorage', '0', 6, 0, [2, 3], [30, 1]).raw(0x75).stop();
    expect(() => readPytorchBin(zipCheckpoint(farStride), 'x.bin')).toThrow(/reach past its storage/);
    const expanded = new Pickle().proto().orderedDict().raw(0x28).str('w').tensor('FloatStorage', '0', 6, 0, [60000, 60000], [0, 0]).raw(0x75).stop();
    expect(() => readPytorchBin(zipCheckpoint(expanded), 'x.bin')).toThrow(/more elements .* than its storage/);
  });

  it('rejects files that are neither zip nor pickle, and non-state-dict pickles', () => {
    expect(() => readPytorchBin(new Uint8Array([1, 2, 3, 4]), 'junk.bin')).toThrow(/junk\.bin: neither a zip archive nor a legacy pickle/);
    expect(() => readPytorchBin(zipSync({ 'a.txt': new Uint8Array(1) }), 'z.bin')).toThrow(/no data\.pkl/);
    const list = new Pickle().proto().raw(0x5d).stop();
    expect(() => readPytorchBin(zipCheckpoint(list), 'l.bin')).toThrow(/not a state dict/);
  });
});
