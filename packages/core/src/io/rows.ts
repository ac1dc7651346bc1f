/**
 * Validated step rows for adapters: JSON rows (`number[][]`) or a binary payload become float32
 * rows `[X]`, each value finite *as a float32* (1e308 is a finite JSON number but ∞ in a
 * Float32Array), sizes checked and the budget admitted before anything is allocated.
 */
import { rxrnnError, ErrorCodes, describe } from '../errors.js';
import { toFloat32Checked, checkFiniteFloat32 } from '../float32.js';
import type { DecodeContext, IoPayload } from './adapter.js';

/**
 * Rows `[X]` from JSON rows (as the protocol hands over `x`: an array of arrays, values unchecked).
 * One allocation of `T·X` floats; the rows are views of it.
 *
 * ```ts
 * jsonRows([[1, 2], [3, 4]], 2, ctx); // [Float32Array [1, 2], Float32Array [3, 4]]
 * jsonRows([[1e308, 0]], 2, ctx);     // throws E_NONFINITE: x[0], at index 0
 * ```
 */
export function jsonRows(rows: unknown, size: number, ctx: DecodeContext, arg = 'x'): Float32Array[] {
  const { fn } = ctx;
  if (!Array.isArray(rows)) throw rxrnnError(ErrorCodes.DTYPE, fn, arg, 'an array of rows', describe(rows));
  const T = rows.length;
  for (let t = 0; t < T; t++) {
    const row: unknown = rows[t];
    if (!Array.isArray(row)) throw rxrnnError(ErrorCodes.DTYPE, fn, `${arg}[${t}]`, `an array of ${size} numbers`, describe(row));
    if (row.length !== size) throw rxrnnError(ErrorCodes.SIZE, fn, `${arg}[${t}]`, `${size} values (the model's input size)`, `${row.length} values`);
  }
  ctx.admit(T);
  const data = new Float32Array(T * size); // [T·X]
  for (let t = 0; t < T; t++) toFloat32Checked(fn, `${arg}[${t}]`, rows[t] as unknown[], data, t * size);
  return splitRows(data, size, T);
}

/**
 * Rows `[X]` from a binary float32 payload of `T·X` values: views of the payload, not copies.
 *
 * ```ts
 * payloadRows({ dtype: 'float32', data: Float32Array.of(1, 2, 3, 4) }, 2, ctx); // two rows
 * ```
 */
export function payloadRows(payload: IoPayload, size: number, ctx: DecodeContext): Float32Array[] {
  const { fn } = ctx;
  if (payload.dtype !== 'float32') throw rxrnnError(ErrorCodes.DTYPE, fn, 'payload', 'float32 values', `${payload.dtype} values`);
  const n = payload.data.length;
  if (n === 0 || n % size !== 0) throw rxrnnError(ErrorCodes.SIZE, fn, 'payload', `a positive multiple of ${size} float32 values (the model's input size)`, `${n} values`);
  const T = n / size;
  ctx.admit(T);
  checkFiniteFloat32(fn, 'payload', payload.data);
  return splitRows(payload.data, size, T);
}

/**
 * A float32 copy of JSON numbers `[n]` (a restored stream's `last` output), each finite as a float32.
 */
export function float32Values(values: readonly unknown[], size: number, fn: string, arg: string): Float32Array {
  if (values.length !== size) throw rxrnnError(ErrorCodes.SIZE, fn, arg, `${size} values (the model's output size)`, `${values.length} values`);
  return toFloat32Checked(fn, arg, values);
}

const splitRows = (data: Float32Array, size: number, T: number): Float32Array[] => {
  const out = new Array<Float32Array>(T);
  for (let t = 0; t < T; t++) out[t] = data.subarray(t * size, (t + 1) * size);
  return out;
};
