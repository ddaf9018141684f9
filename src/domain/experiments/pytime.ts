/**
 * Python's `datetime.fromtimestamp(t).isoformat()` and `datetime.now().isoformat()`: local wall
 * time, no zone, microseconds only when non-zero ("2025-11-30T14:03:12.123456" or
 * "2025-11-30T14:03:12"). Fractions are rounded half-to-even to the microsecond, as CPython does.
 */

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * @param epochSeconds seconds since the epoch (Python's `time.time()`)
 * @param utcOffsetMinutes local offset east of UTC (e.g. +60 for CET); default: this runtime's
 *   zone at that instant (what Python would use on the same machine)
 */
export function pyIsoformatFromTimestamp(epochSeconds: number, utcOffsetMinutes?: number): string {
  if (!Number.isFinite(epochSeconds)) throw new RangeError(`timestamp ${epochSeconds} is not a finite number`);
  let whole = Math.floor(epochSeconds);
  let micros = roundHalfEven((epochSeconds - whole) * 1e6);
  if (micros >= 1_000_000) {
    whole += 1;
    micros -= 1_000_000;
  }
  const offset = utcOffsetMinutes ?? -new Date(whole * 1000).getTimezoneOffset();
  const d = new Date(whole * 1000 + offset * 60_000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return micros === 0 ? `${date}T${time}` : `${date}T${time}.${pad(micros, 6)}`;
}

/** Python's `datetime.now().isoformat()` for a given instant in milliseconds (Date.now()). */
export function pyIsoformatNow(nowMs: number, utcOffsetMinutes?: number): string {
  return pyIsoformatFromTimestamp(nowMs / 1000, utcOffsetMinutes);
}
