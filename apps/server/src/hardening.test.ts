// The shipped server under the attacks of issue 14 that involve the app itself: /health must turn
// unhealthy when the tfjs backend is broken (defect 1: an overwritten wasm heap answered every step
// with "memory access out of bounds" while /health said 200), a prime plus `generate` over the
// limit is refused whole (defect 7: `opened`, then E_LIMIT, and the stream kept running), and the
// startup refusal names the program once (defect 7).
//
// Waits for the server's rewrite: /health wired to core's backendHealth(), generate admitted with its prime, main's message.
import { describe, it, expect, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import WebSocket from 'ws';
import { loadModels, startServer, DEFAULT_CONFIG, type RunningServer } from './index.js';
import { REPO_ROOT } from './config.js';

let server: RunningServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface WasmModule {
  _malloc(n: number): number;
  asm?: { malloc?: (n: number) => number };
}

describe('the shipped server (issue 14)', () => {
  it.runIf(tf.getBackend() === 'wasm')('/health answers 503 while the backend is broken, 200 once it works again', async () => {
    server = await startServer({ ...DEFAULT_CONFIG, port: 0, web: false }, loadModels(DEFAULT_CONFIG.models).filter((m) => m.name === 'demo-lstm'));
    expect((await fetch(`${server.url}health`)).status).toBe(200);
    const wasm = (tf.backend() as unknown as { wasm: WasmModule }).wasm;
    const malloc = wasm.asm?.malloc;
    expect(malloc).toBeTypeOf('function');
    wasm._malloc = () => 0; // every allocation now fails, as on a heap that cannot grow
    try {
      const broken = await fetch(`${server.url}health`);
      expect(broken.status).toBe(503);
      expect(JSON.stringify(await broken.json())).toMatch(/backend/i);
    } finally {
      wasm._malloc = malloc!;
    }
    expect((await fetch(`${server.url}health`)).status).toBe(200);
  });

  it('a 1,024-character prime plus generate is refused whole: one E_LIMIT, no `opened`, no stream left', async () => {
    server = await startServer({ ...DEFAULT_CONFIG, port: 0, web: false, drainTimeoutMs: 100 }, loadModels(DEFAULT_CONFIG.models).filter((m) => m.name === 'char-rnn'));
    const ws = new WebSocket(server.wsUrl, 'rxrnn.v1');
    const got: { type: string; code?: string; req?: number }[] = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'open', stream: 1, model: 'char-rnn', options: { prime: 'the whale '.repeat(103).slice(0, 1024), generate: 20 }, req: 1 }));
    for (let i = 0; i < 200 && !got.some((m) => m.req === 1); i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    const replies = got.filter((m) => m.req === 1 || m.type === 'opened');
    expect(replies.map((m) => [m.type, m.code])).toEqual([['error', 'E_LIMIT']]);
    expect(server.stream.health().streams).toBe(0);
    ws.close();
  });

  it('the refusal to listen beyond loopback without a token names the program once', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@rxrnn/source', join(REPO_ROOT, 'apps/server/src/main.ts'), '--host', '0.0.0.0', '--port', '0'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RXRNN_TOKEN: '' },
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/token/);
    expect(err.match(/rxrnn-server/g), err).toHaveLength(1);
  });
});
