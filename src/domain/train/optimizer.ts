/**
 * The optimisation step of the Hugging Face Trainer: global-norm gradient clipping
 * (torch.nn.utils.clip_grad_norm_), then torch.optim.AdamW, with the learning rate of a linear
 * schedule with warmup set before each step.
 *
 * AdamW, per parameter, exactly as torch's single-tensor implementation orders it:
 *   t += 1
 *   p ← p · (1 − lr · wd)                       (decoupled decay; wd = 0 for biases and LayerNorm)
 *   m ← m + (1 − β1) · (g − m)                  (torch's lerp form of β1·m + (1 − β1)·g)
 *   v ← β2 · v + (1 − β2) · g²
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
 * Everything stays on the device; no value is read back during a step.
 */
import * as tf from '@tensorflow/tfjs';
import { adamWInPlaceWasm, sumSquaresWasm } from '../compute/wasm/adamw';
import { adamWInPlace, adamWUpdate, sumSquares, type FusedAdamWStep } from '../compute/webgpu/adamw-kernels';

export interface AdamWConfig {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** Clip the global gradient norm to this value; null or ≤ 0 disables clipping (HF: max_grad_norm). */
  maxGradNorm: number | null;
  /** Parameters that get no weight decay; defaults to the Trainer's rule (see isNoDecayParam). */
  noDecay?: (name: string) => boolean;
  /**
   * 'auto': on webgpu the fused kernels (compute/webgpu/adamw-kernels.ts: one in-place dispatch
   * per parameter, the norm on the GPU), on wasm one in-place SIMD pass per parameter
   * (compute/wasm/adamw.ts), on cpu tfjs ops; 'kernels': on webgpu the three-dispatch kernels
   * that allocate new tensors (what the in-place one is tested against); 'ops': tfjs ops
   * everywhere (the reference the kernels are tested against).
   */
  implementation?: 'auto' | 'kernels' | 'ops';
}

/** Hugging Face TrainingArguments defaults: adam_beta1/2, adam_epsilon, weight_decay 0, max_grad_norm 1. */
export const HF_ADAMW_DEFAULTS: AdamWConfig = { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maxGradNorm: 1.0 };

export function defaultNoDecay(name: string): boolean {
  return name.endsWith('.bias') || name.includes('LayerNorm');
}

/**
 * get_linear_schedule_with_warmup's multiplier at optimizer step `step` (counted from 0):
 * step / warmup during warmup, then (total − step) / (total − warmup), never below 0.
 */
export function linearWarmupMultiplier(step: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

export interface LinearSchedule {
  baseLr: number;
  warmupSteps: number;
  totalSteps: number;
}

/** Learning rate to use for optimizer step `step` (0-based). */
export function scheduledLr(schedule: LinearSchedule, step: number): number {
  return schedule.baseLr * linearWarmupMultiplier(step, schedule.warmupSteps, schedule.totalSteps);
}

/** Global L2 norm of a list of gradients, as a scalar tensor (not read back). */
export function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    // Pairwise adds, not tf.addN: the WebGPU AddN kernel binds every input at once and fails
    // (invalid pipeline) beyond the device's storage-buffer limit, e.g. for 41 tensors.
    let sq = grads.map((g) => tf.sum(tf.square(g)));
    while (sq.length > 1) {
      const next: tf.Tensor[] = [];
      for (let i = 0; i < sq.length; i += 2) next.push(i + 1 < sq.length ? tf.add(sq[i], sq[i + 1]) : sq[i]);
      sq = next;
    }
    return tf.sqrt(sq[0]) as tf.Scalar;
  });
}

export interface AdamWState {
  /** Number of steps taken (torch's state['step'], equal for every parameter). */
  step: number;
  /** First moments by parameter name. */
  m: Record<string, { shape: number[]; data: Float32Array }>;
  /** Second moments by parameter name. */
  v: Record<string, { shape: number[]; data: Float32Array }>;
}

function zerosVariable(like: tf.Tensor, name: string): tf.Variable {
  const z = tf.zerosLike(like);
  const v = tf.variable(z, false, name);
  z.dispose();
  return v;
}

export class AdamW {
  private readonly names: string[];
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly decay = new Map<string, boolean>();
  private steps = 0;
  private static nextId = 0;
  private readonly id = AdamW.nextId++;

  /** `params`: the trainable variables by (Hugging Face) name. */
  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    readonly config: AdamWConfig,
  ) {
    const [b1, b2] = config.betas;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new RangeError(`AdamW betas must be in [0, 1), got [${b1}, ${b2}]`);
    if (!(config.eps > 0)) throw new RangeError(`AdamW eps must be > 0, got ${config.eps}`);
    if (!(config.weightDecay >= 0)) throw new RangeError(`AdamW weight decay must be ≥ 0, got ${config.weightDecay}`);
    const noDecay = config.noDecay ?? defaultNoDecay;
    this.names = [...params.keys()];
    for (const name of this.names) {
      const p = params.get(name)!;
      this.m.set(name, zerosVariable(p, `adamw${this.id}/m/${name}`));
      this.v.set(name, zerosVariable(p, `adamw${this.id}/v/${name}`));
      this.decay.set(name, !noDecay(name));
    }
  }

  get stepCount(): number {
    return this.steps;
  }

  /**
   * One optimizer step with learning rate `lr`. `grads` holds a gradient for every parameter,
   * by name; they are read, not disposed. Returns the pre-clipping global gradient norm (the
   * value the Trainer logs as grad_norm), as a scalar tensor the caller disposes.
   */
  step(grads: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>, lr: number): tf.Scalar {
    if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`learning rate must be a finite number ≥ 0, got ${lr}`);
    const get = (name: string): tf.Tensor => {
      const g = grads instanceof Map ? grads.get(name) : (grads as Record<string, tf.Tensor>)[name];
      if (!g) throw new Error(`AdamW.step: no gradient for parameter "${name}"`);
      return g;
    };
    const list = this.names.map(get);
    const t = this.steps + 1;
    const [b1, b2] = this.config.betas;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const wdFactor = 1 - lr * this.config.weightDecay;
    const clip = this.config.maxGradNorm !== null && this.config.maxGradNorm > 0;

    // One scalar for the whole step; each parameter is then updated in its own tidy, so the
    // update's temporaries never exist for all parameters at once (they would be ~12 copies of
    // the model).
    // clip_grad_norm_: coef = min(1, max_norm / (norm + 1e-6)), always multiplied in.
    if (this.config.implementation !== 'ops' && tf.getBackend() === 'webgpu') {
      const norm = this.fusedStep(list, { beta1: b1, beta2: b2, maxNorm: clip ? this.config.maxGradNorm! : 0, stepSize, bc2Sqrt, eps: this.config.eps, wdFactor });
      this.steps = t;
      return norm;
    }
    const onWasm = this.config.implementation !== 'ops' && tf.getBackend() === 'wasm';
    // On wasm the norm is a host number at once (the heap is the host's memory).
    const hostNorm = onWasm ? Math.sqrt(sumSquaresWasm(list)) : null;
    const norm = hostNorm !== null ? tf.scalar(hostNorm) : globalNorm(list);
    const coef = clip ? tf.tidy(() => tf.minimum(tf.div(this.config.maxGradNorm!, tf.add(norm, 1e-6)), 1)) : null;
    const hostCoef = hostNorm !== null && clip ? Math.min(this.config.maxGradNorm! / (hostNorm + 1e-6), 1) : 1;
    try {
      this.names.forEach((name, i) => {
        if (onWasm) {
          const step = { beta1: b1, beta2: b2, maxNorm: 0, stepSize, bc2Sqrt, eps: this.config.eps, wdFactor: this.decay.get(name) ? wdFactor : 1 };
          adamWInPlaceWasm(this.params.get(name)!, list[i], this.m.get(name)!, this.v.get(name)!, hostCoef, step);
          return;
        }
        tf.tidy(() => {
          const g = coef ? tf.mul(list[i], coef) : list[i];
          const p = this.params.get(name)!;
          const m = this.m.get(name)!;
          const v = this.v.get(name)!;
          const m2 = tf.add(m, tf.mul(tf.sub(g, m), 1 - b1));
          const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
          const decayed = this.decay.get(name) && wdFactor !== 1 ? tf.mul(p, wdFactor) : p;
          const denom = tf.add(tf.div(tf.sqrt(v2), bc2Sqrt), this.config.eps);
          const p2 = tf.sub(decayed, tf.mul(tf.div(m2, denom), stepSize));
          m.assign(m2);
          v.assign(v2);
          p.assign(p2);
        });
      });
    } finally {
      coef?.dispose();
    }
    this.steps = t;
    return norm;
  }

  /**
   * The webgpu step: sumSquares, then per parameter one in-place dispatch (adamWInPlace), or
   * adamWUpdate's three where a buffer is shared. The norm is never read back.
   */
  private fusedStep(list: tf.Tensor[], s: FusedAdamWStep): tf.Scalar {
    const sumSq = sumSquares(list);
    try {
      this.names.forEach((name, i) => {
        tf.tidy(() => {
          const p = this.params.get(name)!;
          const m = this.m.get(name)!;
          const v = this.v.get(name)!;
          const step = { ...s, wdFactor: this.decay.get(name) ? s.wdFactor : 1 };
          if (this.config.implementation !== 'kernels' && adamWInPlace(p, list[i], m, v, sumSq, step)) return;
          const next = adamWUpdate(p, list[i], m, v, sumSq, step);
          m.assign(next.m);
          v.assign(next.v);
          p.assign(next.p);
        });
      });
      return tf.tidy(() => tf.reshape(tf.sqrt(sumSq), []) as tf.Scalar);
    } finally {
      sumSq.dispose();
    }
  }

  /** Moments and step count, read back to the host (for checkpoints). */
  async exportState(): Promise<AdamWState> {
    const m: AdamWState['m'] = {};
    const v: AdamWState['v'] = {};
    for (const name of this.names) {
      const mv = this.m.get(name)!;
      const vv = this.v.get(name)!;
      m[name] = { shape: [...mv.shape], data: (await mv.data()) as Float32Array };
      v[name] = { shape: [...vv.shape], data: (await vv.data()) as Float32Array };
    }
    return { step: this.steps, m, v };
  }

  /** Restores exportState() output; every parameter must be present with its shape. */
  importState(state: AdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`optimizer state: step must be a non-negative integer, got ${state.step}`);
    for (const name of this.names) {
      for (const [kind, src, dst] of [
        ['m', state.m, this.m],
        ['v', state.v, this.v],
      ] as const) {
        const entry = src[name];
        const target = dst.get(name)!;
        if (!entry) throw new Error(`optimizer state: ${kind} for parameter "${name}" is missing`);
        const same = entry.shape.length === target.shape.length && entry.shape.every((d, i) => d === target.shape[i]);
        if (!same || entry.data.length !== target.size) {
          throw new Error(`optimizer state: ${kind} for "${name}" has shape [${entry.shape}], the parameter [${target.shape}]`);
        }
      }
    }
    for (const name of this.names) {
      tf.tidy(() => {
        this.m.get(name)!.assign(tf.tensor(state.m[name].data, state.m[name].shape, 'float32'));
        this.v.get(name)!.assign(tf.tensor(state.v[name].data, state.v[name].shape, 'float32'));
      });
    }
    this.steps = state.step;
  }

  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
