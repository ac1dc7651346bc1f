/**
 * The hostile-client suite's harness: a real stream server on port 0 (an "arena"), raw `ws`
 * sockets as attackers, a bystander stream checked bit for bit against its solo reference while
 * the attack runs, and watches on the process's RSS, the wasm heap, the tensor count and the log.
 *
 * ```ts
 * const arena = await startArena();
 * const watch = watchResources();
 * const bystander = await Bystander.start(arena, 'vec');
 * const attacker = await Peer.connect(arena.url);
 * attacker.sendJson({ type: 'open', stream: 1, model: 'vec', options: { snapshot: forged } });
 * expect(await attacker.nextError()).toMatchObject({ code: 'E_SHAPE' });
 * expectUnharmed(await bystander.stop(), await watch.end(arena));
 * await arena.stop();
 * ```
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import WebSocket from 'ws';
import { expect } from 'vitest';
import { createRng, type Cell } from '@rxrnn/core';
import { soloOutputs } from '@rxrnn/testing';
import { lstmCell, gruCell, stackCells, denseCell } from '@rxrnn/cells';
import { createStreamServer, decodeFrame, PROTOCOL, type HostedModel, type ServerMessage, type ServerOptions, type StreamServer } from '../src/index.js';

/**
 * Vector models built in the test: `vec` (LSTM 4→16 + dense tanh 16→4, two state entries) and
 * `gru` (GRU 3→8). `fused: false` steps them on plain tfjs ops, whose rows do not depend on the
 * batch; the default kernels' do until the batch-invariance fix lands (see src/hostile/batch-invariance.test.ts).
 */
export function vectorModels(options: { fused?: boolean } = {}): HostedModel[] {
  const fused = options.fused ?? false;
  return [
    { name: 'vec', cell: stackCells([lstmCell({ inputSize: 4, hiddenSize: 16, seed: 3, fused }), denseCell({ inputSize: 16, outputSize: 4, activation: 'tanh', seed: 4, fused })]) },
    { name: 'gru', cell: gruCell({ inputSize: 3, hiddenSize: 8, seed: 5, fused }) },
  ];
}

export interface Arena {
  server: StreamServer;
  http: Server;
  /** `ws://127.0.0.1:<port>/ws` */
  url: string;
  port: number;
  models: HostedModel[];
  model(name: string): HostedModel;
  /** Close the stream server and the HTTP server; dispose the models. */
  stop(): Promise<void>;
}

/** A stream server on an HTTP server on 127.0.0.1, port 0. */
export async function startArena(options: Partial<ServerOptions> = {}, models: HostedModel[] = vectorModels()): Promise<Arena> {
  const server = createStreamServer(models, options);
  const http = createServer((_req, res) => res.writeHead(404).end());
  http.on('upgrade', (req, socket, head) => server.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const port = (http.address() as AddressInfo).port;
  let stopped: Promise<void> | null = null;
  return {
    server,
    http,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    models,
    model: (name) => models.find((m) => m.name === name)!,
    stop() {
      stopped ??= (async () => {
        await server.close();
        http.closeAllConnections();
        await new Promise<void>((r) => http.close(() => r()));
        for (const m of models) m.cell.dispose();
      })();
      return stopped;
    },
  };
}

type Incoming = ServerMessage | { type: 'binary'; data: Buffer };
type ErrorMessage = Extract<ServerMessage, { type: 'error' }>;

/**
 * A raw protocol socket. It keeps counts of what it received and only the last `keep` messages
 * not yet claimed by `next` (default 64: an attacker may receive millions); `read: false` stops
 * reading from the socket (a client that never reads), so the server's send buffer is all that
 * holds its replies.
 */
export class Peer {
  received = 0;
  receivedBytes = 0;
  readonly errors = new Map<string, number>();
  readonly recent: Incoming[] = [];
  closeCode: number | null = null;
  private waiters: { pred: (m: Incoming) => boolean; resolve: (m: Incoming) => void }[] = [];
  private closeWaiters: ((code: number) => void)[] = [];

  private constructor(
    readonly ws: WebSocket,
    private readonly keep: number,
  ) {
    ws.on('message', (data: Buffer, isBinary) => {
      this.received++;
      this.receivedBytes += data.length;
      const m: Incoming = isBinary ? { type: 'binary', data } : (JSON.parse(String(data)) as ServerMessage);
      if (m.type === 'error') this.errors.set(m.code, (this.errors.get(m.code) ?? 0) + 1);
      const w = this.waiters.find((q) => q.pred(m));
      if (w) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
        return;
      }
      this.recent.push(m);
      if (this.recent.length > this.keep) this.recent.shift();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const f of this.closeWaiters) f(code);
    });
    ws.on('error', () => undefined);
  }

  /** Connect (and, when reading, wait for the welcome). Rejects on a refused handshake with `HTTP <status>`. */
  static async connect(url: string, options: { read?: boolean; token?: string; protocol?: string; keep?: number } = {}): Promise<Peer> {
    const headers = options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : undefined;
    const ws = new WebSocket(url, options.protocol ?? PROTOCOL, { headers });
    const peer = new Peer(ws, options.keep ?? 64);
    const welcome = options.read === false ? null : peer.next((m) => m.type === 'welcome', 10_000);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    if (options.read === false) ws.pause();
    else await welcome;
    return peer;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(data: string | Uint8Array): void {
    if (this.open) this.ws.send(data);
  }

  sendJson(m: unknown): void {
    this.send(JSON.stringify(m));
  }

  /** Wait until our own send buffer holds at most `bytes` (so a flood does not bloat the test process). */
  async drained(bytes = 1 << 20): Promise<void> {
    while (this.open && this.ws.bufferedAmount > bytes) await sleep(2);
  }

  /** The next message matching `pred` (one already received among the recent ones counts). */
  next(pred: (m: Incoming) => boolean, timeoutMs = 5000): Promise<Incoming> {
    const i = this.recent.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.recent.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        if (!this.waiters.includes(w)) return;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no matching message within ${timeoutMs} ms (last: ${JSON.stringify(this.recent.slice(-2)).slice(0, 300)}; close ${this.closeCode})`));
      }, timeoutMs).unref();
    });
  }

  /** The next error frame (for `stream` when given). */
  async nextError(stream?: number, timeoutMs = 5000): Promise<ErrorMessage> {
    return (await this.next((m) => m.type === 'error' && (stream === undefined || m.stream === stream), timeoutMs)) as ErrorMessage;
  }

  /** Resolve with the close code once the socket is closed. */
  closed(): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((r) => this.closeWaiters.push(r));
  }

  close(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

export interface BystanderReport {
  steps: number;
  /** Steps whose output differed from the solo reference (bit for bit). */
  mismatches: number;
  firstMismatch?: string;
  /** Anything the bystander got that it should not have (errors, closes). */
  failures: string[];
  maxLatencyMs: number;
  p99LatencyMs: number;
}

/**
 * A well-behaved stream that steps continuously (one input in flight, the next sent when its output
 * arrives) on its own socket; `stop()` checks every output it got against the same inputs stepped
 * alone, bit for bit.
 */
export class Bystander {
  private xs: Float32Array[] = [];
  private ys: number[][] = [];
  private latencies: number[] = [];
  private failures: string[] = [];
  private running = true;
  private loop: Promise<void>;

  private constructor(
    private readonly peer: Peer,
    private readonly cell: Cell,
    private readonly stream: number,
    seed: number,
    private readonly binary: boolean,
  ) {
    const rng = createRng(seed);
    const X = cell.inputSize;
    this.loop = (async () => {
      while (this.running) {
        const x = Float32Array.from({ length: X }, () => rng.uniform(-1, 1));
        const seq = this.xs.length;
        this.xs.push(x);
        const t0 = performance.now();
        peer.sendJson({ type: 'input', stream, x: Array.from(x) });
        try {
          const m = await peer.next((q) => (q.type === 'binary' ? decodeFrame(new Uint8Array(q.data)).seq === seq : (q.type === 'output' && q.stream === stream && q.seq === seq) || ((q.type === 'error' || q.type === 'closed') && q.stream === stream)), 20_000);
          if (m.type === 'binary') this.ys.push(Array.from(decodeFrame(new Uint8Array(m.data)).data));
          else if (m.type === 'output') this.ys.push(m.y!);
          else {
            this.failures.push(JSON.stringify(m).slice(0, 300));
            break;
          }
        } catch (e) {
          this.failures.push((e as Error).message);
          break;
        }
        this.latencies.push(performance.now() - t0);
      }
    })();
  }

  /** Open a bystander stream on `model` (its own socket) and start stepping. */
  static async start(arena: Arena, model: string, options: { stream?: number; seed?: number; format?: 'json' | 'binary' } = {}): Promise<Bystander> {
    const peer = await Peer.connect(arena.url);
    const stream = options.stream ?? 1;
    peer.sendJson({ type: 'open', stream, model, options: { format: options.format ?? 'json' } });
    await peer.next((m) => m.type === 'opened' && m.stream === stream);
    return new Bystander(peer, arena.model(model).cell, stream, options.seed ?? 7, options.format === 'binary');
  }

  /** Steps so far. */
  get steps(): number {
    return this.ys.length;
  }

  /** Wait until at least `n` more steps have completed (progress under attack). */
  async advance(n: number, timeoutMs = 10_000): Promise<void> {
    const target = this.ys.length + n;
    const t0 = performance.now();
    while (this.ys.length < target) {
      if (this.failures.length || performance.now() - t0 > timeoutMs) throw new Error(`bystander stalled at ${this.ys.length} steps (${this.failures.join('; ') || 'timeout'})`);
      await sleep(5);
    }
  }

  /** Stop stepping, close the socket, and compare every output with the solo reference. */
  async stop(): Promise<BystanderReport> {
    this.running = false;
    await this.loop;
    this.peer.close();
    const ref = soloOutputs(this.cell, this.xs.slice(0, this.ys.length));
    let mismatches = 0;
    let firstMismatch: string | undefined;
    this.ys.forEach((y, t) => {
      const same = y.length === ref[t].length && y.every((v, i) => v === ref[t][i]);
      if (!same) {
        mismatches++;
        firstMismatch ??= `step ${t}: got [${y.join(', ')}], alone [${Array.from(ref[t]).join(', ')}]${this.binary ? ' (binary)' : ''}`;
      }
    });
    const sorted = this.latencies.slice().sort((a, b) => a - b);
    return {
      steps: this.ys.length,
      mismatches,
      firstMismatch,
      failures: this.failures,
      maxLatencyMs: sorted.at(-1) ?? 0,
      p99LatencyMs: sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0,
    };
  }
}

export interface ResourceReport {
  rssGrowthBytes: number;
  /** Growth of the wasm heap (it never shrinks), or 0 on other backends. */
  heapGrowthBytes: number;
  tensorsDelta: number;
  logLines: number;
  logBytes: number;
  firstLogs: string[];
}

/** The console's own methods, as they were when this module loaded. */
const CONSOLE = { error: console.error, warn: console.warn };

/** The wasm backend's heap in bytes, or 0 on other backends. */
export function heapBytes(): number {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length : 0;
}

/**
 * Watch the process from now on: RSS, the wasm heap, the tensor count, and every console.error /
 * console.warn line (captured, not printed: an attack must not flood the log).
 */
export function watchResources(): { end(arena?: Arena, settleMs?: number): Promise<ResourceReport> } {
  const rss0 = process.memoryUsage().rss;
  const heap0 = heapBytes();
  const tensors0 = tf.memory().numTensors;
  const logs: string[] = [];
  let logBytes = 0;
  const original = CONSOLE; // (not whatever an earlier watch that never ended left in place)
  const capture = (...args: unknown[]) => {
    const line = args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
    logBytes += line.length + 1;
    if (logs.length < 1000) logs.push(line.slice(0, 300));
    else logs[999] = `${logs.length}+ lines`;
  };
  console.error = capture;
  console.warn = capture;
  return {
    /** Stop watching, once the arena's server has no queued work left (at most `settleMs`). */
    async end(arena, settleMs = 5000) {
      const t0 = performance.now();
      while (arena && performance.now() - t0 < settleMs && /rxrnn_queued_steps [1-9]/.test(arena.server.metricsText())) await sleep(10);
      await sleep(50);
      console.error = original.error;
      console.warn = original.warn;
      return {
        rssGrowthBytes: process.memoryUsage().rss - rss0,
        heapGrowthBytes: heapBytes() - heap0,
        tensorsDelta: tf.memory().numTensors - tensors0,
        logLines: logs.length,
        logBytes,
        firstLogs: logs.slice(0, 5),
      };
    },
  };
}

/** Bounds every attack must stay within (on two busy cores). */
export const BOUNDS = {
  /** The bystander's slowest step under attack. */
  maxLatencyMs: 1000,
  /** RSS growth over an attack. */
  rssGrowthBytes: 100e6,
  /** wasm heap growth over an attack. */
  heapGrowthBytes: 16 << 20,
  /** Log lines an attack may cause. */
  logLines: 5,
};

/**
 * The bystander got exactly its solo outputs, never an error, kept making progress, and the attack
 * left memory, tensors and the log within {@link BOUNDS}.
 */
export function expectUnharmed(b: BystanderReport, r: ResourceReport, bounds: Partial<typeof BOUNDS> = {}): void {
  const lim = { ...BOUNDS, ...bounds };
  expect(b.failures, 'bystander failures').toEqual([]);
  expect(b.steps, 'bystander steps').toBeGreaterThan(0);
  expect(b.firstMismatch, 'bystander outputs vs stepped alone').toBeUndefined();
  expect(b.mismatches).toBe(0);
  expect(b.maxLatencyMs, 'bystander slowest step (ms)').toBeLessThan(lim.maxLatencyMs);
  expect(r.tensorsDelta, 'tensors left behind').toBe(0);
  expect(r.rssGrowthBytes, 'RSS growth (bytes)').toBeLessThan(lim.rssGrowthBytes);
  expect(r.heapGrowthBytes, 'wasm heap growth (bytes)').toBeLessThan(lim.heapGrowthBytes);
  expect(r.logLines, `log lines (${r.firstLogs.join(' | ')})`).toBeLessThanOrEqual(lim.logLines);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
