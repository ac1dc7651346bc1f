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
 * One module per concern (client/): socket (opening it in a browser or Node), requests (replies
 * matched by `req`), remote-stream (a stream's API, journal and snapshot), operator (`stream()`);
 * this file is the connection: its socket's life, reconnects, and routing what arrives.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { connect } from '@rxrnn/ws';
 *
 * const conn = connect('ws://127.0.0.1:8080/ws', { token: process.env.RXRNN_TOKEN });
 * from([[1, 0, 0, 0], [0, 1, 0, 0]])
 *   .pipe(conn.stream('demo-lstm'))
 *   .subscribe({ next: (out) => console.log(out.seq, out.y), complete: () => conn.close() });
 * ```
 */
import { ReplaySubject, type Observable, type OperatorFunction } from 'rxjs';
import { FrameType, decodeFrame } from './frames.js';
import { WsErrorCodes, type OutputMessage, type ServerMessage, type StreamOptions } from './protocol.js';
import { openSocket, OPEN, type SocketLike } from './client/socket.js';
import { Requests } from './client/requests.js';
import { RemoteError } from './client/remote-error.js';
import { createRemoteStream, resumeFrames, keepSnapshot, type RemoteStream, type StreamInput, type StreamState } from './client/remote-stream.js';
import { streamOperator } from './client/operator.js';

export { RemoteError } from './client/remote-error.js';
export type { RemoteStream, StreamInput } from './client/remote-stream.js';

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

export interface Connection {
  /** The server's welcome (models, limits). */
  readonly ready: Promise<Extract<ServerMessage, { type: 'welcome' }>>;
  readonly status$: Observable<'connecting' | 'open' | 'reconnecting' | 'closed'>;
  open(model: string, options?: StreamOptions): RemoteStream;
  /** An operator: each input value is sent as step(s); emits outputs; completes after the last input's output. */
  stream(model: string, options?: StreamOptions): OperatorFunction<StreamInput, OutputMessage>;
  close(): void;
}

export function connect(url: string, options: ConnectOptions = {}): Connection {
  const reconnect = options.reconnect === true ? {} : options.reconnect || null;
  const retries = reconnect?.retries ?? 10;
  const delayMs = reconnect?.delayMs ?? 250;
  const snapshotEvery = options.snapshotEvery ?? 64;
  const streams = new Map<number, StreamState>();
  const requests = new Requests();
  const status$ = new ReplaySubject<'connecting' | 'open' | 'reconnecting' | 'closed'>(1);
  /** Input sizes by model, from the welcome (to count the steps of a binary frame before `opened`). */
  const inputSizes = new Map<string, number>();
  let socket: SocketLike | null = null;
  let closing = false;
  let attempts = 0;
  /** Frames waiting for the socket; `replayable` ones (opens and inputs) are re-sent by a resume after a reconnect instead. */
  let outbox: { data: string | Uint8Array; replayable: boolean }[] = [];
  let everOpen = false;
  let welcomeResolve!: (w: Extract<ServerMessage, { type: 'welcome' }>) => void;
  let welcomeReject!: (e: Error) => void;
  const ready = new Promise<Extract<ServerMessage, { type: 'welcome' }>>((res, rej) => {
    welcomeResolve = res;
    welcomeReject = rej;
  });
  ready.catch(() => undefined);

  const send = (data: string | Uint8Array, replayable = false) => {
    if (socket && socket.readyState === OPEN) socket.send(data);
    else outbox.push({ data, replayable });
  };

  const start = async () => {
    status$.next(attempts ? 'reconnecting' : 'connecting');
    const ws = await openSocket(url, options.token, options.WebSocket);
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      status$.next('open');
      // After a reconnect: resume live streams (from their snapshots, replaying their journals), then
      // send the requests that waited. On the first connection: send everything that waited.
      const reconnected = everOpen;
      everOpen = true;
      if (reconnected) for (const s of streams.values()) if (!s.closed) for (const f of resumeFrames(s)) ws.send(f);
      const queued = outbox;
      outbox = [];
      for (const d of queued) if (!(reconnected && d.replayable)) ws.send(d.data);
    };
    ws.onmessage = (ev) => receive(ev.data);
    ws.onerror = () => undefined;
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      const final = closing || !reconnect || attempts >= retries || ev.code === 4002;
      if (final) return shutdown(new Error(`rxrnn: socket closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`));
      attempts++;
      setTimeout(() => void start().catch((e) => shutdown(e)), delayMs * attempts);
    };
  };

  const shutdown = (err: Error) => {
    status$.next('closed');
    welcomeReject(err);
    requests.rejectAll(err);
    for (const s of streams.values()) {
      s.closed = true;
      s.opened.reject(err);
      if (closing) s.out.complete();
      else s.out.error(err);
    }
    streams.clear();
  };

  const emit = (m: OutputMessage) => {
    const s = streams.get(m.stream);
    if (!s || s.closed) return;
    if (reconnect && s.options.format !== 'binary' && m.seq <= s.seen) return; // a replayed step we already emitted
    s.seen = Math.max(s.seen, m.seq);
    s.out.next(m);
    if (reconnect && ++s.sinceSnap >= snapshotEvery) {
      s.sinceSnap = 0;
      send(JSON.stringify({ type: 'snapshot', stream: s.id, req: requests.automatic() }));
    }
  };

  const receive = (data: unknown) => {
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
        return requests.resolve(m.req, m);
      }
      case 'output':
        return emit(m);
      case 'ack':
        return requests.resolve(m.req, undefined);
      case 'snapshot': {
        const s = streams.get(m.stream);
        const snap = { snapshot: m.snapshot, seq: m.seq, last: m.last };
        if (s && m.req !== undefined && !requests.awaits(m.req)) keepSnapshot(s, snap); // an automatic snapshot bounds the journal
        return requests.resolve(m.req, snap);
      }
      case 'closed': {
        const s = streams.get(m.stream);
        if (s && reconnect && m.reason === 'shutdown') return; // resumed on another server after reconnecting
        if (s) {
          streams.delete(m.stream);
          s.closed = true;
          s.out.complete();
        }
        return requests.resolve(m.req, undefined);
      }
      case 'error': {
        const err = new RemoteError(m.code, m.message, m);
        if (requests.reject(m.req, err)) return;
        const s = m.stream !== undefined ? streams.get(m.stream) : undefined;
        if (s) {
          s.opened.reject(err);
          if (!s.info || m.code !== WsErrorCodes.LIMIT) {
            // Errors that end the stream (a failed open, a bad input) close it on our side too.
            streams.delete(s.id);
            s.closed = true;
            send(JSON.stringify({ type: 'close', stream: s.id }));
          }
          s.out.error(err);
        }
        return;
      }
    }
  };

  const open = (model: string, opts: StreamOptions = {}): RemoteStream => {
    const { state, api } = createRemoteStream(
      { send, requests, inputSize: (name) => inputSizes.get(name), journaling: reconnect !== null, forget: (id) => streams.delete(id) },
      model,
      opts,
    );
    streams.set(state.id, state);
    return api;
  };

  void start().catch((e) => shutdown(e instanceof Error ? e : new Error(String(e))));

  return {
    ready,
    status$: status$.asObservable(),
    open,
    stream: (model, opts = {}) => streamOperator(open, model, opts),
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

