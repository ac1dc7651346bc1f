/**
 * The rxrnn WebSocket client: `connect(url, { token })` opens one socket; `.stream(model, options)`
 * is an RxJS operator that sends each input value as a step and emits each step's output as the
 * server produces it; `.open(model, options)` gives the same stream as a Subject-like pair
 * (`next(x)` in, `output$` out) with reset/snapshot/restore/generate.
 *
 * Runs in browsers (the global `WebSocket`; the token travels as `?token=`) and in Node (the `ws`
 * package, loaded on demand; the token travels as an `Authorization: Bearer` header).
 *
 * With `reconnect`, a dropped socket is re-opened and every stream resumes where it was: the
 * client snapshots each stream every `snapshotEvery` steps, keeps the inputs sent since, and on
 * reconnection re-opens the stream from the snapshot, replays those inputs and drops the outputs it
 * has already emitted — so the output sequence is the one an unbroken connection would give.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { connect } from '@rxrnn/ws';
 *
 * const conn = connect('ws://127.0.0.1:8080/ws', { token: process.env.RXRNN_TOKEN });
 * from([[1, 0, 0, 0], [0, 1, 0, 0]])
 *   .pipe(conn.stream('demo-lstm'))
 *   .subscribe((out) => console.log(out.seq, out.y));
 * ```
 */
import { Observable, Subject, ReplaySubject, type OperatorFunction } from 'rxjs';
import type { StateSnapshot } from '@rxrnn/core';
import { FrameType, decodeFrame, encodeInputFrame } from './frames.js';
import { PROTOCOL, wsError, WsErrorCodes, type ModelInfo, type OutputMessage, type ServerMessage, type StreamOptions, type WsErrorCode } from './protocol.js';

/** The minimal WebSocket surface the client uses (the browser's and `ws`'s both fit). */
interface SocketLike {
  readyState: number;
  binaryType: string;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
type SocketCtor = new (url: string, protocols?: string | string[], options?: unknown) => SocketLike;

export interface ConnectOptions {
  /** Bearer token. */
  token?: string;
  /** A WebSocket constructor; default the global one, else the `ws` package. */
  WebSocket?: unknown;
  /** Re-open a dropped socket and resume its streams. Default false. */
  reconnect?: boolean | { retries?: number; delayMs?: number };
  /** With `reconnect`: snapshot each stream every this many steps (bounds the replay buffer). Default 64. */
  snapshotEvery?: number;
}

/** A server error, as received. */
export class RemoteError extends Error {
  constructor(
    readonly code: WsErrorCode,
    message: string,
    readonly details: Extract<ServerMessage, { type: 'error' }>,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

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
  /** Char models: sample `n` characters (each appears as an output with `token`). Resolves when done. */
  generate(n: number, options?: { temperature?: number; seed?: number }): Promise<void>;
  reset(): Promise<void>;
  snapshot(): Promise<{ snapshot: StateSnapshot; seq: number; last?: number[] }>;
  restore(s: { snapshot: StateSnapshot; seq?: number; last?: number[] }): Promise<void>;
  /** Close the stream (outputs still queued on the server are dropped); `output$` completes. */
  close(): void;
}

export interface Connection {
  /** The server's welcome (models, limits). */
  readonly ready: Promise<Extract<ServerMessage, { type: 'welcome' }>>;
  readonly status$: Observable<'connecting' | 'open' | 'reconnecting' | 'closed'>;
  open(model: string, options?: StreamOptions): RemoteStream;
  /** An operator: each input value is sent as step(s); emits outputs; completes after the last input's output. */
  stream(model: string, options?: StreamOptions): OperatorFunction<StreamInput, OutputMessage>;
  close(): void;
}

interface Pending {
  resolve: (v: never) => void;
  reject: (e: Error) => void;
}

interface StreamImpl {
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

let nextStreamId = 1;

export function connect(url: string, options: ConnectOptions = {}): Connection {
  const reconnect = options.reconnect === true ? {} : options.reconnect || null;
  const retries = reconnect?.retries ?? 10;
  const delayMs = reconnect?.delayMs ?? 250;
  const snapshotEvery = options.snapshotEvery ?? 64;
  const streams = new Map<number, StreamImpl>();
  const pending = new Map<number, Pending>();
  const status$ = new ReplaySubject<'connecting' | 'open' | 'reconnecting' | 'closed'>(1);
  let nextReq = 1;
  /** Input sizes by model, from the welcome (to count the steps of a binary frame before `opened`). */
  const inputSizes = new Map<string, number>();
  let socket: SocketLike | null = null;
  let closing = false;
  let attempts = 0;
  /** Frames waiting for the socket; `replayable` ones (opens and inputs) are re-sent by `reopen` after a reconnect instead. */
  let outbox: { data: string | Uint8Array; replayable: boolean }[] = [];
  let everOpen = false;
  let welcomeResolve!: (w: Extract<ServerMessage, { type: 'welcome' }>) => void;
  let welcomeReject!: (e: Error) => void;
  const ready = new Promise<Extract<ServerMessage, { type: 'welcome' }>>((res, rej) => {
    welcomeResolve = res;
    welcomeReject = rej;
  });
  ready.catch(() => undefined);

  const rawSend = (data: string | Uint8Array, replayable = false) => {
    if (socket && socket.readyState === 1) socket.send(data);
    else outbox.push({ data, replayable });
  };
  const request = <T>(msg: Record<string, unknown>): Promise<T> => {
    const req = nextReq++;
    return new Promise<T>((resolve, reject) => {
      pending.set(req, { resolve: resolve as (v: never) => void, reject });
      rawSend(JSON.stringify({ ...msg, req }));
    });
  };

  const ctor = async (): Promise<{ C: SocketCtor; node: boolean }> => {
    if (options.WebSocket) return { C: options.WebSocket as SocketCtor, node: false };
    const g = (globalThis as { WebSocket?: SocketCtor }).WebSocket;
    if (g && typeof (globalThis as { window?: unknown }).window !== 'undefined') return { C: g, node: false };
    const mod = (await import('ws')) as unknown as { default: SocketCtor };
    return { C: mod.default, node: true };
  };

  const openSocket = async () => {
    status$.next(attempts ? 'reconnecting' : 'connecting');
    const { C, node } = await ctor();
    let target = url;
    if (options.token && !node) target += (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(options.token);
    const ws = node ? new C(target, PROTOCOL, options.token ? { headers: { Authorization: `Bearer ${options.token}` } } : {}) : new C(target, PROTOCOL);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      status$.next('open');
      // After a reconnect: re-open live streams (from their snapshots, replaying their journals), then
      // send the requests that waited. On the first connection: send everything that waited.
      const reconnected = everOpen;
      everOpen = true;
      if (reconnected) for (const s of streams.values()) if (!s.closed) reopen(s);
      const queued = outbox;
      outbox = [];
      for (const d of queued) if (!(reconnected && d.replayable)) ws.send(d.data);
    };
    ws.onmessage = (ev) => onMessage(ev.data);
    ws.onerror = () => undefined;
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      const final = closing || !reconnect || attempts >= retries || ev.code === 4002;
      if (final) return shutdown(new Error(`rxrnn: socket closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`));
      attempts++;
      setTimeout(() => void openSocket().catch((e) => shutdown(e)), delayMs * attempts);
    };
  };

  const shutdown = (err: Error) => {
    status$.next('closed');
    welcomeReject(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    for (const s of streams.values()) {
      s.closed = true;
      s.opened.reject(err);
      if (closing) s.out.complete();
      else s.out.error(err);
    }
    streams.clear();
  };

  /** After a reconnect: re-open from the last snapshot and replay the inputs sent since. */
  const reopen = (s: StreamImpl) => {
    // From the last snapshot; without one, from the start (with the prime, which the journal does not hold).
    // A generation in flight is not resumed.
    const o: StreamOptions = s.snap
      ? { ...s.options, prime: undefined, generate: undefined, snapshot: s.snap.snapshot, seq: s.snap.seq, last: s.snap.last }
      : { ...s.options, generate: s.info ? undefined : s.options.generate };
    socket!.send(JSON.stringify({ type: 'open', stream: s.id, model: s.model, options: o }));
    for (const j of s.journal) socket!.send(j.frame);
  };

  const onMessage = (data: unknown) => {
    if (typeof data !== 'string') {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array((data as Uint8Array).buffer, (data as Uint8Array).byteOffset, (data as Uint8Array).byteLength);
      const f = decodeFrame(bytes);
      if (f.type !== FrameType.OUTPUT) return;
      emit({ type: 'output', stream: f.stream, seq: f.seq, y: Array.from(f.data) });
      return;
    }
    const m = JSON.parse(data) as ServerMessage;
    switch (m.type) {
      case 'welcome':
        for (const info of m.models) inputSizes.set(info.name, info.inputSize);
        welcomeResolve(m);
        return;
      case 'opened': {
        const s = streams.get(m.stream);
        if (s && !s.info) {
          s.info = m.model;
          s.opened.resolve(m.model);
        }
        return settle(m.req, m);
      }
      case 'output':
        return emit(m);
      case 'ack':
        return settle(m.req, undefined);
      case 'snapshot': {
        const s = streams.get(m.stream);
        if (s && m.req !== undefined && !pending.has(m.req)) {
          // An automatic snapshot: it bounds the replay journal.
          s.snap = { snapshot: m.snapshot, seq: m.seq, last: m.last };
          s.journal = s.journal.filter((j) => j.step + j.steps > m.seq);
        }
        return settle(m.req, { snapshot: m.snapshot, seq: m.seq, last: m.last });
      }
      case 'closed': {
        const s = streams.get(m.stream);
        if (s && reconnect && m.reason === 'shutdown') return; // resumed on another server after reconnecting
        if (s) {
          streams.delete(m.stream);
          s.closed = true;
          s.out.complete();
        }
        return settle(m.req, undefined);
      }
      case 'error': {
        const err = new RemoteError(m.code, m.message, m);
        if (m.req !== undefined && pending.has(m.req)) return void (pending.get(m.req)!.reject(err), pending.delete(m.req));
        const s = m.stream !== undefined ? streams.get(m.stream) : undefined;
        if (s) {
          s.opened.reject(err);
          if (!s.info || m.code !== WsErrorCodes.LIMIT) {
            // Errors that end the stream (a failed open, a bad input) close it on our side too.
            streams.delete(s.id);
            s.closed = true;
            rawSend(JSON.stringify({ type: 'close', stream: s.id }));
          }
          s.out.error(err);
        }
        return;
      }
    }
  };
  const autoReqs = new Set<number>();
  const settle = (req: number | undefined, value: unknown) => {
    if (req === undefined) return;
    if (autoReqs.delete(req)) return;
    const p = pending.get(req);
    if (p) {
      pending.delete(req);
      p.resolve(value as never);
    }
  };
  const emit = (m: OutputMessage) => {
    const s = streams.get(m.stream);
    if (!s || s.closed) return;
    if (reconnect && s.options.format !== 'binary' && m.seq <= s.seen) return; // a replayed step we already emitted
    s.seen = Math.max(s.seen, m.seq);
    s.out.next(m);
    if (reconnect && ++s.sinceSnap >= snapshotEvery) {
      s.sinceSnap = 0;
      const req = nextReq++;
      autoReqs.add(req);
      rawSend(JSON.stringify({ type: 'snapshot', stream: s.id, req }));
    }
  };

  const open = (model: string, opts: StreamOptions = {}): RemoteStream => {
    const id = nextStreamId++;
    let resolveOpened!: (m: ModelInfo) => void;
    let rejectOpened!: (e: Error) => void;
    const opened = new Promise<ModelInfo>((res, rej) => {
      resolveOpened = res;
      rejectOpened = rej;
    });
    opened.catch(() => undefined);
    const s: StreamImpl = {
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
    streams.set(id, s);
    rawSend(JSON.stringify({ type: 'open', stream: id, model, options: opts }), true);
    if (opts.prime) s.sent += Array.from(opts.prime).length;
    const live = () => {
      if (s.closed) throw wsError(WsErrorCodes.STATE, 'RemoteStream', 'stream', 'an open stream', 'a closed stream');
    };
    return {
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
          const X = s.info?.inputSize ?? inputSizes.get(model) ?? x.length;
          steps = Math.max(1, Math.floor(x.length / X));
        } else {
          const rows = Array.isArray(x[0]) ? (x as number[][]) : [x as number[]];
          frame = JSON.stringify({ type: 'input', stream: id, x: rows });
          steps = rows.length;
        }
        if (reconnect) s.journal.push({ step: s.sent, steps, frame });
        s.sent += steps;
        rawSend(frame, reconnect !== null);
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
        streams.delete(id);
        rawSend(JSON.stringify({ type: 'close', stream: id }));
        s.out.complete();
      },
    };
  };

  void openSocket().catch((e) => shutdown(e instanceof Error ? e : new Error(String(e))));

  return {
    ready,
    status$: status$.asObservable(),
    open,
    stream(model, opts = {}) {
      return (input$) =>
        new Observable<OutputMessage>((subscriber) => {
          const rs = open(model, opts);
          let expected = (opts.prime ? Array.from(opts.prime).length : 0) + (opts.generate ?? 0);
          let got = 0;
          let inputDone = false;
          const maybeDone = () => {
            if (inputDone && got >= expected) {
              subscriber.complete();
              rs.close();
            }
          };
          const outSub = rs.output$.subscribe({
            next: (m) => {
              if (m.token || m.input !== undefined || m.y !== undefined) got++;
              subscriber.next(m);
              maybeDone();
            },
            error: (e) => subscriber.error(e),
            complete: () => subscriber.complete(),
          });
          const inSub = input$.subscribe({
            next: (x) => {
              expected += typeof x === 'string' ? Array.from(x).length : Array.isArray(x) && Array.isArray(x[0]) ? x.length : 1;
              rs.next(x);
            },
            error: (e) => subscriber.error(e),
            complete: () => {
              inputDone = true;
              maybeDone();
            },
          });
          return () => {
            inSub.unsubscribe();
            outSub.unsubscribe();
            rs.close();
          };
        });
    },
    close() {
      closing = true;
      for (const s of streams.values()) {
        s.closed = true;
        s.out.complete();
      }
      streams.clear();
      socket?.close(1000, 'client closing');
      if (!socket) shutdown(new Error('rxrnn: connection closed'));
    },
  };
}
