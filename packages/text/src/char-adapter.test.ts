/** The char adapter: text, ids and x in; input/token fields out; prime + generate at open; a seeded generate loop. */
import { describe, it, expect } from 'vitest';
import type { DecodeContext } from '@rxrnn/core';
import { charAdapter, type CharRow } from './index.js';

const model = { name: 'tiny', inputSize: 1, outputSize: 4 };
const io = { kind: 'char', vocab: 'abc ', unknown: ' ' };
const ctx = (seen: number[] = [], budget = Infinity): DecodeContext => ({
  fn: 'input(tiny)',
  admit: (n) => {
    seen.push(n);
    if (n > budget) throw Object.assign(new Error('over budget'), { code: 'E_LIMIT' });
  },
});
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
};
const ids = (rows: CharRow[]) => rows.map((r) => r.x[0]);

describe('charAdapter', () => {
  it('declares the char kind, its options, the generate loop, and the model io as info', () => {
    const a = charAdapter(io, model);
    expect(a).toMatchObject({ kind: 'char', inputs: ['x', 'text', 'ids'], options: ['prime', 'generate', 'temperature', 'seed'], loops: { generate: ['temperature', 'seed'] }, outputs: false });
    expect(JSON.stringify(a.info)).toBe(JSON.stringify(io));
    expect(code(() => charAdapter(io, { ...model, outputSize: 5 }))).toBe('E_SIZE');
    expect(code(() => charAdapter(io, { ...model, inputSize: 2 }))).toBe('E_SIZE');
    expect(code(() => charAdapter({ kind: 'char', vocab: '' }, model))).toBe('E_FORMAT');
  });

  it('decodes text (unknown characters map to `unknown`), ids and x; echoes the fed character', () => {
    const { io: s } = charAdapter(io, model).open({}, ctx());
    const seen: number[] = [];
    expect(ids(s.decode({ text: 'ab?' }, ctx(seen)))).toEqual([0, 1, 3]);
    expect(ids(s.decode({ ids: [2, 0] }, ctx(seen)))).toEqual([2, 0]);
    expect(ids(s.decode({ x: [[1], [3]] }, ctx(seen)))).toEqual([1, 3]);
    expect(ids(s.decodeBinary({ dtype: 'float32', data: Float32Array.of(2) }, ctx(seen)))).toEqual([2]);
    expect(seen).toEqual([3, 2, 2, 1]);
    const row = s.decode({ text: 'c' }, ctx())[0];
    expect(JSON.stringify(s.encode({ row, y: new Float32Array(4) }, { y: false, extras: null }))).toBe('{"input":"c"}');
    expect(code(() => s.decode({ ids: [4] }, ctx()))).toBe('E_ARGUMENT');
    expect(code(() => s.decode({ x: [[0.5]] }, ctx()))).toBe('E_ARGUMENT');
    expect(code(() => s.decode({ x: [[1e308]] }, ctx()))).toBe('E_NONFINITE');
    expect(code(() => s.decode({ text: 'abc' }, ctx([], 2)))).toBe('E_LIMIT');
    const strict = charAdapter({ kind: 'char', vocab: 'ab', unknown: null }, { ...model, outputSize: 2 }).open({}, ctx()).io;
    expect(code(() => strict.decode({ text: 'a?' }, ctx()))).toBe('E_ARGUMENT');
  });

  it('open: prime rows within the budget, then a generate loop; the loop samples reproducibly from the seed', () => {
    const seen: number[] = [];
    const opened = charAdapter(io, model).open({ prime: 'ab', generate: 3, temperature: 0.7, seed: 9 }, ctx(seen));
    expect(ids(opened.rows!)).toEqual([0, 1]);
    expect(seen).toEqual([2]);
    expect(opened.loop).toMatchObject({ name: 'generate', steps: 3 });
    const logits = Float32Array.of(0.1, 2, 0.3, 1);
    const run = (loop: { next(l: Float32Array): CharRow | null }) => Array.from({ length: 20 }, () => loop.next(logits)!.x[0]);
    const a = run(opened.loop!.loop);
    const again = charAdapter(io, model).open({ prime: 'ab', generate: 3, temperature: 0.7, seed: 9 }, ctx());
    expect(run(again.loop!.loop)).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1); // temperature 0.7 samples, not argmax only
    // a generate message re-seeds the stream's sampler; temperature 0 is greedy
    const s = again.io;
    expect(run(s.loop!('generate', { seed: 9, temperature: 0.7 }, 'generate'))).toEqual(a);
    const greedy = s.loop!('generate', { temperature: 0 }, 'generate').next(logits)!;
    expect(JSON.stringify(s.encode({ row: greedy, y: logits }, { y: false, extras: null }))).toBe('{"token":{"id":1,"char":"b"}}');
    expect(charAdapter(io, model).open({ prime: 'a' }, ctx()).loop).toBeUndefined();
    expect(code(() => charAdapter(io, model).open({ prime: 'abc' }, ctx([], 2)))).toBe('E_LIMIT');
  });
});
