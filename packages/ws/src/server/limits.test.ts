/**
 * Regression tests of the transport's bounds (issue 14), each against a real server on port 0:
 * every outgoing byte counts for backpressure, echoed client text is clipped, `open` is
 * rate-limited, queued work is bounded in bytes per socket and per server, shutdown cuts sockets
 * that never read, `seq` stops before it wraps, deep nesting is a protocol error, an `open` asks for
 * all its work at once, /metrics shows tensors and memory, and one stream's failure stays its own.
 */
import { describe, it, expect, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Socket } from 'node:net';
import { denseCell, lstmCell } from '@rxrnn/cells';
import type { AdapterFactory, IoRow } from '@rxrnn/core';
import { vectorAdapter } from '@rxrnn/core';
import { RawClient, startServer, demoModels, reference, randomInputs, sleep, VOCAB, type Running } from '../../test/helpers.js';
import { encodeInputFrame, decodeFrame, type OutputMessage } from '../index.js';

let running: Running | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
const tcp = (c: RawClient) => (c.ws as unknown as { _socket: Socket })._socket;
const wide = () => ({ name: 'wide', cell: denseCell({ inputSize: 4, outputSize: 4096, seed: 1 }) });

describe('outgoing bytes', () => {
  it('clips echoed client text: a 900 KB model name costs a small error frame', async () => {
    running = await startServer();
    const c = await RawClient.open(running.url);
    const name = 'n'.repeat(900 * 1024);
    c.send({ type: 'open', stream: 1, model: name });
    const e = await c.next('error');
    expect(e.code).toBe('E_NO_MODEL');
    expect(JSON.stringify(e).length).toBeLessThan(2048);
    expect(e.received.length).toBeLessThanOrEqual(240);
    c.close();
  });

  it('counts replies too: a client that floods open/close and never reads is paused, and the server holds a bounded amount for it', async () => {
    const HWM = 64 * 1024;
    // A model whose `opened` reply is large (~8 KB): the replies outgrow what the kernel's socket buffers absorb.
    const models = demoModels();
    models[0].description = 'd'.repeat(8192);
    running = await startServer({ highWaterMark: HWM, lowWaterMark: 16 * 1024, maxOpensPerSecond: 1_000_000, maxInputsPerSecond: 1_000_000, maxErrorsPer10s: 1_000_000 }, models);
    const c = await RawClient.open(running.url);
    tcp(c).pause();
    const N = 3000;
    for (let i = 0; i < N; i++) {
      c.send({ type: 'open', stream: 1, model: 'vec', req: i });
      c.send({ type: 'close', stream: 1 });
    }
    for (let i = 0; i < 200 && gauge(running.server.metricsText(), 'rxrnn_paused_sockets') !== 1; i++) await sleep(25);
    expect(gauge(running.server.metricsText(), 'rxrnn_paused_sockets')).toBe(1);
    await sleep(300);
    const held = gauge(running.server.metricsText(), 'rxrnn_buffered_bytes');
    await sleep(300);
    const later = gauge(running.server.metricsText(), 'rxrnn_buffered_bytes');
    // At most the high-water mark plus the replies to what was already read when it paused (one read's worth).
    expect(held).toBeLessThan(HWM + 512 * 1024);
    expect(later).toBeLessThanOrEqual(held);
    tcp(c).resume();
    for (let i = 0; i < 400 && c.messages.filter((m) => m.type === 'closed').length < N; i++) await sleep(25);
    expect(c.messages.filter((m) => m.type === 'opened')).toHaveLength(N); // nothing lost, only delayed
    expect(c.messages.filter((m) => m.type === 'closed')).toHaveLength(N);
    c.close();
  });
});

describe('limits on work', () => {
  it('rate-limits open per socket (E_LIMIT, arg rate)', async () => {
    running = await startServer({ maxOpensPerSecond: 5 });
    const c = await RawClient.open(running.url);
    for (let i = 1; i <= 6; i++) c.send({ type: 'open', stream: i, model: 'vec' });
    expect(await c.next('error')).toMatchObject({ code: 'E_LIMIT', stream: 6, fn: 'open', arg: 'rate' });
    expect(c.messages.filter((m) => m.type === 'opened')).toHaveLength(5);
    c.close();
  });

  it('bounds queued work in bytes per socket (E_LIMIT, arg bytes) and per server (E_BUSY)', async () => {
    running = await startServer({ maxQueuedBytesPerSocket: 256 * 1024, maxQueuedBytes: 300 * 1024, highWaterMark: 64 * 1024, lowWaterMark: 16 * 1024, maxQueuedSteps: 100_000, maxInputsPerSecond: 1_000_000 }, [...demoModels(), wide()]);
    // One message alone over the socket's bound: refused whole, before anything is queued.
    const a = await RawClient.open(running.url);
    a.send({ type: 'open', stream: 1, model: 'vec', options: { format: 'binary', outputs: false } });
    await a.next('opened');
    a.send(encodeInputFrame(1, new Float32Array(1300 * 4))); // 1300 steps × (16 + 192) bytes > 256 KiB
    expect(await a.next('error')).toMatchObject({ code: 'E_LIMIT', arg: 'bytes', stream: 1 });
    // A reader that stops: its streams stop stepping, their queued work stays, and counts against the server.
    const slow = await RawClient.open(running.url);
    slow.send({ type: 'open', stream: 1, model: 'wide' });
    await slow.next('opened');
    tcp(slow).pause();
    slow.send(encodeInputFrame(1, new Float32Array(1200 * 4))); // 250 KB of queued steps; ~80 KB of JSON output each, so most are still queued when it pauses
    for (let i = 0; i < 200 && gauge(running.server.metricsText(), 'rxrnn_paused_sockets') !== 1; i++) await sleep(25);
    const queued = gauge(running.server.metricsText(), 'rxrnn_queued_bytes');
    expect(queued).toBeGreaterThan(100 * 1024);
    const rows = Math.ceil((300 * 1024 - queued) / 208) + 20; // fits a's socket, not the server
    expect(rows * 208).toBeLessThan(256 * 1024);
    a.send(encodeInputFrame(1, new Float32Array(rows * 4)));
    expect(await a.next('error')).toMatchObject({ code: 'E_BUSY', stream: 1 });
    a.send(encodeInputFrame(1, new Float32Array(4))); // small work still gets through
    await sleep(100);
    expect(a.messages.filter((m) => m.type === 'error')).toHaveLength(0);
    tcp(slow).resume();
    a.close();
    slow.close();
  });

  it('refuses, in the open itself, a prime and a generate that together exceed the queue (no opened, no stream)', async () => {
    running = await startServer();
    const c = await RawClient.open(running.url);
    c.send({ type: 'open', stream: 1, model: 'chr', options: { prime: 'a'.repeat(1024), generate: 10 }, req: 3 });
    expect(await c.next('error')).toMatchObject({ code: 'E_LIMIT', stream: 1, req: 3, arg: 'steps' });
    c.send({ type: 'input', stream: 1, text: 'a' });
    expect(await c.next('error')).toMatchObject({ code: 'E_NO_STREAM' });
    expect(c.messages.find((m) => m.type === 'opened')).toBeUndefined();
    c.send({ type: 'open', stream: 2, model: 'chr', options: { prime: VOCAB.repeat(113).slice(0, 1023), generate: 3 } });
    await c.next('opened');
    await c.next((m) => m.type === 'ack' && m.stream === 2);
    expect(c.messages.filter((m) => m.type === 'output' && m.stream === 2 && (m as OutputMessage).token)).toHaveLength(3);
    c.close();
  });
});

describe('protocol bounds', () => {
  it('seq stops at 2³²−1: the stream is closed with E_LIMIT before it would wrap; larger seqs are refused', async () => {
    running = await startServer();
    const c = await RawClient.open(running.url);
    c.send({ type: 'open', stream: 1, model: 'vec' });
    c.send({ type: 'snapshot', stream: 1, req: 1 });
    const { snapshot } = await c.next('snapshot');
    c.send({ type: 'open', stream: 2, model: 'vec', options: { snapshot, seq: 2 ** 32 - 2 } });
    await c.next((m) => m.type === 'opened' && m.stream === 2);
    c.send({ type: 'input', stream: 2, x: randomInputs(1, 3, 4) });
    expect((await c.outputs(2, 2)).map((o) => o.seq)).toEqual([2 ** 32 - 2, 2 ** 32 - 1]);
    expect(await c.next('error')).toMatchObject({ code: 'E_LIMIT', stream: 2, arg: 'seq' });
    expect(await c.next('closed')).toMatchObject({ stream: 2, reason: 'error' });
    c.send({ type: 'open', stream: 3, model: 'vec', options: { snapshot, seq: 2 ** 32 - 1, format: 'binary' } });
    await c.next((m) => m.type === 'opened' && m.stream === 3);
    c.send({ type: 'input', stream: 3, x: [0, 0, 0, 1] });
    expect(decodeFrame(new Uint8Array((await c.next('binary')).data)).seq).toBe(2 ** 32 - 1);
    c.send({ type: 'open', stream: 4, model: 'vec', options: { snapshot, seq: 2 ** 32 } });
    expect(await c.next('error')).toMatchObject({ code: 'E_PROTOCOL', stream: 4, arg: 'seq' });
    c.close();
  });

  it('a deeply nested x (or snapshot) is a protocol error, not a crash of the handler', async () => {
    running = await startServer();
    const c = await RawClient.open(running.url);
    c.send({ type: 'open', stream: 1, model: 'vec' });
    await c.next('opened');
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    c.send(`{"type":"input","stream":1,"x":${deep(200_000)}}`);
    expect(await c.next('error')).toMatchObject({ code: 'E_PROTOCOL', arg: 'frame' });
    c.send(`{"type":"restore","stream":1,"snapshot":{"tensors":${deep(5_000)}}}`);
    expect(await c.next('error')).toMatchObject({ code: 'E_PROTOCOL' });
    c.send({ type: 'input', stream: 1, x: [[[1], [2], [3], [4]]] }); // shallow but mistyped: a validation error too
    expect(await c.next('error')).toMatchObject({ code: 'E_DTYPE', arg: 'x[0]' });
    c.send({ type: 'input', stream: 1, x: [1, 0, 0, 0] });
    expect((await c.outputs(1, 1))[0].seq).toBe(0);
    c.close();
  });
});

describe('failures stay with their stream', () => {
  it('1e308 in JSON is E_NONFINITE (∞ as a float32), and a bystander keeps stepping exactly', async () => {
    running = await startServer();
    const bystander = await RawClient.open(running.url);
    const attacker = await RawClient.open(running.url);
    bystander.send({ type: 'open', stream: 1, model: 'vec' });
    attacker.send({ type: 'open', stream: 1, model: 'vec' });
    await bystander.next('opened');
    await attacker.next('opened');
    const xs = randomInputs(9, 30, 4);
    for (const [t, x] of xs.entries()) {
      bystander.send({ type: 'input', stream: 1, x });
      if (t % 3 === 0) attacker.send(`{"type":"input","stream":1,"x":[1e308,0,0,0]}`);
      if (t % 3 === 1) attacker.send({ type: 'last', stream: 1 });
    }
    const outs = await bystander.outputs(1, xs.length);
    const ref = reference(running.models[0].cell, xs);
    outs.forEach((o, t) => o.y!.forEach((v, j) => expect(Math.abs(v - ref[t][j])).toBeLessThanOrEqual(1e-6)));
    expect(attacker.messages.filter((m) => m.type === 'error' && m.code === 'E_NONFINITE')).toHaveLength(10);
    attacker.send({ type: 'restore', stream: 1, snapshot: {}, last: [1e39, 0, 0, 0, 0, 0] });
    expect(await attacker.next((m) => m.type === 'error' && m.arg === 'last')).toMatchObject({ code: 'E_NONFINITE' });
    bystander.close();
    attacker.close();
  });

  it('a stream whose push, loop or encoding throws inside the tick gets a typed error and is closed; the others step', async () => {
    // A model whose io misbehaves on purpose: row 13 carries NaN past validation (the batcher refuses it),
    // row 7 makes encoding throw, and its loop throws.
    interface Row extends IoRow {
      v: number;
    }
    const faulty: AdapterFactory = (io, model) => {
      const base = vectorAdapter({ kind: 'vector' }, model);
      return {
        ...base,
        kind: 'faulty',
        info: { kind: 'faulty' },
        loops: { generate: [] },
        open: (o, ctx) => {
          const { io: inner } = base.open(o, ctx);
          return {
            io: {
              decode: (fields, c) => inner.decode(fields, c).map((r): Row => (r.x[0] === 13 ? { x: Float32Array.of(NaN, 0), v: 13 } : { x: r.x, v: r.x[0] })),
              decodeBinary: inner.decodeBinary,
              encode: (step, wants) => {
                if ((step.row as Row).v === 7) throw new Error('cannot encode 7');
                return inner.encode(step, wants);
              },
              loop: () => ({
                next: () => {
                  throw new Error('no next');
                },
              }),
            },
          };
        },
      };
    };
    const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 5 });
    running = await startServer({}, [{ name: 'f', cell, io: faulty({}, { name: 'f', inputSize: 2, outputSize: 3 }) }]);
    const start = tf.memory().numTensors;
    const c = await RawClient.open(running.url);
    for (let s = 1; s <= 4; s++) c.send({ type: 'open', stream: s, model: 'f' });
    const xs = Array.from({ length: 12 }, (_, t) => [t / 10, 1 - t / 10]);
    for (const x of xs) c.send({ type: 'input', stream: 1, x }); // clean
    c.send({ type: 'input', stream: 2, x: [[0.5, 0.5], [13, 0], [0.1, 0.1]] });
    c.send({ type: 'input', stream: 3, x: [[0.5, 0.5], [7, 0]] });
    c.send({ type: 'input', stream: 4, x: [0.5, 0.5] });
    c.send({ type: 'generate', stream: 4, n: 3 });
    const closed = await Promise.all([2, 3, 4].map((s) => c.next((m) => m.type === 'closed' && m.stream === s)));
    expect(closed.every((m) => m.type === 'closed' && m.reason === 'error')).toBe(true);
    const errs = c.messages.filter((m) => m.type === 'error');
    expect(errs.find((e) => e.type === 'error' && e.stream === 2)).toMatchObject({ code: 'E_NONFINITE' });
    expect(errs.find((e) => e.type === 'error' && e.stream === 3)).toMatchObject({ code: 'E_INTERNAL', received: 'cannot encode 7' });
    expect(errs.find((e) => e.type === 'error' && e.stream === 4)).toMatchObject({ code: 'E_INTERNAL', received: 'no next' });
    const outs = await c.outputs(1, xs.length);
    const ref = reference(cell, xs);
    outs.forEach((o, t) => o.y!.forEach((v, j) => expect(Math.abs(v - ref[t][j])).toBeLessThanOrEqual(1e-6)));
    expect(c.messages.filter((m) => m.type === 'output' && m.stream === 2)).toHaveLength(1); // its first step only
    expect(tf.memory().numTensors).toBe(start);
    c.close();
  });
});

describe('shutdown and metrics', () => {
  it('after the drain timeout, sockets that do not close are cut: a client that never reads does not hold shutdown', async () => {
    running = await startServer({ drainTimeoutMs: 200, highWaterMark: 64 * 1024, lowWaterMark: 16 * 1024, maxQueuedSteps: 10_000, maxInputsPerSecond: 1_000_000 }, [...demoModels(), wide()]);
    const c = await RawClient.open(running.url);
    c.send({ type: 'open', stream: 1, model: 'wide' });
    await c.next('opened');
    tcp(c).pause();
    c.send({ type: 'input', stream: 1, x: randomInputs(2, 300, 4) });
    for (let i = 0; i < 200 && gauge(running.server.metricsText(), 'rxrnn_paused_sockets') !== 1; i++) await sleep(25);
    const t0 = performance.now();
    await running.server.close();
    expect(performance.now() - t0).toBeLessThan(3000); // drain 0.2 s + closing grace 1 s (it was 30 s: ws's close timeout)
    expect(running.server.health().sockets).toBe(0);
  });

  it.runIf(tf.getBackend() === 'wasm')('health turns unhealthy when the backend is broken (its heap overwritten), and back', async () => {
    running = await startServer();
    expect(running.server.health()).toMatchObject({ status: 'ok', backend: { ok: true } });
    // Overwrite a byte of the canary block core plants low in the wasm heap (as a stray write from address 0 would).
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
    const pattern = Uint8Array.from({ length: 64 }, (_, i) => (i * 73 + 41) & 0xff);
    let at = -1;
    for (let i = 0; i + 64 <= Math.min(heap.length, 1 << 24) && at < 0; i++) if (heap[i] === pattern[0] && pattern.every((b, k) => heap[i + k] === b)) at = i;
    expect(at).toBeGreaterThan(0);
    heap[at + 3] ^= 0xff;
    try {
      expect(running.server.health()).toMatchObject({ status: 'unhealthy', backend: { ok: false, reason: expect.stringMatching(/heap was overwritten/) } });
    } finally {
      heap[at + 3] ^= 0xff;
    }
    expect(running.server.health().status).toBe('ok');
  });

  it('/metrics shows live tensors, the backend heap, the process RSS, queued and buffered bytes', async () => {
    running = await startServer();
    const text = running.server.metricsText();
    expect(gauge(text, 'rxrnn_tensors')).toBe(tf.memory().numTensors);
    expect(gauge(text, 'rxrnn_backend_heap_bytes')).toBeGreaterThan(0);
    expect(gauge(text, 'rxrnn_process_rss_bytes')).toBeGreaterThan(10 * 2 ** 20);
    expect(gauge(text, 'rxrnn_queued_bytes')).toBe(0);
    expect(gauge(text, 'rxrnn_buffered_bytes')).toBe(0);
    expect(text).toMatch(/^# TYPE rxrnn_tensors gauge$/m);
  });
});
