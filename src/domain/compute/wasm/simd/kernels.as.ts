// Elementwise, row and copy kernels in AssemblyScript with WebAssembly SIMD (128-bit lanes),
// compiled to a small module that imports tfjs-backend-wasm's own memory (npm run build:simd;
// simd-module.ts instantiates it). Every argument is a byte address on that heap or a count.
// No static data, no allocation: the module writes only where it is told to.
//
// Why not JavaScript: V8 runs these loops on scalars at 2–20 ns per element (GELU's exp, the
// float32 views of the heap), where four lanes per instruction take well under one.

// ---- exp for f32x4 (Cephes expf: range reduction by ln 2, degree-5 polynomial; rel. error < 2e-7)

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_MIN: f32 = -87.3;

// @ts-ignore: decorator
@inline
function expV(u: v128): v128 {
  const x = f32x4.max(u, f32x4.splat(EXP_MIN));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const r2 = f32x4.mul(r, r);
  p = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1));
  // 2^n through the exponent bits (n ≥ −126 after the clamp).
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

// ---- GELU (exact, erf by Abramowitz–Stegun 7.1.26 as the WebGPU kernels) with its derivative

const P: f32 = 0.3275911 * 0.7071067811865476; // p / √2: t = 1 / (1 + p · |x| / √2)
const A1: f32 = 0.254829592;
const A2: f32 = -0.284496736;
const A3: f32 = 1.421413741;
const A4: f32 = -1.453152027;
const A5: f32 = 1.061405429;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

/** exp(−x²/2) of the last geluCdf call (a global: no memory to spare for a second result). */
let geluE: v128 = f32x4.splat(0);

// @ts-ignore: decorator
@inline
function geluCdf(v: v128): v128 {
  const one = f32x4.splat(1);
  const t = f32x4.div(one, f32x4.add(one, f32x4.mul(f32x4.splat(P), f32x4.abs(v))));
  const e = expV(f32x4.mul(f32x4.mul(v, v), f32x4.splat(-0.5))); // exp(−x²/2)
  let poly = f32x4.add(f32x4.mul(f32x4.splat(A5), t), f32x4.splat(A4));
  poly = f32x4.add(f32x4.mul(poly, t), f32x4.splat(A3));
  poly = f32x4.add(f32x4.mul(poly, t), f32x4.splat(A2));
  poly = f32x4.add(f32x4.mul(poly, t), f32x4.splat(A1));
  const erfAbs = f32x4.sub(one, f32x4.mul(f32x4.mul(poly, t), e));
  // erf is odd: give erf(|x|/√2) the sign of x.
  const erf = v128.or(erfAbs, v128.and(v, i32x4.splat(0x80000000)));
  geluE = e;
  return f32x4.mul(f32x4.splat(0.5), f32x4.add(one, erf));
}

/** y = GELU(x) = x · Φ(x), d = GELU'(x) = Φ(x) + x · φ(x) for n values. */
export function gelu(x: usize, y: usize, d: usize, n: i32): void {
  const k = f32x4.splat(INV_SQRT_2PI);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const cdf = geluCdf(v);
    v128.store(y + o, f32x4.mul(v, cdf));
    v128.store(d + o, f32x4.add(cdf, f32x4.mul(f32x4.mul(v, geluE), k)));
  }
  for (; i < n; i++) {
    // The ragged tail one value at a time, in lane 0.
    const o = <usize>i << 2;
    const v = f32x4.splat(load<f32>(x + o));
    const cdf = geluCdf(v);
    store<f32>(y + o, f32x4.extract_lane(f32x4.mul(v, cdf), 0));
    store<f32>(d + o, f32x4.extract_lane(f32x4.add(cdf, f32x4.mul(f32x4.mul(v, geluE), k)), 0));
  }
}

// ---- row reductions

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * LayerNorm of `rows` rows of width w: y = x̂ · γ + β with x̂ = (s − μ) / σ, σ = √(var + eps)
 * (biased variance, two passes); also writes x̂ and 1/σ per row.
 */
export function layerNorm(s: usize, gamma: usize, beta: usize, y: usize, xhat: usize, rstd: usize, rows: i32, w: i32, eps: f32): void {
  const w4 = w & ~3;
  const invW: f32 = 1 / <f32>w;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * <usize>w << 2;
    let acc = f32x4.splat(0);
    for (let j = 0; j < w4; j += 4) acc = f32x4.add(acc, v128.load(s + row + (<usize>j << 2)));
    let sum = hsum(acc);
    for (let j = w4; j < w; j++) sum += load<f32>(s + row + (<usize>j << 2));
    const mean = sum * invW;
    const meanV = f32x4.splat(mean);
    acc = f32x4.splat(0);
    for (let j = 0; j < w4; j += 4) {
      const c = f32x4.sub(v128.load(s + row + (<usize>j << 2)), meanV);
      acc = f32x4.add(acc, f32x4.mul(c, c));
    }
    let sq = hsum(acc);
    for (let j = w4; j < w; j++) {
      const c = load<f32>(s + row + (<usize>j << 2)) - mean;
      sq += c * c;
    }
    const rs: f32 = 1 / sqrt<f32>(sq * invW + eps);
    store<f32>(rstd + (<usize>r << 2), rs);
    const rsV = f32x4.splat(rs);
    for (let j = 0; j < w4; j += 4) {
      const o = row + (<usize>j << 2);
      const h = f32x4.mul(f32x4.sub(v128.load(s + o), meanV), rsV);
      v128.store(xhat + o, h);
      v128.store(y + o, f32x4.add(f32x4.mul(h, v128.load(gamma + (<usize>j << 2))), v128.load(beta + (<usize>j << 2))));
    }
    for (let j = w4; j < w; j++) {
      const o = row + (<usize>j << 2);
      const h = (load<f32>(s + o) - mean) * rs;
      store<f32>(xhat + o, h);
      store<f32>(y + o, h * load<f32>(gamma + (<usize>j << 2)) + load<f32>(beta + (<usize>j << 2)));
    }
  }
}

/** LayerNorm's input gradient per row: dx = 1/σ · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), dx̂ = dy · γ. */
export function layerNormGrad(dy: usize, xhat: usize, rstd: usize, gamma: usize, dx: usize, rows: i32, w: i32): void {
  const w4 = w & ~3;
  const invW: f32 = 1 / <f32>w;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * <usize>w << 2;
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    for (let j = 0; j < w4; j += 4) {
      const o = row + (<usize>j << 2);
      const dh = f32x4.mul(v128.load(dy + o), v128.load(gamma + (<usize>j << 2)));
      a1 = f32x4.add(a1, dh);
      a2 = f32x4.add(a2, f32x4.mul(dh, v128.load(xhat + o)));
    }
    let m1 = hsum(a1);
    let m2 = hsum(a2);
    for (let j = w4; j < w; j++) {
      const o = row + (<usize>j << 2);
      const dh = load<f32>(dy + o) * load<f32>(gamma + (<usize>j << 2));
      m1 += dh;
      m2 += dh * load<f32>(xhat + o);
    }
    m1 *= invW;
    m2 *= invW;
    const rs = load<f32>(rstd + (<usize>r << 2));
    const m1V = f32x4.splat(m1);
    const m2V = f32x4.splat(m2);
    const rsV = f32x4.splat(rs);
    for (let j = 0; j < w4; j += 4) {
      const o = row + (<usize>j << 2);
      const dh = f32x4.mul(v128.load(dy + o), v128.load(gamma + (<usize>j << 2)));
      v128.store(dx + o, f32x4.mul(rsV, f32x4.sub(f32x4.sub(dh, m1V), f32x4.mul(v128.load(xhat + o), m2V))));
    }
    for (let j = w4; j < w; j++) {
      const o = row + (<usize>j << 2);
      const dh = load<f32>(dy + o) * load<f32>(gamma + (<usize>j << 2));
      store<f32>(dx + o, rs * (dh - m1 - load<f32>(xhat + o) * m2));
    }
  }
}

/**
 * out[j] = Σ_b x[b · size + j] (· y[b · size + j] when y ≠ 0) over `blocks` blocks. Partial sums
 * of up to 16 blocks in float32 lanes, totals in float64 in `acc` (8 · size bytes of scratch).
 */
export function blockSum(x: usize, y: usize, out: usize, acc: usize, size: i32, blocks: i32): void {
  const s4 = size & ~3;
  for (let j = 0; j < size; j++) store<f64>(acc + (<usize>j << 3), 0);
  const stride = <usize>size << 2;
  for (let b0 = 0; b0 < blocks; b0 += 16) {
    const b1 = min(b0 + 16, blocks);
    for (let j = 0; j < s4; j += 4) {
      const col = <usize>j << 2;
      let p = f32x4.splat(0);
      if (y) {
        for (let b = b0; b < b1; b++) {
          const o = <usize>b * stride + col;
          p = f32x4.add(p, f32x4.mul(v128.load(x + o), v128.load(y + o)));
        }
      } else {
        for (let b = b0; b < b1; b++) p = f32x4.add(p, v128.load(x + <usize>b * stride + col));
      }
      const a = acc + (<usize>j << 3);
      v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(p)));
      v128.store(a + 16, f64x2.add(v128.load(a + 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(p, p, 2, 3, 0, 1))));
    }
    for (let j = s4; j < size; j++) {
      let p: f32 = 0;
      for (let b = b0; b < b1; b++) {
        const o = <usize>b * stride + (<usize>j << 2);
        p += y ? load<f32>(x + o) * load<f32>(y + o) : load<f32>(x + o);
      }
      const a = acc + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + <f64>p);
    }
  }
  for (let j = 0; j < size; j++) store<f32>(out + (<usize>j << 2), <f32>load<f64>(acc + (<usize>j << 3)));
}

/** Softmax's gradient per row of width w: dS = P ∘ (dP − Σ_j P ∘ dP), dP = G ∘ M (M = 0: no mask). */
export function softmaxGrad(p: usize, g: usize, m: usize, d: usize, rows: i32, w: i32): void {
  const w4 = w & ~3;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * <usize>w << 2;
    let acc = f32x4.splat(0);
    for (let j = 0; j < w4; j += 4) {
      const o = row + (<usize>j << 2);
      let gv = v128.load(g + o);
      if (m) gv = f32x4.mul(gv, v128.load(m + o));
      acc = f32x4.add(acc, f32x4.mul(v128.load(p + o), gv));
    }
    let dot = hsum(acc);
    for (let j = w4; j < w; j++) {
      const o = row + (<usize>j << 2);
      const gs = m ? load<f32>(g + o) * load<f32>(m + o) : load<f32>(g + o);
      dot += load<f32>(p + o) * gs;
    }
    const dotV = f32x4.splat(dot);
    for (let j = 0; j < w4; j += 4) {
      const o = row + (<usize>j << 2);
      let gv = v128.load(g + o);
      if (m) gv = f32x4.mul(gv, v128.load(m + o));
      v128.store(d + o, f32x4.mul(v128.load(p + o), f32x4.sub(gv, dotV)));
    }
    for (let j = w4; j < w; j++) {
      const o = row + (<usize>j << 2);
      const gs = m ? load<f32>(g + o) * load<f32>(m + o) : load<f32>(g + o);
      store<f32>(d + o, load<f32>(p + o) * (gs - dot));
    }
  }
}

// ---- copies: strided 2-D blocks, straight or transposed, scaled or masked

/** dst[r · ds + c] = src[r · ss + c] · scale for an [R, C] block (strides in elements). */
export function copy2d(src: usize, ss: i32, dst: usize, ds: i32, rows: i32, cols: i32, scale: f32): void {
  const c4 = cols & ~3;
  const sv = f32x4.splat(scale);
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>r * <usize>ss << 2);
    const d = dst + (<usize>r * <usize>ds << 2);
    if (scale == 1) {
      memory.copy(d, s, <usize>cols << 2);
      continue;
    }
    for (let c = 0; c < c4; c += 4) v128.store(d + (<usize>c << 2), f32x4.mul(v128.load(s + (<usize>c << 2)), sv));
    for (let c = c4; c < cols; c++) store<f32>(d + (<usize>c << 2), load<f32>(s + (<usize>c << 2)) * scale);
  }
}

/**
 * dst[c · ds + r] = src[r · ss + c] · (m ? mask[r · ss + c] : scale) for an [R, C] block: 4 × 4
 * tiles transposed in registers, the ragged edges one by one.
 */
export function transpose2d(src: usize, ss: i32, mask: usize, dst: usize, ds: i32, rows: i32, cols: i32, scale: f32): void {
  const r4 = rows & ~3;
  const c4 = cols & ~3;
  const sv = f32x4.splat(scale);
  const sStride = <usize>ss << 2;
  const dStride = <usize>ds << 2;
  for (let r = 0; r < r4; r += 4) {
    for (let c = 0; c < c4; c += 4) {
      const o = (<usize>r * sStride) + (<usize>c << 2);
      let a = v128.load(src + o);
      let b = v128.load(src + o + sStride);
      let e = v128.load(src + o + 2 * sStride);
      let f = v128.load(src + o + 3 * sStride);
      if (mask) {
        a = f32x4.mul(a, v128.load(mask + o));
        b = f32x4.mul(b, v128.load(mask + o + sStride));
        e = f32x4.mul(e, v128.load(mask + o + 2 * sStride));
        f = f32x4.mul(f, v128.load(mask + o + 3 * sStride));
      } else if (scale != 1) {
        a = f32x4.mul(a, sv);
        b = f32x4.mul(b, sv);
        e = f32x4.mul(e, sv);
        f = f32x4.mul(f, sv);
      }
      const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
      const ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
      const ef0 = v128.shuffle<f32>(e, f, 0, 4, 1, 5);
      const ef1 = v128.shuffle<f32>(e, f, 2, 6, 3, 7);
      const d = dst + (<usize>c * dStride) + (<usize>r << 2);
      v128.store(d, v128.shuffle<f32>(ab0, ef0, 0, 1, 4, 5));
      v128.store(d + dStride, v128.shuffle<f32>(ab0, ef0, 2, 3, 6, 7));
      v128.store(d + 2 * dStride, v128.shuffle<f32>(ab1, ef1, 0, 1, 4, 5));
      v128.store(d + 3 * dStride, v128.shuffle<f32>(ab1, ef1, 2, 3, 6, 7));
    }
  }
  for (let r = 0; r < rows; r++) {
    const cStart = r < r4 ? c4 : 0;
    for (let c = cStart; c < cols; c++) {
      const o = (<usize>r * sStride) + (<usize>c << 2);
      const v = load<f32>(src + o) * (mask ? load<f32>(mask + o) : scale);
      store<f32>(dst + (<usize>c * dStride) + (<usize>r << 2), v);
    }
  }
}

// ---- AdamW

/** Σ x² over n values, float32 lanes per 64 values, float64 across. */
export function sumSquares(x: usize, n: i32): f64 {
  let total: f64 = 0;
  let i = 0;
  for (; i + 64 <= n; i += 64) {
    let acc = f32x4.splat(0);
    for (let j = 0; j < 64; j += 4) {
      const v = v128.load(x + (<usize>(i + j) << 2));
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    total += <f64>hsum(acc);
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    total += <f64>(v * v);
  }
  return total;
}

/**
 * One AdamW update of n values in place, in torch's order (optimizer.ts): g' = g · coef (the
 * clipping factor), m ← m + (1 − β1)(g' − m), v ← β2 v + (1 − β2) g'², p ← p · wd,
 * p ← p − stepSize · m / (√v / bc2Sqrt + eps).
 */
export function adamW(p: usize, g: usize, m: usize, v: usize, n: i32, coef: f32, beta1: f32, beta2: f32, wd: f32, stepSize: f32, bc2Sqrt: f32, eps: f32): void {
  const c = f32x4.splat(coef);
  const omb1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2);
  const omb2 = f32x4.splat(1 - beta2);
  const wdV = f32x4.splat(wd);
  const ss = f32x4.splat(stepSize);
  const bc = f32x4.splat(bc2Sqrt);
  const e = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gv = f32x4.mul(v128.load(g + o), c);
    const mv0 = v128.load(m + o);
    const mv = f32x4.add(mv0, f32x4.mul(f32x4.sub(gv, mv0), omb1));
    const vv = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(gv, gv), omb2));
    const pv = f32x4.mul(v128.load(p + o), wdV);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), bc), e);
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(f32x4.div(mv, denom), ss)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gs = load<f32>(g + o) * coef;
    const ms0 = load<f32>(m + o);
    const ms = ms0 + (gs - ms0) * (1 - beta1);
    const vs = load<f32>(v + o) * beta2 + gs * gs * (1 - beta2);
    const ps = load<f32>(p + o) * wd;
    store<f32>(m + o, ms);
    store<f32>(v + o, vs);
    store<f32>(p + o, ps - (ms / (sqrt<f32>(vs) / bc2Sqrt + eps)) * stepSize);
  }
}
