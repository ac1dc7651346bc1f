/**
 * End to end: the demo page (apps/web) served by the server, in headless Chromium (Debian's
 * `chromium`; `bash tools/setup/apt.sh chromium` installs it, as .ci/run does). The page connects,
 * streams, and shows output; screenshots go to artifacts/ (git-ignored).
 *
 * Two runs: the models in models/ as `npm start` serves them (the page picks the char-RNN when it
 * is there, else the vector demo), and a small untrained char model built here, so the pre-filled
 * prompt's continuation on load and the typing → continuation path are covered whatever models/ holds.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { lstmCell, stackCells, embeddingCell, denseCell } from '@rxrnn/cells';
import { debianPackage } from '@rxrnn/testing';
import { startServer, loadModels, DEFAULT_CONFIG } from './index.js';
import { REPO_ROOT } from './config.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'];
const ARTIFACTS = join(REPO_ROOT, 'artifacts');

let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash tools/setup/apt.sh chromium`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

const chromiumPackage = debianPackage('chromium');

describe.skipIf(chromiumPackage.skip)(`demo page in headless Chromium${chromiumPackage.note}`, () => {
  it('with the models in models/: connects, streams and draws', async () => {
    const models = loadModels(DEFAULT_CONFIG.models);
    const server = await startServer({ ...DEFAULT_CONFIG, port: 0, token: 'page-token' }, models);
    const page = await browser.newPage({ viewport: { width: 820, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${server.url}?token=page-token`);
      await page.waitForSelector('#status[data-state="open"]', { timeout: 20_000 });
      const chosen = await page.waitForFunction(() => document.body.dataset.model, undefined, { timeout: 10_000 });
      const name = await chosen.jsonValue();
      expect(models.map((m) => m.name)).toContain(name);
      const chosenModel = models.find((m) => m.name === name)!;
      const isChar = 'cell' in chosenModel && chosenModel.io?.kind === 'char';
      if (isChar) await page.waitForFunction(() => (document.getElementById('continuation')!.textContent ?? '').length >= 10, undefined, { timeout: 30_000 });
      await page.waitForFunction(() => Number(document.getElementById('steps')!.textContent) >= 20, undefined, { timeout: 30_000 });
      expect(await page.locator('#extra option').count()).toBeGreaterThan(0); // extras arrived: the heatmap has data
      // The heatmap is drawn: some pixel is not white.
      const painted = await page.evaluate(() => {
        const c = document.getElementById('heatmap') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) n++;
        return n;
      });
      expect(painted).toBeGreaterThan(100);
      await page.screenshot({ path: join(ARTIFACTS, 'demo-page.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });

  it('with a char model: the pre-filled prompt is continued on load; typed text is fed and continued live, token by token', async () => {
    const vocab = 'abcdefghijklmnopqrstuvwxyz .,';
    const cell = stackCells([embeddingCell({ vocabSize: vocab.length, embeddingSize: 8, seed: 1 }), lstmCell({ inputSize: 8, hiddenSize: 24, seed: 2 }), denseCell({ inputSize: 24, outputSize: vocab.length, seed: 3 })]);
    const server = await startServer({ ...DEFAULT_CONFIG, port: 0 }, [{ name: 'tiny-char', cell, io: { kind: 'char', vocab, unknown: ' ' }, description: 'untrained test model' }]);
    const page = await browser.newPage({ viewport: { width: 820, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(server.url);
      await page.waitForSelector('#status[data-state="open"]', { timeout: 20_000 });
      await page.waitForSelector('#char-ui:not([hidden])');
      // Alive before anyone types: the pre-filled prompt ('The ', 'T' outside this vocabulary) is continued on load.
      await page.waitForFunction(() => document.getElementById('typed')!.textContent === ' he ', undefined, { timeout: 10_000 });
      const length = Number(await page.inputValue('#length'));
      await page.waitForFunction((n) => (document.getElementById('continuation')!.textContent ?? '').length === n, length, { timeout: 30_000 });
      expect(await page.inputValue('#prompt')).toBe('The ');
      await page.fill('#length', '40');
      await page.fill('#prompt', '');
      await page.type('#prompt', 'hello world', { delay: 20 });
      await page.waitForFunction(() => document.getElementById('typed')!.textContent === 'hello world', undefined, { timeout: 10_000 });
      // Tokens appear one by one: observe the continuation growing, then reaching 40 characters.
      await page.waitForFunction(() => (document.getElementById('continuation')!.textContent ?? '').length > 0, undefined, { timeout: 20_000 });
      await page.waitForFunction(() => (document.getElementById('continuation')!.textContent ?? '').length === 40, undefined, { timeout: 30_000 });
      const text = await page.textContent('#continuation');
      expect(Array.from(text!).every((c) => vocab.includes(c))).toBe(true);
      // Typing again cancels and regenerates from the new text.
      await page.type('#prompt', ' again', { delay: 20 });
      await page.waitForFunction(() => document.getElementById('typed')!.textContent === 'hello world again', undefined, { timeout: 10_000 });
      await page.waitForFunction(() => (document.getElementById('continuation')!.textContent ?? '').length === 40, undefined, { timeout: 30_000 });
      expect(await page.locator('#extra option').count()).toBe(5); // 1.i 1.f 1.g 1.o 1.c of the LSTM layer
      await page.screenshot({ path: join(ARTIFACTS, 'demo-page-char.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });
  it('with the dates translator of models/: tokens appear as they are committed and the alignment is drawn as they arrive; bad input shows its typed error', async () => {
    const models = loadModels(DEFAULT_CONFIG.models);
    expect(models.map((m) => m.name)).toContain('dates');
    const server = await startServer({ ...DEFAULT_CONFIG, port: 0 }, models);
    const page = await browser.newPage({ viewport: { width: 820, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${server.url}?model=dates`);
      await page.waitForSelector('#status[data-state="open"]', { timeout: 20_000 });
      await page.waitForSelector('#translate-ui:not([hidden])');
      // The pre-filled source is translated on load.
      await page.waitForFunction(() => document.body.dataset.translated === '2026-11-25', undefined, { timeout: 20_000 });
      expect(await page.textContent('#translation')).toBe('2026-11-25');
      expect(Number(await page.evaluate(() => document.body.dataset.tokens))).toBe(10);
      // Typing re-translates on a fresh stream: one token and one alignment row per committed token.
      await page.fill('#source', '');
      await page.type('#source', '3 March 2001', { delay: 10 });
      await page.waitForFunction(() => document.body.dataset.translated === '2001-03-03', undefined, { timeout: 20_000 });
      expect(Number(await page.evaluate(() => document.body.dataset.tokens))).toBe(10);
      const painted = await page.evaluate(() => {
        const c = document.getElementById('alignment') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 200 && d[i] < 128) n++; // strongly attended cells are blue
        return n;
      });
      expect(painted).toBeGreaterThan(50);
      await page.screenshot({ path: join(ARTIFACTS, 'demo-page-translate.png'), fullPage: true });
      await page.fill('#source', '25 ☃ 2026');
      await page.waitForFunction(() => document.body.dataset.translateError === 'E_ARGUMENT', undefined, { timeout: 10_000 });
      expect(await page.textContent('#translate-error')).toMatch(/unknown "☃"/);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });
});
