import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from, Subject, throwError, concat, take, range, map } from 'rxjs';
import { expectNoLeaks, collect } from '@rxrnn/testing';
import { defineCell, type Cell } from '../cell.js';
import { createTrainer } from './trainer.js';
import { learnOnline, type OnlinePair } from './learn-online.js';

/** h_t = tanh(x_t u + h_{t−1} w + b), logits = h_t v. */
function tinyModel(seed: number): Cell {
  const r = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 3.3 + i * 2.1) * k);
  const X = 2, H = 8, V = 2;
  return defineCell<{ u: tf.Tensor2D; w: tf.Tensor2D; b: tf.Tensor1D; v: tf.Tensor2D }, { h: tf.Tensor2D }>({
    kind: 'tiny-lm',
    inputSize: X,
    outputSize: V,
    config: {},
    params: { u: { shape: [X, H], data: r(X * H, 0.5) }, w: { shape: [H, H], data: r(H * H, 0.3) }, b: { shape: [H], data: r(H, 0) }, v: { shape: [H, V], data: r(H * V, 0.5) } },
    initialState: (_p, B) => ({ h: tf.zeros([B, H]) as tf.Tensor2D }),
    step: (p, s, x) => {
      const h = tf.tanh(tf.add(tf.add(tf.matMul(x, p.u), tf.matMul(s.h, p.w)), p.b)) as tf.Tensor2D; // [B, H]
      return [tf.matMul(h, p.v) as tf.Tensor2D, { h }]; // [B, V]
    },
  });
}

// The task: the target at t is the input bit at t − 1 (needs the recurrent state). One-hot input.
const stream = (n: number, seed = 1) => {
  const bits: number[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) bits.push((s = (s * 1103515245 + 12345) % 2147483648) > 1073741824 ? 1 : 0);
  return bits.map((bit, t): OnlinePair => ({ x: bit ? [0, 1] : [1, 0], target: [t > 0 ? bits[t - 1] : 0] }));
};

describe('learnOnline', () => {
  it('learns a delayed-copy task from the stream itself (loss falls), updating every k1 steps', async () => {
    const cell = tinyModel(2);
    // The trainer (and its optimiser's slots) are freed inside the check too.
    const out = await expectNoLeaks(async () => {
      const trainer = createTrainer({ cell, optimizer: { kind: 'adam', lr: 0.05 }, clipNorm: 5 });
      const r = await collect(from(stream(600)).pipe(learnOnline(trainer, { k1: 10, k2: 20 })));
      trainer.dispose();
      return r;
    });
    expect(out.length).toBe(60);
    expect(out.map((r) => r.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const first = out.slice(0, 5).reduce((s, r) => s + r.loss, 0) / 5;
    const last = out.slice(-5).reduce((s, r) => s + r.loss, 0) / 5;
    expect(first).toBeGreaterThan(0.5); // about ln 2 at the start
    expect(last).toBeLessThan(0.1);
    cell.dispose();
  });

  it('updates on the leftover steps at complete', async () => {
    const cell = tinyModel(3);
    const trainer = createTrainer({ cell, optimizer: { kind: 'sgd', lr: 0.1 } });
    const out = await expectNoLeaks(() => collect(from(stream(25)).pipe(learnOnline(trainer, { k1: 10 }))));
    expect(out.map((r) => r.tokens)).toEqual([10, 10, 5]);
    const none = await expectNoLeaks(() => collect(from(stream(25)).pipe(learnOnline(trainer, { k1: 10, flushOnComplete: false }))));
    expect(none.length).toBe(2);
    trainer.dispose();
    cell.dispose();
  });

  it('frees everything on error and on early unsubscribe', async () => {
    const cell = tinyModel(4);
    const trainer = createTrainer({ cell, optimizer: { kind: 'adam', lr: 0.01 } });
    // Warm the optimiser up, so its slots exist before the leak checks.
    await collect(from(stream(10)).pipe(learnOnline(trainer, { k1: 5 })));
    await expectNoLeaks(async () => {
      const err = await collect(concat(from(stream(13)), throwError(() => new Error('boom'))).pipe(learnOnline(trainer, { k1: 5, k2: 8 }))).catch((e: Error) => e);
      expect((err as Error).message).toBe('boom');
    }, 'error');
    await expectNoLeaks(async () => {
      const got = await collect(range(0, 1000).pipe(map((i) => stream(1000)[i]), learnOnline(trainer, { k1: 4, k2: 8 }), take(3)));
      expect(got.length).toBe(3);
    }, 'unsubscribe');
    await expectNoLeaks(async () => {
      const subject = new Subject<OnlinePair>();
      const seen: number[] = [];
      const sub = subject.pipe(learnOnline(trainer, { k1: 3, k2: 6 })).subscribe((r) => seen.push(r.step));
      const xs = stream(7).map((p) => ({ ...p, x: tf.tensor1d(p.x as number[]) }));
      for (const p of xs) subject.next(p);
      sub.unsubscribe();
      tf.dispose(xs.map((p) => p.x)); // the caller's tensors: the operator copies what it keeps
      expect(seen.length).toBe(2);
    }, 'tensors in, unsubscribe mid-window');
    await expectNoLeaks(async () => {
      const err = await collect(from([{ x: [1, 0, 0], target: [1] }]).pipe(learnOnline(trainer, { k1: 2 }))).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/learnOnline: value.x: expected an array of length 2/);
    }, 'bad input');
    expect(() => learnOnline(trainer, { k1: 4, k2: 2 })).toThrow(/createTbptt: options.k2: expected an integer ≥ k1 \(4\), received number 2/);
    trainer.dispose();
    cell.dispose();
  });
});
