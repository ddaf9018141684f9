/**
 * The optimizer step as a few WebGPU kernels, registered with tfjs for the webgpu backend the way
 * its own kernels are written (a WebGPUProgram run through backend.runWebGPUProgram).
 *
 * Composed from tfjs ops, the step cost ~16 dispatches per parameter (square, sum, the pairwise
 * adds of the global norm, then the AdamW arithmetic one op at a time): 3,200 of the 6,032
 * dispatches of an ELECTRA-small step. Here:
 *   - QaSumSquaresAcc: acc + Σ_i Σ x_i², for up to SUMSQ_INPUTS gradients a dispatch (a WebGPU
 *     shader may bind 8 storage buffers: the output, the running sum and 6 gradients);
 *   - QaAdamWMoment: m ← m + (1 − β1)(c·g − m), or v ← β2·v + (1 − β2)(c·g)², where the clipping
 *     coefficient c = min(1, max_norm / (√acc + 1e-6)) is computed in the kernel from the running
 *     sum, so the global norm never leaves the GPU;
 *   - QaAdamWParam: p ← p·(1 − lr·wd) − step_size · m / (√v / √(1 − β2^t) + eps).
 * Three dispatches per parameter and one per six for the norm, with torch's operation order.
 *
 * adamWInPlace does the three in one dispatch, writing p, m and v where they are (runInPlace):
 * the same arithmetic in the same order, one dispatch per parameter and no new buffers.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { ElementwiseProgram, f32, flat, flatWorkgroups, ownsBuffer, registerWebGpuKernel, runInPlace, runKernel, runProgram, WORKGROUP } from './kernel-util';

export const SUMSQ_INPUTS = 6;

class SumSquaresProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape = [1];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number] = [1, 1, 1];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];

  constructor(private readonly n: number) {
    this.variableNames = ['acc', ...Array.from({ length: n }, (_, i) => `x${i}`)];
    this.shaderKey = `qaSumSquaresAcc_${n}`;
  }

  getUserCode(): string {
    // One workgroup: each thread strides over every input, then a tree sum in shared memory.
    const loops = Array.from(
      { length: this.n },
      (_, i) => `for (var j = t; j < uniforms.x${i}Shape; j = j + ${WORKGROUP}) { let a = x${i}[j]; s = s + a * a; }`,
    ).join('\n        ');
    return `
      var<workgroup> partial : array<f32, ${WORKGROUP}>;
      fn main(index : i32) {
        let t = i32(localId.x);
        var s = 0.0;
        ${loops}
        partial[localId.x] = s;
        workgroupBarrier();
        for (var w = ${WORKGROUP / 2}u; w > 0u; w = w / 2u) {
          if (localId.x < w) { partial[localId.x] = partial[localId.x] + partial[localId.x + w]; }
          workgroupBarrier();
        }
        if (localId.x == 0u) { result[0] = acc[0] + partial[0]; }
      }`;
  }
}

const CLIP_COEF = `
      fn clipCoef() -> f32 {
        if (uniforms.maxNorm <= 0.0) { return 1.0; }
        return min(1.0, uniforms.maxNorm / (sqrt(sumSq[0]) + 1e-6));
      }`;

class MomentProgram extends ElementwiseProgram {
  variableNames = ['g', 'state', 'sumSq'];
  shaderKey: string;
  uniforms = 'beta : f32, maxNorm : f32,';

  constructor(
    size: number,
    private readonly which: 'first' | 'second',
  ) {
    super(size);
    this.shaderKey = `qaAdamWMoment_${which}`;
  }

  getUserCode(): string {
    // torch: exp_avg.lerp_(grad, 1 − β1); exp_avg_sq.mul_(β2).addcmul_(grad, grad, 1 − β2).
    const update = this.which === 'first' ? 'state[index] + (1.0 - uniforms.beta) * (g1 - state[index])' : 'state[index] * uniforms.beta + (1.0 - uniforms.beta) * (g1 * g1)';
    return `${CLIP_COEF}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let g1 = g[index] * clipCoef();
          result[index] = ${update};
        }
      }`;
  }
}

class ParamProgram extends ElementwiseProgram {
  variableNames = ['p', 'm', 'v'];
  shaderKey = 'qaAdamWParam';
  uniforms = 'wdFactor : f32, stepSize : f32, bc2Sqrt : f32, eps : f32,';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let denom = sqrt(v[index]) / uniforms.bc2Sqrt + uniforms.eps;
          result[index] = p[index] * uniforms.wdFactor - uniforms.stepSize * (m[index] / denom);
        }
      }`;
  }
}

let registered = false;

/** Registers the kernels with the webgpu backend (once; importing the backend package is the caller's). */
export function registerAdamWKernels(): void {
  if (registered) return;
  registered = true;
  registerWebGpuKernel('QaSumSquaresAcc', ({ inputs, backend }) => {
    const xs = Object.keys(inputs)
      .filter((k) => k !== 'acc')
      .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
      .map((k) => flat(inputs[k]));
    return runProgram(backend, new SumSquaresProgram(xs.length), [flat(inputs.acc), ...xs], [], [1]);
  });
  registerWebGpuKernel('QaAdamWMoment', ({ inputs, backend, attrs }) => {
    const { g, state, sumSq } = inputs;
    const a = attrs as { which: 'first' | 'second'; beta: number; maxNorm: number };
    const g1 = flat(g);
    return runProgram(backend, new MomentProgram(g1.shape[0], a.which), [g1, flat(state), sumSq], f32(a.beta, a.maxNorm), g.shape);
  });
  registerWebGpuKernel('QaAdamWParam', ({ inputs, backend, attrs }) => {
    const { p, m, v } = inputs;
    const a = attrs as { wdFactor: number; stepSize: number; bc2Sqrt: number; eps: number };
    const p1 = flat(p);
    return runProgram(backend, new ParamProgram(p1.shape[0]), [p1, flat(m), flat(v)], f32(a.wdFactor, a.stepSize, a.bc2Sqrt, a.eps), p.shape);
  });
}

/** Σ over `xs` of Σ x², as a [1] tensor: ceil(n / SUMSQ_INPUTS) dispatches. */
export function sumSquares(xs: readonly tf.Tensor[]): tf.Tensor1D {
  registerAdamWKernels();
  let acc = tf.zeros([1]) as tf.Tensor1D;
  for (let i = 0; i < xs.length; i += SUMSQ_INPUTS) {
    const inputs: Record<string, tf.Tensor> = { acc };
    xs.slice(i, i + SUMSQ_INPUTS).forEach((x, j) => (inputs[`x${j}`] = x));
    const next = runKernel('QaSumSquaresAcc', inputs) as tf.Tensor1D;
    acc.dispose();
    acc = next;
  }
  return acc;
}

export interface FusedAdamWStep {
  beta1: number;
  beta2: number;
  /** ≤ 0: no clipping. */
  maxNorm: number;
  wdFactor: number;
  stepSize: number;
  bc2Sqrt: number;
  eps: number;
}

/** One parameter's AdamW update from its gradient and the step's sum of squared gradients: new p, m, v. */
export function adamWUpdate(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, sumSq: tf.Tensor, s: FusedAdamWStep): { p: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  registerAdamWKernels();
  const m2 = runKernel('QaAdamWMoment', { g, state: m, sumSq }, { which: 'first', beta: s.beta1, maxNorm: s.maxNorm });
  const v2 = runKernel('QaAdamWMoment', { g, state: v, sumSq }, { which: 'second', beta: s.beta2, maxNorm: s.maxNorm });
  const p2 = runKernel('QaAdamWParam', { p, m: m2, v: v2 }, { wdFactor: s.wdFactor, stepSize: s.stepSize, bc2Sqrt: s.bc2Sqrt, eps: s.eps });
  return { p: p2, m: m2, v: v2 };
}

/** The three updates of adamWUpdate in one pass, in place (the same expressions, in the same order). */
const IN_PLACE_WGSL = `
  struct Step { beta1 : f32, beta2 : f32, maxNorm : f32, wdFactor : f32, stepSize : f32, bc2Sqrt : f32, eps : f32, size : i32 };
  @group(0) @binding(0) var<storage, read_write> p : array<f32>;
  @group(0) @binding(1) var<storage, read_write> m : array<f32>;
  @group(0) @binding(2) var<storage, read_write> v : array<f32>;
  @group(0) @binding(3) var<storage, read> g : array<f32>;
  @group(0) @binding(4) var<storage, read> sumSq : array<f32>;
  @group(0) @binding(5) var<uniform> u : Step;
  @compute @workgroup_size(${WORKGROUP})
  fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) groups : vec3<u32>) {
    let i = i32(gid.y * groups.x * ${WORKGROUP}u + gid.x);
    if (i >= u.size) { return; }
    var coef = 1.0;
    if (u.maxNorm > 0.0) { coef = min(1.0, u.maxNorm / (sqrt(sumSq[0]) + 1e-6)); }
    let g1 = g[i] * coef;
    let m2 = m[i] + (1.0 - u.beta1) * (g1 - m[i]);
    let v2 = v[i] * u.beta2 + (1.0 - u.beta2) * (g1 * g1);
    let denom = sqrt(v2) / u.bc2Sqrt + u.eps;
    p[i] = p[i] * u.wdFactor - u.stepSize * (m2 / denom);
    m[i] = m2;
    v[i] = v2;
  }`;

/**
 * adamWUpdate writing p, m and v in place, one dispatch. False (nothing done) when one of the
 * three shares its buffer with another tensor: the caller then takes adamWUpdate.
 */
export function adamWInPlace(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, sumSq: tf.Tensor, s: FusedAdamWStep): boolean {
  const backend = tf.backend();
  if (![p, m, v].every((t) => ownsBuffer(backend, t))) return false;
  runInPlace(backend, 'qaAdamWInPlace', IN_PLACE_WGSL, [p, m, v], [g, sumSq], [...f32(s.beta1, s.beta2, s.maxNorm, s.wdFactor, s.stepSize, s.bc2Sqrt, s.eps), { type: 'int32', data: [p.size] }], flatWorkgroups(p.size));
  return true;
}
