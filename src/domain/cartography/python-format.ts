/**
 * Number and JSON formatting that reproduces what the Python system writes, so files we export
 * compare byte for byte with `json.dump(..., indent=2)` and `DataFrame.to_csv` output.
 *
 * Python's float repr and JavaScript's Number#toString pick the same shortest round-trip digits
 * (both are "shortest representation" algorithms); they only differ in layout: Python switches
 * to exponent notation when the decimal exponent is < -4 or >= 16, always keeps a ".0" on
 * integral floats and writes at least two exponent digits (1e-05, 1e+16).
 */

/** Splits a finite non-zero |x| into its shortest decimal digits and the exponent of the first digit. */
function shortestDigits(x: number): { digits: string; exp10: number } {
  // toExponential() without an argument yields the shortest digits that round-trip.
  const s = Math.abs(x).toExponential();
  const eAt = s.indexOf('e');
  const mantissa = s.slice(0, eAt).replace('.', '');
  return { digits: mantissa, exp10: Number(s.slice(eAt + 1)) };
}

function layoutPythonStyle(negative: boolean, digits: string, exp10: number): string {
  const sign = negative ? '-' : '';
  // Python's float_repr_style 'short': fixed notation when -4 <= exp10 < 16.
  if (exp10 >= -4 && exp10 < 16) {
    if (exp10 < 0) return `${sign}0.${'0'.repeat(-exp10 - 1)}${digits}`;
    const intLen = exp10 + 1;
    if (digits.length <= intLen) return `${sign}${digits}${'0'.repeat(intLen - digits.length)}.0`;
    return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expAbs = Math.abs(exp10);
  return `${sign}${mant}e${exp10 < 0 ? '-' : '+'}${expAbs < 10 ? '0' : ''}${expAbs}`;
}

/** `repr(float(x))` in Python 3: 0.1 → "0.1", 1 → "1.0", 1e-5 → "1e-05", NaN → "nan". */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const ax = Math.abs(x);
  // Fast path: in [1e-4, 1e16) both languages print the same digits in fixed notation
  // (JavaScript keeps fixed notation from 1e-7 to 1e21); Python adds ".0" to integral values.
  if (ax >= 1e-4 && ax < 1e16) {
    const s = String(x);
    return Number.isInteger(x) ? s + '.0' : s;
  }
  const { digits, exp10 } = shortestDigits(x);
  return layoutPythonStyle(x < 0, digits, exp10);
}

/**
 * `str(np.float32(x))`: the shortest digits that round-trip through float32, laid out like
 * Python floats. pandas writes float32 columns (the UMAP coordinates) this way.
 */
export function pyFloat32Repr(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return pyFloatRepr(f);
  for (let p = 1; p <= 9; p++) {
    const candidate = f.toExponential(p - 1);
    if (Math.fround(Number(candidate)) === f) {
      const eAt = candidate.indexOf('e');
      let digits = candidate.slice(0, eAt).replace('.', '').replace('-', '');
      digits = digits.replace(/0+$/, '') || '0';
      return layoutPythonStyle(f < 0, digits, Number(candidate.slice(eAt + 1)));
    }
  }
  return pyFloatRepr(f);
}

/** json.dumps float formatting: like repr, but non-finite values become NaN / Infinity. */
export function pyJsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return pyFloatRepr(x);
}

/** json.dumps string escaping with the default ensure_ascii=True. */
export function pyJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * A JSON value as Python would hold it. JavaScript numbers do not say whether they were ints
 * or floats in Python, so floats are wrapped: `{ pyFloat: x }`. Plain numbers must be integers.
 */
export type PyJsonValue =
  | null
  | boolean
  | string
  | number
  | PyFloat
  | PyJsonValue[]
  | { [key: string]: PyJsonValue };

export class PyFloat {
  constructor(readonly value: number) {}
}

export const pyFloat = (x: number): PyFloat => new PyFloat(x);

/**
 * `json.dumps(value, indent=indent)` with Python's defaults (separators ", " / ": " become
 * "," + newline and ": " when indenting; empty containers stay "{}" / "[]").
 * Object keys keep the order in which JavaScript enumerates them.
 */
export function pyJsonDumps(value: PyJsonValue, indent: number | null = 2): string {
  const parts: string[] = [];
  const write = (v: PyJsonValue, level: number): void => {
    if (v === null) parts.push('null');
    else if (v === true) parts.push('true');
    else if (v === false) parts.push('false');
    else if (typeof v === 'string') parts.push(pyJsonString(v));
    else if (v instanceof PyFloat) parts.push(pyJsonFloat(v.value));
    else if (typeof v === 'number') {
      if (!Number.isInteger(v)) throw new TypeError(`pyJsonDumps: ${v} is not an integer; wrap Python floats with pyFloat()`);
      parts.push(String(v));
    } else if (Array.isArray(v)) {
      if (v.length === 0) {
        parts.push('[]');
        return;
      }
      parts.push('[');
      v.forEach((item, i) => {
        if (i > 0) parts.push(indent === null ? ', ' : ',');
        if (indent !== null) parts.push('\n' + ' '.repeat(indent * (level + 1)));
        write(item, level + 1);
      });
      if (indent !== null) parts.push('\n' + ' '.repeat(indent * level));
      parts.push(']');
    } else {
      const keys = Object.keys(v);
      if (keys.length === 0) {
        parts.push('{}');
        return;
      }
      parts.push('{');
      keys.forEach((k, i) => {
        if (i > 0) parts.push(indent === null ? ', ' : ',');
        if (indent !== null) parts.push('\n' + ' '.repeat(indent * (level + 1)));
        parts.push(pyJsonString(k), ': ');
        write(v[k], level + 1);
      });
      if (indent !== null) parts.push('\n' + ' '.repeat(indent * level));
      parts.push('}');
    }
  };
  write(value, 0);
  return parts.join('');
}
