/**
 * Python's `json` module, byte for byte: `json.dumps` / `json.dump` output (sort_keys, indent,
 * ensure_ascii, float repr) and a `json.loads` that remembers which numbers were float literals.
 *
 * Why this exists: the Python system hashes `json.dumps(asdict(config), sort_keys=True)`, so the
 * config hash depends on Python's exact text: `3.0` not `3`, `5e-05` not `0.00005`, `\u00e9` not
 * `é`. JavaScript numbers cannot tell `3` from `3.0`, so a float that happens to be integral is
 * wrapped in `PyFloat`; any other number is an int when integral and a float otherwise.
 */

/** A number Python holds as a float (printed `3.0`, `5e-05`), whatever its value. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type PyScalar = null | boolean | string | number | bigint | PyFloat;
/** A value as Python's json module sees it. Objects keep insertion order (use a Map for keys that look like integers). */
export type PyJson = PyScalar | PyJson[] | { [key: string]: PyJson } | Map<string, PyJson>;

export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/** Unwraps PyFloat recursively: the plain JSON value a JS consumer expects. Maps become objects. */
export function toPlain(value: PyJson): unknown {
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) defineKey(out, k, toPlain(v));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) defineKey(out, k, toPlain(v));
    return out;
  }
  return value;
}

/** Own data property even for the key "__proto__" (plain assignment would set the prototype). */
function defineKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------
// Numbers

/**
 * Python `repr(float)`: the shortest digits that round-trip (JS finds the same digits), shown in
 * fixed notation when the decimal exponent is in [-4, 16) and in exponent notation otherwise,
 * with at least two exponent digits (`1e-05`, `1e+16`) and `.0` on integral fixed values.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  // Position of the decimal point relative to the digit string: value = 0.DIGITS × 10^decpt.
  const decpt = Number(expText) + 1;
  if (decpt <= -4 || decpt > 16) {
    const exp = decpt - 1;
    const expDigits = String(Math.abs(exp)).padStart(2, '0');
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${expDigits}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** Python `str(int)` for a JS integer (no exponent form, even past 1e21). */
export function pyIntRepr(x: number | bigint): string {
  if (typeof x === 'bigint') return x.toString();
  if (!Number.isInteger(x)) throw new Error(`pyIntRepr: ${x} is not an integer`);
  return Math.abs(x) < 1e21 ? String(x === 0 ? 0 : x) : BigInt(x).toString();
}

/** How json.dumps writes a float: repr, but NaN / Infinity / -Infinity for the non-finite ones. */
function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return pyFloatRepr(x);
}

/** Python `str()` of a scalar as it would print in an f-string or `str(list)` element. */
export function pyStr(value: PyScalar): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isInteger(value) ? pyIntRepr(value) : pyFloatRepr(value);
  return value;
}

/** Python `repr()` of a value (strings single-quoted as Python does when no quote forces `"`). */
export function pyRepr(value: PyJson): string {
  if (typeof value === 'string') return pyStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  if (value !== null && typeof value === 'object' && !(value instanceof PyFloat)) {
    return `{${Object.entries(value).map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return pyStr(value as PyScalar);
}

function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

// ---------------------------------------------------------------------------------------------
// Serialization

export interface PyDumpsOptions {
  /** `sort_keys=True`: keys sorted by code point at every level. */
  sortKeys?: boolean;
  /** `indent=N`: pretty-printed with N spaces, item separator ",". Omitted: one line, ", " / ": ". */
  indent?: number;
  /** `ensure_ascii` (Python's default, true): every non-ASCII char as \uXXXX (surrogate pairs above U+FFFF). */
  ensureAscii?: boolean;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A JSON string literal as Python's encoder writes it. */
export function pyJsonString(s: string, ensureAscii = true): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const c = s.charCodeAt(i);
    // ensure_ascii escapes everything outside ' '..'~' (DEL included); without it only controls.
    // Iterating UTF-16 code units yields Python's surrogate-pair escapes for astral characters.
    if (c < 0x20 || (ensureAscii && c > 0x7e)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** Code-point order, as Python sorts str (JS `<` compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

function entriesOf(value: Map<string, PyJson> | { [key: string]: PyJson }): [string, PyJson][] {
  return value instanceof Map ? [...value] : Object.entries(value);
}

/** `json.dumps(value, sort_keys=..., indent=..., ensure_ascii=...)` with Python's default separators. */
export function pyDumps(value: PyJson, options: PyDumpsOptions = {}): string {
  const { sortKeys = false, indent, ensureAscii = true } = options;
  const pretty = indent !== undefined;
  const itemSep = pretty ? ',' : ', ';
  const unit = pretty ? ' '.repeat(indent) : '';

  const write = (v: PyJson, level: number): string => {
    if (v === null) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (v instanceof PyFloat) return jsonFloat(v.value);
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') return Number.isInteger(v) ? pyIntRepr(v) : jsonFloat(v);
    if (typeof v === 'string') return pyJsonString(v, ensureAscii);
    const inner = pretty ? `\n${unit.repeat(level + 1)}` : '';
    const close = pretty ? `\n${unit.repeat(level)}` : '';
    const sep = pretty ? `${itemSep}${inner}` : itemSep;
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[${inner}${v.map((x) => write(x, level + 1)).join(sep)}${close}]`;
    }
    if (typeof v === 'object') {
      const entries = entriesOf(v);
      if (entries.length === 0) return '{}';
      if (sortKeys) entries.sort((a, b) => compareCodePoints(a[0], b[0]));
      const items = entries.map(([k, x]) => `${pyJsonString(k, ensureAscii)}: ${write(x, level + 1)}`);
      return `{${inner}${items.join(sep)}${close}}`;
    }
    throw new TypeError(`Object of type ${typeof v} is not JSON serializable`);
  };
  return write(value, 0);
}

// ---------------------------------------------------------------------------------------------
// Parsing

export class PyJsonSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    detail: string,
  ) {
    super(`${file}: invalid JSON at line ${line} column ${column}: ${detail}`);
    this.name = 'PyJsonSyntaxError';
  }
}

/** The bare words json.loads accepts; the last three are Python extensions. */
const LITERALS: ReadonlyArray<readonly [string, boolean | null | number]> = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
];

/**
 * `json.loads` as Python does it, keeping float literals (`3.0`, `1e-05`) as PyFloat so the value
 * can be written back or hashed exactly. Accepts NaN / Infinity / -Infinity like Python; raw
 * control characters inside strings are rejected (strict mode). Objects are returned as plain
 * objects (the last duplicate key wins, at the position of the first, as in a Python dict).
 */
export function parsePythonJson(text: string, file = 'input'): PyJson {
  let pos = 0;

  const fail = (detail: string, at = pos): never => {
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < text.length; i++) {
      if (text[i] === '\n') {
        line++;
        col = 1;
      } else col++;
    }
    throw new PyJsonSyntaxError(file, line, col, detail);
  };
  const skipWs = () => {
    while (pos < text.length) {
      const c = text[pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') pos++;
      else break;
    }
  };

  const parseString = (): string => {
    const start = pos;
    pos++; // opening quote
    let out = '';
    let chunk = pos;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunk, pos);
        pos++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(chunk, pos);
        const e = text[pos + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\uXXXX escape', pos);
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else if (e !== undefined && e in map) {
          out += map[e];
          pos += 2;
        } else fail('invalid escape', pos);
        chunk = pos;
        continue;
      }
      if (c < 0x20) fail('invalid control character in string', pos);
      pos++;
    }
    return fail('unterminated string', start);
  };

  const parseNumber = (): PyJson => {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (!m) return fail('invalid number');
    pos += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return new PyFloat(Number(m[0]));
  };

  const parseValue = (depth: number): PyJson => {
    if (depth > 512) fail('nesting too deep');
    skipWs();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries = new Map<string, PyJson>();
      skipWs();
      if (text[pos] === '}') {
        pos++;
        return {};
      }
      for (;;) {
        skipWs();
        if (text[pos] !== '"') fail('expected a property name in double quotes');
        const key = parseString();
        skipWs();
        if (text[pos] !== ':') fail("expected ':' after a property name");
        pos++;
        entries.set(key, parseValue(depth + 1));
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          break;
        }
        fail("expected ',' or '}'");
      }
      const obj: { [key: string]: PyJson } = {};
      for (const [k, v] of entries) Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
      return obj;
    }
    if (c === '[') {
      pos++;
      const arr: PyJson[] = [];
      skipWs();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          break;
        }
        fail("expected ',' or ']'");
      }
      return arr;
    }
    if (c === '"') return parseString();
    const literal = LITERALS.find(([word]) => text.startsWith(word, pos));
    if (literal) {
      pos += literal[0].length;
      const v = literal[1];
      return typeof v === 'number' ? new PyFloat(v) : v;
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return parseNumber();
    return fail(c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
  };

  // A UTF-8 BOM is rejected by json.loads on str, but files are usually read with utf-8 and
  // Python users do hit it; accept it rather than fail on an invisible character.
  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  const value = parseValue(0);
  skipWs();
  if (pos < text.length) fail('extra data after the JSON value');
  return value;
}
