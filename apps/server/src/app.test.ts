/** The server app: configuration, model loading, HTTP routes, the real `npm start` process and its shutdown. */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, firstValueFrom, toArray } from 'rxjs';
import * as tf from '@tensorflow/tfjs';
import { connect } from '@rxrnn/ws';
import { loadConfig, loadModels, startServer, DEFAULT_CONFIG } from './index.js';
import { REPO_ROOT } from './config.js';

describe('loadConfig', () => {
  it('defaults, then a config file, then env, then flags', () => {
    expect(loadConfig([], {})).toMatchObject({ port: 8080, host: '127.0.0.1', token: null, maxBatch: 64 });
    const dir = mkdtempSync(join(tmpdir(), 'rxrnn-cfg-'));
    const file = join(dir, 'server.json');
    writeFileSync(file, JSON.stringify({ port: 9000, maxBatch: 8, models: 'm', maxSockets: 3 }));
    const cfg = loadConfig(['--config', file, '--max-batch', '2'], { RXRNN_PORT: '9100', RXRNN_TOKEN: 'abc' });
    expect(cfg).toMatchObject({ port: 9100, maxBatch: 2, maxSockets: 3, token: 'abc', models: join(dir, 'm') });
    expect(loadConfig(['--no-web'], {}).web).toBe(false);
  });

  it('refuses to listen beyond loopback without a token; rejects bad values and unknown keys', () => {
    expect(() => loadConfig(['--host', '0.0.0.0'], {})).toThrow(/token/);
    expect(loadConfig(['--host', '0.0.0.0', '--token', 't'], {}).host).toBe('0.0.0.0');
    expect(() => loadConfig(['--port', 'x'], {})).toThrow();
    const dir = mkdtempSync(join(tmpdir(), 'rxrnn-cfg-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ prot: 1 }));
    expect(() => loadConfig(['--config', join(dir, 'bad.json')], {})).toThrow(/prot/);
  });
});

describe('startServer', () => {
  it('loads models/, serves health, metrics, the demo page and its bundle, and streams over /ws', async () => {
    const start = tf.memory().numTensors;
    const models = loadModels(DEFAULT_CONFIG.models);
    expect(models.map((m) => m.name)).toContain('demo-lstm');
    const server = await startServer({ ...DEFAULT_CONFIG, port: 0, token: 'tok' }, models);
    const base = server.url;
    const health = await fetch(`${base}health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', protocol: 'rxrnn.v1', models: expect.arrayContaining(['demo-lstm']) });
    expect((await fetch(`${base}metrics`)).status).toBe(401);
    const page = await fetch(base);
    expect(await page.text()).toMatch(/<script type="module" src="app.js">/);
    const bundle = await fetch(`${base}app.js`);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await bundle.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${base}../../package.json`)).status).toBe(404);

    const conn = connect(server.wsUrl, { token: 'tok' });
    const xs = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
    const outs = await firstValueFrom(from(xs).pipe(conn.stream('demo-lstm', { extras: true }), toArray()));
    expect(outs.map((o) => o.seq)).toEqual([0, 1, 2]);
    expect(outs[2].y).toHaveLength(4);
    expect(Object.keys(outs[0].extras!)).toEqual(expect.arrayContaining(['0.i', '0.f', '0.g', '0.o', '0.c']));
    const metrics = await (await fetch(`${base}metrics`, { headers: { authorization: 'Bearer tok' } })).text();
    expect(metrics).toMatch(/^rxrnn_stream_steps_total 3$/m);
    conn.close();
    await server.close();
    expect(tf.memory().numTensors).toBe(start); // streams closed and models freed
  });
});

describe('npm start (apps/server/src/main.ts)', () => {
  it('prints where to connect, serves, and drains on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@rxrnn/source', join(REPO_ROOT, 'apps/server/src/main.ts'), '--port', '0', '--drain-timeout-ms', '2000'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; i < 600 && !/WebSocket\s+ws:\/\//.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    const wsUrl = /WebSocket\s+(ws:\/\/\S+)/.exec(out)?.[1];
    expect(wsUrl, out).toBeDefined();
    expect(out).toMatch(/demo-lstm/);
    const conn = connect(wsUrl!);
    const outs = await firstValueFrom(from([[0.5, 0.5, 0, 0]]).pipe(conn.stream('demo-lstm'), toArray()));
    expect(outs).toHaveLength(1);
    const s = conn.open('demo-lstm');
    const closed = new Promise<void>((r) => s.output$.subscribe({ complete: () => r(), error: () => r() }));
    await s.opened;
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await closed;
    expect(out).toMatch(/SIGTERM: draining/);
    expect(out).toMatch(/stopped/);
    conn.close();
  });
});
