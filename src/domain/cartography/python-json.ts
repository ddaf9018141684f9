/**
 * Reads JSON written by Python's json module, which by default emits the non-standard tokens
 * NaN, Infinity and -Infinity for non-finite floats. JSON.parse rejects them, so they are
 * swapped for marker strings outside of string literals first and restored by the reviver.
 */
import { ArtifactParseError } from './errors';

const MARK = '\u0000py:';

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function parsePythonJson(text: string, file: string): unknown {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    let token: string | null = null;
    if (c === 'N' && text.startsWith('NaN', i)) token = 'NaN';
    else if (c === 'I' && text.startsWith('Infinity', i)) token = 'Infinity';
    else if (c === '-' && text.startsWith('-Infinity', i)) token = '-Infinity';
    if (token !== null) {
      out += text.slice(last, i) + JSON.stringify(MARK + token);
      i += token.length - 1;
      last = i + 1;
    }
  }
  out += text.slice(last);
  try {
    return JSON.parse(out, (_key, value: unknown) => {
      if (typeof value === 'string' && value.startsWith(MARK)) {
        const t = value.slice(MARK.length);
        return t === 'NaN' ? NaN : t === 'Infinity' ? Infinity : -Infinity;
      }
      return value;
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // V8 reports "... at position N"; map it back to a line of the original text when possible.
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? lineOf(out, Number(pos[1])) : /end of JSON input/.test(msg) ? lineOf(out, out.length) : null;
    throw new ArtifactParseError(file, line, null, `not valid JSON (${msg})`);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
