import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from, Subject, throwError, concat, of, NEVER, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expectNoLeaks, collect } from '@rxrnn/testing';
import { defineCell, recurrent, readRows, toFloat32, createControl, backendInfo, RxrnnError, type Cell } from './index.js';

/** h' = 0.5·h + x·W, y = h' — small enough to check by hand. */
function accumulator(inputSize = 2, size = 2): Cell<{ h: tf.Tensor2D }> {
  const w = new Float32Array(inputSize * size);
  for (let i = 0; i < Math.min(inputSize, size); i++) w[i * size + i] = 1;
  return defineCell({
    kind: 'acc',
    inputSize,
    outputSize: size,
    config: {},
    params: { kernel: { shape: [inputSize, size], data: w } },
    initialState: (_p, b) => ({ h: tf.zeros([b, size]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => {
      const h = tf.add(tf.mul(s.h, 0.5), tf.matMul(x, p.kernel)) as tf.Tensor2D;
      return [h, { h }, ctx.extras ? { half: tf.mul(s.h, 0.5) } : undefined];
    },
  });
}

describe('backend', () => {
  it('runs on the backend initBackend chose, and says which', () => {
    expect(backendInfo()?.name).toBe(tf.getBackend());
    // tfjs-node is optional and not installed on our machines: the chain falls to wasm.
    expect(['tensorflow', 'wasm']).toContain(tf.getBackend());
  });
});

describe('recurrent()', () => {
  it('steps once per value, carrying state', async () => {
    const cell = accumulator();
    const out = await expectNoLeaks(() => collect(from([[1, 0], [0, 1], [2, 2]]).pipe(recurrent(cell), readRows())));
    expect(out).toEqual([[[1, 0]], [[0.5, 1]], [[2.25, 2.5]]]);
    cell.dispose();
  });

  it('accepts tensors, Float32Array, number[][] (batch) and frees only what it owns', async () => {
    const cell = accumulator();
    const mine = tf.tensor2d([[1, 1], [2, 2]]);
    const out = await expectNoLeaks(() =>
      collect(from<unknown[]>([mine, new Float32Array([1, 0, 0, 1]), [[0, 0], [0, 0]]]).pipe(recurrent(cell), toFloat32())),
    );
    expect(mine.isDisposed).toBe(false);
    expect(Array.from(out[2])).toEqual([0.75, 0.25, 0.5, 1]);
    mine.dispose();
    cell.dispose();
  });

  it('chains operators passing tensors, freeing intermediates', async () => {
    const a = accumulator();
    const b = accumulator();
    const out = await expectNoLeaks(() => collect(from([[1, 0], [0, 1]]).pipe(recurrent(a), recurrent(b), readRows())));
    expect(out).toEqual([[[1, 0]], [[1, 1]]]);
    a.dispose();
    b.dispose();
  });

  it('frees its state on error and on early unsubscribe', async () => {
    const cell = accumulator();
    await expectNoLeaks(async () => {
      await expect(collect(concat(of([1, 0], [0, 1]), throwError(() => new Error('boom'))).pipe(recurrent(cell), readRows()))).rejects.toThrow('boom');
    }, 'error');
    await expectNoLeaks(async () => {
      const src = new Subject<number[]>();
      const got: number[][][] = [];
      const sub = src.pipe(recurrent(cell), readRows()).subscribe((v) => got.push(v));
      src.next([1, 1]);
      src.next([1, 1]);
      sub.unsubscribe();
      expect(got.length).toBe(2);
    }, 'unsubscribe');
    await expectNoLeaks(() => collect(concat(of([1, 0], [0, 1], [1, 1]), NEVER).pipe(recurrent(cell), readRows(), take(2))), 'take');
    await expectNoLeaks(() => collect(concat(of([1, 0], [0, 1], [1, 1]), NEVER).pipe(recurrent(cell), recurrent(cell), readRows(), take(2))), 'take, chained');
    cell.dispose();
  });

  it('rejects bad input with a clear error and leaks nothing', async () => {
    const cell = accumulator(3, 2);
    const cases: [unknown, string, RegExp][] = [
      [[1, 2], 'E_SIZE', /recurrent\(acc\): x: expected an array of length 3, received an array of shape \[2\]/],
      [[1, NaN, 2], 'E_NONFINITE', /finite numbers, received NaN at index 1/],
      [[1, Infinity, 2], 'E_NONFINITE', /Infinity/],
      ['abc', 'E_ARGUMENT', /received the string "abc"/],
      [tf.tensor2d([[1, 2, 3]], [1, 3], 'int32'), 'E_DTYPE', /float32 tensor, received a int32 tensor/],
      [[[1, 2, 3], [1, 2]], 'E_SHAPE', /ragged/],
      [tf.zeros([1, 1, 3]), 'E_SHAPE', /shape \[1, 1, 3\]/],
    ];
    for (const [bad, code, msg] of cases) {
      await expectNoLeaks(async () => {
        const err = await collect(from<unknown[]>([[0, 0, 0], bad]).pipe(recurrent(cell), readRows())).catch((e) => e);
        expect(err).toBeInstanceOf(RxrnnError);
        expect(err.code).toBe(code);
        expect(err.message).toMatch(msg);
      }, `bad input ${code}`);
      if (bad instanceof tf.Tensor) bad.dispose();
    }
    // batch change mid-stream
    const err = await collect(from<unknown[]>([[0, 0, 0], [[1, 1, 1], [1, 1, 1]]]).pipe(recurrent(cell), readRows())).catch((e) => e);
    expect(err.code).toBe('E_SIZE');
    expect(err.message).toMatch(/a batch of 1 \(fixed until reset\), received a batch of 2/);
    cell.dispose();
  });

  it('rejects a non-cell and an unknown emit mode', () => {
    expect(() => recurrent({} as Cell)).toThrow(/recurrent: cell: expected a Cell/);
    expect(() => recurrent(accumulator(), { emit: 'bogus' as 'step' })).toThrow(/options.emit/);
  });

  it('resets on reset$ (marbles)', () => {
    const cell = accumulator(1, 1);
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, hot, expectObservable }) => {
      const input = cold('a-b-c-d|', { a: [1], b: [1], c: [1], d: [1] });
      const reset = hot('   ----r--', { r: 1 });
      expectObservable(input.pipe(recurrent(cell, { reset$: reset }), readRows())).toBe('a-b-c-d|', {
        a: [[1]],
        b: [[1.5]],
        c: [[1]],
        d: [[1.5]],
      });
    });
    cell.dispose();
  });

  it('emits state and extras with emit: "step"', async () => {
    const cell = accumulator();
    const out = await expectNoLeaks(async () => {
      const steps = await collect(from([[1, 0], [1, 0]]).pipe(recurrent(cell, { emit: 'step', state: true, extras: true })));
      const read = steps.map((s) => ({ y: s.y.arraySync(), h: s.state!.h.arraySync(), half: s.extras!.half.arraySync() }));
      for (const s of steps) {
        s.y.dispose();
        Object.values(s.state!).forEach((t) => t.dispose());
        Object.values(s.extras!).forEach((t) => t.dispose());
      }
      return read;
    });
    expect(out[1]).toEqual({ y: [[1.5, 0]], h: [[1.5, 0]], half: [[0.5, 0]] });
    cell.dispose();
  });

  it('snapshot → restore continues bit-identically, through JSON', async () => {
    const cell = accumulator();
    const xs = Array.from({ length: 6 }, (_, t) => [Math.sin(t * 1.3), Math.cos(t * 0.7)]);
    const full = await collect(from(xs).pipe(recurrent(cell), toFloat32()));
    const control = createControl();
    const src = new Subject<number[]>();
    const first: Float32Array[] = [];
    const sub = src.pipe(recurrent(cell, { control }), toFloat32()).subscribe((v) => first.push(v));
    xs.slice(0, 3).forEach((x) => src.next(x));
    const saved = JSON.parse(JSON.stringify(control.snapshot()));
    sub.unsubscribe();
    expect(control.attached).toBe(false);
    const rest = await expectNoLeaks(() => collect(from(xs.slice(3)).pipe(recurrent(cell, { initialState: saved }), toFloat32())));
    expect([...first, ...rest].map((a) => Array.from(a))).toEqual(full.map((a) => Array.from(a)));
    cell.dispose();
  });

  it('restore() validates the snapshot', async () => {
    const cell = accumulator();
    const control = createControl();
    const sub = from([[1, 1]]).pipe(recurrent(cell, { control }), readRows()).subscribe();
    sub.unsubscribe();
    expect(() => control.snapshot()).toThrow(/detached control/);
    const live = new Subject<number[]>();
    const sub2 = live.pipe(recurrent(cell, { control }), readRows()).subscribe();
    expect(() => control.restore({ format: 'rxrnn.state', version: 1, kind: 'lstm', batch: 1, tensors: {} })).toThrow(/snapshot.kind: expected "acc", received "lstm"/);
    expect(() =>
      control.restore({ format: 'rxrnn.state', version: 1, kind: 'acc', batch: 1, tensors: { h: { shape: [1, 3], data: [0, 0, 0] } } }),
    ).toThrow(/shape: expected \[1, 2\], received \[1, 3\]/);
    sub2.unsubscribe();
    cell.dispose();
  });

  it('errors after the cell is disposed', async () => {
    const cell = accumulator();
    cell.dispose();
    const err = await collect(from([[1, 1]]).pipe(recurrent(cell))).catch((e) => e);
    expect(err.code).toBe('E_DISPOSED');
  });
});
