/**
 * Numbers checked where they become float32.
 *
 * A JavaScript number is a float64; a tensor holds float32. `1e308` is finite as a float64 and
 * `Infinity` once stored in a Float32Array, so a finiteness check on the number a client sent
 * lets it through. Every check here is made on the float32 value, after the conversion: a value
 * passes when `Math.fround(v)` is finite, i.e. |v| rounds to at most {@link FLOAT32_MAX}.
 *
 * ```ts
 * toFloat32Checked('input', 'x', [1, 2, 3]); // Float32Array [1, 2, 3]
 * toFloat32Checked('input', 'x', [1e308]);   // throws E_NONFINITE: beyond float32's range
 * ```
 */
import { rxrnnError, ErrorCodes, describe } from './errors.js';

/** The largest finite float32, 3.4028234663852886e38. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** True when `v` is a number that is finite once stored as float32. */
export function isFiniteFloat32(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(Math.fround(v));
}

/** Throw the error for the value at index `i`, which failed {@link isFiniteFloat32}. */
function reject(fn: string, arg: string, v: unknown, i: number): never {
  if (typeof v !== 'number') throw rxrnnError(ErrorCodes.DTYPE, fn, arg, 'numbers', `${describe(v)} at index ${i}`);
  const why = Number.isFinite(v) ? ` (beyond float32's range, ±${FLOAT32_MAX})` : '';
  throw rxrnnError(ErrorCodes.NONFINITE, fn, arg, 'finite numbers', `${v} at index ${i}${why}`);
}

/**
 * Copy `values` into a Float32Array (a new one, or `out` from `offset`), checking each value after
 * the conversion: a non-number is `E_DTYPE`, NaN, ±Infinity or a value beyond float32's range `E_NONFINITE`.
 */
export function toFloat32Checked(fn: string, arg: string, values: ArrayLike<unknown>, out = new Float32Array(values.length), offset = 0): Float32Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const f = Math.fround(v as number);
    if (typeof v !== 'number' || !Number.isFinite(f)) reject(fn, arg, v, i);
    out[offset + i] = f;
  }
  return out;
}

/** Check that every value of a Float32Array is finite (`E_NONFINITE` with the first bad index otherwise). */
export function checkFiniteFloat32(fn: string, arg: string, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) reject(fn, arg, values[i], i);
}
