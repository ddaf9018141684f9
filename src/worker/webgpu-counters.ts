/**
 * Counts what a WebGPU workload asks of the GPU API: compute dispatches, bytes written from the CPU
 * (queue.writeBuffer and buffers mapped at creation), GPU→CPU reads (mapAsync for reading), submits,
 * pipelines compiled and GPU buffer bytes allocated (live and peak). It wraps the prototypes of the
 * global GPU* classes once (Chromium's, or Dawn for Node's after its globals are installed), so it
 * counts tfjs and our own kernels alike. Bench and profiling only: the app never installs it.
 */

export interface WebGpuCounts {
  dispatches: number;
  writeBufferCalls: number;
  /** Bytes the CPU wrote: writeBuffer payloads plus buffers created mapped (tfjs' uploads). */
  bytesFromCpu: number;
  submits: number;
  /** mapAsync(READ) calls: each is a GPU→CPU read that waits for the queue. */
  reads: number;
  pipelines: number;
  buffersCreated: number;
  liveBufferBytes: number;
  peakBufferBytes: number;
}

export interface WebGpuCounters {
  /** The counts since the last reset; peakBufferBytes is the peak since then. */
  snapshot(): WebGpuCounts;
  reset(): void;
}

type Proto = Record<string, unknown>;

function protoOf(name: string): Proto | null {
  const ctor = (globalThis as Record<string, unknown>)[name] as { prototype?: Proto } | undefined;
  return ctor?.prototype ?? null;
}

function wrap(proto: Proto | null, method: string, before: (self: unknown, args: unknown[]) => void, after?: (result: unknown, self: unknown, args: unknown[]) => void): boolean {
  const original = proto?.[method];
  if (typeof original !== 'function') return false;
  proto![method] = function (this: unknown, ...args: unknown[]) {
    before(this, args);
    const result = (original as (...a: unknown[]) => unknown).apply(this, args);
    after?.(result, this, args);
    return result;
  };
  return true;
}

const c: WebGpuCounts = { dispatches: 0, writeBufferCalls: 0, bytesFromCpu: 0, submits: 0, reads: 0, pipelines: 0, buffersCreated: 0, liveBufferBytes: 0, peakBufferBytes: 0 };
const sizes = new WeakMap<object, number>();
let installed: WebGpuCounters | null = null;

function bytesOf(data: unknown, dataOffset: unknown, size: unknown): number {
  const view = data as ArrayBufferView & { BYTES_PER_ELEMENT?: number };
  const bpe = ArrayBuffer.isView(data) ? (view.BYTES_PER_ELEMENT ?? 1) : 1;
  if (typeof size === 'number') return size * bpe;
  const total = (data as { byteLength?: number }).byteLength ?? 0;
  return total - (typeof dataOffset === 'number' ? dataOffset * bpe : 0);
}

/** Wraps the WebGPU API once; throws when there are no GPU* classes (no WebGPU here). */
export function installWebGpuCounters(): WebGpuCounters {
  if (installed) return installed;
  const ok = wrap(protoOf('GPUComputePassEncoder'), 'dispatchWorkgroups', () => void c.dispatches++);
  if (!ok) throw new Error('WebGPU counters: no GPUComputePassEncoder class in this context (install Dawn\'s globals first in Node)');
  wrap(protoOf('GPUComputePassEncoder'), 'dispatchWorkgroupsIndirect', () => void c.dispatches++);
  wrap(protoOf('GPUQueue'), 'writeBuffer', (_self, args) => {
    c.writeBufferCalls++;
    c.bytesFromCpu += bytesOf(args[2], args[3], args[4]);
  });
  wrap(protoOf('GPUQueue'), 'submit', () => void c.submits++);
  wrap(protoOf('GPUBuffer'), 'mapAsync', (_self, args) => {
    if ((Number(args[0]) & 1) === 1) c.reads++; // GPUMapMode.READ
  });
  wrap(protoOf('GPUBuffer'), 'destroy', (self) => {
    const n = sizes.get(self as object);
    if (n !== undefined) {
      c.liveBufferBytes -= n;
      sizes.delete(self as object);
    }
  });
  wrap(protoOf('GPUDevice'), 'createComputePipeline', () => void c.pipelines++);
  wrap(protoOf('GPUDevice'), 'createComputePipelineAsync', () => void c.pipelines++);
  wrap(
    protoOf('GPUDevice'),
    'createBuffer',
    () => undefined,
    (buffer, _self, args) => {
      const desc = args[0] as { size: number; mappedAtCreation?: boolean };
      c.buffersCreated++;
      if (desc.mappedAtCreation) c.bytesFromCpu += desc.size;
      if (buffer && typeof buffer === 'object') sizes.set(buffer, desc.size);
      c.liveBufferBytes += desc.size;
      c.peakBufferBytes = Math.max(c.peakBufferBytes, c.liveBufferBytes);
    },
  );
  installed = {
    snapshot: () => ({ ...c }),
    reset: () => {
      const live = c.liveBufferBytes;
      Object.assign(c, { dispatches: 0, writeBufferCalls: 0, bytesFromCpu: 0, submits: 0, reads: 0, pipelines: 0, buffersCreated: 0, liveBufferBytes: live, peakBufferBytes: live });
    },
  };
  return installed;
}
