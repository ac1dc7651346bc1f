/** The token rule where the server is created: without a token, only loopback peers; IP literals parsed, not matched as text. */
import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import { RawClient, demoModels } from '../../test/helpers.js';
import { createStreamServer, isLoopback, requireTokenBeyondLoopback, type StreamServer } from '../index.js';

/** A non-loopback address of this machine, if it has one. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

let open: { server: StreamServer; http: Server; models: ReturnType<typeof demoModels> } | null = null;
afterEach(async () => {
  if (!open) return;
  await open.server.close();
  open.http.closeAllConnections();
  await new Promise<void>((r) => open!.http.close(() => r()));
  for (const m of open.models) m.cell.dispose();
  open = null;
});

/** A stream server on every interface (0.0.0.0), port 0. */
async function listenEverywhere(token: string | null): Promise<number> {
  const models = demoModels();
  const server = createStreamServer(models, { token });
  const http = createServer((req, res) => void res.writeHead(server.authorized(req) ? 200 : 401).end());
  http.on('upgrade', (req, socket, head) => server.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => http.listen(0, '0.0.0.0', () => r()));
  open = { server, http, models };
  return (http.address() as AddressInfo).port;
}

describe('isLoopback', () => {
  it('accepts 127.0.0.0/8, ::1, IPv4-mapped 127.x and localhost; parses literals instead of matching text', () => {
    for (const h of ['127.0.0.1', '127.255.1.2', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:127.9.9.9', '::ffff:7f00:1', 'localhost', 'LOCALHOST']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['127.attacker.example', '127.0.0.1.nip.io', '127.1', '0.0.0.0', '10.0.0.1', '::', '::2', '::ffff:10.0.0.1', 'fe80::1%lo', 'localhost.example', '', undefined, null]) expect(isLoopback(h), String(h)).toBe(false);
  });

  it('requireTokenBeyondLoopback refuses a public host without a token', () => {
    expect(() => requireTokenBeyondLoopback('f', '0.0.0.0', null)).toThrow(/token/);
    expect(() => requireTokenBeyondLoopback('f', '127.attacker.example', undefined)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => requireTokenBeyondLoopback('f', '0.0.0.0', 't')).not.toThrow();
    expect(() => requireTokenBeyondLoopback('f', '::1', null)).not.toThrow();
  });
});

describe('createStreamServer without a token', () => {
  it('serves loopback peers, refuses a request a proxy forwarded (403)', async () => {
    const port = await listenEverywhere(null);
    (await RawClient.open(`ws://127.0.0.1:${port}/ws`)).close();
    const forwarded = await import('ws').then(({ default: WebSocket }) => new WebSocket(`ws://127.0.0.1:${port}/ws`, 'rxrnn.v1', { headers: { 'x-forwarded-for': '203.0.113.9' } }));
    forwarded.on('error', () => undefined);
    const status = await new Promise<number>((r) => forwarded.once('unexpected-response', (_q, res) => r(res.statusCode ?? 0)));
    expect(status).toBe(403);
    forwarded.terminate();
  });

  it.skipIf(!external)('refuses a peer beyond loopback (403) — also for /metrics — and a token lets it in', async () => {
    const port = await listenEverywhere(null);
    await expect(RawClient.open(`ws://${external}:${port}/ws`)).rejects.toThrow(/403/);
    expect((await fetch(`http://${external}:${port}/metrics`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    await open!.server.close();
    open!.http.closeAllConnections();
    await new Promise<void>((r) => open!.http.close(() => r()));
    for (const m of open!.models) m.cell.dispose();
    open = null;
    const port2 = await listenEverywhere('s3cret');
    (await RawClient.open(`ws://${external}:${port2}/ws`, { token: 's3cret' })).close();
  });
});
