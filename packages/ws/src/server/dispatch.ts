/**
 * Dispatch: what each client message does. It finds the stream and the model's io adapter, checks
 * that the adapter reads the fields the message carries, lets the adapter decode them within the
 * admission budget, and queues the result for the scheduler. Replies go straight back; every
 * failure becomes one error frame for its sender, never an exception out of the socket handler.
 */
import { clip, wsError, WsErrorCodes, type ClientMessage, type StreamOptions } from '../protocol.js';
import { decodeInputFrame } from '../frames.js';
import { parseClientMessage } from '../parse.js';
import { TRANSPORT_OPTIONS } from '../protocol.js';
import { float32Values, type DecodeContext, type IoRow } from '@rxrnn/core';
import type { ServerOptions } from '../options.js';
import type { Metrics } from '../metrics.js';
import type { Admission } from './admission.js';
import type { Scheduler } from './scheduler.js';
import { Stream, OP_BYTES, STEP_OVERHEAD_BYTES, type Op, type ServerQueue, type StreamConnection as Connection, type StreamModel as Hosted, type StreamHosting as Hosting } from './stream.js';

export interface DispatchDeps {
  opts: ServerOptions;
  hosting: Hosting;
  scheduler: Scheduler;
  admission: Admission;
  metrics: Metrics;
  queue: ServerQueue;
  /** False once the server drains: no new work. */
  accepting(): boolean;
}

/** Bytes `rows` queued steps of a model hold. */
const rowBytes = (h: Hosted, rows: number) => rows * (h.info.inputSize * 4 + STEP_OVERHEAD_BYTES);
const TRANSPORT = new Set<string>(TRANSPORT_OPTIONS);

export function createDispatch(d: DispatchDeps): (c: Connection, bytes: Buffer, isBinary: boolean) => void {
  const { opts, hosting, scheduler, admission } = d;

  const shutdown = (what: string) => wsError(WsErrorCodes.SHUTDOWN, what, 'server', 'a running server', 'a server shutting down');
  const streamOf = (c: Connection, id: number, type: string): Stream => {
    const s = c.streams.get(id);
    if (!s) throw wsError(WsErrorCodes.NO_STREAM, type, 'stream', 'the id of a stream open on this socket', `${id}`);
    return s;
  };
  /** The decode context of a stream's input: its admission budget. */
  const budget = (s: Stream, fn: string): DecodeContext => ({ fn, admit: (rows) => admission.check(s.conn, s.queuedSteps, rows, rowBytes(s.model, rows)) });
  /** Queue admitted rows as steps. */
  const enqueueRows = (s: Stream, rows: IoRow[], t0: number) => {
    const each = rowBytes(s.model, 1);
    admission.check(s.conn, s.queuedSteps, rows.length, rows.length * each); // the rows an adapter returned, whatever it admitted
    admission.charge(s.conn, rows.length);
    for (const row of rows) s.push({ kind: 'step', row, t0, bytes: each });
    if (rows.length) scheduler.wake(s);
  };
  /** Queue one operation (reset, snapshot, restore, a decode loop): it counts as a step against the limits. */
  const enqueue = (s: Stream, op: Op) => {
    admission.check(s.conn, s.queuedSteps, 1, op.bytes);
    admission.charge(s.conn, 1);
    s.push(op);
    scheduler.wake(s);
  };
  const adapterReads = (s: Stream, list: readonly string[], name: string, what: string, fn: string) => {
    if (!list.includes(name)) {
      const a = s.model.adapter ?? s.model.session!;
      throw wsError(WsErrorCodes.ARGUMENT, fn, name, `${list.length ? `one of ${list.join(', ')}` : 'none'} (the ${what} of io kind ${JSON.stringify(a.kind)})`, name);
    }
  };
  /** The adapter of a cell model's stream; a session model's stream gets a typed error for `what`. */
  const cellOnly = (s: Stream, what: string) => {
    if (!s.model.adapter || !s.io || !s.session) throw wsError(WsErrorCodes.ARGUMENT, what, 'stream', `a stream on a cell model (${what} steps a recurrent state)`, `a stream on session model ${JSON.stringify(s.model.info.name)} (io kind ${JSON.stringify(s.model.session?.kind)})`);
    return { adapter: s.model.adapter, io: s.io };
  };

  /** Open a stream on a session model: its options checked by the adapter; no state until an input. */
  const openSession = (c: Connection, m: Extract<ClientMessage, { type: 'open' }>, model: Hosted, f: string) => {
    const a = model.session!;
    const o: StreamOptions = m.options;
    const modelOptions: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined || k === 'outputs' || k === 'extras') continue;
      if (TRANSPORT.has(k)) throw wsError(WsErrorCodes.ARGUMENT, f, `options.${k}`, `no ${k} (a session model has no recurrent state or binary outputs)`, `options.${k}`);
      if (!a.options.includes(k)) throw wsError(WsErrorCodes.ARGUMENT, f, `options.${k}`, `${a.options.length ? `one of ${a.options.join(', ')}` : 'no options'} (io kind ${JSON.stringify(a.kind)})`, `options.${k}`);
      modelOptions[k] = v;
    }
    const extras = o.extras === true ? true : Array.isArray(o.extras) ? new Set(o.extras) : null;
    admission.check(c, 0, 1, OP_BYTES);
    // The adapter checks the options, and any work they start, before the stream exists: refused whole.
    const run = a.open(modelOptions, { fn: f, admit: (n) => admission.check(c, 0, n, n * OP_BYTES) }, { y: false, extras });
    const s = new Stream(m.stream, c, model, null, null, 0, false, extras, false, d.queue, run);
    c.opens.take(1);
    c.streams.set(s.id, s);
    d.metrics.streamsTotal++;
    c.send({ type: 'opened', stream: s.id, model: model.info, seq: s.seq, req: m.req });
    if (run.first) enqueue(s, { kind: 'run', work: run.first, t0: performance.now(), bytes: OP_BYTES });
  };

  /** An input on a session model's stream: the adapter checks it and returns its work, queued as one operation. */
  const inputSession = (s: Stream, m: Extract<ClientMessage, { type: 'input' }>, t0: number, size: number) => {
    const f = `input(${s.model.info.name})`;
    const a = s.model.session!;
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m)) if (k !== 'type' && k !== 'stream' && k !== 'req' && v !== undefined) fields[k] = v;
    for (const k of Object.keys(fields)) adapterReads(s, a.inputs, k, 'input fields', f);
    const bytes = OP_BYTES + 2 * size;
    const work = s.run!.run(fields, { fn: f, admit: (n) => admission.check(s.conn, s.queuedSteps, n, bytes) }, { y: false, extras: s.extras });
    enqueue(s, { kind: 'run', work, t0, req: m.req, bytes });
  };

  const open = (c: Connection, m: Extract<ClientMessage, { type: 'open' }>, t0: number) => {
    const f = `open(${clip(m.model, 64)})`;
    if (!d.accepting()) throw shutdown(f);
    if (c.streams.has(m.stream)) throw wsError(WsErrorCodes.STREAM_EXISTS, f, 'stream', 'an id not open on this socket', `${m.stream}`);
    if (c.streams.size >= opts.maxStreamsPerSocket) throw wsError(WsErrorCodes.LIMIT, f, 'stream', `at most ${opts.maxStreamsPerSocket} streams per socket`, `${c.streams.size} open`);
    c.opens.check(1);
    const model = hosting.models.get(m.model);
    if (!model) throw wsError(WsErrorCodes.NO_MODEL, f, 'model', `one of ${clip([...hosting.models.keys()].join(', '))}`, JSON.stringify(clip(m.model, 64)));
    if (model.session) return openSession(c, m, model, f);
    const o: StreamOptions = m.options;
    const adapter = model.adapter!;
    const modelOptions: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined || TRANSPORT.has(k)) continue;
      if (!adapter.options.includes(k)) throw wsError(WsErrorCodes.ARGUMENT, f, `options.${k}`, `${adapter.options.length ? `one of ${adapter.options.join(', ')}` : 'no options'} (io kind ${JSON.stringify(adapter.kind)})`, `options.${k}`);
      modelOptions[k] = v;
    }
    if (o.snapshot === undefined && (o.seq !== undefined || o.last !== undefined)) throw wsError(WsErrorCodes.ARGUMENT, f, 'options.seq/last', 'only with options.snapshot', 'without a snapshot');
    const last = o.last !== undefined ? float32Values(o.last, model.info.outputSize, f, 'last') : null;
    // The io decodes its open options (a prime) within a new stream's budget, before the state is allocated.
    const opened = adapter.open(modelOptions, { fn: f, admit: (rows) => admission.check(c, 0, rows, rowBytes(model, rows)) });
    const rows = opened.rows ?? [];
    const loop = opened.loop;
    if (loop && loop.steps > opts.maxGenerate) throw wsError(WsErrorCodes.LIMIT, f, `options.${loop.name}`, `at most ${opts.maxGenerate}`, `${loop.steps}`);
    // Everything the open asks for must fit now: refused here, not after `opened`.
    const ops = rows.length + (loop ? 1 : 0);
    admission.check(c, 0, ops, rowBytes(model, rows.length) + (loop ? OP_BYTES : 0));
    const session = model.batcher!.join(o.snapshot); // throws coded errors on a bad snapshot
    const s = new Stream(m.stream, c, model, session, opened.io, o.seq ?? 0, o.outputs ?? adapter.outputs, o.extras === true ? true : Array.isArray(o.extras) ? new Set(o.extras) : null, o.format === 'binary', d.queue);
    s.last = last;
    c.opens.take(1);
    c.streams.set(s.id, s);
    d.metrics.streamsTotal++;
    c.send({ type: 'opened', stream: s.id, model: model.info, seq: s.seq, req: m.req });
    enqueueRows(s, rows, t0);
    if (loop) enqueue(s, { kind: 'loop', name: loop.name, left: loop.steps, loop: loop.loop, t0, bytes: OP_BYTES });
  };

  const input = (s: Stream, m: Extract<ClientMessage, { type: 'input' }>, t0: number, size: number) => {
    if (s.run) return inputSession(s, m, t0, size);
    const f = `input(${s.model.info.name})`;
    const { adapter, io } = cellOnly(s, f);
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m)) if (k !== 'type' && k !== 'stream' && k !== 'req' && v !== undefined) fields[k] = v;
    for (const k of Object.keys(fields)) adapterReads(s, adapter.inputs, k, 'input fields', f);
    enqueueRows(s, io.decode(fields, budget(s, f)), t0);
  };

  const generate = (s: Stream, m: Extract<ClientMessage, { type: 'generate' }>, t0: number) => {
    const f = `${m.type}(${s.model.info.name})`;
    const { adapter, io } = cellOnly(s, f);
    const names = adapter.loops[m.type];
    if (!names || !io.loop) throw wsError(WsErrorCodes.ARGUMENT, f, 'model', `a model with a ${m.type} loop`, `io kind ${JSON.stringify(adapter.kind)}`);
    if (m.n > opts.maxGenerate) throw wsError(WsErrorCodes.LIMIT, f, 'n', `at most ${opts.maxGenerate}`, `${m.n}`);
    const options: Record<string, unknown> = {};
    for (const k of names) if (m[k] !== undefined) options[k] = m[k];
    enqueue(s, { kind: 'loop', name: m.type, left: m.n, loop: io.loop(m.type, options, f), t0, req: m.req, bytes: OP_BYTES });
  };

  const binary = (c: Connection, bytes: Buffer, t0: number) => {
    const frame = decodeInputFrame(bytes);
    if (!d.accepting()) throw Object.assign(shutdown('input'), { stream: frame.stream });
    const s = c.streams.get(frame.stream);
    if (!s) throw Object.assign(wsError(WsErrorCodes.NO_STREAM, 'input', 'stream', 'the id of a stream open on this socket', `${frame.stream}`), { stream: frame.stream });
    try {
      const accepted = s.model.adapter?.binary ?? [];
      if (!s.io || !accepted.includes(frame.payload.dtype)) {
        throw wsError(WsErrorCodes.DTYPE, 'binary input', 'payload', accepted.length ? `${accepted.join(' or ')} values` : 'JSON input (this model takes no binary frames)', `${frame.payload.dtype} values`);
      }
      enqueueRows(s, s.io.decodeBinary(frame.payload, budget(s, 'binary input')), t0);
    } catch (e) {
      throw Object.assign(e as Error, { stream: s.id });
    }
  };

  const text = (c: Connection, bytes: Buffer, t0: number) => {
    const m = parseClientMessage(bytes.toString('utf8'), hosting.grammar);
    try {
      if (!d.accepting() && m.type !== 'close' && m.type !== 'snapshot') throw shutdown(m.type);
      switch (m.type) {
        case 'open':
          return open(c, m, t0);
        case 'input':
          return input(streamOf(c, m.stream, m.type), m, t0, bytes.length);
        case 'generate':
          return generate(streamOf(c, m.stream, m.type), m, t0);
        case 'reset':
        case 'snapshot': {
          const s = streamOf(c, m.stream, m.type);
          cellOnly(s, m.type);
          return enqueue(s, { kind: m.type, req: m.req, bytes: OP_BYTES });
        }
        case 'restore': {
          const s = streamOf(c, m.stream, m.type);
          cellOnly(s, m.type);
          const last = m.last !== undefined ? float32Values(m.last, s.model.info.outputSize, 'restore', 'last') : null;
          // The parsed snapshot waits in the queue: count about twice its JSON's bytes.
          return enqueue(s, { kind: 'restore', snapshot: m.snapshot, seq: m.seq, last, req: m.req, bytes: OP_BYTES + 2 * bytes.length });
        }
        case 'close': {
          const s = streamOf(c, m.stream, m.type);
          scheduler.leave(s);
          c.send({ type: 'closed', stream: s.id, reason: 'client', req: m.req });
          return;
        }
      }
    } catch (e) {
      throw Object.assign(e as Error, { stream: m.stream, req: m.req });
    }
  };

  return (c, bytes, isBinary) => {
    const t0 = performance.now();
    try {
      if (isBinary) binary(c, bytes, t0);
      else text(c, bytes, t0);
    } catch (e) {
      const at = e as { stream?: number; req?: number };
      c.sendError(e, at.stream, at.req);
    }
  };
}
