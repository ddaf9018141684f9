import { describe, expect, it } from 'vitest';
import {
  PyFloat,
  PyJsonSyntaxError,
  compareCodePoints,
  parsePythonJson,
  pyDumps,
  pyFloatRepr,
  pyIntRepr,
  pyRepr,
  toPlain,
} from '../../src/domain/config/pyjson';
import { pyIntList, pyPercent0 } from '../../src/domain/config/factories';

describe('pyFloatRepr matches Python repr(float)', () => {
  // Expected strings printed by CPython 3 `repr(x)`.
  const cases: Array<[number, string]> = [
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [5e-5, '5e-05'],
    [3e-5, '3e-05'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [1e15, '1000000000000000.0'],
    [9999999999999998.0, '9999999999999998.0'],
    [12345678901234567.0, '1.2345678901234568e+16'],
    [1e22, '1e+22'],
    [1e-4, '0.0001'],
    [0.00009999, '9.999e-05'],
    [1e-7, '1e-07'],
    [-2.5e-5, '-2.5e-05'],
    [2.0, '2.0'],
    [10.0, '10.0'],
    [100.0, '100.0'],
    [123456789.0, '123456789.0'],
    [0.33, '0.33'],
    [1 / 3, '0.3333333333333333'],
    [0.1 + 0.2, '0.30000000000000004'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0, '0.0'],
    [-0, '-0.0'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ];
  it.each(cases)('%s → %s', (x, expected) => {
    expect(pyFloatRepr(x)).toBe(expected);
  });

  it('switches to exponent form exactly at 1e16 and below 1e-4', () => {
    expect(pyFloatRepr(1e16 - 2)).toBe('9999999999999998.0');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(0.0001 - 1e-20)).toBe('9.999999999999999e-05'); // the double just below 1e-4
    expect(pyFloatRepr(0.00009)).toBe('9e-05');
  });
});

describe('pyDumps matches json.dumps', () => {
  it('keeps ints and floats apart', () => {
    expect(pyDumps([3, new PyFloat(3), 2.5, 5e-5, new PyFloat(0), -0, 1e21, 2n ** 70n])).toBe(
      '[3, 3.0, 2.5, 5e-05, 0.0, 0, 1000000000000000000000, 1180591620717411303424]',
    );
  });

  it('writes null/true/false and NaN/Infinity as Python does', () => {
    expect(pyDumps({ a: null, b: true, c: false, d: NaN, e: new PyFloat(-Infinity) })).toBe(
      '{"a": null, "b": true, "c": false, "d": NaN, "e": -Infinity}',
    );
  });

  it('escapes non-ASCII with ensure_ascii (surrogate pairs, DEL, controls)', () => {
    // Expected: CPython json.dumps('naïve — 😀 \x7f \x00')
    expect(pyDumps('naïve — 😀 \x7f \u0000')).toBe('"na\\u00efve \\u2014 \\ud83d\\ude00 \\u007f \\u0000"');
    expect(pyDumps('q"\\/\n\r\t\b\f')).toBe('"q\\"\\\\/\\n\\r\\t\\b\\f"');
    expect(pyDumps('é', { ensureAscii: false })).toBe('"é"');
  });

  it('sorts keys by code point at every level', () => {
    expect(pyDumps({ b: 1, a: { d: 2, c: 3 }, '\uffff': 0, '😀': 1 }, { sortKeys: true })).toBe(
      '{"a": {"c": 3, "d": 2}, "b": 1, "\\uffff": 0, "\\ud83d\\ude00": 1}',
    );
    expect(compareCodePoints('\uffff', '😀')).toBeLessThan(0);
  });

  it('pretty-prints like indent=2', () => {
    const expected = '{\n  "k": [\n    1,\n    {\n      "a": []\n    },\n    {}\n  ],\n  "z": {\n    "y": 2.0\n  }\n}';
    expect(pyDumps({ k: [1, { a: [] }, {}], z: { y: new PyFloat(2) } }, { indent: 2 })).toBe(expected);
  });

  it('keeps Map order for integer-like keys', () => {
    expect(pyDumps(new Map([['2', 1], ['1', 2]]))).toBe('{"2": 1, "1": 2}');
  });
});

describe('parsePythonJson', () => {
  it('keeps float literals as PyFloat and round-trips text exactly', () => {
    const text = '{"a": 3.0, "b": 3, "c": 5e-05, "d": [1e+16, -0.0, NaN, Infinity, -Infinity], "e": "\\u00e9"}';
    const v = parsePythonJson(text) as Record<string, unknown>;
    expect(v.a).toBeInstanceOf(PyFloat);
    expect(v.b).toBe(3);
    expect(pyDumps(v as never)).toBe(text);
    expect(toPlain(v as never)).toEqual({ a: 3, b: 3, c: 5e-5, d: [1e16, -0, NaN, Infinity, -Infinity], e: 'é' });
  });

  it('names the file, line and column of a syntax error', () => {
    expect(() => parsePythonJson('{\n  "a": 1,\n  "b": tru\n}', 'x/config.json')).toThrowError(PyJsonSyntaxError);
    expect(() => parsePythonJson('{\n  "a": 1,\n  "b": tru\n}', 'x/config.json')).toThrowError(/x\/config\.json: invalid JSON at line 3 column 8/);
    expect(() => parsePythonJson('{"a": 1} x', 'f.json')).toThrowError(/extra data/);
    expect(() => parsePythonJson('"a\u0001"', 'f.json')).toThrowError(/control character/);
  });

  it('treats "__proto__" as a plain key and keeps the last duplicate', () => {
    const v = parsePythonJson('{"__proto__": 1, "x": 1, "x": 2}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__', 'x']);
    expect(v.x).toBe(2);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });
});

describe('Python str/format helpers', () => {
  it('formats like Python', () => {
    expect(pyIntRepr(1e21)).toBe('1000000000000000000000');
    expect(pyRepr(['a', "b'c", 1, new PyFloat(2), null, true])).toBe(`['a', "b'c", 1, 2.0, None, True]`);
    expect(pyIntList([-1, 0])).toBe('[-1, 0]');
    expect(pyIntList([])).toBe('[]');
  });

  it('formats {:.0%} with round-half-even like Python', () => {
    // Expected: CPython format(x, '.0%')
    expect(pyPercent0(0.33)).toBe('33%');
    expect(pyPercent0(0.25)).toBe('25%');
    expect(pyPercent0(0.5)).toBe('50%');
    expect(pyPercent0(0.67)).toBe('67%');
    expect(pyPercent0(0.125)).toBe('12%');
    expect(pyPercent0(0.335)).toBe('34%');
    expect(pyPercent0(0.025)).toBe('2%');
    expect(pyPercent0(0.005)).toBe('0%');
  });
});
