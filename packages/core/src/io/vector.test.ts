/** The vector adapter and the row helpers adapters share: validation after float32 conversion, budgets, encoding. */
import { describe, it, expect } from 'vitest';
import { vectorAdapter, isModelAdapter, jsonRows, payloadRows, float32Values, encodeOutput, type DecodeContext } from '../index.js';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
};
const ctx = (budget = Infinity, seen: number[] = []): DecodeContext => ({
  fn: 'input(m)',
  admit: (n) => {
    seen.push(n);
    if (n > budget) throw Object.assign(new Error('over budget'), { code: 'E_LIMIT' });
  },
});

describe('vectorAdapter', () => {
  const adapter = vectorAdapter({ kind: 'vector' }, { name: 'm', inputSize: 2, outputSize: 3 });
  const { io } = adapter.open({}, ctx());

  it('declares its kind, JSON info, inputs and defaults', () => {
    expect(isModelAdapter(adapter)).toBe(true);
    expect(isModelAdapter({ kind: 'vector' })).toBe(false);
    expect(adapter).toMatchObject({ kind: 'vector', info: { kind: 'vector' }, inputs: ['x'], binary: ['float32'], options: [], loops: {}, outputs: true });
    expect(code(() => vectorAdapter({ kind: 'char' }, { name: 'm', inputSize: 2, outputSize: 3 }))).toBe('E_FORMAT');
  });

  it('decodes JSON rows and float32 payloads into rows [X], admitting their count first', () => {
    const seen: number[] = [];
    const rows = io.decode({ x: [[1, 2], [3, 4.5]] }, ctx(Infinity, seen));
    expect(rows.map((r) => Array.from(r.x))).toEqual([[1, 2], [3, 4.5]]);
    expect(seen).toEqual([2]);
    const bin = io.decodeBinary({ dtype: 'float32', data: Float32Array.of(1, 2, 3, 4, 5, 6) }, ctx(Infinity, seen));
    expect(bin.map((r) => Array.from(r.x))).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(seen).toEqual([2, 3]);
  });

  it('rejects values that are not finite as float32 (1e308 is ∞ in a Float32Array), wrong sizes and types', () => {
    expect(code(() => io.decode({ x: [[1e308, 0]] }, ctx()))).toBe('E_NONFINITE');
    expect(code(() => io.decode({ x: [[-3.5e38, 0]] }, ctx()))).toBe('E_NONFINITE');
    expect(code(() => io.decode({ x: [[Infinity, 0]] }, ctx()))).toBe('E_NONFINITE');
    expect(Array.from(io.decode({ x: [[3.4e38, 0]] }, ctx())[0].x)[0]).toBeCloseTo(3.4e38, -33);
    expect(code(() => io.decode({ x: [[1, 2, 3]] }, ctx()))).toBe('E_SIZE');
    expect(code(() => io.decode({ x: [[1, null]] }, ctx()))).toBe('E_DTYPE');
    expect(code(() => io.decode({ x: [[1, [2]]] }, ctx()))).toBe('E_DTYPE');
    expect(code(() => io.decode({ x: 'no' }, ctx()))).toBe('E_DTYPE');
    expect(code(() => io.decodeBinary({ dtype: 'float32', data: Float32Array.of(1, NaN) }, ctx()))).toBe('E_NONFINITE');
    expect(code(() => io.decodeBinary({ dtype: 'float32', data: Float32Array.of(1, 2, 3) }, ctx()))).toBe('E_SIZE');
    expect(code(() => io.decodeBinary({ dtype: 'int16', data: Int16Array.of(1, 2) }, ctx()))).toBe('E_DTYPE');
  });

  it('checks the budget before allocating rows: an over-budget input fails on its count alone', () => {
    const seen: number[] = [];
    expect(code(() => io.decode({ x: [[1, 2], [3, 4], [5, 6]] }, ctx(2, seen)))).toBe('E_LIMIT');
    expect(seen).toEqual([3]);
    // the size check comes first, so a malformed input never reaches the budget
    expect(code(() => jsonRows([[1], [2, 3]], 2, ctx(0)))).toBe('E_SIZE');
    expect(code(() => payloadRows({ dtype: 'float32', data: new Float32Array(5) }, 2, ctx(0)))).toBe('E_SIZE');
  });

  it('encodes y and the extras the client named', () => {
    const row = { x: Float32Array.of(0, 0) };
    const y = Float32Array.of(0.5, 0.25, 1);
    const extras = { i: Float32Array.of(1), f: Float32Array.of(2) };
    expect(io.encode({ row, y, extras }, { y: true, extras: new Set(['f']) })).toEqual({ y: [0.5, 0.25, 1], extras: { f: [2] } });
    expect(JSON.stringify(encodeOutput({ row, y, extras }, { y: false, extras: true }))).toBe('{"extras":{"i":[1],"f":[2]}}');
    expect(io.encode({ row, y }, { y: false, extras: null })).toEqual({});
  });

  it('float32Values checks a restored output vector the same way', () => {
    expect(Array.from(float32Values([1, 2, 3], 3, 'restore', 'last'))).toEqual([1, 2, 3]);
    expect(code(() => float32Values([1, 2], 3, 'restore', 'last'))).toBe('E_SIZE');
    expect(code(() => float32Values([1, 2, 1e39], 3, 'restore', 'last'))).toBe('E_NONFINITE');
    expect(code(() => float32Values([1, 2, '3'], 3, 'restore', 'last'))).toBe('E_DTYPE');
  });
});
