/**
 * Server options and their defaults. Every option is optional; `resolveServerOptions` merges the
 * caller's over {@link DEFAULT_SERVER_OPTIONS} and checks them.
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

export interface ServerLimits {
  /** Largest WebSocket message in bytes; larger ones close the socket with 1009. Default 1 MiB. */
  maxPayload: number;
  /** Open streams per socket. Default 256. */
  maxStreamsPerSocket: number;
  /** Concurrent sockets; more are refused at the handshake (HTTP 503). Default 1024. */
  maxSockets: number;
  /** Input steps and stream operations per second per socket (token bucket, burst = one second's worth). Default 20,000. */
  maxInputsPerSecond: number;
  /** Input steps (and operations: reset, snapshot, restore, generate) queued per stream. Default 1024. */
  maxQueuedSteps: number;
  /** Bytes of queued work (inputs and operations, as held in memory) per socket; more gets `E_LIMIT`. Default 16 MiB. */
  maxQueuedBytesPerSocket: number;
  /** Bytes of queued work on the whole server; more gets `E_BUSY`. Default 256 MiB. */
  maxQueuedBytes: number;
  /** `open`s per second per socket (token bucket, burst = one second's worth). Default 100. */
  maxOpensPerSecond: number;
  /** Most characters one `generate` may ask for. Default 10,000. */
  maxGenerate: number;
  /** Close a socket (4003) after this long without a message while none of its streams is working. Default 5 min; 0 = never. */
  idleTimeoutMs: number;
  /** Error frames a socket may cause within 10 s before it is closed (4002). Default 100. */
  maxErrorsPer10s: number;
}

export interface ServerOptions extends ServerLimits {
  /** Bearer token clients must present (header `Authorization: Bearer …` or `?token=…`). Default none. */
  token: string | null;
  /** Most streams of one model per batched step; 1 turns batching off. Default 64. */
  maxBatch: number;
  /** A socket whose `bufferedAmount` exceeds this many bytes is paused (its streams stop stepping, its reads stop). Default 1 MiB. */
  highWaterMark: number;
  /** …and resumes below this. Default 256 KiB. */
  lowWaterMark: number;
  /** On shutdown, how long queued work may run before streams are closed anyway (sockets that then do not finish closing within a second are cut). Default 5 s. */
  drainTimeoutMs: number;
}

export const DEFAULT_SERVER_OPTIONS: Readonly<ServerOptions> = Object.freeze({
  maxPayload: 1 << 20,
  maxStreamsPerSocket: 256,
  maxSockets: 1024,
  maxInputsPerSecond: 20_000,
  maxQueuedSteps: 1024,
  maxQueuedBytesPerSocket: 16 << 20,
  maxQueuedBytes: 256 << 20,
  maxOpensPerSecond: 100,
  maxGenerate: 10_000,
  idleTimeoutMs: 5 * 60_000,
  maxErrorsPer10s: 100,
  token: null,
  maxBatch: 64,
  highWaterMark: 1 << 20,
  lowWaterMark: 1 << 18,
  drainTimeoutMs: 5_000,
});

/** Merge `options` over the defaults and check every value. */
export function resolveServerOptions(options: Partial<ServerOptions> = {}): ServerOptions {
  const fn = 'createStreamServer';
  const out = { ...DEFAULT_SERVER_OPTIONS, ...Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) } as ServerOptions;
  for (const k of Object.keys(out) as (keyof ServerOptions)[]) {
    if (!(k in DEFAULT_SERVER_OPTIONS)) throw rxrnnError(ErrorCodes.UNKNOWN, fn, `options.${k}`, `one of ${Object.keys(DEFAULT_SERVER_OPTIONS).join(', ')}`, JSON.stringify(k));
    if (k === 'token') {
      if (out.token !== null && (typeof out.token !== 'string' || out.token.length === 0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.token', 'a non-empty string or null', describe(out.token));
      continue;
    }
    const v = out[k] as number;
    const min = k === 'idleTimeoutMs' || k === 'drainTimeoutMs' || k === 'lowWaterMark' ? 0 : 1;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.${k}`, `an integer ≥ ${min}`, describe(v));
  }
  if (out.lowWaterMark > out.highWaterMark) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.lowWaterMark', `at most highWaterMark (${out.highWaterMark})`, `${out.lowWaterMark}`);
  return out;
}
