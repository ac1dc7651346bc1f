/**
 * `createStreamServer`: hosts models behind WebSockets (protocol `rxrnn.v1`, docs/protocol.md).
 *
 * One socket multiplexes many streams; each stream is a session of its model's batcher, so the
 * streams of one model (on any socket) step together, one batched `cell.step` per round. The
 * server knows no model kinds: each model's io adapter (core's `ModelAdapter`) decodes inputs,
 * encodes outputs and runs decode loops. It is composed of one module per concern (server/):
 *
 *     auth        the token, and the loopback rule for servers without one
 *     connection  a socket: framing, error budget, rates, every outgoing byte and backpressure
 *     admission   every bound on queued work: steps per stream, bytes per socket and server, rate
 *     dispatch    what each client message does
 *     stream      a stream's state and queue of operations
 *     scheduler   per-model batched ticks, failures isolated per stream
 *     models      hosting: cells, batchers, io adapters, the protocol grammar they extend
 *     lifecycle   running → draining → closed
 *
 * ```ts
 * const server = createStreamServer([{ name: 'demo', cell }], { token: 'secret' });
 * httpServer.on('upgrade', (req, socket, head) => server.handleUpgrade(req, socket, head));
 * ```
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { backendMemory, backendHealth, type BackendHealth } from '@rxrnn/core';
import { PROTOCOL, PROTOCOL_VERSION, CloseCodes, type ModelInfo } from './protocol.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import { Metrics } from './metrics.js';
import { createAuth } from './server/auth.js';
import { Connection, type ConnectionHooks } from './server/connection.js';
import { createAdmission } from './server/admission.js';
import { createDispatch } from './server/dispatch.js';
import { createLifecycle } from './server/lifecycle.js';
import { hostModels, type AnyHostedModel } from './server/models.js';
import { Scheduler } from './server/scheduler.js';
import type { ServerQueue, Stream, StreamConnection } from './server/stream.js';

export type { HostedModel, HostedSessionModel, AnyHostedModel } from './server/models.js';

export interface StreamServer {
  /** Hand an HTTP upgrade request to the server (authenticates, applies `maxSockets`). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Whether a request may use the server: it carries the token, or, on a server without one, it
   * came over loopback. Use it for other endpoints, e.g. metrics.
   */
  authorized(req: IncomingMessage): boolean;
  /** Prometheus text exposition of the server's metrics. */
  metricsText(): string;
  /**
   * A small health document: `ok`; `draining` once closing; `unhealthy` when the tfjs backend fails
   * its probe (core's `backendHealth`: a broken wasm heap answers every step wrongly).
   */
  health(): { status: 'ok' | 'draining' | 'unhealthy'; protocol: string; sockets: number; streams: number; models: string[]; backend: BackendHealth };
  readonly models: readonly ModelInfo[];
  readonly options: Readonly<ServerOptions>;
  /** Drain (up to `drainTimeoutMs`), close every stream and socket (1001), free all state. */
  close(): Promise<void>;
}

export function createStreamServer(models: readonly AnyHostedModel[], options: Partial<ServerOptions> = {}): StreamServer {
  const opts = resolveServerOptions(options);
  const hosting = hostModels<Stream>(models, opts);
  const metrics = new Metrics();
  const auth = createAuth(opts.token);
  const queue: ServerQueue = { bytes: 0 };
  const scheduler = new Scheduler(hosting, metrics, opts);
  const conns = new Set<StreamConnection>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayload,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  const pressure = setInterval(() => {
    for (const c of conns) c.checkPressure();
  }, 10);
  const idle = setInterval(
    () => {
      if (!opts.idleTimeoutMs) return;
      const now = Date.now();
      for (const c of conns) if (!c.working && now - c.lastMessage > opts.idleTimeoutMs) c.close(CloseCodes.IDLE, 'idle');
    },
    Math.max(50, Math.min(1000, Math.floor(opts.idleTimeoutMs / 4) || 1000)),
  );
  pressure.unref();
  idle.unref();
  const lifecycle = createLifecycle({ opts, scheduler, conns, hosting, wss, timers: [pressure, idle] });

  const hooks: ConnectionHooks<Stream> = {
    metrics,
    message: createDispatch({ opts, hosting, scheduler, admission: createAdmission(opts, queue), metrics, queue, accepting: () => lifecycle.accepting }),
    dropped(c) {
      for (const s of [...c.streams.values()]) scheduler.leave(s);
      conns.delete(c);
    },
    resumed: () => scheduler.schedule(),
  };
  const limits = {
    maxPayload: opts.maxPayload,
    maxStreamsPerSocket: opts.maxStreamsPerSocket,
    maxInputsPerSecond: opts.maxInputsPerSecond,
    maxQueuedSteps: opts.maxQueuedSteps,
    maxGenerate: opts.maxGenerate,
    idleTimeoutMs: opts.idleTimeoutMs,
  };
  wss.on('connection', (ws) => {
    const c = new Connection<Stream>(ws, opts, hooks);
    conns.add(c);
    metrics.socketsTotal++;
    c.send({ type: 'welcome', protocol: PROTOCOL, version: PROTOCOL_VERSION, models: hosting.infos, limits });
  });

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    socket.destroy();
  };
  const counts = () => {
    let streams = 0;
    let queued = 0;
    let paused = 0;
    let buffered = 0;
    for (const c of conns) {
      streams += c.streams.size;
      buffered += c.ws.bufferedAmount;
      if (c.paused) paused++;
      for (const s of c.streams.values()) queued += s.queuedSteps;
    }
    return { sockets: conns.size, streams, queued, paused, bufferedBytes: buffered };
  };

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      if (!lifecycle.accepting) return refuse(socket, 503, 'Service Unavailable');
      const no = auth.refusal(req);
      if (no) return refuse(socket, no.status, no.text);
      if (conns.size >= opts.maxSockets) return refuse(socket, 503, 'Service Unavailable');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    authorized: auth.authorized,
    metricsText() {
      const mem = backendMemory();
      return metrics.render({ ...counts(), stepsPerSecond: metrics.stepsPerSecond(), queuedBytes: queue.bytes, tensors: mem.tensors, tensorBytes: mem.tensorBytes, heapBytes: mem.heapBytes, rssBytes: process.memoryUsage.rss() });
    },
    health() {
      const { sockets, streams } = counts();
      const backend = backendHealth();
      return { status: !lifecycle.accepting ? 'draining' : backend.ok ? 'ok' : 'unhealthy', protocol: PROTOCOL, sockets, streams, models: hosting.infos.map((i) => i.name), backend };
    },
    models: hosting.infos,
    options: opts,
    close: () => lifecycle.close(),
  };
}
