/**
 * The rxrnn WebSocket protocol, version 1 (docs/protocol.md): message types, error and close codes,
 * and the wire form of errors. Binary frames are in frames.ts, the validation of client messages in
 * parse.ts. Pure (no `ws`, no Node APIs), so the browser client shares it.
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
  /** A limit was exceeded (streams per socket, queued inputs or bytes, inputs or opens per second, generate length, seq). The message was dropped. */
  LIMIT: 'E_LIMIT',
  /** The server as a whole has too much work queued: the message was dropped; retry later. */
  BUSY: 'E_BUSY',
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
  /** Options of other io kinds, as their adapters declare them (checked by the server). */
  [option: string]: unknown;
}

/** Options of a stream that the transport itself reads; every other `open` option belongs to the model's io adapter. */
export const TRANSPORT_OPTIONS = ['outputs', 'extras', 'format', 'snapshot', 'seq', 'last'] as const;

/** The largest `seq`: the binary output frame carries it as a u32. */
export const MAX_SEQ = 0xffffffff;

export type ClientMessage =
  | { type: 'open'; stream: number; model: string; options: StreamOptions; req?: number }
  | { type: 'input'; stream: number; x?: number[][]; text?: string; ids?: number[]; req?: number; [field: string]: unknown }
  | { type: 'generate'; stream: number; n: number; temperature?: number; seed?: number; req?: number; [option: string]: unknown }
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
  /** Fields of other io kinds (a transcript, a caption), as their adapters encode them. */
  [field: string]: unknown;
}

export type ServerMessage =
  | { type: 'welcome'; protocol: string; version: number; models: ModelInfo[]; limits: Record<string, number> }
  | { type: 'opened'; stream: number; model: ModelInfo; seq: number; req?: number }
  | OutputMessage
  | { type: 'ack'; stream: number; of: 'reset' | 'restore' | 'generate' | (string & {}); seq: number; req?: number }
  | { type: 'snapshot'; stream: number; snapshot: StateSnapshot; seq: number; last?: number[]; req?: number }
  | { type: 'closed'; stream: number; reason: 'client' | 'error' | 'shutdown'; req?: number }
  | { type: 'error'; stream?: number; req?: number; code: WsErrorCode; message: string; fn: string; arg: string; expected: string; received: string };

/** Longest text of one field of an error frame: whatever a client sends, its echo stays small. */
export const MAX_ERROR_TEXT = 240;

/** `s` cut to `max` characters (on a code point boundary), marked with `…` when cut. */
export function clip(s: string, max = MAX_ERROR_TEXT): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  return (/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut) + '…';
}

/** The wire form of an error. Every text field is clipped to {@link MAX_ERROR_TEXT} characters. */
export function errorMessage(e: unknown, stream?: number, req?: number): Extract<ServerMessage, { type: 'error' }> {
  const err =
    e instanceof RxrnnError
      ? e
      : wsError(WsErrorCodes.INTERNAL, 'server', 'request', 'to be handled', e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : describe(e));
  const parts = [err.fn, err.arg, err.expected, err.received].map(String);
  const [fn, arg, expected, received] = parts.map((t) => clip(t));
  const message = parts.every((t) => t.length <= MAX_ERROR_TEXT) ? err.message : `${fn}: ${arg}: expected ${expected}, received ${received}`;
  const out: Extract<ServerMessage, { type: 'error' }> = { type: 'error', code: err.code as WsErrorCode, message, fn, arg, expected, received };
  if (stream !== undefined) out.stream = stream;
  if (req !== undefined) out.req = req;
  return out;
}
