import { describe, it, expect } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { serve, throwIfCancelled, transfer, type Handlers, type Port } from '../../src/worker/router';
import { WorkerClient, WorkerCallError, CallCancelledError, type ClientPort } from '../../src/worker/client';

/** node:worker_threads ports deliver `{data}`-less messages to 'message' listeners; adapt to MessageEvent shape. */
function adapt(p: import('node:worker_threads').MessagePort): Port & ClientPort {
  return {
    postMessage: (m: unknown, t?: Transferable[]) => p.postMessage(m, t as never),
    addEventListener: (_type: 'message', fn: (ev: MessageEvent) => void) => p.on('message', (data) => fn({ data } as MessageEvent)),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(overrides: Partial<Handlers> = {}) {
  const ch = new MessageChannel();
  // Only the methods these tests call; a call to any other is answered with an unknown-method error.
  const handlers = {
    async init() {
      return { backend: 'cpu', label: 'cpu', adapter: null, crossOriginIsolated: false, tfjsVersion: 'x' };
    },
    async gradCheck({ a }) {
      const buf = new Float32Array([1, 2, 3]);
      return transfer({ backend: 'cpu', loss: a.length, gradA: [[buf.byteLength]] }, [buf.buffer]);
    },
    async tick({ steps, ms }, { signal, progress }) {
      for (let step = 1; step <= steps; step++) {
        throwIfCancelled(signal);
        await sleep(ms);
        progress({ step });
      }
      return { steps };
    },
    ...overrides,
  } satisfies Partial<Handlers> as Handlers;
  serve(adapt(ch.port1), handlers);
  const client = new WorkerClient(adapt(ch.port2));
  return { client, close: () => (ch.port1.close(), ch.port2.close()) };
}

describe('worker protocol', () => {
  it('matches results to requests by id, with progress in between', async () => {
    const { client, close } = setup();
    const seen: number[] = [];
    const [r1, r2] = await Promise.all([
      client.call('tick', { steps: 3, ms: 5 }, { onProgress: (p) => seen.push(p.step) }),
      client.call('gradCheck', { a: [[1], [2]], b: [[1]] }),
    ]);
    expect(r1).toEqual({ steps: 3 });
    expect(seen).toEqual([1, 2, 3]);
    expect(r2.loss).toBe(2);
    close();
  });

  it('cancels a running request explicitly and keeps serving others', async () => {
    const { client, close } = setup();
    const controller = new AbortController();
    let progressed = 0;
    const p = client.call('tick', { steps: 1000, ms: 2 }, {
      signal: controller.signal,
      onProgress: () => {
        if (++progressed === 2) controller.abort();
      },
    });
    await expect(p).rejects.toBeInstanceOf(CallCancelledError);
    expect(progressed).toBeLessThan(10);
    await expect(client.call('tick', { steps: 1, ms: 1 })).resolves.toEqual({ steps: 1 });
    close();
  });

  it('reports handler errors with their code', async () => {
    const { client, close } = setup({
      async init() {
        throw Object.assign(new Error('out of memory: try a smaller batch'), { code: 'oom' });
      },
    });
    const err = await client.call('init', {}).catch((e) => e);
    expect(err).toBeInstanceOf(WorkerCallError);
    expect(err.message).toMatch(/smaller batch/);
    expect(err.code).toBe('oom');
    close();
  });

  it('an already-aborted signal never sends the request', async () => {
    const { client, close } = setup();
    const c = new AbortController();
    c.abort();
    await expect(client.call('tick', { steps: 1, ms: 1 }, { signal: c.signal })).rejects.toBeInstanceOf(CallCancelledError);
    close();
  });
});
