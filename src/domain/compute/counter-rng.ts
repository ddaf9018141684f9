/**
 * The dropout generator of our GPU kernels (DROPOUT_WGSL in webgpu/kernel-util.ts) on the host:
 * pcg3d (Jarzynski & Olano, "Hash Functions for GPU Rendering", JCGT 2020) of (element index,
 * key1, key2) in wrapping 32-bit arithmetic, element i kept when (h.x >> 8) / 2^24 ≥ rate. The
 * same keys give the same mask here as on the GPU, so a seed drops the same units on every backend.
 */

/** n mask values: 1 / (1 − rate) where element i is kept, else 0 (the float32 the GPU kernel writes). */
export function dropoutMaskValues(n: number, key1: number, key2: number, rate: number): Float32Array {
  const out = new Float32Array(n);
  const r = Math.fround(rate);
  // As the kernels' uniforms: the rate as f32 for the comparison, the scale 1 / (1 − rate) rounded once.
  const scale = Math.fround(1 / (1 - rate));
  const k1 = key1 >>> 0;
  const k2 = key2 >>> 0;
  // The key terms of pcg3d do not depend on i: computed once.
  const y0 = (Math.imul(k1, 1664525) + 1013904223) >>> 0;
  const z0 = (Math.imul(k2, 1664525) + 1013904223) >>> 0;
  const yz = Math.imul(y0, z0);
  for (let i = 0; i < n; i++) {
    let x = (Math.imul(i, 1664525) + 1013904223 + yz) >>> 0;
    let y = (y0 + Math.imul(z0, x)) >>> 0;
    const z = (z0 + Math.imul(x, y)) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    y = (y ^ (y >>> 16)) >>> 0;
    const h = (x + Math.imul(y, (z ^ (z >>> 16)) >>> 0)) >>> 0;
    out[i] = (h >>> 8) * (1 / 16777216) >= r ? scale : 0;
  }
  return out;
}
