/**
 * One builder for every error rxrnn throws.
 *
 * Each error names the function, the argument, what was expected and what was received, and
 * carries a stable `code` that callers (and the WebSocket protocol) can switch on.
 */

/** Stable error codes. Never renumber or rename: clients match on them. */
export const ErrorCodes = {
  /** A tensor or array has the wrong rank or shape. */
  SHAPE: 'E_SHAPE',
  /** A size (features, batch, hidden) does not match what the model expects. */
  SIZE: 'E_SIZE',
  /** A tensor has the wrong dtype, or a value is not a number. */
  DTYPE: 'E_DTYPE',
  /** A value is NaN or ±Infinity. */
  NONFINITE: 'E_NONFINITE',
  /** An unknown mode, activation, variant or option value. */
  UNKNOWN: 'E_UNKNOWN',
  /** A weight named in the format is missing from the source. */
  MISSING_WEIGHT: 'E_MISSING_WEIGHT',
  /** A malformed file (safetensors header, snapshot). */
  FORMAT: 'E_FORMAT',
  /** An argument of the wrong kind. */
  ARGUMENT: 'E_ARGUMENT',
  /** A cell or tensor used after dispose(). */
  DISPOSED: 'E_DISPOSED',
  /** The operation is not valid in the current state. */
  STATE: 'E_STATE',
  /** An allocation beyond the allocation limit, or one the backend could not make (see `guardBackendMemory`). */
  MEMORY: 'E_MEMORY',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface RxrnnErrorDetails {
  /** The public function or method that rejected the input, e.g. `'recurrent'` or `'lstmCell'`. */
  fn: string;
  /** The argument at fault, e.g. `'x'`, `'options.hiddenSize'`, `'weights["weight_ih_l0"]'`. */
  arg: string;
  /** What was expected, in words: `'shape [B, 8]'`. */
  expected: string;
  /** What was received, in words: `'shape [1, 7]'`. */
  received: string;
}

/** The error class of rxrnn: `code` is stable; `message` reads `fn: arg: expected …, received …`. */
export class RxrnnError extends Error implements RxrnnErrorDetails {
  readonly code: ErrorCode;
  readonly fn: string;
  readonly arg: string;
  readonly expected: string;
  readonly received: string;

  constructor(code: ErrorCode, details: RxrnnErrorDetails) {
    super(`${details.fn}: ${details.arg}: expected ${details.expected}, received ${details.received}`);
    this.name = 'RxrnnError';
    this.code = code;
    this.fn = details.fn;
    this.arg = details.arg;
    this.expected = details.expected;
    this.received = details.received;
  }

  /** A plain object for logs and wire protocols. */
  toJSON(): { code: ErrorCode; message: string } & RxrnnErrorDetails {
    return { code: this.code, message: this.message, fn: this.fn, arg: this.arg, expected: this.expected, received: this.received };
  }
}

/** Build an {@link RxrnnError}. */
export function rxrnnError(code: ErrorCode, fn: string, arg: string, expected: string, received: string): RxrnnError {
  return new RxrnnError(code, { fn, arg, expected, received });
}

/** Arrays nested deeper than this are no tensor's shape (and are not walked further). */
const MAX_DEPTH = 32;

/** Describe any value briefly for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) {
    const shape = arrayShape(value);
    if (shape) return `an array of shape [${shape.join(', ')}]`;
    return nestedDeeperThan(value, MAX_DEPTH) ? `an array nested deeper than ${MAX_DEPTH} levels` : `a ragged array of length ${value.length}`;
  }
  if (value instanceof Float32Array) return `a Float32Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as { length: number }).length}`;
  if (typeof value === 'object') {
    const v = value as { shape?: unknown; dtype?: unknown };
    if (Array.isArray(v.shape) && typeof v.dtype === 'string') return `a ${v.dtype} tensor of shape [${v.shape.slice(0, 8).join(', ')}${v.shape.length > 8 ? ', …' : ''}]`;
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * The shape of a rectangular nested number array, or null if ragged (or nested deeper than 32
 * levels: no tensor has such a rank, and a client's `[[[[…]]]]` must not exhaust the stack).
 */
export function arrayShape(value: unknown): number[] | null {
  return shapeOf(value, 0);
}

function shapeOf(value: unknown, depth: number): number[] | null {
  if (!Array.isArray(value)) return [];
  if (depth >= MAX_DEPTH) return null;
  if (value.length === 0) return [0];
  const inner = shapeOf(value[0], depth + 1);
  if (inner === null) return null;
  for (let i = 1; i < value.length; i++) {
    const s = shapeOf(value[i], depth + 1);
    if (s === null || s.length !== inner.length || s.some((d, k) => d !== inner[k])) return null;
  }
  return [value.length, ...inner];
}

/** Whether arrays nest more than `limit` levels anywhere in `value` (iterative: no recursion). */
function nestedDeeperThan(value: unknown[], limit: number): boolean {
  const stack: [unknown[], number][] = [[value, 1]];
  while (stack.length) {
    const [a, d] = stack.pop()!;
    if (d > limit) return true;
    for (const v of a) if (Array.isArray(v)) stack.push([v, d + 1]);
  }
  return false;
}
