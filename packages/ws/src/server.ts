/**
 * `createStreamServer`: hosts models behind WebSockets (protocol `rxrnn.v1`, docs/protocol.md).
 *
 * One socket multiplexes many streams; each stream is a session of its model's batcher, so the
 * streams of one model (on any socket) step together, one batched `cell.step` per tick. A tick runs
 * on `setImmediate` whenever work is pending: every stream whose next operation can run feeds at
 * most one input step to its batcher (or runs its reset/snapshot/restore in order), the batchers
 * flush, and outputs go back as they are produced.
 *
 * Bounded by construction: each stream queues at most `maxQueuedSteps` input steps, each socket
 * holds at most `maxStreamsPerSocket` streams and is rate-limited, and a socket whose send buffer
 * passes `highWaterMark` is paused (its streams stop stepping and its reads stop) until it drains.
 * Every client frame is handled inside a try/catch: a bad frame costs its sender an error frame
 * (or, for floods, the socket), never the server or another stream.
 *
 * ```ts
 * const server = createStreamServer([{ name: 'demo', cell }], { token: 'secret' });
 * httpServer.on('upgrade', (req, socket, head) => server.handleUpgrade(req, socket, head));
 * ```
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { createBatcher, createRng, rxrnnError, ErrorCodes, describe, type Batcher, type BatchResult, type BatchSession, type Cell, type Rng, type StateSnapshot } from '@rxrnn/core';
import { CharCodec, sampleLogits, type CharIo } from '@rxrnn/text';
import {
  PROTOCOL,
  PROTOCOL_VERSION,
  WsErrorCodes,
  CloseCodes,
  wsError,
  parseClientMessage,
  decodeFrame,
  encodeOutputFrame,
  errorMessage,
  FrameType,
  type ClientMessage,
  type ModelInfo,
  type OutputMessage,
  type ServerMessage,
  type StreamOptions,
} from './protocol.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import { Metrics } from './metrics.js';

/** A model to host: a cell (owned by the caller, not disposed by the server) and its `io`. */
export interface HostedModel {
  name: string;
  cell: Cell;
  /** From the model file: `{ kind: 'char', vocab, unknown }` for char models; `{ kind: 'vector' }` (default) otherwise. */
  io?: Record<string, unknown>;
  description?: string;
}

export interface StreamServer {
  /** Hand an HTTP upgrade request to the server (authenticates, applies `maxSockets`). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Whether a request carries the token (always true without one). Use it for other endpoints, e.g. metrics. */
  authorized(req: IncomingMessage): boolean;
  /** Prometheus text exposition of the server's metrics. */
  metricsText(): string;
  /** A small health document. */
  health(): { status: 'ok' | 'draining'; protocol: string; sockets: number; streams: number; models: string[] };
  readonly models: readonly ModelInfo[];
  readonly options: Readonly<ServerOptions>;
  /** Drain (up to `drainTimeoutMs`), close every stream and socket (1001), free all state. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

interface Hosted {
  info: ModelInfo;
  cell: Cell;
  batcher: Batcher<Tag>;
  codec: CharCodec | null;
}

type Op =
  | { kind: 'step'; x: Float32Array; t0: number; input?: string }
  | { kind: 'gen'; left: number; temperature: number; t0: number; req?: number }
  | { kind: 'reset'; req?: number }
  | { kind: 'snapshot'; req?: number }
  | { kind: 'restore'; snapshot: StateSnapshot; seq?: number; last?: number[]; req?: number };

interface Tag {
  stream: Stream;
  t0: number;
  input?: string;
  token?: { id: number; char: string };
}

interface Stream {
  id: number;
  conn: Conn;
  model: Hosted;
  session: BatchSession;
  ops: Op[];
  /** An input of this stream is in the batcher. */
  inFlight: boolean;
  seq: number;
  last: Float32Array | null;
  outputs: boolean;
  extras: true | Set<string> | null;
  binary: boolean;
  rng: Rng;
  queuedSteps: number;
}

interface Conn {
  ws: WebSocket;
  streams: Map<number, Stream>;
  paused: boolean;
  tokens: number;
  refilled: number;
  lastMessage: number;
  errors: number[];
  closed: boolean;
}

export function createStreamServer(models: readonly HostedModel[], options: Partial<ServerOptions> = {}): StreamServer {
  const fn = 'createStreamServer';
  const opts = resolveServerOptions(options);
  if (!Array.isArray(models) || models.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'models', 'a non-empty array of { name, cell, io? }', describe(models));
  const hosted = new Map<string, Hosted>();
  for (const [i, m] of models.entries()) {
    if (!m || typeof m.name !== 'string' || !m.cell || typeof m.cell.step !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, fn, `models[${i}]`, '{ name, cell, io? }', describe(m));
    if (hosted.has(m.name)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `models[${i}].name`, 'a unique name', JSON.stringify(m.name));
    const io = m.io ?? { kind: 'vector' };
    const codec = io.kind === 'char' ? new CharCodec(io as unknown as CharIo) : null;
    hosted.set(m.name, {
      info: { name: m.name, description: m.description, kind: m.cell.kind, inputSize: m.cell.inputSize, outputSize: m.cell.outputSize, io },
      cell: m.cell,
      batcher: createBatcher<Tag>(m.cell, { maxBatch: opts.maxBatch, maxQueue: 1 }),
      codec,
    });
  }
  const infos = [...hosted.values()].map((h) => h.info);
  const metrics = new Metrics();
  const conns = new Set<Conn>();
  const busy = new Set<Stream>(); // streams with ops or an input in flight
  let shuttingDown = false;
  let scheduled = false;
  let closedPromise: Promise<void> | null = null;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayload,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  // ---- sending ----
  const send = (c: Conn, msg: ServerMessage) => {
    if (c.closed || c.ws.readyState !== WebSocket.OPEN) return;
    c.ws.send(JSON.stringify(msg));
  };
  const closeConn = (c: Conn, code: number, reason: string) => {
    if (c.closed) return;
    metrics.closed(code);
    dropConn(c);
    try {
      c.ws.close(code, reason);
    } catch {
      c.ws.terminate();
    }
  };
  const sendError = (c: Conn, e: unknown, stream?: number, req?: number) => {
    const m = errorMessage(e, stream, req);
    metrics.error(m.code);
    send(c, m);
    const now = Date.now();
    c.errors.push(now);
    while (c.errors.length && now - c.errors[0] > 10_000) c.errors.shift();
    if (c.errors.length > opts.maxErrorsPer10s) closeConn(c, CloseCodes.TOO_MANY_ERRORS, 'too many errors');
  };

  // ---- streams ----
  const leave = (s: Stream) => {
    s.model.batcher.leave(s.session);
    s.ops = [];
    s.queuedSteps = 0;
    s.inFlight = false;
    busy.delete(s);
    s.conn.streams.delete(s.id);
  };
  const dropConn = (c: Conn) => {
    if (c.closed) return;
    c.closed = true;
    for (const s of [...c.streams.values()]) leave(s);
    conns.delete(c);
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(tick);
  };
  /** Queue a control op (reset, snapshot, restore, generate): it counts as one queued step against the limits. */
  const enqueue = (s: Stream, op: Op) => {
    admit(s, 1);
    s.queuedSteps++;
    s.ops.push(op);
    busy.add(s);
    schedule();
  };
  const popOp = (s: Stream) => {
    s.ops.shift();
    s.queuedSteps--;
  };

  /** Rows of input steps for a stream from a message, validated. */
  const inputRows = (s: Stream, m: Extract<ClientMessage, { type: 'input' }>): { x: Float32Array; input?: string }[] => {
    const f = `input(${s.model.info.name})`;
    const { codec } = s.model;
    const X = s.model.info.inputSize;
    if (m.text !== undefined || m.ids !== undefined) {
      if (!codec) throw wsError(WsErrorCodes.ARGUMENT, f, m.text !== undefined ? 'text' : 'ids', 'x (this model takes vectors, not tokens)', m.text !== undefined ? 'text' : 'ids');
      const ids = m.text !== undefined ? codec.encode(m.text, f) : m.ids!;
      ids.forEach((id, i) => {
        if (!Number.isInteger(id) || id < 0 || id >= codec.size) throw wsError(WsErrorCodes.ARGUMENT, f, `ids[${i}]`, `an integer in [0, ${codec.size})`, describe(id));
      });
      return ids.map((id) => ({ x: Float32Array.of(id), input: codec.chars[id] }));
    }
    return m.x!.map((row, t) => {
      if (row.length !== X) throw wsError(WsErrorCodes.SIZE, f, `x[${t}]`, `${X} values (the model's input size)`, `${row.length} values`);
      const x = new Float32Array(X);
      for (let i = 0; i < X; i++) {
        const v = row[i];
        if (typeof v !== 'number') throw wsError(WsErrorCodes.DTYPE, f, `x[${t}][${i}]`, 'a number', describe(v));
        if (!Number.isFinite(v)) throw wsError(WsErrorCodes.NONFINITE, f, `x[${t}][${i}]`, 'a finite number', describe(v));
        x[i] = v;
      }
      if (codec) checkIds(f, codec, x);
      return { x, input: codec ? codec.chars[x[0]] : undefined };
    });
  };
  const checkIds = (f: string, codec: CharCodec, x: Float32Array) => {
    for (let i = 0; i < x.length; i++) if (!Number.isInteger(x[i]) || x[i] < 0 || x[i] >= codec.size) throw wsError(WsErrorCodes.ARGUMENT, f, `x[${i}]`, `a token id, an integer in [0, ${codec.size})`, describe(x[i]));
  };
  /** Admit `n` input steps: queue limit and rate limit. */
  const admit = (s: Stream, n: number) => {
    const c = s.conn;
    if (s.queuedSteps + n > opts.maxQueuedSteps) throw wsError(WsErrorCodes.LIMIT, 'input', 'steps', `at most ${opts.maxQueuedSteps} queued steps and operations per stream`, `${s.queuedSteps} queued + ${n}`);
    const now = performance.now();
    c.tokens = Math.min(opts.maxInputsPerSecond, c.tokens + ((now - c.refilled) / 1000) * opts.maxInputsPerSecond);
    c.refilled = now;
    if (n > c.tokens) throw wsError(WsErrorCodes.LIMIT, 'input', 'rate', `at most ${opts.maxInputsPerSecond} input steps and operations per second per socket`, `${n} more now`);
    c.tokens -= n;
  };
  const pushSteps = (s: Stream, rows: { x: Float32Array; input?: string }[], t0: number) => {
    admit(s, rows.length);
    s.queuedSteps += rows.length;
    for (const r of rows) s.ops.push({ kind: 'step', x: r.x, t0, input: r.input });
    busy.add(s);
    schedule();
  };
  const checkLast = (f: string, s: Stream, last: number[] | undefined): Float32Array | null => {
    if (last === undefined) return null;
    if (last.length !== s.model.info.outputSize) throw wsError(WsErrorCodes.SIZE, f, 'last', `${s.model.info.outputSize} values (the model's output size)`, `${last.length} values`);
    if (!last.every(Number.isFinite)) throw wsError(WsErrorCodes.NONFINITE, f, 'last', 'finite numbers', 'a non-finite value');
    return Float32Array.from(last);
  };
  const queueGenerate = (s: Stream, n: number, temperature: number | undefined, seed: number | undefined, t0: number, req?: number) => {
    const f = `generate(${s.model.info.name})`;
    if (!s.model.codec) throw wsError(WsErrorCodes.ARGUMENT, f, 'model', 'a char model (io.kind "char")', JSON.stringify(s.model.info.io.kind));
    if (n > opts.maxGenerate) throw wsError(WsErrorCodes.LIMIT, f, 'n', `at most ${opts.maxGenerate}`, `${n}`);
    if (seed !== undefined) s.rng = createRng(seed);
    enqueue(s, { kind: 'gen', left: n, temperature: temperature ?? 1, t0, req });
  };

  const open = (c: Conn, m: Extract<ClientMessage, { type: 'open' }>, t0: number) => {
    const f = `open(${m.model})`;
    if (shuttingDown) throw wsError(WsErrorCodes.SHUTDOWN, f, 'server', 'a running server', 'a server shutting down');
    if (c.streams.has(m.stream)) throw wsError(WsErrorCodes.STREAM_EXISTS, f, 'stream', 'an id not open on this socket', `${m.stream}`);
    if (c.streams.size >= opts.maxStreamsPerSocket) throw wsError(WsErrorCodes.LIMIT, f, 'stream', `at most ${opts.maxStreamsPerSocket} streams per socket`, `${c.streams.size} open`);
    const model = hosted.get(m.model);
    if (!model) throw wsError(WsErrorCodes.NO_MODEL, f, 'model', `one of ${[...hosted.keys()].join(', ')}`, JSON.stringify(m.model));
    const o: StreamOptions = m.options;
    if (!model.codec && (o.prime !== undefined || o.generate !== undefined)) throw wsError(WsErrorCodes.ARGUMENT, f, 'options.prime/generate', 'a char model', 'a vector model');
    if (o.snapshot === undefined && (o.seq !== undefined || o.last !== undefined)) throw wsError(WsErrorCodes.ARGUMENT, f, 'options.seq/last', 'only with options.snapshot', 'without a snapshot');
    const primeRows = o.prime !== undefined ? model.codec!.encode(o.prime, f) : [];
    const session = model.batcher.join(o.snapshot); // throws coded errors on a bad snapshot
    const s: Stream = {
      id: m.stream,
      conn: c,
      model,
      session,
      ops: [],
      inFlight: false,
      seq: o.seq ?? 0,
      last: null,
      outputs: o.outputs ?? !model.codec,
      extras: o.extras === true ? true : Array.isArray(o.extras) ? new Set(o.extras) : null,
      binary: o.format === 'binary',
      rng: createRng(o.seed ?? 0),
      queuedSteps: 0,
    };
    try {
      s.last = checkLast(f, s, o.last);
      if (o.generate !== undefined && o.generate > opts.maxGenerate) throw wsError(WsErrorCodes.LIMIT, f, 'options.generate', `at most ${opts.maxGenerate}`, `${o.generate}`);
      if (primeRows.length) admit(s, primeRows.length);
    } catch (e) {
      model.batcher.leave(session);
      throw e;
    }
    c.streams.set(s.id, s);
    metrics.streamsTotal++;
    send(c, { type: 'opened', stream: s.id, model: model.info, seq: s.seq, req: m.req });
    if (primeRows.length) {
      s.queuedSteps += primeRows.length;
      for (const id of primeRows) s.ops.push({ kind: 'step', x: Float32Array.of(id), t0, input: model.codec!.chars[id] });
      busy.add(s);
      schedule();
    }
    if (o.generate) queueGenerate(s, o.generate, o.temperature, undefined, t0);
  };

  const stream = (c: Conn, id: number, type: string): Stream => {
    const s = c.streams.get(id);
    if (!s) throw wsError(WsErrorCodes.NO_STREAM, type, 'stream', 'the id of a stream open on this socket', `${id}`);
    return s;
  };

  const onMessage = (c: Conn, data: RawData, isBinary: boolean) => {
    if (c.closed) return;
    const t0 = performance.now();
    c.lastMessage = Date.now();
    let streamId: number | undefined;
    let req: number | undefined;
    try {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) {
        const frame = decodeFrame(bytes);
        streamId = frame.stream;
        if (frame.type !== FrameType.INPUT) throw wsError(WsErrorCodes.PROTOCOL, 'binary input', 'frame[0]', 'frame type 1 (input)', `${frame.type}`);
        if (shuttingDown) throw wsError(WsErrorCodes.SHUTDOWN, 'input', 'server', 'a running server', 'a server shutting down');
        const s = stream(c, frame.stream, 'input');
        const X = s.model.info.inputSize;
        if (frame.data.length === 0 || frame.data.length % X !== 0) throw wsError(WsErrorCodes.SIZE, 'binary input', 'payload', `a positive multiple of ${X} float32 values (the model's input size)`, `${frame.data.length} values`);
        const rows: { x: Float32Array; input?: string }[] = [];
        for (let t = 0; t < frame.data.length / X; t++) {
          const x = frame.data.slice(t * X, (t + 1) * X);
          for (let i = 0; i < X; i++) if (!Number.isFinite(x[i])) throw wsError(WsErrorCodes.NONFINITE, 'binary input', `payload[${t * X + i}]`, 'a finite float32', `${x[i]}`);
          if (s.model.codec) checkIds('binary input', s.model.codec, x);
          rows.push({ x, input: s.model.codec ? s.model.codec.chars[x[0]] : undefined });
        }
        pushSteps(s, rows, t0);
        return;
      }
      let m: ClientMessage;
      try {
        m = parseClientMessage(bytes.toString('utf8'));
      } catch (e) {
        streamId = (e as { stream?: number }).stream;
        req = (e as { req?: number }).req;
        throw e;
      }
      streamId = m.stream;
      req = m.req;
      if (shuttingDown && m.type !== 'close' && m.type !== 'snapshot') throw wsError(WsErrorCodes.SHUTDOWN, m.type, 'server', 'a running server', 'a server shutting down');
      switch (m.type) {
        case 'open':
          return open(c, m, t0);
        case 'input': {
          const s = stream(c, m.stream, m.type);
          return pushSteps(s, inputRows(s, m), t0);
        }
        case 'generate':
          return queueGenerate(stream(c, m.stream, m.type), m.n, m.temperature, m.seed, t0, m.req);
        case 'reset':
        case 'snapshot':
          return enqueue(stream(c, m.stream, m.type), { kind: m.type, req: m.req });
        case 'restore': {
          const s = stream(c, m.stream, m.type);
          checkLast('restore', s, m.last);
          return enqueue(s, { kind: 'restore', snapshot: m.snapshot, seq: m.seq, last: m.last, req: m.req });
        }
        case 'close': {
          const s = stream(c, m.stream, m.type);
          leave(s);
          send(c, { type: 'closed', stream: s.id, reason: 'client', req: m.req });
          return;
        }
      }
    } catch (e) {
      sendError(c, e, streamId, req);
    }
  };

  // ---- the tick ----
  /** Run the stream's leading control ops; feed its next input step to the batcher. */
  const feed = (s: Stream) => {
    while (s.ops.length && !s.inFlight) {
      const op = s.ops[0];
      switch (op.kind) {
        case 'step':
          s.model.batcher.push(s.session, op.x, { stream: s, t0: op.t0, input: op.input }, { extras: s.extras !== null });
          s.inFlight = true;
          return;
        case 'gen': {
          if (op.left === 0) {
            popOp(s);
            send(s.conn, { type: 'ack', stream: s.id, of: 'generate', seq: s.seq, req: op.req });
            break;
          }
          const codec = s.model.codec!;
          if (!s.last) {
            popOp(s);
            sendError(s.conn, wsError(WsErrorCodes.STATE, 'generate', 'stream', 'a stream that has stepped at least once (prime it with text)', 'a stream with no output yet'), s.id, op.req);
            break;
          }
          const id = sampleLogits(s.last, op.temperature, s.rng);
          s.model.batcher.push(s.session, Float32Array.of(id), { stream: s, t0: op.t0, token: { id, char: codec.chars[id] } }, { extras: s.extras !== null });
          s.inFlight = true;
          return;
        }
        case 'reset':
          popOp(s);
          s.model.batcher.reset(s.session);
          s.last = null;
          send(s.conn, { type: 'ack', stream: s.id, of: 'reset', seq: s.seq, req: op.req });
          break;
        case 'snapshot':
          popOp(s);
          send(s.conn, { type: 'snapshot', stream: s.id, snapshot: s.model.batcher.snapshot(s.session), seq: s.seq, last: s.last ? Array.from(s.last) : undefined, req: op.req });
          break;
        case 'restore':
          popOp(s);
          try {
            s.model.batcher.restore(s.session, op.snapshot);
            if (op.seq !== undefined) s.seq = op.seq;
            s.last = op.last ? Float32Array.from(op.last) : null;
            send(s.conn, { type: 'ack', stream: s.id, of: 'restore', seq: s.seq, req: op.req });
          } catch (e) {
            sendError(s.conn, e, s.id, op.req);
          }
          break;
      }
    }
  };

  const deliver = (r: BatchResult<Tag>) => {
    const s = r.tag.stream;
    if (!r.session.active || s.conn.closed) return; // the stream closed meanwhile
    s.inFlight = false;
    const op = s.ops[0];
    if (op?.kind === 'step') popOp(s);
    else if (op?.kind === 'gen') op.left--;
    if (r.error) {
      // A failed step is a server-side bug (inputs are validated before they are queued): close this stream only.
      sendError(s.conn, wsError(WsErrorCodes.INTERNAL, 'step', 'stream', 'a step that succeeds', r.error.message.slice(0, 200)), s.id);
      leave(s);
      send(s.conn, { type: 'closed', stream: s.id, reason: 'error' });
      return;
    }
    const seq = s.seq++;
    s.last = r.y;
    metrics.streamSteps++;
    if (s.binary && s.outputs && s.conn.ws.readyState === WebSocket.OPEN) s.conn.ws.send(encodeOutputFrame(s.id, seq, r.y));
    const msg: OutputMessage = { type: 'output', stream: s.id, seq };
    if (s.outputs && !s.binary) msg.y = Array.from(r.y);
    if (r.extras && s.extras) {
      msg.extras = {};
      for (const [k, v] of Object.entries(r.extras)) if (s.extras === true || s.extras.has(k)) msg.extras[k] = Array.from(v);
    }
    if (r.tag.input !== undefined) msg.input = r.tag.input;
    if (r.tag.token) msg.token = r.tag.token;
    if (!s.binary || msg.extras || msg.token || msg.input !== undefined) send(s.conn, msg);
    metrics.latency.observe((performance.now() - r.tag.t0) / 1000);
  };

  function tick() {
    scheduled = false;
    try {
      for (const s of busy) {
        if (s.conn.paused || s.conn.closed) continue;
        feed(s);
        if (!s.ops.length && !s.inFlight) busy.delete(s);
      }
      for (const h of hosted.values()) {
        const n = h.batcher.pending;
        if (n === 0) continue;
        const before = h.batcher.stats.steps;
        const results = h.batcher.flush();
        metrics.batchedSteps += h.batcher.stats.steps - before;
        for (let i = 0; i < n; i += opts.maxBatch) metrics.batchSize.observe(Math.min(opts.maxBatch, n - i));
        for (const r of results) deliver(r);
      }
    } catch (e) {
      // Should not happen; keep serving, but say so.
      console.error('rxrnn server: tick failed:', e);
    }
    for (const c of conns) checkPressure(c);
    for (const s of busy) {
      if (!s.conn.paused && (s.ops.length || s.inFlight)) {
        schedule();
        break;
      }
    }
  }

  // ---- backpressure, idle sockets ----
  const checkPressure = (c: Conn) => {
    if (c.closed) return;
    const buffered = c.ws.bufferedAmount;
    if (!c.paused && buffered > opts.highWaterMark) {
      c.paused = true;
      c.ws.pause();
    } else if (c.paused && buffered <= opts.lowWaterMark) {
      c.paused = false;
      c.ws.resume();
      schedule();
    }
  };
  const pressureTimer = setInterval(() => {
    for (const c of conns) if (c.paused) checkPressure(c);
  }, 10);
  pressureTimer.unref();
  const idleTimer = setInterval(() => {
    if (!opts.idleTimeoutMs) return;
    const now = Date.now();
    for (const c of conns) {
      const working = [...c.streams.values()].some((s) => s.ops.length || s.inFlight);
      if (!working && now - c.lastMessage > opts.idleTimeoutMs) closeConn(c, CloseCodes.IDLE, 'idle');
    }
  }, Math.max(50, Math.min(1000, Math.floor(opts.idleTimeoutMs / 4) || 1000)));
  idleTimer.unref();

  // ---- connections ----
  const tokenOf = (req: IncomingMessage): string | null => {
    const h = req.headers.authorization;
    if (typeof h === 'string' && /^Bearer /i.test(h)) return h.slice(7).trim();
    try {
      return new URL(req.url ?? '/', 'http://x').searchParams.get('token');
    } catch {
      return null;
    }
  };
  const authorized = (req: IncomingMessage): boolean => {
    if (opts.token === null) return true;
    const got = tokenOf(req);
    if (got === null) return false;
    const a = Buffer.from(got);
    const b = Buffer.from(opts.token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
    socket.destroy();
  };

  wss.on('connection', (ws: WebSocket) => {
    const c: Conn = { ws, streams: new Map(), paused: false, tokens: opts.maxInputsPerSecond, refilled: performance.now(), lastMessage: Date.now(), errors: [], closed: false };
    conns.add(c);
    metrics.socketsTotal++;
    ws.on('message', (data, isBinary) => onMessage(c, data, isBinary));
    ws.on('close', () => dropConn(c));
    ws.on('error', () => {
      // e.g. a frame over maxPayload: ws closes the socket itself (1009).
      if (!c.closed) metrics.closed(CloseCodes.TOO_BIG);
      dropConn(c);
    });
    const limits = {
      maxPayload: opts.maxPayload,
      maxStreamsPerSocket: opts.maxStreamsPerSocket,
      maxInputsPerSecond: opts.maxInputsPerSecond,
      maxQueuedSteps: opts.maxQueuedSteps,
      maxGenerate: opts.maxGenerate,
      idleTimeoutMs: opts.idleTimeoutMs,
    };
    send(c, { type: 'welcome', protocol: PROTOCOL, version: PROTOCOL_VERSION, models: infos, limits });
  });

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      if (shuttingDown) return refuse(socket, 503, 'Service Unavailable');
      if (!authorized(req)) return refuse(socket, 401, 'Unauthorized');
      if (conns.size >= opts.maxSockets) return refuse(socket, 503, 'Service Unavailable');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    authorized,
    metricsText() {
      let streams = 0;
      let queued = 0;
      let paused = 0;
      for (const c of conns) {
        streams += c.streams.size;
        if (c.paused) paused++;
        for (const s of c.streams.values()) queued += s.queuedSteps;
      }
      return metrics.render({ sockets: conns.size, streams, paused, queued, stepsPerSecond: metrics.stepsPerSecond() });
    },
    health() {
      let streams = 0;
      for (const c of conns) streams += c.streams.size;
      return { status: shuttingDown ? 'draining' : 'ok', protocol: PROTOCOL, sockets: conns.size, streams, models: infos.map((i) => i.name) };
    },
    models: infos,
    options: opts,
    close() {
      if (closedPromise) return closedPromise;
      shuttingDown = true;
      closedPromise = (async () => {
        const deadline = Date.now() + opts.drainTimeoutMs;
        while (Date.now() < deadline && [...busy].some((s) => !s.conn.closed && (s.ops.length || s.inFlight))) {
          schedule();
          await new Promise((r) => setTimeout(r, 5));
        }
        for (const c of [...conns]) {
          for (const s of [...c.streams.values()]) {
            leave(s);
            send(c, { type: 'closed', stream: s.id, reason: 'shutdown' });
          }
          closeConn(c, CloseCodes.GOING_AWAY, 'server shutting down');
        }
        clearInterval(pressureTimer);
        clearInterval(idleTimer);
        for (const h of hosted.values()) h.batcher.dispose();
        await new Promise<void>((r) => wss.close(() => r()));
      })();
      return closedPromise;
    },
  };
}
