/**
 * Conformance of the rxrnn.v1 protocol (docs/protocol.md) against a real server on port 0:
 * every message type, errors and close codes, limits, auth, backpressure, leaks and shutdown.
 */
import { describe, it, expect, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import WebSocket from 'ws';
import { denseCell } from '@rxrnn/cells';
import { RawClient, startServer, demoModels, reference, randomInputs, sleep, VOCAB, type Running } from '../test/helpers.js';
import { encodeInputFrame, decodeFrame, CloseCodes, PROTOCOL, type OutputMessage } from './index.js';

let running: Running | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

const maxDiff = (a: number[][], b: number[][]) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  a.forEach((r, i) => r.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
};

describe('protocol conformance', () => {
  it('welcome lists models and limits; open → opened; input (JSON, several steps) → outputs equal to stepping alone', async () => {
    running = await startServer();
    const c = await RawClient.open(running.url);
    // welcome was consumed by open(); check the model list through a second socket's welcome
    const ws = new WebSocket(running.url, PROTOCOL);
    const welcome = await new Promise<Record<string, unknown>>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
    ws.close();
    expect(welcome).toMatchObject({ type: 'welcome', protocol: 'rxrnn.v1', version: 1, limits: { maxStreamsPerSocket: 256 } });
    expect((welcome.models as { name: string }[]).map((m) => m.name)).toEqual(['vec', 'chr']);

    c.send({ type: 'open', stream: 7, model: 'vec', req: 1 });
    expect(await c.next('opened')).toMatchObject({ stream: 7, seq: 0, req: 1, model: { name: 'vec', inputSize: 4, outputSize: 6, kind: 'lstm' } });
    const xs = randomInputs(1, 5, 4);
    c.send({ type: 'input', stream: 7, x: xs[0] }); // one step as [X]
    c.send({ type: 'input', stream: 7, x: xs.slice(1) }); // several as [[X], …]
    const outs = await c.outputs(7, 5);
    expect(outs.map((o) => o.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(maxDiff(outs.map((o) => o.y!), reference(running.models[0].cell, xs))).toBeLessThanOrEqual(1e-6);
    c.close();
  });

  it('binary input frames, binary output frames, and extras', async () => {
    running = await startServer();
    const c = await RawClient.open(running.url);
    c.send({ type: 'open', stream: 3, model: 'vec', options: { format: 'binary', extras: ['i', 'f'] } });
    await c.next('opened');
    const xs = randomInputs(2, 3, 4);
    c.send(encodeInputFrame(3, Float32Array.from(xs.flat())));
    const ref = reference(running.models[0].cell, xs);
    for (let t = 0; t < 3; t++) {
      const b = await c.next('binary');
      const f = decodeFrame(new Uint8Array(b.data));
      expect(f).toMatchObject({ type: 2, stream: 3, seq: t });
      expect(maxDiff([Array.from(f.data)], [ref[t]])).toBeLessThanOrEqual(1e-6);
      const ex = (await c.next((m) => m.type === 'output' && m.seq === t)) as OutputMessage;
      expect(Object.keys(ex.extras!).sort()).toEqual(['f', 'i']);
      expect(ex.extras!.i).toHaveLength(6);
      expect(ex.y).toBeUndefined();
    }
    c.close();
  });

  it('reset, snapshot and restore apply in order with inputs; a restored stream continues identically', async () => {
    running = await startServer();
    const c = await RawClient.open(running.url);
    const xs = randomInputs(3, 6, 4);
    const ref = reference(running.models[0].cell, xs);
    c.send({ type: 'open', stream: 1, model: 'vec' });
    c.send({ type: 'input', stream: 1, x: xs.slice(0, 3) });
    c.send({ type: 'snapshot', stream: 1, req: 5 });
    const snap = await c.next('snapshot');
    expect(snap).toMatchObject({ stream: 1, seq: 3, req: 5, snapshot: { format: 'rxrnn.state', version: 1, kind: 'lstm', batch: 1 } });
    const first = await c.outputs(1, 3);
    expect(first.map((o) => o.seq)).toEqual([0, 1, 2]);
    // reset → the next input gives the first step's output again
    c.send({ type: 'reset', stream: 1, req: 6 });
    c.send({ type: 'input', stream: 1, x: xs[0] });
    expect(await c.next('ack')).toMatchObject({ of: 'reset', stream: 1, req: 6 });
    expect(maxDiff([(await c.outputs(1, 1))[0].y!], [ref[0]])).toBeLessThanOrEqual(1e-6);
    // restore the snapshot → continue as if steps 3..5 followed directly
    c.send({ type: 'restore', stream: 1, snapshot: snap.snapshot, seq: snap.seq, req: 7 });
    c.send({ type: 'input', stream: 1, x: xs.slice(3) });
    expect(await c.next('ack')).toMatchObject({ of: 'restore', seq: 3, req: 7 });
    const rest = await c.outputs(1, 3);
    expect(rest.map((o) => o.seq)).toEqual([3, 4, 5]);
    expect(maxDiff(rest.map((o) => o.y!), ref.slice(3))).toBeLessThanOrEqual(1e-6);
    // a stream opened from the snapshot, on another socket, continues the same way
    const c2 = await RawClient.open(running.url);
    c2.send({ type: 'open', stream: 1, model: 'vec', options: { snapshot: snap.snapshot, seq: 3 } });
    expect(await c2.next('opened')).toMatchObject({ seq: 3 });
    c2.send({ type: 'input', stream: 1, x: xs.slice(3) });
    expect(maxDiff((await c2.outputs(1, 3)).map((o) => o.y!), ref.slice(3))).toBeLessThanOrEqual(1e-6);
    // close
    c.send({ type: 'close', stream: 1, req: 8 });
    expect(await c.next('closed')).toMatchObject({ stream: 1, reason: 'client', req: 8 });
    c.send({ type: 'input', stream: 1, x: xs[0] });
    expect(await c.next('error')).toMatchObject({ code: 'E_NO_STREAM', stream: 1 });
    c.close();
    c2.close();
  });

  it('char models: prime text, generate N chars with temperature and seed (reproducible), token ids, extras', async () => {
    running = await startServer();
    const c = await RawClient.open(running.url);
    const run = async (stream: number) => {
      c.send({ type: 'open', stream, model: 'chr', options: { prime: 'abc', generate: 10, temperature: 0.8, seed: 42, extras: true } });
      await c.next((m) => m.type === 'opened' && m.stream === stream);
      const outs = await c.outputs(stream, 13);
      await c.next((m) => m.type === 'ack' && m.stream === stream && m.of === 'generate');
      return outs;
    };
    const a = await run(1);
    expect(a.slice(0, 3).map((o) => o.input)).toEqual(['a', 'b', 'c']);
    const gen = a.slice(3).map((o) => o.token!);
    expect(gen).toHaveLength(10);
    for (const t of gen) expect(t.char).toBe(VOCAB[t.id]);
    expect(a[0].y).toBeUndefined(); // char models send logits only on request
    expect(Object.keys(a[5].extras!)).toEqual(expect.arrayContaining(['1.i', '1.f', '1.g', '1.o', '1.c']));
    const b = await run(2);
    expect(b.slice(3).map((o) => o.token!.id)).toEqual(gen.map((t) => t.id)); // same seed → same text
    // greedy generation continues from a typed prefix; ids input; logits on request
    c.send({ type: 'open', stream: 3, model: 'chr', options: { outputs: true } });
    await c.next('opened');
    c.send({ type: 'input', stream: 3, ids: [0, 1] });
    c.send({ type: 'generate', stream: 3, n: 2, temperature: 0, req: 9 });
    const outs = await c.outputs(3, 4);
    expect(outs[0].y).toHaveLength(VOCAB.length);
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    expect(outs[2].token!.id).toBe(argmax(outs[1].y!));
    expect(outs[3].token!.id).toBe(argmax(outs[2].y!));
    expect(await c.next('ack')).toMatchObject({ of: 'generate', req: 9 });
    c.close();
  });

  it('answers bad requests with coded error frames naming stream and req', async () => {
    running = await startServer({ maxGenerate: 50 });
    const c = await RawClient.open(running.url);
    const expectError = async (msg: unknown, code: string) => {
      c.send(msg);
      const e = await c.next('error');
      expect(e.code, JSON.stringify(msg)).toBe(code);
      expect(e.message).toMatch(/expected .*, received /);
      return e;
    };
    await expectError({ type: 'open', stream: 1, model: 'nope', req: 4 }, 'E_NO_MODEL').then((e) => expect(e).toMatchObject({ stream: 1, req: 4 }));
    c.send({ type: 'open', stream: 1, model: 'vec' });
    await c.next('opened');
    await expectError({ type: 'open', stream: 1, model: 'vec' }, 'E_STREAM_EXISTS');
    await expectError({ type: 'input', stream: 1, x: [1, 2, 3] }, 'E_SIZE');
    await expectError({ type: 'input', stream: 1, x: [1, 2, 3, null] }, 'E_DTYPE');
    await expectError('{"type":"input","stream":1,"x":[1,2,3,1e400]}', 'E_NONFINITE'); // JSON.parse gives Infinity
    await expectError({ type: 'input', stream: 1, text: 'abc' }, 'E_ARGUMENT');
    await expectError({ type: 'generate', stream: 1, n: 3 }, 'E_ARGUMENT');
    await expectError({ type: 'restore', stream: 1, snapshot: { format: 'x' } }, 'E_FORMAT');
    await expectError({ type: 'open', stream: 2, model: 'vec', options: { prime: 'x' } }, 'E_ARGUMENT');
    await expectError({ type: 'open', stream: 2, model: 'vec', options: { bogus: 1 } }, 'E_UNKNOWN');
    c.send({ type: 'open', stream: 5, model: 'chr' });
    await c.next('opened');
    await expectError({ type: 'input', stream: 5, ids: [99] }, 'E_ARGUMENT');
    await expectError({ type: 'generate', stream: 5, n: 51 }, 'E_LIMIT');
    await expectError({ type: 'generate', stream: 5, n: 2 }, 'E_STATE'); // nothing to continue from yet
    await expectError({ type: 'open', stream: 6, model: 'vec', options: { snapshot: { format: 'rxrnn.state', version: 1, kind: 'gru', batch: 1, tensors: {} } } }, 'E_FORMAT');
    await expectError('{"type":"open"', 'E_PROTOCOL');
    await expectError({ type: 'teleport', stream: 1 }, 'E_PROTOCOL');
    await expectError({ type: 'input', stream: -1, x: [1] }, 'E_PROTOCOL');
    await expectError(new Uint8Array([1, 0, 0]), 'E_PROTOCOL');
    await expectError(encodeInputFrame(1, new Float32Array(3)), 'E_SIZE');
    await expectError(encodeInputFrame(1, Float32Array.of(0, 0, NaN, 0)), 'E_NONFINITE');
    await expectError(encodeInputFrame(99, new Float32Array(4)), 'E_NO_STREAM');
    // the stream still works after all that, from its initial state
    c.send({ type: 'input', stream: 1, x: [0.5, 0, 0, 0] });
    const [o] = await c.outputs(1, 1);
    expect(o.seq).toBe(0);
    expect(maxDiff([o.y!], reference(running.models[0].cell, [[0.5, 0, 0, 0]]))).toBeLessThanOrEqual(1e-6);
    c.close();
  });
});

describe('limits, auth, backpressure', () => {
  it('streams per socket, queued steps and inputs per second give E_LIMIT; oversize frames close 1009; error floods close 4002', async () => {
    running = await startServer({ maxStreamsPerSocket: 2, maxQueuedSteps: 8, maxInputsPerSecond: 40, maxPayload: 4096, maxErrorsPer10s: 20 });
    const c = await RawClient.open(running.url);
    c.send({ type: 'open', stream: 1, model: 'vec' });
    c.send({ type: 'open', stream: 2, model: 'vec' });
    c.send({ type: 'open', stream: 3, model: 'vec' });
    expect(await c.next('error')).toMatchObject({ code: 'E_LIMIT', stream: 3 });
    c.send({ type: 'input', stream: 1, x: randomInputs(1, 9, 4) });
    expect(await c.next('error')).toMatchObject({ code: 'E_LIMIT', arg: 'steps' });
    // control operations count too: a burst of snapshot requests cannot grow a stream's queue without bound
    for (let i = 0; i < 12; i++) c.send({ type: 'snapshot', stream: 2, req: 100 + i });
    expect(await c.next('error')).toMatchObject({ code: 'E_LIMIT', arg: 'steps', stream: 2 });
    for (let i = 0; i < 8; i++) expect(await c.next('snapshot')).toMatchObject({ stream: 2, req: 100 + i });
    // 1009 for a frame over maxPayload
    const big = await RawClient.open(running.url);
    big.send(new Uint8Array(8192));
    expect(await big.closed()).toBe(CloseCodes.TOO_BIG);
    // 4002 for a flood of garbage
    const flood = await RawClient.open(running.url);
    for (let i = 0; i < 30; i++) flood.send('garbage');
    expect(await flood.closed()).toBe(CloseCodes.TOO_MANY_ERRORS);
    // the first socket is unaffected
    c.send({ type: 'close', stream: 1 });
    expect(await c.next('closed')).toMatchObject({ stream: 1 });
    c.close();
  });

  it('rate-limits input steps per socket (token bucket): excess inputs get E_LIMIT and are dropped', async () => {
    running = await startServer({ maxInputsPerSecond: 20 });
    const c = await RawClient.open(running.url);
    c.send({ type: 'open', stream: 1, model: 'vec' });
    for (let i = 0; i < 3; i++) c.send({ type: 'input', stream: 1, x: randomInputs(i, 8, 4) });
    expect(await c.next('error')).toMatchObject({ code: 'E_LIMIT', arg: 'rate', stream: 1 });
    const outs = await c.outputs(1, 16);
    expect(outs[15].seq).toBe(15);
    await sleep(300);
    expect(c.messages.filter((m) => m.type === 'output')).toHaveLength(0); // the third message was dropped whole
    c.close();
  });

  it('requires the bearer token when one is set (header or ?token=), refusing with HTTP 401', async () => {
    running = await startServer({ token: 's3cret' });
    await expect(RawClient.open(running.url)).rejects.toThrow(/401/);
    await expect(RawClient.open(running.url, { token: 'wrong' })).rejects.toThrow(/401/);
    (await RawClient.open(running.url, { token: 's3cret' })).close();
    (await RawClient.open(`${running.url}?token=s3cret`)).close();
    const res = await fetch(`http://127.0.0.1:${running.port}/metrics`);
    expect(res.status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${running.port}/metrics`, { headers: { authorization: 'Bearer s3cret' } });
    expect(await ok.text()).toMatch(/rxrnn_sockets /);
  });

  it('refuses sockets beyond maxSockets (503) and rejects a foreign subprotocol', async () => {
    running = await startServer({ maxSockets: 1 });
    const a = await RawClient.open(running.url);
    await expect(RawClient.open(running.url)).rejects.toThrow(/503/);
    a.close();
    await a.closed();
    await sleep(20);
    await expect(RawClient.open(running.url, { protocol: 'other.v9' })).rejects.toThrow();
  });

  it('closes idle sockets with 4003', async () => {
    running = await startServer({ idleTimeoutMs: 100 });
    const c = await RawClient.open(running.url);
    expect(await c.closed()).toBe(CloseCodes.IDLE);
  });

  it('pauses a client that stops reading: the server buffers a bounded amount and resumes when it reads again', async () => {
    // A wide stateless model: each step's output is 4096 floats (≈ 80 KB of JSON), so kernel socket buffers fill fast.
    const wide = { name: 'wide', cell: denseCell({ inputSize: 4, outputSize: 4096, seed: 1 }) };
    running = await startServer({ highWaterMark: 256 * 1024, lowWaterMark: 64 * 1024, maxQueuedSteps: 100_000, maxInputsPerSecond: 1_000_000 }, [...demoModels(), wide]);
    const c = await RawClient.open(running.url);
    c.send({ type: 'open', stream: 1, model: 'wide' });
    await c.next('opened');
    // Stop reading at the TCP level, then ask for T steps (≈ 32 MB of output).
    const sock = (c.ws as unknown as { _socket: import('node:net').Socket })._socket;
    sock.pause();
    const T = 400;
    c.send({ type: 'input', stream: 1, x: randomInputs(1, T, 4) });
    for (let i = 0; i < 100 && !/rxrnn_paused_sockets 1/.test(running.server.metricsText()); i++) await sleep(50);
    await sleep(200);
    const metrics = running.server.metricsText();
    expect(metrics).toMatch(/rxrnn_paused_sockets 1/);
    const queued = Number(/rxrnn_queued_steps (\d+)/.exec(metrics)![1]);
    expect(queued).toBeGreaterThan(T / 2); // most of the work is still queued, not buffered as output
    sock.resume();
    const outs = await c.outputs(1, T, 30_000);
    expect(outs[T - 1].seq).toBe(T - 1);
    expect(outs[T - 1].y).toHaveLength(4096);
    c.close();
  });
});

describe('robustness', () => {
  it('fuzz: malformed frames get errors or documented closes; the server stays up; a clean stream is unaffected', async () => {
    running = await startServer({ maxPayload: 64 * 1024, maxErrorsPer10s: 50 });
    const xs = randomInputs(11, 40, 4);
    const ref = reference(running.models[0].cell, xs);
    const clean = await RawClient.open(running.url);
    clean.send({ type: 'open', stream: 1, model: 'vec' });
    await clean.next('opened');
    // noisy clients share the model 'vec' (so they share batched steps with the clean stream)
    const noisy = await Promise.all([0, 1, 2].map(() => RawClient.open(running!.url)));
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
    const frames: (string | Uint8Array)[] = [];
    for (let i = 0; i < 120; i++) {
      const k = Math.floor(rnd() * 10);
      if (k === 0) frames.push(Uint8Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
      else if (k === 1) frames.push('{"type":"input","stream":1,"x":[1,2' + '}'.repeat(Math.floor(rnd() * 3)));
      else if (k === 2) frames.push(JSON.stringify({ type: ['zap', 42, null, 'OPEN'][i % 4], stream: 1 }));
      else if (k === 3) frames.push(JSON.stringify({ type: 'input', stream: 1, x: Array.from({ length: 1 + (i % 7) }, () => rnd()) }));
      else if (k === 4) frames.push(encodeInputFrame(1, Float32Array.of(NaN, 0, Infinity, 1)));
      else if (k === 5) frames.push(JSON.stringify({ type: 'open', stream: 1, model: 'vec', options: { snapshot: { format: 'rxrnn.state', version: 1, kind: 'lstm', batch: 1, tensors: { h: { shape: [1, 6], data: [1, 2] } } } } }));
      else if (k === 6) frames.push(JSON.stringify({ type: 'restore', stream: 1, snapshot: { format: 'rxrnn.state', version: 1, kind: 'lstm', batch: 1, tensors: { h: { shape: [1, 6], data: [0, 0, 0, 0, 0, null] }, c: { shape: [1, 6], data: [0, 0, 0, 0, 0, 0] } } } }));
      else if (k === 7) frames.push(JSON.stringify({ type: 'input', stream: 1, x: [1, 'a', {}, []] }));
      else if (k === 8) frames.push(JSON.stringify({ type: 'open', stream: 2 + i, model: 'vec' })); // valid: a stream that then gets junk
      else frames.push(JSON.stringify({ type: 'input', stream: 2 + i - 1, x: [[1, 2, 3, 4], [NaN]] }));
    }
    // each noisy client opens stream 1 (valid) so the junk hits a live stream too
    for (const n of noisy) n.send({ type: 'open', stream: 1, model: 'vec' });
    for (let t = 0; t < xs.length; t++) {
      clean.send({ type: 'input', stream: 1, x: xs[t] });
      for (const [j, n] of noisy.entries()) {
        if (n.closeCode === null && n.ws.readyState === WebSocket.OPEN) n.send(frames[(t * 3 + j) % frames.length]);
        if (n.closeCode === null && n.ws.readyState === WebSocket.OPEN) n.send({ type: 'input', stream: 1, x: xs[(t + j) % xs.length] });
      }
      if (t % 10 === 9) await sleep(5);
    }
    // one oversize frame and one flood on extra sockets
    const big = await RawClient.open(running.url);
    big.send(new Uint8Array(128 * 1024));
    const flood = await RawClient.open(running.url);
    for (let i = 0; i < 200; i++) flood.send(new Uint8Array([9, 9, 9]));
    expect(await big.closed()).toBe(1009);
    expect(await flood.closed()).toBe(4002);
    const outs = await clean.outputs(1, xs.length, 15_000);
    expect(outs.map((o) => o.seq)).toEqual(xs.map((_, t) => t));
    expect(maxDiff(outs.map((o) => o.y!), ref)).toBeLessThanOrEqual(1e-6);
    // every noisy frame got an answer: errors carry stable codes
    await sleep(100);
    const codes = new Set<string>();
    for (const n of noisy) for (const m of n.messages) if (m.type === 'error') codes.add(m.code);
    for (const code of codes) expect(['E_PROTOCOL', 'E_SIZE', 'E_NONFINITE', 'E_DTYPE', 'E_FORMAT', 'E_SHAPE', 'E_STREAM_EXISTS', 'E_NO_STREAM', 'E_LIMIT', 'E_UNKNOWN']).toContain(code);
    expect(codes.size).toBeGreaterThan(3);
    // the server is still up and serves a new client
    const late = await RawClient.open(running.url);
    late.send({ type: 'open', stream: 1, model: 'vec' });
    await late.next('opened');
    for (const n of [clean, late, ...noisy]) n.close();
  });

  it('leaves no tensor behind: after steps, generation, closes and dropped sockets', async () => {
    running = await startServer();
    await sleep(10);
    const start = tf.memory().numTensors;
    const c = await RawClient.open(running.url);
    for (let s = 1; s <= 5; s++) c.send({ type: 'open', stream: s, model: s % 2 ? 'vec' : 'chr', options: s % 2 ? {} : { prime: 'ab', generate: 3 } });
    for (let s = 1; s <= 5; s += 2) c.send({ type: 'input', stream: s, x: randomInputs(s, 3, 4) });
    await c.outputs(1, 3);
    await c.outputs(2, 5);
    // Between steps, streams hold their state as host memory (see the batcher): no tensor stays behind a step.
    expect(tf.memory().numTensors).toBe(start);
    for (let s = 1; s <= 3; s++) c.send({ type: 'close', stream: s });
    await c.next((m) => m.type === 'closed' && m.stream === 3);
    c.close(); // drop the rest with the socket
    await c.closed();
    await sleep(50);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('shuts down gracefully: refuses new work, drains queued steps, sends closed, closes 1001', async () => {
    running = await startServer();
    const c = await RawClient.open(running.url);
    c.send({ type: 'open', stream: 1, model: 'vec' });
    await c.next('opened');
    // 1,000 queued steps: the drain (tens of ms) outlasts the loopback trip of the open sent after close()
    c.send({ type: 'input', stream: 1, x: randomInputs(4, 1000, 4) });
    await c.next((m) => m.type === 'output' && m.seq === 0); // the inputs have arrived; most are still queued
    const before = tf.memory().numTensors;
    const closing = running.server.close();
    c.send({ type: 'open', stream: 2, model: 'vec' });
    await closing;
    const outs = c.messages.filter((m) => m.type === 'output');
    expect(outs).toHaveLength(999); // drained (the first was taken above)
    expect(c.messages.find((m) => m.type === 'error')).toMatchObject({ code: 'E_SHUTDOWN' });
    expect(c.messages.find((m) => m.type === 'closed')).toMatchObject({ stream: 1, reason: 'shutdown' });
    expect(await c.closed()).toBe(CloseCodes.GOING_AWAY);
    expect(tf.memory().numTensors).toBe(before);
    expect(running.server.health().status).toBe('draining');
  });

  it('reports metrics in the Prometheus text format', async () => {
    running = await startServer();
    const cs = await Promise.all([0, 1].map(() => RawClient.open(running!.url)));
    for (const c of cs) c.send({ type: 'open', stream: 1, model: 'vec' });
    for (const c of cs) await c.next('opened');
    for (let t = 0; t < 5; t++) for (const c of cs) c.send({ type: 'input', stream: 1, x: [t, 0, 0, 1] });
    for (const c of cs) await c.outputs(1, 5);
    const text = running.server.metricsText();
    expect(text).toMatch(/^rxrnn_streams 2$/m);
    expect(text).toMatch(/^rxrnn_stream_steps_total 10$/m);
    expect(text).toMatch(/^rxrnn_step_latency_seconds_count 10$/m);
    expect(text).toMatch(/^rxrnn_batch_size_bucket\{le="2"\} \d+$/m);
    const batched = Number(/^rxrnn_batched_steps_total (\d+)$/m.exec(text)![1]);
    expect(batched).toBeLessThanOrEqual(10);
    expect(running.server.health()).toMatchObject({ status: 'ok', sockets: 2, streams: 2, models: ['vec', 'chr'] });
    for (const c of cs) c.close();
  });
});
