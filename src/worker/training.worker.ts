/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
import { serve, throwIfCancelled, type Handlers } from './router';
import type { BackendName, BackendReport } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

let report: BackendReport | null = null;

async function ensureBackend(prefer?: BackendName[]): Promise<BackendReport> {
  if (!report) report = await selectBackend(prefer);
  return report;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const handlers: Handlers = {
  async init({ prefer }, { progress }) {
    if (!report) report = await selectBackend(prefer, (stage) => progress({ stage }));
    return report;
  },

  async gradCheck({ a, b }) {
    const { backend } = await ensureBackend();
    const A = tf.variable(tf.tensor2d(a));
    const B = tf.tensor2d(b);
    try {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.matMul(A, B)) as tf.Scalar, [A]);
      const [loss, grad] = await Promise.all([value.data(), grads[A.name].array() as Promise<number[][]>]);
      tf.dispose([value, grads[A.name]]);
      return { backend, loss: loss[0], gradA: grad };
    } finally {
      tf.dispose([A, B]);
    }
  },

  async tick({ steps, ms }, { signal, progress }) {
    for (let step = 1; step <= steps; step++) {
      throwIfCancelled(signal);
      await sleep(ms);
      progress({ step });
    }
    return { steps };
  },
};

serve(self, handlers);
