/**
 * A translator served like the other models (issue 16): an rxrnn.seq2seq/1 model directory is
 * loaded by loadModels and hosted as a session model. Against a real server on port 0: tokens
 * stream out before the final message, with attention extras over the source, equal to the
 * library's greedyDecode / beamSearch on the same model; every bad input is a typed error over the
 * wire while another client's stream keeps translating; no tensor is left behind.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { of, lastValueFrom, toArray } from 'rxjs';
import * as tf from '@tensorflow/tfjs';
import WebSocket from 'ws';
import { seq2seqModel, saveSeq2seq, seq2seqSession, greedyDecode, beamSearch, type DecodeEvent, type DecodeSession, type Seq2SeqModel } from '@rxrnn/attention';
import { loadModels, startServer, DEFAULT_CONFIG, type RunningServer, type ServedModel } from './index.js';

const SOURCE = ' ,-./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TARGET = '-0123456789';
const IO = { kind: 'translate', chars: { source: SOURCE, sourceFirstId: 1, target: TARGET, targetFirstId: 3 }, maxSourceTokens: 24 };

interface Msg {
  type: string;
  stream?: number;
  seq?: number;
  code?: string;
  arg?: string;
  received?: string;
  token?: { id: number; text: string; position: number };
  final?: { text: string; tokens: number[]; score: number };
  extras?: { attention: number[] };
}

/** A socket that collects every message. */
async function client(url: string) {
  const ws = new WebSocket(url, 'rxrnn.v1');
  const got: Msg[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    got.push(JSON.parse(String(d)));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((r) => ws.once('open', r));
  const until = async (ok: (m: Msg[]) => boolean, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!ok(got)) {
      if (Date.now() > end) throw new Error(`timed out; got ${JSON.stringify(got.slice(-5))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { ws, got, until, send: (m: object) => ws.send(JSON.stringify(m)) };
}

const ids = (text: string) => Array.from(text, (c) => SOURCE.indexOf(c) + 1);

let dir: string;
let models: ServedModel[];
let server: RunningServer;
let model: Seq2SeqModel;
let start: number;

beforeAll(async () => {
  start = tf.memory().numTensors;
  dir = mkdtempSync(join(tmpdir(), 'rxrnn-translate-'));
  const m = seq2seqModel({ sourceVocab: SOURCE.length + 1, targetVocab: TARGET.length + 3, bos: 1, eos: 2, embeddingSize: 8, encoderSize: 8, decoderSize: 12, attention: 'general', maxSourceLength: 24, maxTargetLength: 11, seed: 5 });
  await saveSeq2seq(join(dir, 'tiny-dates'), m, { name: 'tiny-dates', description: 'an untrained date translator', io: IO });
  m.dispose();
  models = loadModels(dir);
  model = (models[0] as { model: Seq2SeqModel }).model;
  server = await startServer({ ...DEFAULT_CONFIG, port: 0, web: false, drainTimeoutMs: 200 }, models);
});

afterAll(async () => {
  await server?.close(); // frees the models
  rmSync(dir, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(start);
});

async function library(text: string, beam: number): Promise<DecodeEvent[]> {
  const session = seq2seqSession(model, ids(text));
  const op = beam === 1 ? greedyDecode<typeof session extends DecodeSession<infer S> ? S : never>({ maxLength: 11 }) : beamSearch<typeof session extends DecodeSession<infer S> ? S : never>({ beamWidth: beam, maxLength: 11 });
  return lastValueFrom(of(session).pipe(op, toArray()));
}

describe('a translator served by the app (issue 16)', () => {
  it('is listed in welcome as a seq2seq model with io kind translate', async () => {
    const c = await client(server.wsUrl);
    await c.until((g) => g.some((m) => m.type === 'welcome'));
    const welcome = c.got.find((m) => m.type === 'welcome') as unknown as { models: { name: string; kind: string; io: { kind: string; maxSourceTokens: number } }[] };
    expect(welcome.models).toEqual([expect.objectContaining({ name: 'tiny-dates', kind: 'seq2seq', io: expect.objectContaining({ kind: 'translate', codec: 'chars', maxSourceTokens: 24 }) })]);
    c.ws.close();
  });

  for (const beam of [1, 3]) {
    it(`beam ${beam}: tokens arrive before the final message, with attention over the source; equal to the library's ${beam === 1 ? 'greedyDecode' : 'beamSearch'}`, async () => {
      const text = '25 Nov 2026';
      const want = await library(text, beam);
      const c = await client(server.wsUrl);
      c.send({ type: 'open', stream: 1, model: 'tiny-dates', options: { beam, extras: true } });
      await c.until((g) => g.some((m) => m.type === 'opened'));
      c.send({ type: 'input', stream: 1, text });
      await c.until((g) => g.some((m) => m.final));
      const outs = c.got.filter((m) => m.type === 'output');
      const tokens = outs.filter((m) => m.token);
      const final = outs.at(-1)!;
      expect(final.final).toBeDefined();
      expect(outs.map((m) => m.seq)).toEqual(outs.map((_, i) => i));
      const wantTokens = want.filter((e) => e.kind === 'token');
      const wantFinal = want.at(-1)!;
      if (wantFinal.kind !== 'final') throw new Error('no final event');
      expect(tokens.map((m) => m.token!.id)).toEqual(wantTokens.map((e) => e.token));
      expect(tokens.map((m) => m.token!.position)).toEqual(wantTokens.map((e) => e.position));
      expect(final.final!.tokens).toEqual(wantFinal.best.tokens);
      expect(final.final!.text).toBe(wantFinal.best.tokens.map((id) => TARGET[id - 3] ?? '').join(''));
      expect(final.final!.score).toBeCloseTo(wantFinal.best.score, 5);
      for (const [i, m] of tokens.entries()) {
        expect(m.extras!.attention).toHaveLength(text.length);
        const row = wantTokens[i].kind === 'token' ? Array.from(wantTokens[i].extras.alignment) : [];
        m.extras!.attention.forEach((a, j) => expect(a).toBeCloseTo(row[j], 6));
      }
      if (tokens.length) expect(c.got.indexOf(tokens[0])).toBeLessThan(c.got.indexOf(final));
      c.ws.close();
    });
  }

  it('bad input: typed errors over the wire, the stream stays usable, another client keeps translating', async () => {
    const other = await client(server.wsUrl);
    other.send({ type: 'open', stream: 7, model: 'tiny-dates', options: {} });
    const c = await client(server.wsUrl);
    c.send({ type: 'open', stream: 0, model: 'tiny-dates', options: { beam: 0 } });
    c.send({ type: 'open', stream: 1, model: 'tiny-dates', options: { beam: 100_000 } });
    c.send({ type: 'open', stream: 2, model: 'tiny-dates', options: { beam: 'wide' } });
    c.send({ type: 'open', stream: 3, model: 'tiny-dates', options: { snapshot: { kind: 'x' } } });
    c.send({ type: 'open', stream: 4, model: 'tiny-dates', options: {} });
    await c.until((g) => g.filter((m) => m.type === 'error').length >= 4 && g.some((m) => m.type === 'opened' && m.stream === 4));
    const err = (stream: number) => c.got.find((m) => m.type === 'error' && m.stream === stream)!;
    expect(err(0)).toMatchObject({ code: 'E_SIZE', arg: 'options.beam' });
    expect(err(1)).toMatchObject({ code: 'E_SIZE', arg: 'options.beam' });
    expect(err(2)).toMatchObject({ code: 'E_PROTOCOL', arg: 'beam' }); // the wire check of the adapter's field
    expect(err(3)).toMatchObject({ code: 'E_ARGUMENT', arg: 'options.snapshot' });
    c.got.length = 0;
    const bad: [object, string, RegExp | null][] = [
      [{ text: '' }, 'E_SIZE', null],
      [{ text: '   ' }, 'E_SIZE', null],
      [{ text: '25 Nov 2026 ☃ é' }, 'E_ARGUMENT', /"☃", "é"/],
      [{ text: '1'.repeat(25) }, 'E_SIZE', /25/],
      [{ x: [[1]] }, 'E_ARGUMENT', null],
    ];
    for (const [fields, code, received] of bad) {
      const before = c.got.length;
      c.send({ type: 'input', stream: 4, req: before, ...fields });
      other.send({ type: 'input', stream: 7, text: '2026.11.25' });
      await c.until((g) => g.length > before);
      const e = c.got[before];
      expect(e, JSON.stringify(fields)).toMatchObject({ type: 'error', stream: 4, code });
      if (received) expect(e.received).toMatch(received);
    }
    for (const m of [{ type: 'generate', stream: 4, n: 3 }, { type: 'reset', stream: 4 }, { type: 'snapshot', stream: 4 }]) {
      const before = c.got.length;
      c.send(m);
      await c.until((g) => g.length > before);
      expect(c.got[before]).toMatchObject({ type: 'error', stream: 4, code: 'E_ARGUMENT' });
    }
    const before = c.got.length;
    c.send({ type: 'input', stream: 4, text: '1 May 2001' });
    await c.until((g) => g.some((m, i) => i >= before && m.final));
    expect(c.got.slice(before).every((m) => m.type === 'output')).toBe(true);
    await other.until((g) => g.filter((m) => m.final).length === bad.length);
    expect(other.got.filter((m) => m.type === 'error')).toEqual([]);
    c.ws.close();
    other.ws.close();
  });

  it('text at open: translated at once; a bad one refuses the open whole (no `opened`)', async () => {
    const want = (await library('1 May 2001', 1)).at(-1)!;
    if (want.kind !== 'final') throw new Error('no final');
    const c = await client(server.wsUrl);
    c.send({ type: 'open', stream: 1, model: 'tiny-dates', options: { text: '1 May 2001' } });
    await c.until((g) => g.some((m) => m.final));
    expect(c.got.find((m) => m.final)!.final!.tokens).toEqual(want.best.tokens);
    c.send({ type: 'open', stream: 2, model: 'tiny-dates', options: { text: '1 ☃ 2001', beam: 2 } });
    c.send({ type: 'open', stream: 3, model: 'tiny-dates', options: { text: 7 } });
    await c.until((g) => g.filter((m) => m.type === 'error').length === 2);
    expect(c.got.find((m) => m.type === 'error' && m.stream === 2)).toMatchObject({ code: 'E_ARGUMENT', arg: 'text' });
    expect(c.got.find((m) => m.type === 'error' && m.stream === 3)).toMatchObject({ code: 'E_PROTOCOL', arg: 'text' });
    expect(c.got.filter((m) => m.type === 'opened').map((m) => m.stream)).toEqual([1]);
    c.ws.close();
  });

  it('leaves no tensors after a complete, an error and an early close', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const before = tf.memory().numTensors;
    const c = await client(server.wsUrl);
    c.send({ type: 'open', stream: 1, model: 'tiny-dates', options: { beam: 4 } });
    c.send({ type: 'input', stream: 1, text: 'Monday 1 January 2001' });
    await c.until((g) => g.some((m) => m.final));
    c.send({ type: 'input', stream: 1, text: '☃' });
    await c.until((g) => g.some((m) => m.type === 'error'));
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 5; i++) c.send({ type: 'input', stream: 1, text: `${i} Feb 2002` });
    c.send({ type: 'close', stream: 1 }); // with inputs queued
    await c.until((g) => g.some((m) => m.type === 'closed'));
    c.send({ type: 'open', stream: 2, model: 'tiny-dates', options: { beam: 2 } });
    c.send({ type: 'input', stream: 2, text: '3 Mar 2003' });
    c.ws.close(); // the socket goes away mid-work
    await new Promise((r) => setTimeout(r, 300));
    expect(tf.memory().numTensors).toBe(before);
  });
});
