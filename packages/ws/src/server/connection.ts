/**
 * A connection: one client socket, its streams, and everything bounded per socket — framing of
 * incoming messages, the error budget, the input and `open` rates, and the outgoing side: every
 * byte sent goes through {@link Connection.send}, which pauses the socket once its unsent output
 * passes the high-water mark, whatever the message (outputs, replies, errors). A paused socket's
 * streams stop stepping, its reads stop (so TCP pushes back on the client), and the messages
 * already read wait unanswered until it resumes: a small request with a large reply cannot grow
 * the output past the mark.
 */
import type { WebSocket, RawData } from 'ws';
import { wsError, errorMessage, WsErrorCodes, CloseCodes, type ServerMessage } from '../protocol.js';
import type { ServerOptions } from '../options.js';
import type { Metrics } from '../metrics.js';
import { TokenBucket } from './limiter.js';

/** What a connection needs of its streams (the server's `Stream`; a type parameter keeps this module below stream.ts). */
export interface Busy {
  /** The stream has queued operations or a step in flight. */
  readonly busy: boolean;
}

/** What a connection asks of the rest of the server. */
export interface ConnectionHooks<S extends Busy = Busy> {
  metrics: Metrics;
  /** A message arrived (bytes of a binary frame, or the text of a JSON one). */
  message(c: Connection<S>, data: Buffer, isBinary: boolean): void;
  /** The connection is gone: let its streams go. */
  dropped(c: Connection<S>): void;
  /** The socket can take output again: step its streams. */
  resumed(c: Connection<S>): void;
}

type Corkable = { cork?(): void; uncork?(): void };

export class Connection<S extends Busy = Busy> {
  readonly streams = new Map<number, S>();
  /** Unsent output is over the high-water mark: streams do not step and reads stop. */
  paused = false;
  closed = false;
  lastMessage = Date.now();
  /** Bytes of queued work of this socket's streams. */
  queuedBytes = 0;
  /** Input steps and stream operations per second. */
  readonly inputs: TokenBucket;
  /** `open`s per second. */
  readonly opens: TokenBucket;
  private errors: number[] = [];
  private corked = false;
  /** Messages read while paused, answered on resume (at most what was read before reading stopped). */
  private inbox: { bytes: Buffer; isBinary: boolean }[] = [];

  constructor(
    readonly ws: WebSocket,
    private readonly opts: ServerOptions,
    private readonly hooks: ConnectionHooks<S>,
  ) {
    this.inputs = new TokenBucket(opts.maxInputsPerSecond, (n) => {
      throw wsError(WsErrorCodes.LIMIT, 'input', 'rate', `at most ${opts.maxInputsPerSecond} input steps and operations per second per socket`, `${n} more now`);
    });
    this.opens = new TokenBucket(opts.maxOpensPerSecond, () => {
      throw wsError(WsErrorCodes.LIMIT, 'open', 'rate', `at most ${opts.maxOpensPerSecond} opens per second per socket`, 'one more now');
    });
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('close', () => this.drop());
    ws.on('error', () => {
      // e.g. a frame over maxPayload: ws closes the socket itself (1009).
      if (!this.closed) hooks.metrics.closed(CloseCodes.TOO_BIG);
      this.drop();
    });
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    this.lastMessage = Date.now();
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (this.paused || this.inbox.length) this.inbox.push({ bytes, isBinary });
    else this.hooks.message(this, bytes, isBinary);
  }

  /** Send a message (JSON text, or a binary frame); every byte counts towards backpressure. */
  send(msg: ServerMessage | string | Uint8Array): void {
    if (this.closed || this.ws.readyState !== 1) return;
    this.ws.send(typeof msg === 'string' || msg instanceof Uint8Array ? msg : JSON.stringify(msg));
    if (!this.paused && this.ws.bufferedAmount > this.opts.highWaterMark) this.pause();
  }

  /** Send an error frame; a socket causing more than `maxErrorsPer10s` within 10 s is closed (4002). */
  sendError(e: unknown, stream?: number, req?: number): void {
    const m = errorMessage(e, stream, req);
    this.hooks.metrics.error(m.code);
    this.send(m);
    const now = Date.now();
    this.errors.push(now);
    while (this.errors.length && now - this.errors[0] > 10_000) this.errors.shift();
    if (this.errors.length > this.opts.maxErrorsPer10s) this.close(CloseCodes.TOO_MANY_ERRORS, 'too many errors');
  }

  /**
   * Hold this tick's output and write it in one go at {@link release}: one system call per socket per
   * tick instead of one per message. (`ws` has no public cork; its socket is a net.Socket.)
   */
  hold(): void {
    if (this.corked || this.closed) return;
    const sock = (this.ws as unknown as { _socket?: Corkable })._socket;
    if (typeof sock?.cork !== 'function') return;
    sock.cork();
    this.corked = true;
  }

  release(): void {
    if (!this.corked) return;
    this.corked = false;
    (this.ws as unknown as { _socket?: Corkable })._socket?.uncork?.();
  }

  private pause(): void {
    this.paused = true;
    this.ws.pause();
  }

  /** Resume a paused socket whose unsent output fell below the low-water mark. */
  checkPressure(): void {
    if (this.closed || !this.paused || this.ws.bufferedAmount > this.opts.lowWaterMark) return;
    this.paused = false;
    while (this.inbox.length && !this.paused && !this.closed) {
      const m = this.inbox.shift()!;
      this.hooks.message(this, m.bytes, m.isBinary);
    }
    if (this.paused || this.closed) return;
    this.ws.resume();
    this.hooks.resumed(this);
  }

  /** Whether any stream of this socket has work queued or in flight. */
  get working(): boolean {
    for (const s of this.streams.values()) if (s.busy) return true;
    return false;
  }

  /** Close the socket with `code` (counted in the metrics); its streams go. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.hooks.metrics.closed(code);
    this.drop();
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
  }

  /** Forget the socket's streams (idempotent). */
  drop(): void {
    if (this.closed) return;
    this.release();
    this.closed = true;
    this.inbox = [];
    this.hooks.dropped(this);
  }
}
