/**
 * The rxrnn WebSocket protocol, version 1 (docs/protocol.md): message types, error and close
 * codes, the binary frame layout, and the codec that validates client messages. Pure (no `ws`, no
 * Node APIs), so the browser client shares it.
 */
import { RxrnnError, ErrorCodes, describe, type ErrorCode, type StateSnapshot } from '@rxrnn/core';

/** The WebSocket subprotocol name of this version. */
export const PROTOCOL = 'rxrnn.v1';
export const PROTOCOL_VERSION = 1;

/**
 * Stable error codes of the protocol: core's codes (bad shapes, sizes, values, snapshots) plus the
 * protocol's own. Never renumber or rename: clients match on them.
 */
export const WsErrorCodes = {
  ...ErrorCodes,
  /** A frame that is not a valid message: bad JSON, not an object, unknown `type`, missing or mistyped field, bad binary header. */
  PROTOCOL: 'E_PROTOCOL',
  /** No open stream with this id on this socket. */
  NO_STREAM: 'E_NO_STREAM',
  /** A stream with this id is already open on this socket. */
  STREAM_EXISTS: 'E_STREAM_EXISTS',
  /** No model of this name is hosted. */
  NO_MODEL: 'E_NO_MODEL',
  /** A limit was exceeded (streams per socket, queued inputs, inputs per second, generate length). The message was dropped. */
  LIMIT: 'E_LIMIT',
  /** The server is shutting down and accepts no new work. */
  SHUTDOWN: 'E_SHUTDOWN',
  /** A bug on the server's side; the stream is closed. */
  INTERNAL: 'E_INTERNAL',
} as const;
export type WsErrorCode = (typeof WsErrorCodes)[keyof typeof WsErrorCodes];

/** WebSocket close codes the server uses (1xxx from RFC 6455, 4xxx the protocol's). */
export const CloseCodes = {
  /** Normal close (the client asked, or every stream is done). */
  NORMAL: 1000,
  /** The server is shutting down (after draining). */
  GOING_AWAY: 1001,
  /** A frame larger than `maxPayload` (sent by `ws` itself). */
  TOO_BIG: 1009,
  /** Unexpected server failure. */
  INTERNAL: 1011,
  /** Too many protocol errors in a short time: the client is misbehaving. */
  TOO_MANY_ERRORS: 4002,
  /** No message for `idleTimeoutMs` and no stream working. */
  IDLE: 4003,
} as const;

/** The one error builder of the protocol: an {@link RxrnnError} whose code may be a protocol code. */
export function wsError(code: WsErrorCode, fn: string, arg: string, expected: string, received: string): RxrnnError {
  return new RxrnnError(code as ErrorCode, { fn, arg, expected, received });
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Options of a stream, given with `open`. */
export interface StreamOptions {
  /** Send each step's output vector `y` (for char models: the logits). Default true for vector models, false for char models. */
  outputs?: boolean;
  /** Send the cell's extras (gate activations…): `true` for all, or a list of names. Default false. */
  extras?: boolean | string[];
  /** `'json'` (default) or `'binary'`: outputs as binary frames (see {@link encodeOutputFrame}). */
  format?: 'json' | 'binary';
  /** Start from this state instead of the initial one (a `snapshot` reply's `snapshot`). */
  snapshot?: StateSnapshot;
  /** With `snapshot`: the step counter to continue from, and the last output (char models need it to generate). */
  seq?: number;
  last?: number[];
  /** Char models: text to feed first. */
  prime?: string;
  /** Char models: then generate this many characters. */
  generate?: number;
  /** Sampling temperature for `generate` (0 = greedy). Default 1. */
  temperature?: number;
  /** Seed of the stream's sampler. Default 0. */
  seed?: number;
}

export type ClientMessage =
  | { type: 'open'; stream: number; model: string; options: StreamOptions; req?: number }
  | { type: 'input'; stream: number; x?: number[][]; text?: string; ids?: number[]; req?: number }
  | { type: 'generate'; stream: number; n: number; temperature?: number; seed?: number; req?: number }
  | { type: 'reset'; stream: number; req?: number }
  | { type: 'snapshot'; stream: number; req?: number }
  | { type: 'restore'; stream: number; snapshot: StateSnapshot; seq?: number; last?: number[]; req?: number }
  | { type: 'close'; stream: number; req?: number };

export interface ModelInfo {
  name: string;
  description?: string;
  kind: string;
  inputSize: number;
  outputSize: number;
  io: Record<string, unknown>;
}

/** One step's result. */
export interface OutputMessage {
  type: 'output';
  stream: number;
  /** Step counter of the stream, from 0 (or the restored `seq`). */
  seq: number;
  y?: number[];
  extras?: Record<string, number[]>;
  /** Char models: the character fed at this step. */
  input?: string;
  /** Char models, generating: the character sampled from this step's logits (it is the next step's input). */
  token?: { id: number; char: string };
}

export type ServerMessage =
  | { type: 'welcome'; protocol: string; version: number; models: ModelInfo[]; limits: Record<string, number> }
  | { type: 'opened'; stream: number; model: ModelInfo; seq: number; req?: number }
  | OutputMessage
  | { type: 'ack'; stream: number; of: 'reset' | 'restore' | 'generate'; seq: number; req?: number }
  | { type: 'snapshot'; stream: number; snapshot: StateSnapshot; seq: number; last?: number[]; req?: number }
  | { type: 'closed'; stream: number; reason: 'client' | 'error' | 'shutdown'; req?: number }
  | { type: 'error'; stream?: number; req?: number; code: WsErrorCode; message: string; fn: string; arg: string; expected: string; received: string };

// ---------------------------------------------------------------------------------------------
// Binary frames (little-endian)
//
//   offset 0  u8   frame type: 1 = input (client → server), 2 = output (server → client)
//   offset 1  u8   flags, 0 (reserved)
//   offset 2  u16  reserved, 0
//   offset 4  u32  stream id
//   offset 8  u32  input: 0 (reserved); output: seq of the step
//   offset 12 f32… input: T·X floats, T steps of the model's X inputs; output: the Y floats of y

export const FrameType = { INPUT: 1, OUTPUT: 2 } as const;
export const FRAME_HEADER_BYTES = 12;

/** Encode `T` steps of inputs (`T·X` floats) for a stream as a binary input frame. */
export function encodeInputFrame(stream: number, data: Float32Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + data.byteLength);
  const v = new DataView(out.buffer);
  v.setUint8(0, FrameType.INPUT);
  v.setUint32(4, stream, true);
  for (let i = 0; i < data.length; i++) v.setFloat32(FRAME_HEADER_BYTES + 4 * i, data[i], true);
  return out;
}

/** Encode a step's output as a binary output frame. */
export function encodeOutputFrame(stream: number, seq: number, y: Float32Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + y.byteLength);
  const v = new DataView(out.buffer);
  v.setUint8(0, FrameType.OUTPUT);
  v.setUint32(4, stream, true);
  v.setUint32(8, seq, true);
  for (let i = 0; i < y.length; i++) v.setFloat32(FRAME_HEADER_BYTES + 4 * i, y[i], true);
  return out;
}

/** Decode a binary frame's header and payload. Throws `E_PROTOCOL` on a malformed frame. */
export function decodeFrame(bytes: Uint8Array): { type: number; stream: number; seq: number; data: Float32Array } {
  const fn = 'decodeFrame';
  if (bytes.byteLength < FRAME_HEADER_BYTES) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame', `at least ${FRAME_HEADER_BYTES} bytes (the header)`, `${bytes.byteLength} bytes`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = v.getUint8(0);
  if (type !== FrameType.INPUT && type !== FrameType.OUTPUT) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame[0]', 'frame type 1 (input) or 2 (output)', `${type}`);
  if (v.getUint8(1) !== 0 || v.getUint16(2, true) !== 0) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame[1..3]', 'reserved zeros', 'non-zero bytes');
  const payload = bytes.byteLength - FRAME_HEADER_BYTES;
  if (payload % 4 !== 0) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame.payload', 'a multiple of 4 bytes (float32 values)', `${payload} bytes`);
  const data = new Float32Array(payload / 4);
  for (let i = 0; i < data.length; i++) data[i] = v.getFloat32(FRAME_HEADER_BYTES + 4 * i, true);
  return { type, stream: v.getUint32(4, true), seq: v.getUint32(8, true), data };
}

// ---------------------------------------------------------------------------------------------
// Validation of client messages

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStreamId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

function field<T>(fn: string, m: Record<string, unknown>, name: string, ok: (v: unknown) => boolean, expected: string, optional = false): T {
  const v = m[name];
  if (v === undefined && optional) return undefined as T;
  if (!ok(v)) throw wsError(WsErrorCodes.PROTOCOL, fn, name, expected, describe(v));
  return v as T;
}

const isNum = (v: unknown) => typeof v === 'number';
const isNonNegInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function parseOptions(fn: string, o: unknown): StreamOptions {
  if (o === undefined) return {};
  if (!isObj(o)) throw wsError(WsErrorCodes.PROTOCOL, fn, 'options', 'an object', describe(o));
  const known = ['outputs', 'extras', 'format', 'snapshot', 'seq', 'last', 'prime', 'generate', 'temperature', 'seed'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw wsError(WsErrorCodes.UNKNOWN, fn, `options.${k}`, `one of ${known.join(', ')}`, JSON.stringify(k));
  const f = `${fn}.options`;
  return {
    outputs: field(f, o, 'outputs', (v) => typeof v === 'boolean', 'a boolean', true),
    extras: field(f, o, 'extras', (v) => typeof v === 'boolean' || (Array.isArray(v) && v.every((s) => typeof s === 'string')), 'a boolean or an array of names', true),
    format: field(f, o, 'format', (v) => v === 'json' || v === 'binary', "'json' or 'binary'", true),
    snapshot: field(f, o, 'snapshot', isObj, 'a state snapshot object', true),
    seq: field(f, o, 'seq', isNonNegInt, 'an integer ≥ 0', true),
    last: field(f, o, 'last', (v) => Array.isArray(v) && v.every(isNum), 'an array of numbers', true),
    prime: field(f, o, 'prime', (v) => typeof v === 'string', 'a string', true),
    generate: field(f, o, 'generate', isNonNegInt, 'an integer ≥ 0', true),
    temperature: field(f, o, 'temperature', (v) => isNum(v) && (v as number) >= 0 && Number.isFinite(v), 'a finite number ≥ 0', true),
    seed: field(f, o, 'seed', isNonNegInt, 'an integer ≥ 0', true),
  };
}

/**
 * Parse and validate a client's JSON text frame. Throws a coded {@link RxrnnError}; the thrown
 * error carries `stream`/`req` (when they could be read) so the reply can name them.
 */
export function parseClientMessage(text: string): ClientMessage {
  const fn = 'parseClientMessage';
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame', 'a JSON message', `unparseable JSON (${(e as Error).message.slice(0, 80)})`);
  }
  if (!isObj(m)) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame', 'a JSON object', describe(m));
  const type = m.type;
  const f = `${fn}(${typeof type === 'string' ? type.slice(0, 20) : '?'})`;
  const stream = field<number>(f, m, 'stream', isStreamId, 'a stream id (an integer in [0, 2³²))');
  const req = field<number | undefined>(f, m, 'req', isNonNegInt, 'an integer ≥ 0', true);
  try {
    switch (type) {
      case 'open':
        return { type, stream, req, model: field(f, m, 'model', (v) => typeof v === 'string', 'a model name'), options: parseOptions(f, m.options) };
      case 'input': {
        const x = m.x;
        const has = ['x', 'text', 'ids'].filter((k) => m[k] !== undefined);
        if (has.length !== 1) throw wsError(WsErrorCodes.PROTOCOL, f, 'x|text|ids', 'exactly one of x, text, ids', has.length ? has.join(' and ') : 'none');
        if (x !== undefined) {
          // [X] (one step) or [[X], …] (several steps); values checked for finiteness by the session.
          const rows = Array.isArray(x) && x.length > 0 && Array.isArray(x[0]) ? x : [x];
          for (const r of rows) if (!Array.isArray(r) || r.length === 0) throw wsError(WsErrorCodes.PROTOCOL, f, 'x', 'an array of numbers, or an array of such arrays', describe(x));
          return { type, stream, req, x: rows as number[][] };
        }
        if (m.text !== undefined) return { type, stream, req, text: field(f, m, 'text', (v) => typeof v === 'string', 'a string') };
        return { type, stream, req, ids: field(f, m, 'ids', (v) => Array.isArray(v), 'an array of token ids') };
      }
      case 'generate':
        return {
          type,
          stream,
          req,
          n: field(f, m, 'n', isNonNegInt, 'an integer ≥ 0'),
          temperature: field(f, m, 'temperature', (v) => isNum(v) && (v as number) >= 0 && Number.isFinite(v), 'a finite number ≥ 0', true),
          seed: field(f, m, 'seed', isNonNegInt, 'an integer ≥ 0', true),
        };
      case 'reset':
      case 'snapshot':
      case 'close':
        return { type, stream, req };
      case 'restore':
        return {
          type,
          stream,
          req,
          snapshot: field(f, m, 'snapshot', isObj, 'a state snapshot object'),
          seq: field(f, m, 'seq', isNonNegInt, 'an integer ≥ 0', true),
          last: field(f, m, 'last', (v) => Array.isArray(v) && v.every(isNum), 'an array of numbers', true),
        };
      default:
        throw wsError(WsErrorCodes.PROTOCOL, fn, 'type', 'one of open, input, generate, reset, snapshot, restore, close', describe(type));
    }
  } catch (e) {
    throw Object.assign(e as Error, { stream, req });
  }
}

/** The wire form of an error. */
export function errorMessage(e: unknown, stream?: number, req?: number): Extract<ServerMessage, { type: 'error' }> {
  const err =
    e instanceof RxrnnError
      ? e
      : wsError(WsErrorCodes.INTERNAL, 'server', 'request', 'to be handled', e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : describe(e));
  const out: Extract<ServerMessage, { type: 'error' }> = { type: 'error', code: err.code as WsErrorCode, message: err.message, fn: err.fn, arg: err.arg, expected: err.expected, received: err.received };
  if (stream !== undefined) out.stream = stream;
  if (req !== undefined) out.req = req;
  return out;
}
