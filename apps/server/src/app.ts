/**
 * `startServer(config)`: the HTTP server around the stream server. Routes:
 *
 *     GET  /health   JSON health (200; 503 while draining, or when the tfjs backend fails its probe)
 *     GET  /metrics  Prometheus text (needs the token when one is set)
 *     GET  /         the demo page (apps/web), unless `web: false`
 *     WS   /ws       the rxrnn.v1 protocol
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, normalize, extname, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { createStreamServer, requireTokenBeyondLoopback, type StreamServer } from '@rxrnn/ws';
import type { ServerConfig } from './config.js';
import { loadModels } from './models.js';
import { disposeServed, type ServedModel } from './served.js';
import { withAdapters } from './adapters.js';

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  stream: StreamServer;
  models: ServedModel[];
  /** Drain and close streams, close the HTTP server, free the models. */
  close(): Promise<void>;
}

// The demo page's files, found through its package (@rxrnn/web), wherever it is installed.
const WEB_ROOT = dirname(createRequire(import.meta.url).resolve('@rxrnn/web/package.json'));
const WEB_PUBLIC = join(WEB_ROOT, 'public');
const WEB_BUNDLE = join(WEB_ROOT, 'dist', 'app.js');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };

/**
 * Bundle the demo page's script (`@rxrnn/web/build`, esbuild, ~0.1 s) so the page always matches the
 * sources; where its sources or esbuild are not there (an installed build), serve the bundle as it is.
 */
async function ensureBundle(): Promise<void> {
  try {
    const { buildWeb } = await import('@rxrnn/web/build');
    await buildWeb(WEB_BUNDLE);
  } catch (e) {
    if (!existsSync(WEB_BUNDLE)) throw e;
  }
}

export async function startServer(config: ServerConfig, given: ServedModel[] = loadModels(config.models, { fused: config.fused })): Promise<RunningServer> {
  const { port, host, models: _dir, web, fused: _fused, ...options } = config;
  let stream: StreamServer;
  let models = given;
  try {
    requireTokenBeyondLoopback('startServer', host, options.token); // as a library too, not only through loadConfig
    models = withAdapters(given);
    stream = createStreamServer(models, options);
    if (web) await ensureBundle();
  } catch (e) {
    for (const m of models) disposeServed(m);
    throw e;
  }

  const serveStatic = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const file = path === '/app.js' ? WEB_BUNDLE : join(WEB_PUBLIC, normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(WEB_PUBLIC) && file !== WEB_BUNDLE) return void res.writeHead(404).end('Not found');
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404).end('Not found');
    }
  };

  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    if (path === '/health') {
      const h = stream.health();
      return void res.writeHead(h.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
    }
    if (path === '/metrics') {
      if (!stream.authorized(req)) return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('Unauthorized');
      return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(stream.metricsText());
    }
    if (web) return void serveStatic(req, res, path);
    res.writeHead(404).end('Not found');
  });
  http.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/ws') {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return void socket.destroy();
    }
    stream.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  const actual = (http.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shown}:${actual}/`,
    wsUrl: `ws://${shown}:${actual}/ws`,
    port: actual,
    stream,
    models,
    close() {
      closing ??= (async () => {
        const httpClosed = new Promise<void>((r) => http.close(() => r()));
        await stream.close();
        http.closeAllConnections();
        await httpClosed;
        for (const m of models) disposeServed(m);
      })();
      return closing;
    },
  };
}
