/**
 * Seeded pseudo-random numbers for everything that must be reproducible: weight init, dropout
 * offsets, data shuffling. Never use Math.random in training code.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 128-bit state, period 2^128 − 1, seeded through
 * splitmix32 so that nearby integer seeds give unrelated streams. All arithmetic is 32-bit integer
 * (Math.imul, >>> 0), so a seed gives the same stream in every JS engine.
 */

export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** Standard normal N(0, 1) (Box–Muller; the second value of each pair is cached). */
  nextNormal(): number;
  /** Uniform integer in [0, n), without modulo bias. n must be a positive integer ≤ 2^32. */
  nextInt(n: number): number;
  /** Fisher–Yates shuffle, in place; returns the same array. */
  shuffleInPlace<T>(items: T[]): T[];
  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array;
  /** An independent generator derived from this one's next outputs (advances this one). */
  fork(): Rng;
  /** Snapshot of the full state, for checkpoints. */
  getState(): RngState;
}

export interface RngState {
  s: [number, number, number, number];
  /** Cached second Box–Muller value, or null. */
  spareNormal: number | null;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null;

  constructor(state: RngState) {
    [this.s0, this.s1, this.s2, this.s3] = state.s.map((v) => v >>> 0) as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) {
      throw new Error('rng: the all-zero state is invalid for xoshiro128**');
    }
    this.spare = state.spareNormal;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextFloat(): number {
    // 27 high bits + 26 high bits = 53 bits of mantissa.
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  nextNormal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    // u1 in (0, 1] so that log(u1) is finite.
    const u1 = 1 - this.nextFloat();
    const u2 = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new Error(`rng.nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    // Rejection sampling on the largest multiple of n below 2^32.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  shuffleInPlace<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }

  fork(): Rng {
    return createRng(this.nextUint32() ^ Math.imul(this.nextUint32(), 0x27d4eb2d));
  }

  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spare };
  }
}

/** A generator seeded from a 32-bit integer (other numbers are reduced with `>>> 0`). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`rng: seed must be a finite number, got ${seed}`);
  const sm = splitmix32(Math.trunc(seed) >>> 0);
  return new Xoshiro128({ s: [sm(), sm(), sm(), sm()], spareNormal: null });
}

/** Restores a generator from `getState()`, e.g. when resuming from a checkpoint. */
export function rngFromState(state: RngState): Rng {
  if (!Array.isArray(state.s) || state.s.length !== 4 || state.s.some((v) => !Number.isInteger(v))) {
    throw new Error('rng: state.s must be four 32-bit integers');
  }
  return new Xoshiro128({ s: [...state.s], spareNormal: state.spareNormal ?? null });
}

/** FNV-1a hash of a string, for deriving per-name seeds (e.g. one stream per parameter). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A seed for a named sub-stream of `seed`, stable whatever else draws from the parent. */
export function deriveSeed(seed: number, label: string): number {
  const sm = splitmix32((Math.trunc(seed) >>> 0) ^ hashString(label));
  sm();
  return sm();
}
