/**
 * Attention's kernels for the webgpu backend: a batched matMul that reads and writes through
 * strides, so the per-head operands are read straight out of the [B·T, H] projections and the
 * context is written back in that layout (no head transposes), and the row softmax with the
 * mask bias and dropout fused, forward and backward.
 *
 * Composed from tfjs ops, one layer's attention cost ~38 dispatches forward and backward (five
 * head transposes forward, thirteen backward, the scale, the bias add, the softmax, its
 * four-op gradient, the dropout); here 3 forward and 7 backward.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { DROPOUT_UNIFORMS, DROPOUT_WGSL, dropoutUniforms, flat, registerWebGpuKernel, ROW_WG, RowProgram, runKernel, runProgram } from './kernel-util';

/**
 * Strides of an operand of a batch of matrices: element (z, r, c), with z = b · heads + h, is at
 * b·sb + h·sh + r·sr + c·sc.
 */
export interface Strides {
  b: number;
  h: number;
  r: number;
  c: number;
}

const TILE = 64;
const TILE_K = 16;
const THREADS = 16; // per side: each thread computes 4 × 4 of the 64 × 64 tile

/**
 * C(z, i, j) = α Σ_k A(z, i, k) · B(z, k, j) for z < batch·heads: 64 × 64 output tiles, 16-deep
 * K tiles through shared memory, 4 × 4 outputs per thread. Whether an operand's fast axis is
 * its row or its column picks the load order (coalesced either way); it is part of the key.
 */
class StridedMatMulProgram implements WebGPUProgram {
  variableNames = ['A', 'B'];
  shaderKey: string;
  outputShape: number[];
  uniforms = 'sA : vec4<i32>, sB : vec4<i32>, sC : vec4<i32>, dims : vec4<i32>, alpha : f32,';
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];

  constructor(
    outputSize: number,
    m: number,
    n: number,
    z: number,
    private readonly aRowFast: boolean,
    private readonly bRowFast: boolean,
  ) {
    this.outputShape = [outputSize];
    this.dispatch = [Math.ceil(n / TILE), Math.ceil(m / TILE), z];
    this.shaderKey = `qaStridedMatMul_${aRowFast}_${bRowFast}`;
  }

  getUserCode(): string {
    // A tile element e of 0..1023: (i, k) with k fastest unless A's rows are its fast axis.
    const aIdx = this.aRowFast ? 'let ii = e % 64; let kk = e / 64;' : 'let ii = e / 16; let kk = e % 16;';
    const bIdx = this.bRowFast ? 'let kk = e % 16; let jj = e / 16;' : 'let kk = e / 64; let jj = e % 64;';
    return `
      var<workgroup> As : array<array<f32, ${TILE}>, ${TILE_K}>;
      var<workgroup> Bs : array<array<f32, ${TILE}>, ${TILE_K}>;
      fn main() {
        let M = uniforms.dims.x;
        let N = uniforms.dims.y;
        let K = uniforms.dims.z;
        let z = i32(workgroupId.z);
        let b = z / uniforms.dims.w;
        let h = z % uniforms.dims.w;
        let offA = b * uniforms.sA.x + h * uniforms.sA.y;
        let offB = b * uniforms.sB.x + h * uniforms.sB.y;
        let offC = b * uniforms.sC.x + h * uniforms.sC.y;
        let i0 = i32(workgroupId.y) * ${TILE};
        let j0 = i32(workgroupId.x) * ${TILE};
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let tid = ty * ${THREADS} + tx;
        var acc : array<array<f32, 4>, 4>;
        for (var k0 = 0; k0 < K; k0 = k0 + ${TILE_K}) {
          for (var l = 0; l < 4; l = l + 1) {
            let e = tid + l * 256;
            ${aIdx}
            let gi = i0 + ii;
            let gk = k0 + kk;
            var v = 0.0;
            if (gi < M && gk < K) { v = A[offA + gi * uniforms.sA.z + gk * uniforms.sA.w]; }
            As[kk][ii] = v;
          }
          for (var l = 0; l < 4; l = l + 1) {
            let e = tid + l * 256;
            ${bIdx}
            let gk = k0 + kk;
            let gj = j0 + jj;
            var v = 0.0;
            if (gk < K && gj < N) { v = B[offB + gk * uniforms.sB.z + gj * uniforms.sB.w]; }
            Bs[kk][jj] = v;
          }
          workgroupBarrier();
          for (var kk = 0; kk < ${TILE_K}; kk = kk + 1) {
            var a : array<f32, 4>;
            var bb : array<f32, 4>;
            for (var r = 0; r < 4; r = r + 1) { a[r] = As[kk][ty + ${THREADS} * r]; }
            for (var c = 0; c < 4; c = c + 1) { bb[c] = Bs[kk][tx + ${THREADS} * c]; }
            for (var r = 0; r < 4; r = r + 1) {
              for (var c = 0; c < 4; c = c + 1) { acc[r][c] = fma(a[r], bb[c], acc[r][c]); }
            }
          }
          workgroupBarrier();
        }
        for (var r = 0; r < 4; r = r + 1) {
          for (var c = 0; c < 4; c = c + 1) {
            let gi = i0 + ty + ${THREADS} * r;
            let gj = j0 + tx + ${THREADS} * c;
            if (gi < M && gj < N) { result[offC + gi * uniforms.sC.z + gj * uniforms.sC.w] = uniforms.alpha * acc[r][c]; }
          }
        }
      }`;
  }
}

/**
 * Row softmax of (S + bias) for rows of `width` = T keys, the bias [B, T] shared by the
 * `rowsPerBias` = heads · T rows of an example, and dropout on the result when rate > 0 (the
 * mask of element index = flat index in [B, heads, T, T], as the dropout kernel draws it).
 *   forward:  out = P ∘ m / keep,   P = softmax(S + bias)
 *   backward: out = P ∘ (g − Σ_j P_j g_j),   g = dP' ∘ m / keep   (the gradient w.r.t. S)
 */
class SoftmaxProgram extends RowProgram {
  variableNames: string[];
  shaderKey: string;
  uniforms = `rows : i32, width : i32, rowsPerBias : i32, ${DROPOUT_UNIFORMS} scale : f32,`;

  constructor(
    rows: number,
    width: number,
    private readonly backward: boolean,
    private readonly dropout: boolean,
  ) {
    super(rows, rows * width);
    this.variableNames = backward ? ['S', 'bias', 'dP'] : ['S', 'bias'];
    this.shaderKey = `qaAttnSoftmax_${backward ? 'bwd' : 'fwd'}_${dropout}`;
  }

  rowCode(): string {
    const m = (i: string) => (this.dropout ? `select(0.0, uniforms.scale, keepAt(${i}))` : '1.0');
    const finish = this.backward
      ? `var d = 0.0;
        for (var c = i32(localId.x); c < W; c = c + ${ROW_WG}) { d = d + p(c) * dP[base + c] * ${m('base + c')}; }
        let dot = rowSum(d);
        if (valid) {
          for (var c = i32(localId.x); c < W; c = c + ${ROW_WG}) { result[base + c] = p(c) * (dP[base + c] * ${m('base + c')} - dot); }
        }`
      : `if (valid) {
          for (var c = i32(localId.x); c < W; c = c + ${ROW_WG}) { result[base + c] = p(c) * ${m('base + c')}; }
        }`;
    return `${this.dropout ? DROPOUT_WGSL : ''}
      var<private> rowMaxV : f32;
      var<private> rowDenom : f32;
      var<private> rowBase : i32;
      var<private> biasBase : i32;
      fn x(c : i32) -> f32 { return S[rowBase + c] + bias[biasBase + c]; }
      fn p(c : i32) -> f32 { return exp(x(c) - rowMaxV) * rowDenom; }
      fn main(index : i32) {
        let row = rowIndex();
        let valid = row < uniforms.rows;
        let W = uniforms.width;
        let base = select(0, row, valid) * W;
        rowBase = base;
        biasBase = (select(0, row, valid) / uniforms.rowsPerBias) * W;
        var mx = -3.4028234663852886e38;
        for (var c = i32(localId.x); c < W; c = c + ${ROW_WG}) { mx = max(mx, x(c)); }
        rowMaxV = rowMax(mx);
        var s = 0.0;
        for (var c = i32(localId.x); c < W; c = c + ${ROW_WG}) { s = s + exp(x(c) - rowMaxV); }
        rowDenom = 1.0 / rowSum(s);
        ${finish}
      }`;
  }
}

const ivec = (s: Strides) => ({ type: 'int32' as const, data: [s.b, s.h, s.r, s.c] });

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  registerWebGpuKernel('QaStridedMatMul', ({ inputs, backend, attrs }) => {
    const a = attrs as { sA: Strides; sB: Strides; sC: Strides; m: number; n: number; k: number; heads: number; batch: number; alpha: number; outShape: number[] };
    const size = a.outShape.reduce((x, y) => x * y, 1);
    const program = new StridedMatMulProgram(size, a.m, a.n, a.batch * a.heads, a.sA.r === 1, a.sB.r === 1);
    return runProgram(
      backend,
      program,
      [flat(inputs.A), flat(inputs.B)],
      [ivec(a.sA), ivec(a.sB), ivec(a.sC), { type: 'int32', data: [a.m, a.n, a.k, a.heads] }, { type: 'float32', data: [a.alpha] }],
      a.outShape,
    );
  });
  registerWebGpuKernel('QaAttnSoftmax', ({ inputs, backend, attrs }) => {
    const a = attrs as { width: number; rowsPerBias: number; backward: boolean; key1: number; key2: number; rate: number };
    const S = flat(inputs.S);
    const rows = S.shape[0] / a.width;
    const program = new SoftmaxProgram(rows, a.width, a.backward, a.rate > 0);
    const ins = a.backward ? [S, flat(inputs.bias), flat(inputs.dP)] : [S, flat(inputs.bias)];
    return runProgram(
      backend,
      program,
      ins,
      [{ type: 'int32', data: [rows] }, { type: 'int32', data: [a.width] }, { type: 'int32', data: [a.rowsPerBias] }, ...dropoutUniforms(a.key1, a.key2, a.rate), { type: 'float32', data: [a.rate > 0 ? 1 / (1 - a.rate) : 1] }],
      inputs.S.shape,
    );
  });
}

export interface StridedMatMul {
  /** Output rows, columns, and the contracted length. */
  m: number;
  n: number;
  k: number;
  batch: number;
  heads: number;
  sA: Strides;
  sB: Strides;
  sC: Strides;
  alpha?: number;
  /** The result tensor's shape; every element must be written by (z, i, j) through sC. */
  outShape: number[];
}

/** C = α · A · B per (example, head), read and written through strides. */
export function stridedMatMul(A: tf.Tensor, B: tf.Tensor, spec: StridedMatMul): tf.Tensor {
  register();
  return runKernel('QaStridedMatMul', { A, B }, { ...spec, alpha: spec.alpha ?? 1 });
}

/** The attention dropout's keys (as the dropout kernel takes them) and rate; rate 0 for none. */
export interface SoftmaxDropout {
  key1: number;
  key2: number;
  rate: number;
}

/** softmax(S + bias) per row (dropped out when rate > 0), S [B·heads·T, T] rows, bias [B, T]. */
export function attnSoftmax(S: tf.Tensor, bias: tf.Tensor, width: number, rowsPerBias: number, drop: SoftmaxDropout): tf.Tensor {
  register();
  return runKernel('QaAttnSoftmax', { S, bias }, { width, rowsPerBias, backward: false, ...drop });
}

/** The gradient w.r.t. S of attnSoftmax's output, given the gradient dP' of that output. */
export function attnSoftmaxGrad(S: tf.Tensor, bias: tf.Tensor, dP: tf.Tensor, width: number, rowsPerBias: number, drop: SoftmaxDropout): tf.Tensor {
  register();
  return runKernel('QaAttnSoftmax', { S, bias, dP }, { width, rowsPerBias, backward: true, ...drop });
}
