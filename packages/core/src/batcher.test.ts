import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectNoLeaks } from '@rxrnn/testing';
import { createBatcher, defineCell, createRng, RxrnnError, type Cell, type State } from './index.js';

/** A small LSTM written out (core cannot import @rxrnn/cells): two state entries and gate extras. */
function testLstm(X = 3, H = 5, seed = 7): Cell<{ h: tf.Tensor2D; c: tf.Tensor2D }> {
  const rng = createRng(seed);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-0.8, 0.8));
  return defineCell({
    kind: 'test-lstm',
    inputSize: X,
    outputSize: H,
    config: {},
    params: { kernel: { shape: [X + H, 4 * H], data: rand((X + H) * 4 * H) }, bias: { shape: [4 * H], data: rand(4 * H) } },
    initialState: (_p, b) => ({ h: tf.zeros([b, H]) as tf.Tensor2D, c: tf.zeros([b, H]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => {
      const z = tf.add(tf.matMul(tf.concat([x, s.h], 1), p.kernel), p.bias); // [B, 4H]
      const [i, f, g, o] = tf.split(z, 4, 1); // 4 × [B, H]
      const ig = tf.sigmoid(i), fg = tf.sigmoid(f), og = tf.sigmoid(o), gg = tf.tanh(g);
      const c = tf.add(tf.mul(fg, s.c), tf.mul(ig, gg)) as tf.Tensor2D; // [B, H]
      const h = tf.mul(og, tf.tanh(c)) as tf.Tensor2D; // [B, H]
      return [h, { h, c }, ctx.extras ? { i: ig, f: fg, o: og } : undefined];
    },
  });
}

/** Step one stream alone (batch 1) over its inputs: the reference the batcher must match. */
function alone(cell: Cell, xs: Float32Array[], extras = false): { ys: Float32Array[]; ex: Record<string, Float32Array>[] } {
  let state: State = cell.initialState(1);
  const ys: Float32Array[] = [];
  const ex: Record<string, Float32Array>[] = [];
  for (const x of xs) {
    const [y, next, e] = tf.tidy(() => cell.step(state, tf.tensor2d(x, [1, x.length]), { extras }));
    for (const t of Object.values(state)) if (!Object.values(next).includes(t)) t.dispose();
    state = next;
    ys.push(y.dataSync() as Float32Array);
    if (!Object.values(next).includes(y)) y.dispose();
    const row: Record<string, Float32Array> = {};
    for (const [k, t] of Object.entries(e ?? {})) {
      row[k] = t.dataSync() as Float32Array;
      if (!Object.values(next).includes(t)) t.dispose();
    }
    ex.push(row);
  }
  for (const t of Object.values(state)) t.dispose();
  return { ys, ex };
}

function inputs(seed: number, n: number, X: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: X }, () => rng.uniform(-2, 2)));
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('createBatcher', () => {
  it('gives every stream the outputs it would have stepped alone, with joins and leaves at any step', async () => {
    const cell = testLstm();
    const T = 12;
    // 6 streams: stream k joins at tick k and leaves after its T inputs (so the batch grows, then shrinks).
    const streams = Array.from({ length: 6 }, (_, k) => ({ k, xs: inputs(100 + k, T, 3), got: [] as Float32Array[], gotEx: [] as Record<string, Float32Array>[] }));
    const refs = streams.map((s) => alone(cell, s.xs, true));
    const sizes: number[] = [];
    await expectNoLeaks(() => {
      const b = createBatcher<{ k: number; t: number }>(cell, { maxBatch: 4 }); // 6 streams → some ticks take two steps
      const sess = new Map<number, ReturnType<typeof b.join>>();
      for (let tick = 0; tick < T + streams.length; tick++) {
        for (const s of streams) {
          const t = tick - s.k;
          if (t === 0) sess.set(s.k, b.join());
          if (t >= 0 && t < T) b.push(sess.get(s.k)!, s.xs[t], { k: s.k, t }, { extras: s.k % 2 === 0 });
        }
        const before = b.stats.steps;
        for (const r of b.flush()) {
          expect(r.error).toBeUndefined();
          const s = streams[r.tag.k];
          expect(r.tag.t).toBe(s.got.length);
          s.got.push(r.y);
          s.gotEx.push(r.extras ?? {});
          if (s.got.length === T) b.leave(r.session);
        }
        sizes.push(b.stats.steps - before);
      }
      expect(b.stats.sessions).toBe(0);
      expect(b.stats.batchSizes.get(4)).toBeGreaterThan(0);
      b.dispose();
    });
    expect(sizes.some((n) => n === 2)).toBe(true);
    let worst = 0;
    for (const s of streams) {
      expect(s.got).toHaveLength(T);
      for (let t = 0; t < T; t++) {
        worst = Math.max(worst, maxDiff(s.got[t], refs[s.k].ys[t]));
        if (s.k % 2 === 0) {
          expect(Object.keys(s.gotEx[t]).sort()).toEqual(['f', 'i', 'o']);
          for (const g of ['i', 'f', 'o']) worst = Math.max(worst, maxDiff(s.gotEx[t][g], refs[s.k].ex[t][g]));
        } else expect(s.gotEx[t]).toEqual({});
      }
    }
    // Measured exactly 0 on the wasm backend; 1e-6 leaves room for backends whose matMul tiles by batch size.
    expect(worst).toBeLessThanOrEqual(1e-6);
    cell.dispose();
  });

  it('steps a session once per tick, oldest input first, and keeps the rest queued', () => {
    const cell = testLstm();
    const xs = inputs(5, 4, 3);
    const ref = alone(cell, xs);
    const b = createBatcher<number>(cell);
    const s = b.join();
    xs.forEach((x, t) => b.push(s, x, t));
    expect(s.pending).toBe(4);
    const got: Float32Array[] = [];
    while (b.pending) {
      const rs = b.flush();
      expect(rs).toHaveLength(1);
      expect(rs[0].tag).toBe(got.length);
      got.push(rs[0].y);
    }
    got.forEach((y, t) => expect(maxDiff(y, ref.ys[t])).toBe(0));
    b.dispose();
    cell.dispose();
  });

  it('snapshots, restores and resets a session; a restored stream continues bit-identically', async () => {
    const cell = testLstm();
    const xs = inputs(9, 6, 3);
    const ref = alone(cell, xs);
    await expectNoLeaks(() => {
      const b = createBatcher<number>(cell);
      const s = b.join();
      for (let t = 0; t < 3; t++) b.push(s, xs[t], t);
      while (b.pending) b.flush();
      const snap = JSON.parse(JSON.stringify(b.snapshot(s)));
      b.push(s, xs[3], 3);
      b.flush();
      const moved = b.join(snap); // a new session from the snapshot
      const other = b.join();
      for (let t = 3; t < 6; t++) {
        b.push(moved, xs[t], t);
        b.push(other, xs[0], -1);
        const r = b.flush().find((q) => q.session === moved)!;
        expect(maxDiff(r.y, ref.ys[t])).toBe(0);
      }
      b.restore(s, snap);
      b.push(s, xs[3], 3);
      expect(maxDiff(b.flush()[0].y, ref.ys[3])).toBe(0);
      b.reset(s);
      b.push(s, xs[0], 0);
      expect(maxDiff(b.flush()[0].y, ref.ys[0])).toBe(0);
      b.dispose();
    });
    cell.dispose();
  });

  it('rejects bad inputs and snapshots with coded errors, leaving nothing allocated', async () => {
    const cell = testLstm();
    await expectNoLeaks(() => {
      const b = createBatcher<number>(cell, { maxQueue: 2 });
      const s = b.join();
      const code = (f: () => void) => {
        try {
          f();
        } catch (e) {
          expect(e).toBeInstanceOf(RxrnnError);
          return (e as RxrnnError).code;
        }
        return 'no error';
      };
      expect(code(() => b.push(s, new Float32Array(2), 0))).toBe('E_SIZE');
      expect(code(() => b.push(s, new Float32Array([1, NaN, 0]), 0))).toBe('E_NONFINITE');
      expect(code(() => b.push(s, [1, 2, 3] as unknown as Float32Array, 0))).toBe('E_DTYPE');
      b.push(s, new Float32Array(3), 0);
      b.push(s, new Float32Array(3), 1);
      expect(code(() => b.push(s, new Float32Array(3), 2))).toBe('E_STATE');
      expect(code(() => b.restore(s, { format: 'nope' }))).toBe('E_FORMAT');
      expect(code(() => b.restore(s, { format: 'rxrnn.state', version: 1, kind: 'test-lstm', batch: 1, tensors: { h: { shape: [1, 4], data: [0, 0, 0, 0] }, c: { shape: [1, 5], data: [0, 0, 0, 0, 0] } } }))).toBe('E_SHAPE');
      expect(code(() => b.restore(s, { ...b.snapshot(s), batch: 2, tensors: { h: { shape: [2, 5], data: new Array(10).fill(0) }, c: { shape: [2, 5], data: new Array(10).fill(0) } } }))).toBe('E_SHAPE');
      b.leave(s);
      expect(code(() => b.push(s, new Float32Array(3), 0))).toBe('E_STATE');
      expect(b.flush()).toEqual([]);
      b.leave(s); // idempotent
      b.dispose();
    });
    expect(() => createBatcher(cell, { maxBatch: 0 })).toThrow(/maxBatch/);
    cell.dispose();
  });

  it('isolates a failing step: only the session whose own step fails gets an error; the others step as if alone', async () => {
    const inner = testLstm();
    // The same LSTM, except that a step fails when any row's first input is 13 (a data-dependent failure).
    const POISON = 13;
    const cell: Cell = {
      ...inner,
      step: (state, x, ctx) => {
        if ((x.dataSync() as Float32Array).some((v, i) => i % 3 === 0 && v === POISON)) throw new Error('poisoned row');
        return inner.step(state as never, x, ctx);
      },
    };
    const T = 5;
    const streams = Array.from({ length: 5 }, (_, k) => inputs(300 + k, T, 3));
    const refs = streams.map((xs) => alone(inner, xs).ys);
    const victim = 2;
    const poisonTick = 2;
    const got: Float32Array[][] = streams.map(() => []);
    const errors: { k: number; tick: number; message: string }[] = [];
    await expectNoLeaks(() => {
      const b = createBatcher<number>(cell, { maxBatch: 8 });
      const sess = streams.map(() => b.join());
      for (let tick = 0; got.some((g) => g.length < T); tick++) {
        sess.forEach((s, k) => {
          if (got[k].length < T) b.push(s, tick === poisonTick && k === victim ? Float32Array.of(POISON, 0, 0) : streams[k][got[k].length], k);
        });
        let results: ReturnType<typeof b.flush> = [];
        expect(() => (results = b.flush())).not.toThrow();
        for (const r of results) {
          if (r.error) errors.push({ k: r.tag, tick, message: r.error.message });
          else got[r.tag].push(r.y);
        }
      }
      expect(b.stats.errors).toBe(1);
      expect(b.stats.batchSizes.get(1)).toBe(streams.length); // the failed batch, retried one session at a time
      b.dispose();
    });
    expect(errors).toEqual([{ k: victim, tick: poisonTick, message: 'poisoned row' }]);
    let worst = 0;
    // The victim's state was left as it was: its next clean input gives the output it would have had.
    streams.forEach((_, k) => got[k].forEach((y, t) => (worst = Math.max(worst, maxDiff(y, refs[k][t])))));
    expect(worst).toBeLessThanOrEqual(1e-6);
    inner.dispose();
  });

  it('refuses at push an input that is not finite as float32 (1e308 stored as float32 is Infinity); the queue is untouched', async () => {
    const cell = testLstm();
    await expectNoLeaks(() => {
      const b = createBatcher<number>(cell);
      const s = b.join();
      const other = b.join();
      b.push(s, new Float32Array(3), 0);
      for (const bad of [Float32Array.of(1e308, 0, 0), Float32Array.of(0, -Infinity, 0), Float32Array.of(0, 0, NaN)]) {
        try {
          b.push(s, bad, 1);
          expect.unreachable();
        } catch (e) {
          expect((e as RxrnnError).code).toBe('E_NONFINITE');
        }
      }
      expect(s.pending).toBe(1);
      b.push(other, new Float32Array(3), 2);
      const rs = b.flush();
      expect(rs.map((r) => [r.tag, r.error])).toEqual([
        [0, undefined],
        [2, undefined],
      ]);
      b.dispose();
    });
    cell.dispose();
  });

  it('a step that always fails (a broken backend) gives every session an error, and flush still returns', async () => {
    const inner = testLstm();
    const cell: Cell = {
      ...inner,
      step: (state, x, ctx) => {
        inner.step(state as never, x, ctx); // allocates, then fails: tidy must free it
        throw new Error('memory access out of bounds');
      },
    };
    await expectNoLeaks(() => {
      const b = createBatcher<number>(cell, { maxBatch: 4 });
      const sess = Array.from({ length: 6 }, () => b.join());
      sess.forEach((s, k) => b.push(s, new Float32Array(3), k));
      const rs = b.flush();
      expect(rs).toHaveLength(6);
      expect(rs.every((r) => r.error?.message === 'memory access out of bounds' && r.y.length === 0)).toBe(true);
      expect(b.pending).toBe(0);
      expect(b.stats.errors).toBe(6);
      b.dispose();
    });
    inner.dispose();
  });
});
