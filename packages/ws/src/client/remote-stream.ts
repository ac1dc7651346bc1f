/**
 * One remote stream on the client side: the `RemoteStream` API (a Subject-like pair: `next(x)` in,
 * `output$` out, with reset/snapshot/restore/generate), and what it keeps to survive a reconnect —
 * the inputs sent since its last snapshot (its journal), and that snapshot.
 */
import { Subject, type Observable } from 'rxjs';
import type { StateSnapshot } from '@rxrnn/core';
import { encodeInputFrame } from '../frames.js';
import { wsError, WsErrorCodes, type ModelInfo, type OutputMessage, type StreamOptions } from '../protocol.js';
import type { Requests } from './requests.js';

/** What a stream accepts per `next`: a vector `[X]` (or `Float32Array`), several `[[X], …]`, or text for char models. */
export type StreamInput = number[] | number[][] | Float32Array | string;

export interface RemoteStream {
  readonly id: number;
  readonly model: string;
  /** Resolves with the model's description once the server opened the stream. */
  readonly opened: Promise<ModelInfo>;
  /** Every step's output, in order; completes when the stream closes, errors on a server error for this stream. */
  readonly output$: Observable<OutputMessage>;
  /** Send input steps. */
  next(x: StreamInput): void;
  /**
   * Send an input in the model's own terms: JSON fields its io kind reads (e.g. `{ text }`), or a
   * PCM16 payload. `steps` (default 1) is how many steps it makes, for the replay journal of `reconnect`.
   */
  input(fields: Readonly<Record<string, unknown>> | Int16Array, steps?: number): void;
  /** Char models: sample `n` characters (each appears as an output with `token`); other kinds: their loop's options. Resolves when done. */
  generate(n: number, options?: { temperature?: number; seed?: number; [option: string]: unknown }): Promise<void>;
  reset(): Promise<void>;
  snapshot(): Promise<{ snapshot: StateSnapshot; seq: number; last?: number[] }>;
  restore(s: { snapshot: StateSnapshot; seq?: number; last?: number[] }): Promise<void>;
  /** Close the stream (outputs still queued on the server are dropped); `output$` completes. */
  close(): void;
}

/** A stream's client-side state. */
export interface StreamState {
  id: number;
  model: string;
  options: StreamOptions;
  out: Subject<OutputMessage>;
  opened: { resolve: (m: ModelInfo) => void; reject: (e: Error) => void };
  info: ModelInfo | null;
  /** Steps sent (counting from the stream's first seq). */
  sent: number;
  /** Last seq emitted. */
  seen: number;
  /** Inputs sent since the last snapshot, as [first step index, frame]. */
  journal: { step: number; steps: number; frame: string | Uint8Array }[];
  snap: { snapshot: StateSnapshot; seq: number; last?: number[] } | null;
  sinceSnap: number;
  closed: boolean;
}

/** What a stream needs from its connection. */
export interface StreamHost {
  /** Send a frame now, or when the socket opens; `replayable` frames are re-sent by a resume instead. */
  send(data: string | Uint8Array, replayable?: boolean): void;
  readonly requests: Requests;
  /** The input size of a model (from the welcome), to count the steps of a binary frame before `opened`. */
  inputSize(model: string): number | undefined;
  /** Keep a journal of inputs for resuming after a reconnect. */
  readonly journaling: boolean;
  /** The stream is closed on our side. */
  forget(id: number): void;
}

let nextStreamId = 1;

export function createRemoteStream(host: StreamHost, model: string, opts: StreamOptions): { state: StreamState; api: RemoteStream } {
  const id = nextStreamId++;
  let resolveOpened!: (m: ModelInfo) => void;
  let rejectOpened!: (e: Error) => void;
  const opened = new Promise<ModelInfo>((res, rej) => {
    resolveOpened = res;
    rejectOpened = rej;
  });
  opened.catch(() => undefined);
  const s: StreamState = {
    id,
    model,
    options: opts,
    out: new Subject(),
    opened: { resolve: resolveOpened, reject: rejectOpened },
    info: null,
    sent: opts.seq ?? 0,
    seen: (opts.seq ?? 0) - 1,
    journal: [],
    snap: opts.snapshot ? { snapshot: opts.snapshot, seq: opts.seq ?? 0, last: opts.last } : null,
    sinceSnap: 0,
    closed: false,
  };
  host.send(JSON.stringify({ type: 'open', stream: id, model, options: opts }), true);
  if (opts.prime) s.sent += Array.from(opts.prime).length;
  const live = () => {
    if (s.closed) throw wsError(WsErrorCodes.STATE, 'RemoteStream', 'stream', 'an open stream', 'a closed stream');
  };
  const sendInput = (frame: string | Uint8Array, steps: number) => {
    if (host.journaling) s.journal.push({ step: s.sent, steps, frame });
    s.sent += steps;
    host.send(frame, host.journaling);
  };
  const request = <T>(msg: Record<string, unknown>) => host.requests.open<T>((req) => host.send(JSON.stringify({ ...msg, req })));
  const api: RemoteStream = {
    id,
    model,
    opened,
    output$: s.out.asObservable(),
    next(x) {
      live();
      let frame: string | Uint8Array;
      let steps: number;
      if (typeof x === 'string') {
        frame = JSON.stringify({ type: 'input', stream: id, text: x });
        steps = Array.from(x).length;
      } else if (x instanceof Float32Array) {
        frame = encodeInputFrame(id, x);
        const X = s.info?.inputSize ?? host.inputSize(model) ?? x.length;
        steps = Math.max(1, Math.floor(x.length / X));
      } else {
        const rows = Array.isArray(x[0]) ? (x as number[][]) : [x as number[]];
        frame = JSON.stringify({ type: 'input', stream: id, x: rows });
        steps = rows.length;
      }
      sendInput(frame, steps);
    },
    input(fields, steps = 1) {
      live();
      sendInput(fields instanceof Int16Array ? encodeInputFrame(id, fields) : JSON.stringify({ ...fields, type: 'input', stream: id }), steps);
    },
    generate(n, o = {}) {
      live();
      return request({ type: 'generate', stream: id, n, ...o });
    },
    reset() {
      live();
      return request({ type: 'reset', stream: id });
    },
    snapshot() {
      live();
      return request({ type: 'snapshot', stream: id });
    },
    restore(r) {
      live();
      return request({ type: 'restore', stream: id, snapshot: r.snapshot, seq: r.seq, last: r.last });
    },
    close() {
      if (s.closed) return;
      s.closed = true;
      host.forget(id);
      host.send(JSON.stringify({ type: 'close', stream: id }));
      s.out.complete();
    },
  };
  return { state: s, api };
}

/**
 * The frames that resume a stream on a new socket: `open` from its last snapshot (without one,
 * from the start, with its prime, which the journal does not hold), then the inputs sent since.
 * A generation in flight is not resumed.
 */
export function resumeFrames(s: StreamState): (string | Uint8Array)[] {
  const o: StreamOptions = s.snap
    ? { ...s.options, prime: undefined, generate: undefined, snapshot: s.snap.snapshot, seq: s.snap.seq, last: s.snap.last }
    : { ...s.options, generate: s.info ? undefined : s.options.generate };
  return [JSON.stringify({ type: 'open', stream: s.id, model: s.model, options: o }), ...s.journal.map((j) => j.frame)];
}

/** A snapshot arrived: keep it, and drop the journal's inputs it already contains. */
export function keepSnapshot(s: StreamState, snap: { snapshot: StateSnapshot; seq: number; last?: number[] }): void {
  s.snap = snap;
  s.journal = s.journal.filter((j) => j.step + j.steps > snap.seq);
}
