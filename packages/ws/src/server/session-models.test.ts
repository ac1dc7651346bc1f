/**
 * Session models (docs/protocol.md, "Session models"): a model whose work per input is an
 * Observable, hosted beside cell models with the transport's own limits, `seq`, error frames and
 * teardown. The adapter here is a made-up one (the server must not care what it computes).
 */
import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Observable, Subject } from 'rxjs';
import { lstmCell } from '@rxrnn/cells';
import { rxrnnError, ErrorCodes, type JsonObject, type SessionAdapter } from '@rxrnn/core';
import { RawClient } from '../../test/helpers.js';
import { createStreamServer, encodeInputFrame, type StreamServer } from '../index.js';
import type { ServerOptions } from '../options.js';

/** Spells its input: one output per character (`{ piece, n }`), after `gate` emits if one is given; `!` fails mid-way. */
function spellAdapter(gate: Subject<void> | null, log: string[]): SessionAdapter {
  return {
    kind: 'spell',
    modelKind: 'speller',
    info: { kind: 'spell' },
    inputs: ['text'],
    options: ['upper'],
    extras: [],
    fields: { upper: { check: (v) => typeof v === 'boolean', expected: 'a boolean' } },
    open(options) {
      const upper = options.upper === true;
      return {
        run(fields, ctx) {
          const text = fields.text as string;
          if (text === '') throw rxrnnError(ErrorCodes.SIZE, ctx.fn, 'text', 'a non-empty text', "''");
          ctx.admit(1);
          return new Observable<JsonObject>((sub) => {
            log.push(`start ${text}`);
            const go = () => {
              for (const [n, c] of Array.from(text).entries()) {
                if (sub.closed) return;
                if (c === '!') return sub.error(rxrnnError(ErrorCodes.ARGUMENT, ctx.fn, 'text', 'no "!"', `"!" at ${n}`));
                sub.next({ piece: upper ? c.toUpperCase() : c, n });
              }
              sub.complete();
            };
            const g = gate?.subscribe(go);
            if (!gate) go();
            return () => {
              g?.unsubscribe();
              log.push(`end ${text}`);
            };
          });
        },
      };
    },
  };
}

let server: StreamServer | null = null;
let http: Server | null = null;
const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 1 });
afterEach(async () => {
  await server?.close();
  http?.closeAllConnections();
  await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
  server = null;
  http = null;
});

async function start(adapter: SessionAdapter, options: Partial<ServerOptions> = {}): Promise<string> {
  server = createStreamServer([{ name: 'spell', session: adapter }, { name: 'vec', cell, io: { kind: 'vector' } }], options);
  http = createServer();
  http.on('upgrade', (req, socket, head) => server!.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => http!.listen(0, '127.0.0.1', () => r()));
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
}

describe('session models on the stream server', () => {
  it('each input is its own work, run in order, outputs numbered by the stream’s seq; a cell model beside it still steps', async () => {
    const log: string[] = [];
    const c = await RawClient.open(await start(spellAdapter(null, log)));
    c.send({ type: 'open', stream: 1, model: 'spell', options: { upper: true }, req: 1 });
    expect(await c.next('opened')).toMatchObject({ stream: 1, model: { name: 'spell', kind: 'speller', inputSize: 0, outputSize: 0, io: { kind: 'spell' } }, seq: 0 });
    c.send({ type: 'input', stream: 1, text: 'ab' });
    c.send({ type: 'input', stream: 1, text: 'cde' });
    const outs = await c.outputs(1, 5);
    expect(outs.map((o) => [o.seq, (o as unknown as { piece: string }).piece])).toEqual([[0, 'A'], [1, 'B'], [2, 'C'], [3, 'D'], [4, 'E']]);
    expect(log).toEqual(['start ab', 'end ab', 'start cde', 'end cde']);
    c.send({ type: 'open', stream: 2, model: 'vec' });
    c.send({ type: 'input', stream: 2, x: [[1, 0]] });
    expect((await c.next('output')).stream).toBe(2);
    c.close();
  });

  it('bad input and cell-only messages: typed errors, the stream stays open; failing work ends with its error frame', async () => {
    const c = await RawClient.open(await start(spellAdapter(null, [])));
    c.send({ type: 'open', stream: 1, model: 'spell', options: { upper: 'yes' } });
    expect(await c.next('error')).toMatchObject({ code: 'E_PROTOCOL', arg: 'upper' });
    c.send({ type: 'open', stream: 1, model: 'spell', options: { prime: 'x' } });
    expect(await c.next('error')).toMatchObject({ code: 'E_ARGUMENT', arg: 'options.prime' });
    c.send({ type: 'open', stream: 1, model: 'spell', options: {} });
    await c.next('opened');
    const expectError = async (m: unknown, code: string) => {
      c.send(m);
      expect(await c.next('error')).toMatchObject({ stream: 1, code });
    };
    await expectError({ type: 'input', stream: 1, text: '', req: 5 }, 'E_SIZE');
    await expectError({ type: 'input', stream: 1, x: [[1]] }, 'E_ARGUMENT');
    await expectError({ type: 'generate', stream: 1, n: 2 }, 'E_ARGUMENT');
    await expectError({ type: 'reset', stream: 1 }, 'E_ARGUMENT');
    await expectError({ type: 'snapshot', stream: 1 }, 'E_ARGUMENT');
    await expectError(encodeInputFrame(1, Float32Array.of(1)), 'E_DTYPE');
    c.send({ type: 'input', stream: 1, text: 'x!y', req: 9 });
    expect(await c.next('output')).toMatchObject({ seq: 0, piece: 'x' });
    expect(await c.next('error')).toMatchObject({ stream: 1, req: 9, code: 'E_ARGUMENT', received: '"!" at 1' });
    c.send({ type: 'input', stream: 1, text: 'ok' });
    expect((await c.outputs(1, 2)).map((o) => o.seq)).toEqual([1, 2]);
    c.close();
  });

  it('keeps the limits: queued inputs per stream, streams per socket; close unsubscribes the running work', async () => {
    const gate = new Subject<void>();
    const log: string[] = [];
    const c = await RawClient.open(await start(spellAdapter(gate, log), { maxQueuedSteps: 3, maxStreamsPerSocket: 2 }));
    c.send({ type: 'open', stream: 1, model: 'spell', options: {} });
    await c.next('opened');
    for (let i = 0; i < 5; i++) c.send({ type: 'input', stream: 1, text: `w${i}`, req: i });
    const e = await c.next('error');
    expect(e).toMatchObject({ code: 'E_LIMIT', arg: 'steps', req: 3 });
    expect(await c.next('error')).toMatchObject({ code: 'E_LIMIT', req: 4 });
    c.send({ type: 'open', stream: 2, model: 'spell', options: {} });
    c.send({ type: 'open', stream: 3, model: 'spell', options: {} });
    expect(await c.next('error')).toMatchObject({ code: 'E_LIMIT', stream: 3 });
    expect(log).toEqual(['start w0']);
    gate.next();
    await c.outputs(1, 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(log).toEqual(['start w0', 'end w0', 'start w1']);
    c.send({ type: 'close', stream: 1 });
    await c.next('closed');
    expect(log).toEqual(['start w0', 'end w0', 'start w1', 'end w1']); // w2 never started
    expect(gate.observed).toBe(false);
    c.close();
  });
});
