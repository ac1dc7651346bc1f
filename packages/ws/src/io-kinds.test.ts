/**
 * A new io kind, defined entirely here, served end to end by createStreamServer and the client with
 * no change to the transport: the "reverse" kind takes a word (its own input field, with its own
 * wire check) and steps its characters in reverse order, takes PCM16 audio in chunks of any size
 * (two samples a frame, a partial frame carried to the next chunk), encodes each output as signs
 * rather than numbers, has its own `open` option and a decode loop with its own option.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import { lstmCell } from '@rxrnn/cells';
import type { AdapterFactory, IoRow, StreamIo } from '@rxrnn/core';
import { RawClient, startServer, reference, demoModels, type Running } from '../test/helpers.js';
import { connect, RemoteError, type OutputMessage } from './index.js';

interface ReverseRow extends IoRow {
  readonly ch: string;
}

const reverseAdapter: AdapterFactory = (io) => ({
  kind: 'reverse',
  info: { kind: 'reverse', note: String(io.note) },
  inputs: ['word'],
  binary: ['int16'],
  options: ['shout'],
  loops: { generate: ['scale'] },
  extras: [],
  outputs: false,
  fields: {
    word: { check: (v) => typeof v === 'string' && v.length > 0, expected: 'a non-empty string' },
    shout: { check: (v) => typeof v === 'boolean', expected: 'a boolean' },
    scale: { check: (v) => typeof v === 'number' && v >= 0, expected: 'a number ≥ 0' },
  },
  open(options) {
    const shout = options.shout === true;
    let carry: number[] = []; // a partial audio frame, kept between chunks
    const io: StreamIo<ReverseRow> = {
      decode(fields, ctx) {
        const chars = Array.from(fields.word as string).reverse();
        ctx.admit(chars.length);
        return chars.map((ch) => ({ x: Float32Array.of(ch.codePointAt(0)! / 100), ch }));
      },
      decodeBinary(payload, ctx) {
        const samples = [...carry, ...payload.data];
        const frames = Math.floor(samples.length / 2);
        ctx.admit(frames);
        carry = samples.slice(2 * frames);
        return Array.from({ length: frames }, (_, k) => ({ x: Float32Array.of((samples[2 * k] + samples[2 * k + 1]) / 65536), ch: '~' }));
      },
      encode: (step) => ({ ch: shout ? step.row.ch.toUpperCase() : step.row.ch, signs: Array.from(step.y, (v) => (v >= 0 ? '+' : '-')).join('') }),
      loop: (_name, o) => {
        const scale = (o.scale as number | undefined) ?? 1;
        return { next: (last) => ({ x: Float32Array.of(scale * last.reduce((a, b) => a + b, 0)), ch: '*' }) };
      },
      reset: () => void (carry = []),
    };
    return { io };
  },
});

const signs = (y: number[]) => y.map((v) => (v >= 0 ? '+' : '-')).join('');

let running: Running | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe('an io kind defined outside the transport', () => {
  it('is served end to end: its input field, options, binary PCM16 chunks, encoding and decode loop', async () => {
    const cell = lstmCell({ inputSize: 1, hiddenSize: 4, seed: 7 });
    const toy = { name: 'toy', cell, io: reverseAdapter({ kind: 'reverse', note: 'mirror' }, { name: 'toy', inputSize: 1, outputSize: 4 }) };
    running = await startServer({}, [...demoModels(), toy]);
    const conn = connect(running.url);
    const welcome = await conn.ready;
    expect(welcome.models.find((m) => m.name === 'toy')).toMatchObject({ io: { kind: 'reverse', note: 'mirror' }, inputSize: 1, outputSize: 4 });

    // A word in, its characters stepped in reverse, each output encoded as signs.
    const s = conn.open('toy', { shout: true });
    const got: OutputMessage[] = [];
    s.output$.subscribe((m) => got.push(m));
    await s.opened;
    s.input({ word: 'abc' }, 3);
    await firstValueFrom(s.output$.pipe(take(3), toArray()));
    const xs = ['c', 'b', 'a'].map((c) => [c.charCodeAt(0) / 100]);
    const ref = reference(cell, xs);
    expect(got.map((m) => m.ch)).toEqual(['C', 'B', 'A']);
    expect(got.map((m) => m.signs)).toEqual(ref.map(signs));
    expect(got[0].y).toBeUndefined();

    // Audio: 3 samples make one frame and carry one; the next chunk's sample completes a second.
    s.input(Int16Array.of(1000, 3000, -5000), 1);
    s.input(Int16Array.of(-7000), 1);
    await firstValueFrom(s.output$.pipe(take(2), toArray()));
    xs.push([(1000 + 3000) / 65536], [(-5000 - 7000) / 65536]);
    expect(got.slice(3).map((m) => [m.ch, m.signs])).toEqual(reference(cell, xs).slice(3).map((y) => ['~', signs(y)]));

    // Its decode loop, with its own option: each next input from the last output.
    await s.generate(3, { scale: 0.5 });
    let all = reference(cell, xs);
    for (let k = 0; k < 3; k++) {
      xs.push([Math.fround(0.5 * all.at(-1)!.reduce((a, b) => a + b, 0))]);
      all = reference(cell, xs);
    }
    expect(got.slice(5).map((m) => [m.ch, m.signs])).toEqual(all.slice(5).map((y) => ['*', signs(y)]));
    expect(got.map((m) => m.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    // Its names are checked on the wire like the protocol's own; other models do not take them.
    const errors = async (open: () => Promise<unknown>) => (await open().then(() => null, (e: RemoteError) => e))?.code;
    const raw = await RawClient.open(running.url);
    raw.send({ type: 'open', stream: 1, model: 'toy' });
    await raw.next('opened');
    raw.send({ type: 'input', stream: 1, word: 5 });
    expect(await raw.next('error')).toMatchObject({ code: 'E_PROTOCOL', arg: 'word', expected: 'a non-empty string' });
    raw.send({ type: 'input', stream: 1, x: [0.5] });
    expect(await raw.next('error')).toMatchObject({ code: 'E_ARGUMENT', arg: 'x' });
    raw.send({ type: 'open', stream: 2, model: 'vec', options: { shout: true } });
    expect(await raw.next('error')).toMatchObject({ code: 'E_ARGUMENT', arg: 'options.shout' });
    raw.send({ type: 'open', stream: 3, model: 'toy', options: { shout: 'yes' } });
    expect(await raw.next('error')).toMatchObject({ code: 'E_PROTOCOL', arg: 'shout' });
    raw.send({ type: 'open', stream: 4, model: 'toy', options: { prime: 'ab' } });
    expect(await raw.next('error')).toMatchObject({ code: 'E_ARGUMENT', arg: 'options.prime' });
    raw.send({ type: 'input', stream: 1, word: 'ok' });
    expect((await raw.outputs(1, 2)).map((m) => m.ch)).toEqual(['k', 'o']);
    raw.close();
    const v = conn.open('vec');
    v.output$.subscribe({ error: () => undefined });
    expect(await errors(() => v.generate(2, { scale: 1 }))).toBe('E_ARGUMENT'); // a vector model has no loop
    s.close();
    conn.close();
  });
});
