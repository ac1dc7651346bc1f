/**
 * The WebAssembly kernels in a browser: browser-page.ts, bundled with esbuild, runs in headless
 * Chromium (Debian's `chromium`; `bash tools/setup/apt.sh chromium` installs it, as `npm test` does),
 * fetches the binary `kernelsWasmFile()` names (kernels-relaxed.wasm: Chromium runs relaxed SIMD), then
 * kernels.wasm, from a local server on port 0, loads each with `loadKernels(bytes)`, and compares every fused
 * path (LSTM, LSTM with projection, both GRU forms, RNN with tanh and relu; whole sequences with all gradients, and
 * streaming steps) with the cells' tfjs steps on tfjs's cpu backend, within 1e-5.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { debianPackage } from '@rxrnn/testing';
import type { BrowserReport } from './browser-page.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'];
const WASM_DIR = join(dirname(createRequire(import.meta.url).resolve('@rxrnn/kernels/package.json')), 'wasm');

let browser: Browser;
let server: Server;
let url: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash tools/setup/apt.sh chromium`);
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./browser-page.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@rxrnn/source'],
    logLevel: 'warning',
  });
  const files: Record<string, [string, Uint8Array | string]> = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>rxrnn kernels</title><script type="module" src="/page.js"></script>'],
    '/page.js': ['text/javascript', bundle.outputFiles[0].contents],
    '/kernels.wasm': ['application/wasm', readFileSync(join(WASM_DIR, 'kernels.wasm'))],
    '/kernels-relaxed.wasm': ['application/wasm', readFileSync(join(WASM_DIR, 'kernels-relaxed.wasm'))],
  };
  server = createServer((req, res) => {
    const f = files[new URL(req.url ?? '/', 'http://localhost').pathname];
    if (!f) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f[0] }).end(f[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const chromiumPackage = debianPackage('chromium');

describe.skipIf(chromiumPackage.skip)(`fused kernels in headless Chromium${chromiumPackage.note}`, () => {
  it.each([
    ['kernels-relaxed.wasm (the one kernelsWasmFile() names here)', '', 'wasm-relaxed-simd'],
    ['kernels.wasm (128-bit SIMD)', '?wasm=kernels.wasm', 'wasm-simd128'],
  ])('%s: loads from fetched bytes and matches the tfjs steps within 1e-5 (sequences with all gradients, streaming steps)', async (_name, query, isa) => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(url + query);
      const handle = await page.waitForFunction(() => (globalThis as unknown as { __rxrnn?: unknown }).__rxrnn, undefined, { timeout: 120_000 });
      const report = (await handle.jsonValue()) as BrowserReport;
      expect(report.error).toBeUndefined();
      expect(errors).toEqual([]);
      expect(report.backend).toBe('cpu');
      expect(report.kernels?.backend).toBe('wasm');
      // Chromium ≥ 114 runs relaxed SIMD, so by default the page loads kernels-relaxed.wasm (fused multiply-adds)
      expect(report.relaxedSimd).toBe(true);
      expect(report.kernels?.isa).toBe(isa);
      // 6 families × 3 sizes of sequences, 6 families × 2 batch sizes of steps
      const cases = new Set(report.checks.map((c) => c.case));
      expect(cases.size).toBe(30);
      const failed = report.checks.filter((c) => !(c.excess <= 0));
      expect(failed).toEqual([]);
      // every gradient was compared, and not trivially (some non-zero reference values)
      const grads = report.checks.filter((c) => c.quantity.startsWith('d'));
      expect(grads.length).toBeGreaterThan(60);
      expect(grads.every((c) => c.scale > 0)).toBe(true);
    } finally {
      await page.close();
    }
  }, 180_000);
});
