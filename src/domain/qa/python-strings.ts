/**
 * Python `str` semantics the ported code depends on, where JavaScript differs
 * (`str.isspace`, `str.lstrip()`, `str.split()`).
 */

/** Python `str.isspace()` for one UTF-16 code unit (every such code point is in the BMP). */
export function isPythonSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** Python `s.lstrip()`. */
export function pythonLstrip(s: string): string {
  let i = 0;
  while (i < s.length && isPythonSpace(s.charCodeAt(i))) i++;
  return i === 0 ? s : s.slice(i);
}

/** Python `s.split()` (no argument): runs of whitespace separate, no empty strings. */
export function pythonSplit(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (isPythonSpace(s.charCodeAt(i))) {
      if (start >= 0) {
        out.push(s.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}
