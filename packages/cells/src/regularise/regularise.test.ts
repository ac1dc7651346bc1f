// Regularisers are random at training time, so they are tested by construction and statistically
// (not against goldens): variational dropout masks are fixed across a sequence and scaled by
// 1/(1 − p); zoneout mixes exactly h_{t−1} and h̃_t per unit; both are seeded and reproducible.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from, Subject } from 'rxjs';
import { recurrent, createRng, createControl, readRows, type StepOutput } from '@rxrnn/core';
import { collect, expectNoLeaks, gradCheck } from '@rxrnn/testing';
import { variationalDropout } from './variational-dropout-cell.js';
import { zoneout } from './zoneout-cell.js';
import { regularised } from './regularised.js';
import { lstmCell } from '../lstm/lstm-cell.js';
import { gruCell } from '../gru/gru-cell.js';
import { cellFromConfig, cellWeights } from '../model/cell-registry.js';
import { expectOperatorNoLeaks, smallInputs } from '../../test/more-cells-golden.js';

const seq = (T: number, B: number, X: number): number[][][] =>
  Array.from({ length: T }, (_, t) => Array.from({ length: B }, (_, b) => Array.from({ length: X }, (_, i) => Math.sin(0.7 * t + 1.3 * b + 0.9 * i + 0.1))));

async function run(cell: Parameters<typeof recurrent>[0], xs: number[][][], options: { training?: boolean; seed?: number }): Promise<number[][][]> {
  return collect(from(xs).pipe(recurrent(cell, options), readRows()));
}

async function steps(cell: Parameters<typeof recurrent>[0], xs: number[][][], options: { training?: boolean; seed?: number; extras?: boolean }): Promise<StepOutput[]> {
  return collect(from(xs).pipe(recurrent(cell, { ...options, emit: 'step', state: true })));
}

function disposeSteps(outs: StepOutput[]): void {
  for (const o of outs) {
    o.y.dispose();
    for (const t of Object.values(o.state ?? {})) t.dispose();
    for (const t of Object.values(o.extras ?? {})) t.dispose();
  }
}

describe('variationalDropout', () => {
  it('is the identity at inference, active at training, and reproducible with a seed', async () => {
    const xs = seq(4, 3, 5);
    const plain = lstmCell({ inputSize: 5, hiddenSize: 6, seed: 1 });
    const wrapped = variationalDropout(lstmCell({ inputSize: 5, hiddenSize: 6, seed: 1 }), { input: 0.3, recurrent: 0.4 });
    const ref = await run(plain, xs, {});
    expect(await run(wrapped, xs, {})).toEqual(ref); // inference: exactly the inner cell
    const a = await run(wrapped, xs, { training: true, seed: 11 });
    const b = await run(wrapped, xs, { training: true, seed: 11 });
    const c = await run(wrapped, xs, { training: true, seed: 12 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(ref);
    expect(c).not.toEqual(a);
    plain.dispose();
    wrapped.dispose();
  });

  it('samples one mask per sequence (fixed across steps, values 0 or 1/(1 − p)) and applies it to x and h', async () => {
    const p = 0.25;
    const inner = lstmCell({ inputSize: 4, hiddenSize: 3, seed: 2 });
    const cell = variationalDropout(inner, { input: p, recurrent: p });
    const xs = seq(5, 4, 4);
    await expectNoLeaks(async () => {
      const outs = await steps(cell, xs, { training: true, seed: 3 });
      const m0 = outs[0].state!['dropout.input'].arraySync() as number[][];
      const r0 = outs[0].state!['dropout.recurrent'].arraySync() as number[][];
      for (const v of [...m0.flat(), ...r0.flat()]) expect([0, 1 / (1 - p)].some((w) => Math.abs(v - w) < 1e-6)).toBe(true);
      for (const o of outs) {
        expect(o.state!['dropout.input'].arraySync()).toEqual(m0);
        expect(o.state!['dropout.recurrent'].arraySync()).toEqual(r0);
        expect(Array.from(o.state!['dropout.ready'].dataSync())).toEqual([1, 1, 1, 1]);
      }
      // By construction: each step is the inner LSTM on (x ⊙ m_x, h ⊙ m_h).
      tf.tidy(() => {
        let h = tf.zeros([4, 3]);
        let c = tf.zeros([4, 3]);
        const mx = tf.tensor2d(m0);
        const mh = tf.tensor2d(r0);
        xs.forEach((x, t) => {
          const [y, next] = inner.step({ h: tf.mul(h, mh) as tf.Tensor2D, c: c as tf.Tensor2D }, tf.mul(tf.tensor2d(x), mx) as tf.Tensor2D);
          expect(tf.max(tf.abs(tf.sub(y, outs[t].y))).dataSync()[0]).toBeLessThan(1e-6);
          h = next.h;
          c = next.c;
        });
      });
      disposeSteps(outs);
    });
    cell.dispose();
  });

  it('keeps its masks through a snapshot: a restored stream continues identically, whatever its seed', async () => {
    const cell = variationalDropout(lstmCell({ inputSize: 3, hiddenSize: 4, seed: 2 }), { input: 0.4, recurrent: 0.4 });
    const xs = seq(5, 2, 3);
    const whole = await run(cell, xs, { training: true, seed: 1 });
    const control = createControl();
    const src = new Subject<number[][]>();
    const firstPart: number[][][] = [];
    const sub = src.pipe(recurrent(cell, { training: true, seed: 1, control }), readRows()).subscribe((y) => firstPart.push(y));
    src.next(xs[0]);
    src.next(xs[1]);
    const snap = JSON.parse(JSON.stringify(control.snapshot()));
    sub.unsubscribe();
    expect(firstPart).toEqual(whole.slice(0, 2));
    const rest = await run(cell, xs.slice(2), { training: true, seed: 99, initialState: snap } as never);
    expect(rest).toEqual(whole.slice(2));
    cell.dispose();
  });

  it('drops about a fraction p of the units (statistics over a large batch)', () => {
    const p = 0.3;
    const cell = variationalDropout(gruCell({ inputSize: 50, hiddenSize: 40 }), { input: p, recurrent: p });
    tf.tidy(() => {
      const [, s] = cell.step(cell.initialState(200), tf.ones([200, 50]) as tf.Tensor2D, { training: true, rng: createRng(5) });
      for (const key of ['dropout.input', 'dropout.recurrent']) {
        const m = s[key].dataSync();
        let zeros = 0;
        for (const v of m) if (v === 0) zeros++;
        const rate = zeros / m.length; // n = 10,000 or 8,000: σ ≈ 0.005
        expect(Math.abs(rate - p)).toBeLessThan(0.025);
      }
    });
    cell.dispose();
  });

  it('gives rows that join a batch later (ready = 0) their own masks and keeps the others', () => {
    const cell = variationalDropout(gruCell({ inputSize: 6, hiddenSize: 5, seed: 1 }), { input: 0.5, recurrent: 0.5 });
    tf.tidy(() => {
      const rng = createRng(9);
      const [, s1] = cell.step(cell.initialState(2), tf.ones([2, 6]) as tf.Tensor2D, { training: true, rng });
      const joined = { ...s1, 'dropout.ready': tf.tensor2d([[1], [0]]) };
      const [, s2] = cell.step(joined, tf.ones([2, 6]) as tf.Tensor2D, { training: true, rng });
      const before = s1['dropout.input'].arraySync() as number[][];
      const after = s2['dropout.input'].arraySync() as number[][];
      expect(after[0]).toEqual(before[0]);
      expect(after[1]).not.toEqual(before[1]); // 2^-6 chance of a spurious equality with p = 0.5; fixed seed
      expect(Array.from(s2['dropout.ready'].dataSync())).toEqual([1, 1]);
    });
    cell.dispose();
  });

  it('gradients at training time match finite differences for a fixed mask (seeded rng per evaluation)', () => {
    const cell = variationalDropout(gruCell({ inputSize: 3, hiddenSize: 2, seed: 4 }), { input: 0.2, recurrent: 0.2 });
    const xs = smallInputs(3, 2, 3);
    const loss = () =>
      tf.tidy(() => {
        const ctx = { training: true, rng: createRng(21) }; // the same masks at every evaluation
        let s = cell.initialState(2);
        let total = tf.scalar(0);
        for (const x of xs) {
          const [y, next] = cell.step(s, x, ctx);
          s = next;
          total = tf.add(total, tf.sum(tf.mul(y, tf.sin(tf.mul(y, 3)))));
        }
        return total as tf.Scalar;
      });
    expect(gradCheck(loss, cell.params as Record<string, tf.Variable>).checked).toBeGreaterThan(20);
    xs.forEach((x) => x.dispose());
    cell.dispose();
  });
});

describe('zoneout', () => {
  it('mixes exactly h_{t−1} or h̃_t per unit at training time (and c likewise), at a rate near z', async () => {
    const inner = lstmCell({ inputSize: 3, hiddenSize: 8, seed: 6 });
    const cell = zoneout(inner, { h: 0.3, c: 0.5 });
    const xs = seq(6, 25, 3);
    await expectNoLeaks(async () => {
      const outs = await steps(cell, xs, { training: true, seed: 4, extras: true });
      const kept = { h: 0, c: 0 };
      let total = 0;
      tf.tidy(() => {
        let prev = inner.initialState(25);
        xs.forEach((x, t) => {
          const [, cand] = inner.step(prev, tf.tensor2d(x)); // h̃_t, c̃_t from the zoned previous state
          const now = outs[t].state!;
          for (const key of ['h', 'c'] as const) {
            const d = outs[t].extras![`zoneout.${key}`].dataSync();
            const p = prev[key].dataSync();
            const q = cand[key].dataSync();
            const n = now[key].dataSync();
            for (let i = 0; i < n.length; i++) {
              expect(Math.abs(n[i] - (d[i] === 1 ? p[i] : q[i]))).toBeLessThan(1e-6);
              kept[key] += d[i];
            }
          }
          total += 25 * 8;
          expect(outs[t].y.dataSync()).toEqual(now.h.dataSync()); // y is the zoned h
          prev = { h: tf.clone(now.h), c: tf.clone(now.c) } as typeof prev;
        });
      });
      expect(Math.abs(kept.h / total - 0.3)).toBeLessThan(0.06); // n = 1,200: σ ≈ 0.013
      expect(Math.abs(kept.c / total - 0.5)).toBeLessThan(0.06);
      disposeSteps(outs);
    });
    cell.dispose();
  });

  it('uses the expectation z·h_{t−1} + (1 − z)·h̃_t at inference; reproducible with a seed at training', async () => {
    const inner = gruCell({ inputSize: 2, hiddenSize: 4, seed: 8 });
    const cell = zoneout(inner, { h: 0.2 });
    const xs = seq(4, 2, 2);
    const got = await run(cell, xs, {});
    tf.tidy(() => {
      let h = tf.zeros([2, 4]) as tf.Tensor2D;
      xs.forEach((x, t) => {
        const [cand] = inner.step({ h }, tf.tensor2d(x));
        h = tf.add(tf.mul(0.2, h), tf.mul(0.8, cand)) as tf.Tensor2D;
        expect(Math.max(...(tf.abs(tf.sub(h, tf.tensor2d(got[t]))).dataSync() as Float32Array))).toBeLessThan(1e-6);
      });
    });
    const a = await run(cell, xs, { training: true, seed: 1 });
    expect(await run(cell, xs, { training: true, seed: 1 })).toEqual(a);
    expect(await run(cell, xs, { training: true, seed: 2 })).not.toEqual(a);
    cell.dispose();
  });

  it('with rates 0 is exactly the inner cell, in both modes', async () => {
    const plain = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 3 });
    const cell = zoneout(lstmCell({ inputSize: 2, hiddenSize: 3, seed: 3 }), {});
    const xs = seq(3, 2, 2);
    const ref = await run(plain, xs, {});
    expect(await run(cell, xs, {})).toEqual(ref);
    expect(await run(cell, xs, { training: true, seed: 5 })).toEqual(ref);
    plain.dispose();
    cell.dispose();
  });
  it('gradients match finite differences, at inference and at training with a fixed rng', () => {
    const cell = zoneout(lstmCell({ inputSize: 2, hiddenSize: 3, seed: 4 }), { h: 0.3, c: 0.2 });
    const xs = smallInputs(3, 2, 2);
    for (const training of [false, true]) {
      const loss = () =>
        tf.tidy(() => {
          const ctx = { training, rng: createRng(8) };
          let s = cell.initialState(2);
          let total = tf.scalar(0);
          for (const x of xs) {
            const [y, next] = cell.step(s, x, ctx);
            s = next;
            total = tf.add(total, tf.sum(tf.mul(y, tf.sin(tf.mul(y, 3)))));
          }
          return total as tf.Scalar;
        });
      expect(gradCheck(loss, cell.params as Record<string, tf.Variable>).checked).toBeGreaterThan(20);
    }
    xs.forEach((x) => x.dispose());
    cell.dispose();
  });
});

describe('regularised operator', () => {
  it('leaks nothing on complete, error and unsubscribe, at training and at inference', async () => {
    const cells = [
      variationalDropout(lstmCell({ inputSize: 3, hiddenSize: 2 }), { input: 0.2, recurrent: 0.2 }),
      zoneout(lstmCell({ inputSize: 3, hiddenSize: 2 }), { h: 0.1, c: 0.1 }),
      zoneout(variationalDropout(gruCell({ inputSize: 3, hiddenSize: 2 }), { input: 0.1 }), { h: 0.2 }),
    ];
    for (const cell of cells) {
      await expectOperatorNoLeaks(cell, regularised as never, [0.5, 0.5, -1], { training: true, seed: 3 });
      await expectOperatorNoLeaks(cell, regularised as never, [0.5, 0.5, -1]);
      cell.dispose();
    }
  });

  it('wrappers prefix the inner parameters, nest their configs and round-trip through the registry', async () => {
    const cell = zoneout(variationalDropout(lstmCell({ inputSize: 2, hiddenSize: 3, seed: 2 }), { input: 0.1, recurrent: 0.2 }), { h: 0.1, c: 0.2 });
    expect(Object.keys(cell.params).sort()).toEqual(['inner.inner.bias', 'inner.inner.kernel', 'inner.inner.recurrentKernel']);
    expect(cell.config).toMatchObject({ kind: 'zoneout', h: 0.1, c: 0.2, inner: { kind: 'variational-dropout', input: 0.1, recurrent: 0.2, inner: { kind: 'lstm' } } });
    const copy = cellFromConfig(JSON.parse(JSON.stringify(cell.config)), cellWeights(cell));
    const xs = seq(3, 2, 2);
    expect(await run(copy, xs, { training: true, seed: 4 })).toEqual(await run(cell, xs, { training: true, seed: 4 }));
    cell.dispose();
    copy.dispose();
  });

  it('rejects bad input with clear errors', () => {
    const before = tf.memory().numTensors; // errors leave nothing allocated
    const g = gruCell({ inputSize: 2, hiddenSize: 2 });
    expect(() => variationalDropout(g, { input: 1 })).toThrow(/variationalDropout: options.input: expected a rate in \[0, 1\), received number 1/);
    expect(() => variationalDropout(g, { recurrent: 0.1, stateKey: 'c' })).toThrow(/variationalDropout: options.stateKey: expected an entry \[B, n\] of the inner state \(h\), received "c"/);
    expect(() => zoneout(g, { c: 0.1 })).toThrow(/zoneout: options.c: expected 0, or a state entry 'c' in the inner cell \(its state has h\), received 0.1/);
    expect(() => zoneout(g, { x: 0.1 } as never)).toThrow(/zoneout: options.x: expected one of 'h', 'c', received unknown option "x"/);
    expect(() => zoneout(g, { h: -0.1 })).toThrow(/zoneout: options.h: expected a rate in \[0, 1\)/);
    expect(() => regularised(g as never)).toThrow(/regularised: cell: expected a cell of kind 'variational-dropout' or 'zoneout', received a 'gru' cell/);
    const z = zoneout(g, { h: 0.1 });
    tf.tidy(() => {
      expect(() => z.step(z.initialState(1), tf.ones([1, 2]) as tf.Tensor2D, { training: true })).toThrow(/zoneout.step: ctx.rng: expected a seeded Rng when ctx.training is true, received undefined/);
    });
    const v = variationalDropout(gruCell({ inputSize: 2, hiddenSize: 2 }), { input: 0.5 });
    expect(() => variationalDropout(v, { input: 0.1 })).toThrow(/variationalDropout: cell: expected a cell whose state has no 'dropout.' entries/);
    v.dispose();
    z.dispose();
    expect(g.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
