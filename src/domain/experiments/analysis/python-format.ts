/**
 * Number and table formatting that reproduces what the Python analysis prints, so the text
 * summary and results.csv compare line by line with the origin system's output:
 * Python's `format(x, '.Nf')` and `repr(float)`, numpy's `round`, and pandas' `to_string`.
 */

/** Decomposes a finite double into m · 2^e with m an integer (exact). */
function toDyadic(x: number): { m: bigint; e: number } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return exp === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: exp - 1075 };
}

/**
 * Python's `f"{x:.{d}f}"`. JavaScript's toFixed agrees except on exact binary ties (e.g. 0.03125
 * to 4 places), where it rounds away from zero and Python rounds half to even.
 */
export function pyFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const { m, e } = toDyadic(x);
  // |x| · 10^d = m · 2^e · 10^d; for e >= 0 it is an integer, so no tie is possible.
  if (e < 0) {
    const num = m * 10n ** BigInt(digits);
    const den = 1n << BigInt(-e);
    const q = num / den;
    const r = num % den;
    if (r * 2n === den) {
      const n = q % 2n === 0n ? q : q + 1n;
      const s = n.toString().padStart(digits + 1, '0');
      const body = digits === 0 ? s : `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
      return sign + body;
    }
  }
  const fixed = Math.abs(x).toFixed(digits);
  return sign + fixed;
}

/** Python's `repr(float)`: shortest round-trip digits, `3.0` for integral values, exponent form below 1e-4 or from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e');
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits.padEnd(intLen, '0')}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** Python's `format(x, '.Ne')`: exponent with a sign and at least two digits. */
export function pyExponential(x: number, digits: number): string {
  const [m, e] = x.toExponential(digits).split('e');
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

/** numpy's `round(x, decimals)` for decimals >= 0: rint(x · 10^d) / 10^d, ties to even. */
export function numpyRound(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** decimals;
  const y = x * f;
  let r = Math.round(y);
  if (Math.abs(y % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return r / f;
}

/** numpy percentile with linear interpolation, including numpy's two-sided lerp. */
export function numpyPercentile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = pos - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** A pandas column for `to_string`: floats (null = NaN), strings, or objects that are all None. */
export type PandasColumn =
  | { header: string; kind: 'float'; values: readonly (number | null)[] }
  | { header: string; kind: 'string'; values: readonly string[] }
  | { header: string; kind: 'none'; length: number };

const PANDAS_PRECISION = 6;
const DECIMAL_NUMBER = /^\s*[+-]?[0-9]+\.[0-9]*$/;

/** pandas `_trim_zeros_float`: drop trailing zeros together across the column, keeping one digit after the point. */
function trimZerosFloat(strs: string[]): string[] {
  let out = strs;
  const shouldTrim = (vals: string[]): boolean => {
    const nums = vals.filter((v) => DECIMAL_NUMBER.test(v));
    return nums.length > 0 && nums.every((v) => v.endsWith('0'));
  };
  while (shouldTrim(out)) out = out.map((v) => (DECIMAL_NUMBER.test(v) ? v.slice(0, -1) : v));
  return out.map((v) => (DECIMAL_NUMBER.test(v) && v.endsWith('.') ? `${v}0` : v));
}

/** pandas `FloatArrayFormatter` with display.precision 6 and na_rep "NaN". */
function formatFloatColumn(values: readonly (number | null)[], leadingSpace: boolean): string[] {
  const pad = (s: string, x: number): string => (leadingSpace && !s.startsWith('-') ? ` ${s}` : s);
  const fixed = (x: number): string => pad(pyFixed(x, PANDAS_PRECISION), x);
  const expo = (x: number): string => pad(pyExponential(x, PANDAS_PRECISION), x);
  const withNa = (f: (x: number) => string): string[] => values.map((v) => (v === null ? 'NaN' : f(v)));
  let out = trimZerosFloat(withNa(fixed));
  const maxLen = Math.max(0, ...out.map((s) => s.length));
  const finite = values.filter((v): v is number => v !== null);
  const tooLong = maxLen > PANDAS_PRECISION + 6;
  const hasLarge = finite.some((v) => Math.abs(v) > 1e6);
  const hasSmall = finite.some((v) => Math.abs(v) < 10 ** -PANDAS_PRECISION && v !== 0);
  if (hasSmall || (tooLong && hasLarge)) out = withNa(expo);
  return out;
}

/**
 * `DataFrame.to_string()`: index (left-justified) when given, columns right-justified, joined by one
 * space; float cells carry a leading sign space when there is an index.
 */
export function pandasToString(columns: readonly PandasColumn[], index: readonly string[] | null): string {
  const leading = index !== null;
  const strCols: string[][] = columns.map((col) => {
    const cells =
      col.kind === 'float'
        ? formatFloatColumn(col.values, leading)
        : col.kind === 'string'
          ? col.values.map((v) => (leading ? ` ${v}` : v))
          : Array.from({ length: col.length }, () => (leading ? ' None' : 'None'));
    // pandas puts a space before the label of a numeric column (`need_leadsp`), not before others.
    const header = col.kind === 'float' ? ` ${col.header}` : col.header;
    const width = Math.max(header.length, ...cells.map((c) => c.length));
    return [header.padStart(width), ...cells.map((c) => c.padStart(width))];
  });
  if (index !== null) {
    const w = Math.max(0, ...index.map((s) => s.length));
    strCols.unshift(['', ...index].map((s) => s.padEnd(w)));
  }
  const rows = strCols[0]?.length ?? 0;
  const widths = strCols.map((c) => Math.max(...c.map((s) => s.length)));
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    lines.push(strCols.map((c, i) => (i < strCols.length - 1 ? c[r].padEnd(widths[i] + 1) : c[r])).join(''));
  }
  return lines.join('\n');
}
