/** The client (`connect`) against a real server on port 0, in Node (the `ws` package). */
import { describe, it, expect, afterEach } from 'vitest';
import { from, Subject, firstValueFrom, toArray, take } from 'rxjs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer, reference, randomInputs, sleep, demoModels, type Running } from '../test/helpers.js';
import { connect, RemoteError, createStreamServer, type OutputMessage } from './index.js';

let running: Running | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

const close = (a: number[][], b: number[][]) => {
  expect(a.length).toBe(b.length);
  a.forEach((r, i) => r.forEach((v, j) => expect(Math.abs(v - b[i][j])).toBeLessThanOrEqual(1e-6)));
};

describe('connect(url).stream(model)', () => {
  it('is an operator: each input is a step, outputs arrive in order, completes after the last', async () => {
    running = await startServer({ token: 't0k' });
    const conn = connect(running.url, { token: 't0k' });
    const xs = randomInputs(1, 6, 4);
    const outs = await firstValueFrom(from(xs).pipe(conn.stream('vec'), toArray()));
    expect(outs.map((o) => o.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    close(outs.map((o) => o.y!), reference(running.models[0].cell, xs));
    expect((await conn.ready).models.map((m) => m.name)).toEqual(['vec', 'chr']);
    conn.close();
  });

  it('many streams on one socket stay independent; binary inputs work; errors arrive as RemoteError', async () => {
    running = await startServer();
    const conn = connect(running.url);
    const inputs = [0, 1, 2, 3].map((k) => randomInputs(10 + k, 5, 4));
    const results = await Promise.all(inputs.map((xs, k) => firstValueFrom(from(k % 2 ? xs.map((x) => Float32Array.from(x)) : xs).pipe(conn.stream('vec'), toArray()))));
    results.forEach((outs, k) => close(outs.map((o) => o.y!), reference(running!.models[0].cell, inputs[k])));
    const err = await firstValueFrom(from([[1, 2]]).pipe(conn.stream('vec'))).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.code).toBe('E_SIZE');
    const bad = await firstValueFrom(from([[1, 2, 3, 4]]).pipe(conn.stream('nope'))).catch((e) => e);
    expect(bad.code).toBe('E_NO_MODEL');
    conn.close();
  });

  it('open(): a Subject-like pair with generate, reset, snapshot and restore', async () => {
    running = await startServer();
    const conn = connect(running.url);
    const s = conn.open('chr', { prime: 'ab', extras: ['1.c'] });
    const got: OutputMessage[] = [];
    s.output$.subscribe((m) => got.push(m)); // output$ is hot: subscribe before the first output arrives
    const info = await s.opened;
    expect(info.io).toMatchObject({ kind: 'char' });
    const snap = await s.snapshot(); // after the prime
    expect(snap.seq).toBe(2);
    await s.generate(5, { temperature: 0.5, seed: 7 });
    const text1 = got.slice(2).map((m) => m.token!.char).join('');
    expect(text1).toHaveLength(5);
    expect(got[0].extras!['1.c']).toHaveLength(7);
    await s.restore(snap);
    await s.generate(5, { temperature: 0.5, seed: 7 });
    expect(got.slice(7).map((m) => m.token!.char).join('')).toBe(text1); // same state, same seed → same text
    await s.reset();
    s.next('a');
    await firstValueFrom(s.output$.pipe(take(1)));
    s.close();
    conn.close();
  });

  it.each(['dropped sockets', 'a graceful restart (1001)'])('reconnects after %s and resumes each stream exactly where it was', async (how) => {
    // A server we can kill and restart on the same port.
    const models = demoModels();
    const server1 = createStreamServer(models);
    const http1 = createServer();
    const raw: import('node:stream').Duplex[] = [];
    http1.on('upgrade', (req, sock, head) => {
      raw.push(sock);
      server1.handleUpgrade(req, sock, head);
    });
    await new Promise<void>((r) => http1.listen(0, '127.0.0.1', () => r()));
    const port = (http1.address() as AddressInfo).port;
    const conn = connect(`ws://127.0.0.1:${port}/ws`, { reconnect: { delayMs: 50, retries: 20 }, snapshotEvery: 4 });
    const xs = randomInputs(5, 20, 4);
    const ref = reference(models[0].cell, xs);
    const input = new Subject<number[]>();
    const outs: OutputMessage[] = [];
    const done = new Promise<void>((res, rej) => input.pipe(conn.stream('vec')).subscribe({ next: (m) => outs.push(m), complete: res, error: rej }));
    for (let t = 0; t < 10; t++) input.next(xs[t]);
    while (outs.length < 10) await sleep(10);
    await sleep(50); // let the automatic snapshot (every 4 steps) come back
    // Stop the server (sockets just drop, or a graceful close), then start another on the same port.
    if (how === 'dropped sockets') for (const sock of raw) sock.destroy();
    const httpClosed = new Promise<void>((r) => http1.close(() => r()));
    await server1.close();
    await httpClosed;
    for (let t = 10; t < 20; t++) input.next(xs[t]); // sent while disconnected: buffered, then replayed
    input.complete();
    const server2 = createStreamServer(models);
    const http2 = createServer();
    http2.on('upgrade', (req, sock, head) => server2.handleUpgrade(req, sock, head));
    await new Promise<void>((r) => http2.listen(port, '127.0.0.1', () => r()));
    await done;
    expect(outs.map((o) => o.seq)).toEqual(xs.map((_, t) => t));
    close(outs.map((o) => o.y!), ref);
    conn.close();
    await server2.close();
    http2.closeAllConnections();
    await new Promise<void>((r) => http2.close(() => r()));
    for (const m of models) m.cell.dispose();
  });
});
