import * as tf from '@tensorflow/tfjs';
import { throwIfCancelled, type HandlersOf } from '../router';
import type { CoreApi } from '../protocol';
import { ensureBackend, initBackend } from './backend-state';
import { runParity } from '../../domain/model/parity';
import { measureHere } from '../backend';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const coreHandlers: HandlersOf<CoreApi> = {
  async init(params, { progress }) {
    progress({ stage: params.candidate?.backend ?? 'starting' });
    return initBackend(params);
  },

  async measureStep({ candidate, config, probe }, { progress }) {
    return measureHere(candidate, config, probe, (phase, ms) => progress({ phase, ms }));
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

  async parity(files) {
    await ensureBackend();
    return runParity(files);
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
