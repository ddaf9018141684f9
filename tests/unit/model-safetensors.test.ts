import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_HEADER_BYTES, readSafetensors, readSafetensorsHeader, writeSafetensors } from '../../src/domain/model/safetensors';
import type { HostTensorMap } from '../../src/domain/model/host-tensor';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A safetensors file from a header object and raw data bytes (header as given, no checks). */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function sample(): HostTensorMap {
  const special = new Float32Array([0, -0, NaN, Infinity, -Infinity, 1.4e-45, 3.4028234663852886e38, -1.5]);
  // A NaN with a payload: bit-exactness must survive it too.
  new Uint32Array(special.buffer)[2] = 0x7fc12345;
  return new Map([
    ['qa_outputs.weight', { shape: [2, 4], data: special }],
    ['qa_outputs.bias', { shape: [2], data: new Float32Array([0.25, -0.125]) }],
    ['electra.embeddings.LayerNorm.weight', { shape: [3], data: new Float32Array([1, 1, 1]) }],
    ['empty', { shape: [0, 5], data: new Float32Array(0) }],
  ]);
}

describe('safetensors writer/reader', () => {
  it('round-trips bit-identically (values, NaN payloads, -0) and rewrites to the same bytes', () => {
    const bytes = writeSafetensors(sample());
    const back = readSafetensors(bytes);
    for (const [name, t] of sample()) {
      const r = back.tensors.get(name)!;
      expect(r.shape).toEqual(t.shape);
      expect(Array.from(new Uint32Array(r.data.buffer, r.data.byteOffset, r.data.length))).toEqual(Array.from(new Uint32Array(t.data.buffer)));
    }
    expect(writeSafetensors(back.tensors)).toEqual(bytes);
  });

  it('writes what transformers expects: format "pt" metadata, sorted names, 8-byte aligned data, F32', () => {
    const bytes = writeSafetensors(sample());
    const { entries, metadata, dataStart } = readSafetensorsHeader(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect(dataStart % 8).toBe(0);
    expect(entries.map((e) => e.name)).toEqual([...sample().keys()].sort());
    expect(entries.every((e) => e.dtype === 'F32')).toBe(true);
    const w = entries.find((e) => e.name === 'qa_outputs.weight')!;
    expect(w.shape).toEqual([2, 4]);
  });

  it('reads the parity fixture (Hugging Face names, [out, in] linear weights)', () => {
    const bytes = new Uint8Array(readFileSync(path.resolve(repoRoot, '../shared/reference/parity/electra-tiny/model.safetensors')));
    const f = readSafetensors(bytes, 'electra-tiny/model.safetensors');
    expect(f.metadata.format).toBe('pt');
    expect(f.tensors.get('electra.embeddings_project.weight')!.shape).toEqual([32, 16]);
    expect(f.tensors.get('electra.encoder.layer.0.intermediate.dense.weight')!.shape).toEqual([64, 32]);
    expect(f.tensors.size).toBe(41);
  });

  it('decodes F16, BF16 and F64 to float32 and lists integer tensors without decoding them', () => {
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00]).buffer); // 1, -2, 2^-24, inf
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0x4049]).buffer); // 1, 3.140625
    const f64 = new Uint8Array(new Float64Array([0.1]).buffer);
    const i64 = new Uint8Array(16);
    const data = new Uint8Array([...f16, ...bf16, ...f64, ...i64]);
    const bytes = craft(
      {
        a: { dtype: 'F16', shape: [4], data_offsets: [0, 8] },
        b: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
        c: { dtype: 'F64', shape: [1], data_offsets: [12, 20] },
        'electra.embeddings.position_ids': { dtype: 'I64', shape: [1, 2], data_offsets: [20, 36] },
      },
      data,
    );
    const f = readSafetensors(bytes);
    expect(Array.from(f.tensors.get('a')!.data)).toEqual([1, -2, 2 ** -24, Infinity]);
    expect(Array.from(f.tensors.get('b')!.data)).toEqual([1, 3.140625]);
    expect(f.tensors.get('c')!.data[0]).toBeCloseTo(0.1, 7);
    expect(f.sourceDTypes.get('a')).toBe('F16');
    expect(f.nonFloat).toEqual([{ name: 'electra.embeddings.position_ids', dtype: 'I64', shape: [1, 2] }]);
  });
});

describe('safetensors reader on malformed or hostile input', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['shorter than 8 bytes', new Uint8Array(5), /shorter than the 8-byte header length/],
    ['header length past the end', craft({}, new Uint8Array(0), 1000n), /runs past the end/],
    ['header length over the cap (no allocation)', craft({}, new Uint8Array(0), BigInt(MAX_HEADER_BYTES + 1)), /exceeds the 100000000-byte limit/],
    ['header length 2^63', craft({}, new Uint8Array(0), 2n ** 63n), /exceeds/],
    ['invalid JSON', craft('{"a": '), /not valid JSON/],
    ['JSON array', craft([1, 2]), /must be a JSON object/],
    ['unknown dtype', craft({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /tensor "a": unsupported dtype "Q7"/],
    ['negative dimension', craft({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "a": shape \[-1\]/],
    ['huge shape', craft({ a: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 4] } }, new Uint8Array(4)), /needs more bytes than the file holds/],
    ['offsets outside data', craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)), /needs more bytes|run past/],
    ['offsets not matching shape', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /span 8 bytes but F32 \[1\] needs 4/],
    ['reversed offsets', craft({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)), /reversed/],
    [
      'overlapping tensors',
      craft(
        { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
        new Uint8Array(12),
      ),
      /overlaps/,
    ],
    ['hole in the data', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /belong to no tensor/],
    ['trailing bytes', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)), /data section is 8 bytes but the tensors cover 4/],
    ['metadata not strings', craft({ __metadata__: { format: 1 } }), /"__metadata__"."format" must be a string/],
    ['entry not an object', craft({ a: 5 }), /tensor "a": entry must be an object/],
    ['non-integer offsets', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0.5, 4] } }, new Uint8Array(4)), /data_offsets must be two non-negative integers/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects ${what} with a clear error`, () => {
      expect(() => readSafetensors(bytes, 'bad.safetensors')).toThrow(message);
      expect(() => readSafetensors(bytes, 'bad.safetensors')).toThrow(/^bad\.safetensors: /);
    });
  }

  it('refuses to write a tensor whose data does not fill its shape', () => {
    expect(() => writeSafetensors(new Map([['x', { shape: [3], data: new Float32Array(2) }]]))).toThrow(/tensor "x": shape \[3\] holds 3 values, data has 2/);
  });
});
