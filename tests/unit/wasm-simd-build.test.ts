// The committed SIMD modules (kernels-binary.ts) are what scripts/build-simd.mjs builds from
// kernels.as.ts today, and they are what we expect of a module that shares tfjs' heap: memory
// imported (plain and shared), no data segments (they would overwrite tfjs' heap), no other imports.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types
import { buildSimdSource } from '../../scripts/build-simd.mjs';
import { KERNELS_PLAIN, KERNELS_SHARED } from '../../src/domain/compute/wasm/simd/kernels-binary';

const FILE = path.join(__dirname, '../../src/domain/compute/wasm/simd/kernels-binary.ts');

describe('wasm SIMD kernels module', () => {
  it('kernels-binary.ts is up to date with kernels.as.ts (npm run build:simd)', async () => {
    expect(readFileSync(FILE, 'utf8')).toBe(await (buildSimdSource as () => Promise<string>)());
  }, 60_000);

  for (const [name, b64, shared] of [['plain', KERNELS_PLAIN, false], ['shared', KERNELS_SHARED, true]] as const) {
    it(`${name}: imports only env.memory${shared ? ' (shared)' : ''}, has no data segments, exports the kernels`, () => {
      const module = new WebAssembly.Module(Buffer.from(b64, 'base64'));
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual(['adamW', 'blockSum', 'copy2d', 'gelu', 'layerNorm', 'layerNormGrad', 'softmaxGrad', 'sumSquares', 'transpose2d']);
      // Section 11 is the data section: absent (section ids follow the 8-byte header, each with a LEB128 size).
      const bytes = Buffer.from(b64, 'base64');
      const ids: number[] = [];
      for (let i = 8; i < bytes.length; ) {
        ids.push(bytes[i++]);
        let size = 0;
        for (let shift = 0; ; shift += 7) {
          const b = bytes[i++];
          size |= (b & 0x7f) << shift;
          if (!(b & 0x80)) break;
        }
        i += size;
      }
      expect(ids).not.toContain(11);
      expect(ids).toContain(2); // the import section
      const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: 65536, shared: true } : { initial: 1 });
      expect(() => new WebAssembly.Instance(module, { env: { memory } })).not.toThrow();
    });
  }
});
