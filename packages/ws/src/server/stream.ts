/**
 * A stream: one recurrent state (a batcher session) on one model, its io (the adapter's per-stream
 * state), and its queue of operations, run in the order they arrived. Owns the accounting of
 * queued work: steps per stream, bytes per stream, socket and server, so every queue is bounded.
 */
import type { BatchSession, DecodeLoop, IoRow, SessionIo, SessionWork, StateSnapshot, StreamIo } from '@rxrnn/core';
import type { Connection } from './connection.js';
import type { Hosted, Hosting, Tag } from './models.js';

/** Bytes a queued step holds beyond its input floats (the op, the row object, the typed array's header). */
export const STEP_OVERHEAD_BYTES = 192;
/** Bytes a queued control operation (reset, snapshot, a decode loop) holds. */
export const OP_BYTES = 128;

export type Op =
  | { kind: 'step'; row: IoRow; t0: number; bytes: number }
  | { kind: 'loop'; name: string; left: number; loop: DecodeLoop; t0: number; req?: number; bytes: number }
  | { kind: 'reset' | 'snapshot'; req?: number; bytes: number }
  | { kind: 'restore'; snapshot: StateSnapshot; seq?: number; last: Float32Array | null; req?: number; bytes: number }
  /** A session model's work for one input: subscribed when it reaches the head, popped when it ends. */
  | { kind: 'run'; work: SessionWork; t0: number; req?: number; bytes: number };

/** The server's connections, models and batcher tags, over its streams. */
export type StreamConnection = Connection<Stream>;
export type StreamModel = Hosted<Stream>;
export type StreamHosting = Hosting<Stream>;
export type StreamTag = Tag<Stream>;

/** Queued bytes of the whole server (shared by every stream). */
export interface ServerQueue {
  bytes: number;
}

export class Stream {
  /** Operations not yet run: `ops[head…]`. */
  private ops: Op[] = [];
  private head = 0;
  /** An input of this stream is in its model's batcher. */
  inFlight = false;
  /** The stream's last output `[Y]` (decode loops start from it). */
  last: Float32Array | null = null;
  queuedSteps = 0;
  queuedBytes = 0;
  /** A session model's running work (its subscription), if any. */
  running: { unsubscribe(): void } | null = null;

  constructor(
    readonly id: number,
    readonly conn: StreamConnection,
    readonly model: StreamModel,
    /** A cell model's batcher session and io (null on a session model). */
    readonly session: BatchSession | null,
    readonly io: StreamIo | null,
    /** Step counter: the next output's `seq`. */
    public seq: number,
    readonly outputs: boolean,
    readonly extras: true | ReadonlySet<string> | null,
    readonly binary: boolean,
    private readonly server: ServerQueue,
    /** A session model's stream io (null on a cell model). */
    readonly run: SessionIo | null = null,
  ) {}

  /** Whether the stream has work: queued operations or a step in flight. */
  get busy(): boolean {
    return this.inFlight || this.head < this.ops.length;
  }

  /** The operation to run next. */
  peek(): Op | undefined {
    return this.ops[this.head];
  }

  push(op: Op): void {
    this.ops.push(op);
    this.queuedSteps++;
    this.account(op.bytes);
  }

  /** Drop the operation at the head (it ran, or it is the loop that ended). */
  pop(): void {
    const op = this.ops[this.head];
    if (!op) return;
    this.ops[this.head++] = undefined as unknown as Op;
    this.queuedSteps--;
    this.account(-op.bytes);
    if (this.head === this.ops.length) {
      this.ops = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.ops.length) {
      this.ops = this.ops.slice(this.head);
      this.head = 0;
    }
  }

  /** Drop every queued operation (the stream closes). */
  clear(): void {
    this.account(-this.queuedBytes);
    this.ops = [];
    this.head = 0;
    this.queuedSteps = 0;
    this.inFlight = false;
  }

  private account(bytes: number): void {
    this.queuedBytes += bytes;
    this.conn.queuedBytes += bytes;
    this.server.bytes += bytes;
  }
}
