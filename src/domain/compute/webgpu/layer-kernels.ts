/**
 * The encoder layer's row and column kernels for the webgpu backend: LayerNorm of a sum of terms
 * (forward, its row statistics, and the input gradient), column sums (bias, LayerNorm γ and β
 * gradients, a broadcast term's gradient), and exact GELU with its gradient.
 *
 * Composed from tfjs ops, one LayerNorm with its backward pass cost ~25 dispatches (moments,
 * rsqrt, the affine ops, two column sums each preceded by a transpose, the two row means of the
 * input gradient) and GELU ~14; here a LayerNorm costs 1 forward and 4 backward, GELU 1 and 1.
 *
 * Sum of terms: the first has the output's size, each other term's flat size divides it and it
 * is read at `e % size` (position embeddings [T, E] against [B, T, E]).
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { ElementwiseProgram, flat, registerWebGpuKernel, ROW_WG, RowProgram, runKernel, runProgram } from './kernel-util';

/** LayerNorm takes at most this many summands. */
export const MAX_TERMS = 3;

const termNames = (k: number) => Array.from({ length: k }, (_, i) => `t${i}`);

/** WGSL `termSum(e)`: Σ_k t_k[e mod |t_k|]. */
function termSumSnippet(k: number): string {
  const parts = termNames(k).map((t, i) => (i === 0 ? `${t}[e]` : `${t}[e % uniforms.${t}Shape]`));
  return `fn termSum(e : i32) -> f32 { return ${parts.join(' + ')}; }`;
}

/** WGSL: this row's mean and 1/σ over `uniforms.width` columns (every thread calls it). */
const ROW_STATS = `
      fn rowStats(base : i32) -> vec2<f32> {
        let W = uniforms.width;
        var s = 0.0;
        for (var c = i32(localId.x); c < W; c = c + ${ROW_WG}) { s = s + termSum(base + c); }
        let mean = rowSum(s) / f32(W);
        var q = 0.0;
        for (var c = i32(localId.x); c < W; c = c + ${ROW_WG}) { let d = termSum(base + c) - mean; q = q + d * d; }
        return vec2<f32>(mean, 1.0 / sqrt(rowSum(q) / f32(W) + uniforms.eps));
      }`;

/** Rows past the last (a dispatch spread over y and z rounds up) compute on row 0 and write nothing. */
const ROW_BASE = `
        let row = rowIndex();
        let valid = row < uniforms.rows;
        let base = select(0, row, valid) * uniforms.width;`;

class LayerNormProgram extends RowProgram {
  variableNames: string[];
  shaderKey: string;
  uniforms = 'rows : i32, width : i32, eps : f32,';

  constructor(
    rows: number,
    width: number,
    private readonly k: number,
  ) {
    super(rows, rows * width);
    this.variableNames = [...termNames(k), 'gamma', 'beta'];
    this.shaderKey = `qaLayerNorm_${k}`;
  }

  rowCode(): string {
    return `${termSumSnippet(this.k)}${ROW_STATS}
      fn main(index : i32) {${ROW_BASE}
        let st = rowStats(base);
        if (valid) {
          for (var c = i32(localId.x); c < uniforms.width; c = c + ${ROW_WG}) {
            result[base + c] = (termSum(base + c) - st.x) * st.y * gamma[c] + beta[c];
          }
        }
      }`;
  }
}

/** [rows, 2]: each row's mean and 1/σ. */
class RowStatsProgram extends RowProgram {
  variableNames: string[];
  shaderKey: string;
  uniforms = 'rows : i32, width : i32, eps : f32,';

  constructor(
    rows: number,
    private readonly k: number,
  ) {
    super(rows, rows * 2);
    this.variableNames = termNames(k);
    this.shaderKey = `qaLayerNormStats_${k}`;
  }

  rowCode(): string {
    return `${termSumSnippet(this.k)}${ROW_STATS}
      fn main(index : i32) {${ROW_BASE}
        let st = rowStats(base);
        if (valid && localId.x == 0u) { result[2 * row] = st.x; result[2 * row + 1] = st.y; }
      }`;
  }
}

/** dx = (1/σ) · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)),  ĝ = dy · γ. */
class LayerNormGradProgram extends RowProgram {
  variableNames: string[];
  shaderKey: string;
  uniforms = 'rows : i32, width : i32,';

  constructor(
    rows: number,
    width: number,
    private readonly k: number,
  ) {
    super(rows, rows * width);
    this.variableNames = ['dy', 'stats', 'gamma', ...termNames(k)];
    this.shaderKey = `qaLayerNormGrad_${k}`;
  }

  rowCode(): string {
    return `${termSumSnippet(this.k)}
      fn main(index : i32) {${ROW_BASE}
        let W = uniforms.width;
        let srow = select(0, row, valid);
        let mean = stats[2 * srow];
        let rstd = stats[2 * srow + 1];
        var s1 = 0.0;
        var s2 = 0.0;
        for (var c = i32(localId.x); c < W; c = c + ${ROW_WG}) {
          let g = dy[base + c] * gamma[c];
          s1 = s1 + g;
          s2 = s2 + g * (termSum(base + c) - mean) * rstd;
        }
        let m1 = rowSum(s1) / f32(W);
        let m2 = rowSum(s2) / f32(W);
        if (valid) {
          for (var c = i32(localId.x); c < W; c = c + ${ROW_WG}) {
            let xhat = (termSum(base + c) - mean) * rstd;
            result[base + c] = rstd * (dy[base + c] * gamma[c] - m1 - xhat * m2);
          }
        }
      }`;
  }
}

/** Columns and row lanes of a column-sum workgroup. */
const COL_X = 16;
const COL_LANES = 16;

/**
 * out[c] = Σ_r f(r, c) over `rows` rows of `width` columns: a workgroup per COL_X columns, its
 * COL_LANES lanes take every COL_LANES-th row, then sum in shared memory (a fixed order, so
 * the result is deterministic). f is x[r, c], or dy[r, c] · x̂[r, c] for LayerNorm's γ.
 */
class ColumnSumProgram implements WebGPUProgram {
  variableNames: string[];
  shaderKey: string;
  outputShape: number[];
  uniforms = 'rows : i32, width : i32,';
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [COL_X, COL_LANES, 1];

  constructor(
    width: number,
    private readonly mode: { kind: 'plain' } | { kind: 'lnGamma'; k: number },
  ) {
    this.outputShape = [width];
    this.dispatch = [Math.ceil(width / COL_X), 1, 1];
    this.variableNames = mode.kind === 'plain' ? ['x'] : ['dy', 'stats', ...termNames(mode.k)];
    this.shaderKey = mode.kind === 'plain' ? 'qaColumnSum' : `qaColumnSumLnGamma_${mode.k}`;
  }

  getUserCode(): string {
    const m = this.mode;
    const value =
      m.kind === 'plain' ? 'x[r * uniforms.width + col]' : '(dy[r * uniforms.width + col] * (termSum(r * uniforms.width + col) - stats[2 * r]) * stats[2 * r + 1])';
    return `${m.kind === 'lnGamma' ? termSumSnippet(m.k) : ''}
      var<workgroup> colPartial : array<array<f32, ${COL_X}>, ${COL_LANES}>;
      fn main(index : i32) {
        let col = i32(workgroupId.x) * ${COL_X} + i32(localId.x);
        let lane = i32(localId.y);
        var s = 0.0;
        if (col < uniforms.width) {
          for (var r = lane; r < uniforms.rows; r = r + ${COL_LANES}) { s = s + ${value}; }
        }
        colPartial[localId.y][localId.x] = s;
        workgroupBarrier();
        for (var w = ${COL_LANES / 2}u; w > 0u; w = w / 2u) {
          if (localId.y < w) { colPartial[localId.y][localId.x] = colPartial[localId.y][localId.x] + colPartial[localId.y + w][localId.x]; }
          workgroupBarrier();
        }
        if (lane == 0 && col < uniforms.width) { result[col] = colPartial[0][localId.x]; }
      }`;
  }
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** erf by Abramowitz–Stegun 7.1.26, the formula and constants of tfjs' own Erf kernels. */
const ERF_WGSL = `
      fn erfAS(a : f32) -> f32 {
        let v = abs(a);
        let t = 1.0 / (1.0 + 0.3275911 * v);
        let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
        return sign(a) * (1.0 - poly * exp(-v * v));
      }`;

class GeluProgram extends ElementwiseProgram {
  variableNames: string[];
  shaderKey: string;
  uniforms = '';

  constructor(
    size: number,
    private readonly grad: boolean,
  ) {
    super(size);
    this.variableNames = grad ? ['x', 'dy'] : ['x'];
    this.shaderKey = grad ? 'qaGeluGrad' : 'qaGelu';
  }

  getUserCode(): string {
    // GELU(x) = x · Φ(x),  GELU'(x) = Φ(x) + x · φ(x).
    const body = this.grad
      ? `let phi = exp(-0.5 * a * a) * ${INV_SQRT_2PI};
          result[index] = dy[index] * (cdf + a * phi);`
      : 'result[index] = a * cdf;';
    return `${ERF_WGSL}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let a = x[index];
          let cdf = 0.5 * (1.0 + erfAS(a * ${SQRT1_2}));
          ${body}
        }
      }`;
  }
}

const int = (...data: number[]) => data.map((d) => ({ type: 'int32' as const, data: [d] }));

function terms(inputs: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  return Object.keys(inputs)
    .filter((n) => /^t\d+$/.test(n))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
    .map((n) => flat(inputs[n]));
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  registerWebGpuKernel('QaLayerNorm', ({ inputs, backend, attrs }) => {
    const ts = terms(inputs);
    const { width, eps } = attrs as { width: number; eps: number };
    const rows = ts[0].shape[0] / width;
    return runProgram(backend, new LayerNormProgram(rows, width, ts.length), [...ts, inputs.gamma, inputs.beta], [...int(rows, width), { type: 'float32', data: [eps] }], inputs.t0.shape);
  });
  registerWebGpuKernel('QaLayerNormStats', ({ inputs, backend, attrs }) => {
    const ts = terms(inputs);
    const { width, eps } = attrs as { width: number; eps: number };
    const rows = ts[0].shape[0] / width;
    return runProgram(backend, new RowStatsProgram(rows, ts.length), ts, [...int(rows, width), { type: 'float32', data: [eps] }], [rows, 2]);
  });
  registerWebGpuKernel('QaLayerNormGrad', ({ inputs, backend, attrs }) => {
    const ts = terms(inputs);
    const { width } = attrs as { width: number };
    const rows = ts[0].shape[0] / width;
    return runProgram(backend, new LayerNormGradProgram(rows, width, ts.length), [flat(inputs.dy), flat(inputs.stats), inputs.gamma, ...ts], int(rows, width), inputs.t0.shape);
  });
  registerWebGpuKernel('QaColumnSum', ({ inputs, backend, attrs }) => {
    const { width } = attrs as { width: number };
    const x = flat(inputs.x);
    return runProgram(backend, new ColumnSumProgram(width, { kind: 'plain' }), [x], int(x.shape[0] / width, width), [width]);
  });
  registerWebGpuKernel('QaLayerNormGammaGrad', ({ inputs, backend, attrs }) => {
    const ts = terms(inputs);
    const { width } = attrs as { width: number };
    const rows = ts[0].shape[0] / width;
    return runProgram(backend, new ColumnSumProgram(width, { kind: 'lnGamma', k: ts.length }), [flat(inputs.dy), flat(inputs.stats), ...ts], int(rows, width), [width]);
  });
  registerWebGpuKernel('QaGelu', ({ inputs, backend }) => {
    const x = flat(inputs.x);
    return runProgram(backend, new GeluProgram(x.shape[0], false), [x], [], inputs.x.shape);
  });
  registerWebGpuKernel('QaGeluGrad', ({ inputs, backend }) => {
    const x = flat(inputs.x);
    return runProgram(backend, new GeluProgram(x.shape[0], true), [x, flat(inputs.dy)], [], inputs.x.shape);
  });
}

const termInputs = (ts: readonly tf.Tensor[]): Record<string, tf.Tensor> => {
  if (ts.length < 1 || ts.length > MAX_TERMS) throw new RangeError(`LayerNorm kernels take 1 to ${MAX_TERMS} terms, got ${ts.length}`);
  return Object.fromEntries(ts.map((t, i) => [`t${i}`, t]));
};

/** LayerNorm over the last axis (`width`) of Σ terms; the result has the first term's shape. */
export function layerNormKernel(ts: readonly tf.Tensor[], gamma: tf.Tensor, beta: tf.Tensor, width: number, eps: number): tf.Tensor {
  register();
  return runKernel('QaLayerNorm', { ...termInputs(ts), gamma, beta }, { width, eps });
}

/** [rows, 2]: mean and 1/σ of each row of Σ terms. */
export function layerNormStats(ts: readonly tf.Tensor[], width: number, eps: number): tf.Tensor2D {
  register();
  return runKernel('QaLayerNormStats', termInputs(ts), { width, eps });
}

/** The gradient of LayerNorm's input (the first term's shape) from dy and the row stats. */
export function layerNormGrad(dy: tf.Tensor, stats: tf.Tensor, gamma: tf.Tensor, ts: readonly tf.Tensor[], width: number): tf.Tensor {
  register();
  return runKernel('QaLayerNormGrad', { dy, stats, gamma, ...termInputs(ts) }, { width });
}

/** Σ_rows dy · x̂: LayerNorm's γ gradient. */
export function layerNormGammaGrad(dy: tf.Tensor, stats: tf.Tensor, ts: readonly tf.Tensor[], width: number): tf.Tensor1D {
  register();
  return runKernel('QaLayerNormGammaGrad', { dy, stats, ...termInputs(ts) }, { width });
}

/** x viewed as rows of `width` columns, summed over the rows: [width]. */
export function columnSum(x: tf.Tensor, width: number): tf.Tensor1D {
  register();
  return runKernel('QaColumnSum', { x }, { width });
}

/** Exact GELU (erf form), one dispatch. */
export function geluKernel<T extends tf.Tensor>(x: T): T {
  register();
  return runKernel<T>('QaGelu', { x });
}

/** dy · GELU'(x), one dispatch. */
export function geluGradKernel<T extends tf.Tensor>(x: T, dy: tf.Tensor): T {
  register();
  return runKernel<T>('QaGeluGrad', { x, dy });
}
