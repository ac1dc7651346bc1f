/** Test helpers for @rxrnn/ws: a real server on port 0, a raw protocol client, reference outputs. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import WebSocket from 'ws';
import { createRng, type Cell, type State } from '@rxrnn/core';
import { lstmCell, stackCells, embeddingCell, denseCell } from '@rxrnn/cells';
import { charAdapter } from '@rxrnn/text';
import { createStreamServer, PROTOCOL, type HostedModel, type ServerOptions, type StreamServer, type ServerMessage } from '../src/index.js';

export const VOCAB = 'abcdefgh ';

/** A vector LSTM (X=4, H=6) and a char model (embedding → LSTM → dense logits, served through text's char adapter) with fixed seeds. */
export function demoModels(): HostedModel[] {
  const vec = lstmCell({ inputSize: 4, hiddenSize: 6, seed: 3 });
  const V = VOCAB.length;
  const chr = stackCells([embeddingCell({ vocabSize: V, embeddingSize: 5, seed: 1 }), lstmCell({ inputSize: 5, hiddenSize: 7, seed: 2 }), denseCell({ inputSize: 7, outputSize: V, seed: 4 })]);
  return [
    { name: 'vec', cell: vec, io: { kind: 'vector' } },
    { name: 'chr', cell: chr, io: charAdapter({ kind: 'char', vocab: VOCAB, unknown: ' ' }, { name: 'chr', inputSize: chr.inputSize, outputSize: chr.outputSize }) },
  ];
}

export interface Running {
  server: StreamServer;
  http: Server;
  url: string;
  port: number;
  models: HostedModel[];
  stop(): Promise<void>;
}

export async function startServer(options: Partial<ServerOptions> = {}, models = demoModels()): Promise<Running> {
  const server = createStreamServer(models, options);
  const http = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(server.authorized(req) ? 200 : 401, { 'content-type': 'text/plain' });
      res.end(server.authorized(req) ? server.metricsText() : 'Unauthorized');
    } else res.writeHead(404).end();
  });
  http.on('upgrade', (req, socket, head) => server.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const port = (http.address() as AddressInfo).port;
  return {
    server,
    http,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    models,
    async stop() {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      for (const m of models) m.cell.dispose();
    },
  };
}

/** A raw protocol client: send frames, await messages by predicate. */
export class RawClient {
  readonly messages: (ServerMessage | { type: 'binary'; data: Buffer })[] = [];
  closeCode: number | null = null;
  private waiters: { pred: (m: ServerMessage | { type: 'binary'; data: Buffer }) => boolean; resolve: (m: never) => void }[] = [];
  private closeWaiters: ((code: number) => void)[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const m = isBinary ? { type: 'binary' as const, data: data as Buffer } : (JSON.parse(String(data)) as ServerMessage);
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m as never), false) : true));
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.closeWaiters.forEach((f) => f(code));
    });
    ws.on('error', () => undefined);
  }
  static async open(url: string, opts: { token?: string; protocol?: string | null } = {}): Promise<RawClient> {
    const headers = opts.token ? { Authorization: `Bearer ${opts.token}` } : undefined;
    const ws = opts.protocol === null ? new WebSocket(url, { headers }) : new WebSocket(url, opts.protocol ?? PROTOCOL, { headers });
    const c = new RawClient(ws);
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
      ws.once('unexpected-response', (_req, r) => rej(new Error(`HTTP ${r.statusCode}`)));
    });
    await c.next((m) => m.type === 'welcome');
    return c;
  }
  send(m: unknown): void {
    this.ws.send(typeof m === 'string' || m instanceof Uint8Array ? m : JSON.stringify(m));
  }
  next<T extends ServerMessage['type'] | 'binary'>(pred: ((m: ServerMessage | { type: 'binary'; data: Buffer }) => boolean) | T, timeoutMs = 5000): Promise<Extract<ServerMessage | { type: 'binary'; data: Buffer }, { type: T }>> {
    const p = typeof pred === 'string' ? (m: { type: string }) => m.type === pred : pred;
    const found = this.messages.find(p as never);
    if (found) {
      this.messages.splice(this.messages.indexOf(found), 1);
      return Promise.resolve(found as never);
    }
    return new Promise((resolve, reject) => {
      const w = {
        pred: (m: never) => {
          if (!(p as (m: never) => boolean)(m)) return false;
          this.messages.splice(this.messages.indexOf(m), 1);
          return true;
        },
        resolve,
      };
      this.waiters.push(w as never);
      setTimeout(() => reject(new Error(`timeout waiting for a message (have ${JSON.stringify(this.messages.slice(-3)).slice(0, 300)})`)), timeoutMs).unref();
    });
  }
  /** All `output` messages of a stream until `n` have arrived. */
  async outputs(stream: number, n: number, timeoutMs = 5000): Promise<Extract<ServerMessage, { type: 'output' }>[]> {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await this.next((m) => m.type === 'output' && m.stream === stream, timeoutMs));
    return out as never;
  }
  closed(): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((r) => this.closeWaiters.push(r));
  }
  close(): void {
    this.ws.close();
  }
}

/** Step a cell alone (batch 1) over inputs: the outputs a stream must reproduce. */
export function reference(cell: Cell, xs: number[][]): number[][] {
  let state: State = cell.initialState(1);
  const out: number[][] = [];
  for (const x of xs) {
    const [y, next] = tf.tidy(() => cell.step(state, tf.tensor2d([x])));
    for (const t of Object.values(state)) if (!Object.values(next).includes(t)) t.dispose();
    state = next;
    out.push(Array.from(y.dataSync()));
    if (!Object.values(next).includes(y)) y.dispose();
  }
  for (const t of Object.values(state)) t.dispose();
  return out;
}

export function randomInputs(seed: number, T: number, X: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: T }, () => Array.from({ length: X }, () => Math.fround(rng.uniform(-1, 1))));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
