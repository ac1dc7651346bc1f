/**
 * The vector adapter: a step's input is a vector `[X]` of floats (JSON `x`, or a binary float32
 * payload of `T·X` values), its output the vector `y` `[Y]`. The default for models whose file
 * declares no `io` (or `{ kind: 'vector' }`).
 *
 * ```ts
 * const adapter = vectorAdapter({ kind: 'vector' }, { name: 'demo-lstm', inputSize: 4, outputSize: 4 });
 * ```
 */
import { rxrnnError, ErrorCodes, describe } from '../errors.js';
import type { AdapterFactory, IoRow, JsonObject, ModelAdapter } from './adapter.js';
import { jsonRows, payloadRows } from './rows.js';
import { encodeOutput } from './encode.js';

/** The model's declared io as JSON (what `welcome` shows): a plain copy, checked to survive JSON. */
export function ioInfo(io: Readonly<Record<string, unknown>>, kind: string, fn: string): JsonObject {
  if (typeof io !== 'object' || io === null || Array.isArray(io) || io.kind !== kind) throw rxrnnError(ErrorCodes.FORMAT, fn, 'io', `{ kind: '${kind}', … }`, describe(io));
  try {
    return JSON.parse(JSON.stringify(io)) as JsonObject;
  } catch {
    throw rxrnnError(ErrorCodes.FORMAT, fn, 'io', 'a JSON-safe object', describe(io));
  }
}

export const vectorAdapter: AdapterFactory = (io = { kind: 'vector' }, model): ModelAdapter => {
  const info = ioInfo(io, 'vector', 'vectorAdapter');
  const X = model.inputSize;
  const toRow = (x: Float32Array): IoRow => ({ x });
  return {
    kind: 'vector',
    info,
    inputs: ['x'],
    binary: ['float32'],
    options: [],
    loops: {},
    extras: [],
    outputs: true,
    open: () => ({
      io: {
        decode: (fields, ctx) => jsonRows(fields.x, X, ctx).map(toRow),
        decodeBinary: (payload, ctx) => payloadRows(payload, X, ctx).map(toRow),
        encode: encodeOutput,
      },
    }),
  };
};
