/**
 * Growable typed-array buffers, so large feature sets never hold one JS number object per token.
 * The element type is chosen up front (token ids fit Uint16 for vocabularies up to 65,536).
 */
type Store = Int32Array | Uint16Array | Uint8Array;
type StoreCtor = new (length: number) => Store;

export class IntBuffer<T extends Store = Int32Array> {
  private data: T;
  private readonly ctor: StoreCtor;
  length = 0;

  constructor(initialCapacity = 1024, ctor: StoreCtor = Int32Array) {
    this.ctor = ctor;
    this.data = new ctor(Math.max(16, initialCapacity)) as T;
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }

  /** Appends `source[from, to)`. */
  append(source: ArrayLike<number>, from = 0, to = source.length): void {
    const n = to - from;
    if (this.length + n > this.data.length) this.grow(this.length + n);
    const d = this.data;
    const base = this.length;
    for (let i = 0; i < n; i++) d[base + i] = source[from + i];
    this.length += n;
  }

  get(index: number): number {
    return this.data[index];
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  clear(): void {
    this.length = 0;
  }

  /** A compact copy of the contents, of the buffer's own element type. */
  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }

  toInt32Array(): Int32Array {
    return this.data instanceof Int32Array ? this.data.slice(0, this.length) : Int32Array.from(this.data.subarray(0, this.length));
  }

  private grow(min: number): void {
    let cap = this.data.length * 2;
    while (cap < min) cap *= 2;
    const next = new this.ctor(cap) as T;
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}
