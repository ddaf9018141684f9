/**
 * A minimal, safe Python unpickler: enough opcodes for PyTorch state dicts (protocol 2, plus the
 * protocol 3–5 opcodes newer writers emit), and nothing that can run code. Globals are plain data
 * (PyGlobal) and are only "called" (REDUCE) through the caller's `call` hook, which decides what is
 * allowed; everything else is rejected with the opcode and byte position.
 *
 * Every read is bounds-checked against the input, so a truncated or crafted pickle is an error,
 * never an out-of-range read or an allocation larger than the input.
 */

export class PickleError extends Error {
  constructor(source: string, pos: number, detail: string) {
    super(`${source}: pickle byte ${pos}: ${detail}`);
    this.name = 'PickleError';
  }
}

export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A Python dict (insertion-ordered like OrderedDict); `state` holds what BUILD set on it. */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
  state: unknown = undefined;
}

export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

export interface UnpickleHooks {
  /** Whether a global may appear at all (checked when GLOBAL/STACK_GLOBAL is read). */
  allowGlobal(g: PyGlobal): boolean;
  /** REDUCE: apply an allowed global to its arguments. */
  call(g: PyGlobal, args: unknown[]): unknown;
  /** BINPERSID / PERSID. */
  persistentLoad(pid: unknown): unknown;
}

const MARK = Symbol('mark');

export interface UnpickleResult {
  value: unknown;
  /** Byte offset just after the STOP opcode (legacy torch files hold several pickles in a row). */
  end: number;
}

/** Unpickles one object starting at `start`. */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, source = 'pickle', start = 0): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  let opPos = start;
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const fail = (detail: string): never => {
    throw new PickleError(source, opPos, detail);
  };
  const need = (n: number): void => {
    if (n < 0 || pos + n > bytes.length) fail(`truncated: needs ${n} more bytes, ${bytes.length - pos} left`);
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++];
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    const lo = u32();
    const hi = u32();
    if (hi >= 2 ** 21) fail('64-bit length too large');
    return hi * 4294967296 + lo;
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const utf8 = (n: number): string => {
    const raw = take(n);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) fail('unterminated text line');
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    const v = stack.pop();
    if (v === MARK) fail('unexpected mark');
    return v;
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    const v = stack[stack.length - 1];
    if (v === MARK) fail('unexpected mark');
    return v;
  };
  const popMark = (): unknown[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('no mark on the stack');
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const memoGet = (key: number): unknown => {
    if (!memo.has(key)) fail(`memo key ${key} was never stored`);
    return memo.get(key);
  };
  const pushGlobal = (module: string, name: string): void => {
    const g = new PyGlobal(module, name);
    if (!hooks.allowGlobal(g)) fail(`global ${g.qualified} is not allowed in a weights file`);
    stack.push(g);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof PyDict)) fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) fail('odd number of items for SETITEMS');
    for (let i = 0; i < items.length; i += 2) (target as PyDict).map.set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    if (!Array.isArray(target)) fail('APPEND(S) on something that is not a list');
    (target as unknown[]).push(...items);
  };
  const longFromBytes = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
    if (raw[raw.length - 1] & 0x80) v -= 1n << BigInt(raw.length * 8);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  for (;;) {
    opPos = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME (length is advisory; opcodes follow inline)
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(longFromBytes(take(u8())));
        break;
      case 0x8b: {
        // LONG4
        const n = i32();
        if (n < 0) fail('negative LONG4 length');
        stack.push(longFromBytes(take(n)));
        break;
      }
      case 0x49: {
        // INT (text): also encodes booleans as 00/01
        const s = line().trim();
        if (s === '00') stack.push(false);
        else if (s === '01') stack.push(true);
        else if (/^-?\d+$/.test(s)) stack.push(Number(s));
        else fail(`bad INT literal ${JSON.stringify(s)}`);
        break;
      }
      case 0x47: {
        // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()));
        break;
      case 0x54: {
        // BINSTRING (Python 2 str)
        const n = i32();
        if (n < 0) fail('negative BINSTRING length');
        stack.push(new TextDecoder('latin1').decode(take(n)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(new TextDecoder('latin1').decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x30: // POP
        if (stack.length === 0) fail('stack underflow');
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        pushGlobal(module, name);
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        pushGlobal(module as string, name as string);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyGlobal)) fail('REDUCE on something that is not a global');
        if (!(args instanceof PyTuple)) fail('REDUCE arguments are not a tuple');
        stack.push(hooks.call(fn as PyGlobal, (args as PyTuple).items));
        break;
      }
      case 0x62: {
        // BUILD: only state on dicts (OrderedDict._metadata in torch state dicts) is accepted.
        const state = pop();
        const obj = top();
        if (!(obj instanceof PyDict)) fail('BUILD on an object that is not a dict');
        (obj as PyDict).state = state;
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x50: // PERSID (text)
        stack.push(hooks.persistentLoad(line()));
        break;
      default:
        fail(`unsupported opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}
