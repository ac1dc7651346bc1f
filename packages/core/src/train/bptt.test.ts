import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectNoLeaks, gradCheck } from '@rxrnn/testing';
import { defineCell, type Cell } from '../cell.js';
import { unrollLoss } from './bptt-step.js';
import { mse, softmaxCrossEntropy } from './losses.js';
import { clipByGlobalNorm, clipByValue } from './clip.js';
import { learningRateAt } from './schedules.js';
import { createTrainer } from './trainer.js';
import { createTbptt } from './tbptt.js';

/** h_t = act(x_t u + h_{t−1} w + b), y_t = h_t: a tiny RNN written here so core tests need no cells package. */
function tinyRnn(X: number, H: number, seed: number, act: 'linear' | 'tanh' = 'tanh'): Cell {
  const r = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.7) * k);
  return defineCell<{ u: tf.Tensor2D; w: tf.Tensor2D; b: tf.Tensor1D }, { h: tf.Tensor2D }>({
    kind: 'tiny',
    inputSize: X,
    outputSize: H,
    config: {},
    params: { u: { shape: [X, H], data: r(X * H, 0.6) }, w: { shape: [H, H], data: r(H * H, 0.5) }, b: { shape: [H], data: r(H, 0.1) } },
    initialState: (_p, B) => ({ h: tf.zeros([B, H]) as tf.Tensor2D }),
    step: (p, s, x) => {
      const z = tf.add(tf.add(tf.matMul(x, p.u), tf.matMul(s.h, p.w)), p.b) as tf.Tensor2D; // [B, H]
      const h = act === 'tanh' ? tf.tanh(z) : z;
      return [h, { h }];
    },
  });
}

const seq = (T: number, B: number, X: number, k = 1) => tf.tensor3d(Float32Array.from({ length: T * B * X }, (_, i) => Math.cos(i * 0.9 + k)), [T, B, X]);

describe('BPTT', () => {
  it('equals the sum over time of the per-step gradients, computed by hand (scalar linear RNN)', async () => {
    // h_t = u x_t + w h_{t−1} + b, L = (1/T) Σ_t ½(h_t − y_t)².
    // δ_t = ∂L/∂h_t = (h_t − y_t)/T + w δ_{t+1};  ∂L/∂w = Σ_t δ_t h_{t−1},  ∂L/∂u = Σ_t δ_t x_t,  ∂L/∂b = Σ_t δ_t.
    const cell = tinyRnn(1, 1, 3, 'linear');
    const [u, w, b] = ['u', 'w', 'b'].map((k) => cell.params[k].dataSync()[0]);
    const xs = [0.5, -1, 2, 0.25, -0.75];
    const ys = [0.1, 0.3, -0.2, 0.6, 0];
    const T = xs.length;
    const h: number[] = [];
    let prev = 0;
    for (const x of xs) h.push((prev = u * x + w * prev + b));
    const delta = new Array<number>(T).fill(0);
    for (let t = T - 1; t >= 0; t--) delta[t] = (h[t] - ys[t]) / T + (t + 1 < T ? w * delta[t + 1] : 0);
    const byHand = {
      w: delta.reduce((s, d, t) => s + d * (t > 0 ? h[t - 1] : 0), 0),
      u: delta.reduce((s, d, t) => s + d * xs[t], 0),
      b: delta.reduce((s, d) => s + d, 0),
    };
    await expectNoLeaks(() => {
      const inputs = tf.tensor3d(xs, [T, 1, 1]);
      const targets = tf.tensor3d(ys, [T, 1, 1]);
      const s0 = cell.initialState(1);
      const { value, grads } = tf.variableGrads(() => unrollLoss(cell, s0, { inputs, targets }, mse).loss, Object.values(cell.params));
      const expected = ys.reduce((s, y, t) => s + 0.5 * (h[t] - y) ** 2, 0) / T;
      expect(value.dataSync()[0]).toBeCloseTo(expected, 5);
      for (const k of ['w', 'u', 'b'] as const) expect(grads[cell.params[k].name].dataSync()[0]).toBeCloseTo(byHand[k], 5);
      tf.dispose([value, ...Object.values(grads), inputs, targets, ...Object.values(s0)]);
    });
    cell.dispose();
  });

  it('matches finite differences on a tanh RNN with cross entropy', () => {
    const cell = tinyRnn(2, 3, 5);
    const inputs = seq(6, 2, 2);
    const targets = tf.tensor2d([0, 1, 2, 1, 0, 2, 2, 2, 1, 0, 1, 1], [6, 2], 'int32');
    const s0 = cell.initialState(2);
    const report = gradCheck(() => unrollLoss(cell, s0, { inputs, targets }, softmaxCrossEntropy).loss, cell.params as Record<string, tf.Variable>);
    expect(report.checked).toBeGreaterThan(10);
    tf.dispose([inputs, targets, ...Object.values(s0)]);
    cell.dispose();
  });

  it('masking ignores padded steps: loss, gradient and final state as if the padding were not there', async () => {
    const cell = tinyRnn(2, 3, 7);
    await expectNoLeaks(() => {
      const T = 5;
      const full = seq(T, 2, 2, 2); // row 0: 5 real steps; row 1: 3 real steps, then garbage
      const junk = tf.tidy(() => tf.concat([tf.slice(full, [0, 0, 0], [T, 1, 2]), tf.concat([tf.slice(full, [0, 1, 0], [3, 1, 2]), tf.fill([2, 1, 2], 99)], 0)], 1)) as tf.Tensor3D;
      const targets = tf.tensor3d(Float32Array.from({ length: T * 2 * 3 }, (_, i) => Math.sin(i)), [T, 2, 3]);
      const mask = tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 0, 1, 0], [T, 2]);
      const vars = Object.values(cell.params);
      const s0 = cell.initialState(2);
      let finalMasked: tf.Tensor | null = null;
      const masked = tf.variableGrads(() => {
        const r = unrollLoss(cell, s0, { inputs: junk, targets, mask }, mse);
        finalMasked = tf.keep(r.final.h.clone());
        return r.loss;
      }, vars);
      // The same by hand: each row alone, unpadded; the mean over its 8 real steps.
      const row = (b: number, len: number) => ({
        inputs: tf.slice(full, [0, b, 0], [len, 1, 2]) as tf.Tensor3D,
        targets: tf.slice(targets, [0, b, 0], [len, 1, 3]),
      });
      const r0 = row(0, 5);
      const r1 = row(1, 3);
      const s1 = cell.initialState(1);
      let finalRow1: tf.Tensor | null = null;
      const byRow = tf.variableGrads(() => {
        const a = unrollLoss(cell, s1, r0, mse);
        const b = unrollLoss(cell, s1, r1, mse);
        finalRow1 = tf.keep(b.final.h.clone());
        return tf.div(tf.add(a.sum, b.sum), 8) as tf.Scalar;
      }, vars);
      expect(masked.value.dataSync()[0]).toBeCloseTo(byRow.value.dataSync()[0], 5);
      for (const v of vars) {
        const a = masked.grads[v.name].dataSync();
        const b = byRow.grads[v.name].dataSync();
        a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 5));
      }
      const fm = (finalMasked as unknown as tf.Tensor).arraySync() as number[][];
      const fr = (finalRow1 as unknown as tf.Tensor).arraySync() as number[][];
      fm[1].forEach((x, i) => expect(x).toBeCloseTo(fr[0][i], 5));
      tf.dispose([full, junk, targets, mask, r0.inputs, r0.targets, r1.inputs, r1.targets, masked.value, byRow.value, finalMasked as unknown as tf.Tensor, finalRow1 as unknown as tf.Tensor]);
      tf.dispose([...Object.values(masked.grads), ...Object.values(byRow.grads), ...Object.values(s0), ...Object.values(s1)]);
    });
    cell.dispose();
  });
});

describe('truncated BPTT', () => {
  it('carries the state across chunks but cuts the gradient at the boundary', async () => {
    const cell = tinyRnn(2, 3, 11);
    const trainer = createTrainer({ cell, loss: 'mse', optimizer: { kind: 'sgd', lr: 0.5 } });
    const vars = Object.values(cell.params);
    await expectNoLeaks(() => {
      const x = seq(8, 2, 2, 4);
      const y = tf.tensor3d(Float32Array.from({ length: 8 * 2 * 3 }, (_, i) => Math.cos(i * 0.3)), [8, 2, 3]);
      const c1 = { inputs: tf.slice(x, [0, 0, 0], [4, 2, 2]) as tf.Tensor3D, targets: tf.slice(y, [0, 0, 0], [4, 2, 3]) };
      const c2 = { inputs: tf.slice(x, [4, 0, 0], [4, 2, 2]) as tf.Tensor3D, targets: tf.slice(y, [4, 0, 0], [4, 2, 3]) };
      // Chunk 1 with a learning rate of ~0 so the weights stay put for the comparison.
      const s0 = cell.initialState(2);
      const full = tf.variableGrads(() => unrollLoss(cell, s0, { inputs: x, targets: y }, mse, { lossFrom: 4 }).loss, vars);
      const before = vars.map((v) => v.clone());
      const r1 = trainer.trainBatch(c1, { keepFinal: true });
      // Undo chunk 1's update: compare chunk 2 against the same weights.
      vars.forEach((v, i) => v.assign(before[i]));
      // The carried state is the state after 4 steps of the full unroll.
      const after4 = tf.tidy(() => unrollLoss(cell, s0, c1, mse).final.h);
      expect(Array.from(r1.final!.h.dataSync())).toEqual(Array.from(after4.dataSync()));
      // Chunk 2's gradient, from the carried state as a constant …
      const cut = tf.variableGrads(() => unrollLoss(cell, r1.final!, c2, mse).loss, vars);
      // … equals what the trainer applies (SGD: Δw = −lr g) and differs from full BPTT's.
      const r2 = trainer.trainBatch(c2, { initialState: r1.final });
      expect(r2.loss).toBeCloseTo(full.value.dataSync()[0], 5); // same forward values
      let differs = 0;
      vars.forEach((v, i) => {
        const g = cut.grads[v.name].dataSync();
        const applied = tf.tidy(() => tf.div(tf.sub(before[i], v), 0.5).dataSync());
        g.forEach((gi, j) => expect(applied[j]).toBeCloseTo(gi, 4));
        const gf = full.grads[v.name].dataSync();
        g.forEach((gi, j) => (differs = Math.max(differs, Math.abs(gi - gf[j]))));
      });
      expect(differs).toBeGreaterThan(1e-3);
      tf.dispose([x, y, c1.inputs, c1.targets, c2.inputs, c2.targets, after4, full.value, cut.value, ...before, ...Object.values(full.grads), ...Object.values(cut.grads), ...Object.values(s0), ...Object.values(r1.final!)]);
    });
    trainer.dispose();
    cell.dispose();
  });

  it('TBPTT(k1=2, k2=4) on a stream updates every k1 steps and counts the loss of the k1 new steps', async () => {
    const cell = tinyRnn(2, 3, 13);
    const trainer = createTrainer({ cell, loss: 'mse', optimizer: { kind: 'sgd', lr: 1e-30 } }); // weights fixed
    await expectNoLeaks(() => {
      const T = 8;
      const x = seq(T, 1, 2, 5);
      const y = tf.tensor3d(Float32Array.from({ length: T * 3 }, (_, i) => Math.sin(i * 0.5)), [T, 1, 3]);
      // Per-step losses of the whole stream in one unroll.
      const s0 = cell.initialState(1);
      const perStep: number[] = [];
      for (let t = 0; t < T; t++) perStep.push(tf.tidy(() => unrollLoss(cell, s0, { inputs: tf.slice(x, 0, t + 1) as tf.Tensor3D, targets: tf.slice(y, 0, t + 1) }, mse, { lossFrom: t }).loss.dataSync()[0]));
      const session = createTbptt(trainer, { k1: 2, k2: 4 });
      const reports: number[] = [];
      const norms: number[] = [];
      const xs = tf.unstack(x) as tf.Tensor2D[];
      const ys = tf.unstack(y);
      for (let t = 0; t < T; t++) {
        const r = session.push(xs[t], ys[t]);
        if (r) {
          reports.push(r.loss);
          norms.push(r.gradNorm);
        } else expect(t % 2).toBe(0);
      }
      expect(reports.length).toBe(4);
      reports.forEach((l, j) => expect(l).toBeCloseTo((perStep[2 * j] + perStep[2 * j + 1]) / 2, 5));
      // The 4th update (steps 6, 7) backpropagates through steps 4…7 only, from the state after step 3.
      const vars = Object.values(cell.params);
      const g = tf.tidy(() => {
        const s3 = unrollLoss(cell, s0, { inputs: tf.slice(x, 0, 4) as tf.Tensor3D, targets: tf.slice(y, 0, 4) }, mse).final;
        const { value, grads } = tf.variableGrads(() => unrollLoss(cell, s3, { inputs: tf.slice(x, 4, 4) as tf.Tensor3D, targets: tf.slice(y, 4, 4) }, mse, { lossFrom: 2 }).loss, vars);
        value.dispose();
        return Math.sqrt(Object.values(grads).reduce((s, t) => s + tf.sum(tf.square(t)).dataSync()[0], 0));
      });
      expect(norms[3]).toBeCloseTo(g, 5);
      session.dispose();
      tf.dispose([x, y, ...xs, ...ys, ...Object.values(s0)]);
    });
    trainer.dispose();
    cell.dispose();
  });
});

describe('clipping and schedules', () => {
  it('clips by global norm and by value', async () => {
    await expectNoLeaks(() => {
      const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // ‖g‖ = 5
      const c = clipByGlobalNorm(g, 1);
      expect(c.norm).toBeCloseTo(5, 5);
      expect(Array.from(c.grads.a.dataSync())).toEqual([expect.closeTo(0.6, 5), 0]);
      expect(Array.from(c.grads.b.dataSync())).toEqual([0, expect.closeTo(0.8, 5)]);
      const same = clipByGlobalNorm(g, 10);
      expect(Array.from(same.grads.b.dataSync())).toEqual([0, 4]);
      const v = clipByValue(g, 2);
      expect(Array.from(v.a.dataSync())).toEqual([2, 0]);
      tf.dispose([...Object.values(g), ...Object.values(c.grads), ...Object.values(same.grads), ...Object.values(v)]);
    });
  });

  it('a trainer with clipNorm moves the weights by at most lr × clip (SGD)', () => {
    const cell = tinyRnn(2, 3, 17);
    const trainer = createTrainer({ cell, loss: 'mse', optimizer: { kind: 'sgd', lr: 0.1 }, clipNorm: 1e-3 });
    const x = seq(4, 2, 2);
    const y = tf.mul(tf.ones([4, 2, 3]), 5);
    const before = Object.values(cell.params).map((v) => v.clone());
    const r = trainer.trainBatch({ inputs: x, targets: y });
    expect(r.gradNorm).toBeGreaterThan(1e-3);
    const moved = Math.sqrt(Object.values(cell.params).reduce((s, v, i) => s + tf.tidy(() => tf.sum(tf.square(tf.sub(v, before[i]))).dataSync()[0]), 0));
    expect(moved).toBeCloseTo(0.1 * 1e-3, 6);
    tf.dispose([x, y, ...before]);
    trainer.dispose();
    cell.dispose();
  });

  it('learning-rate schedules', () => {
    expect(learningRateAt(1, 5)).toBe(1);
    expect(learningRateAt(1, 25, { kind: 'step', every: 10, gamma: 0.5 })).toBe(0.25);
    expect(learningRateAt(1, 10, { kind: 'exponential', every: 10, gamma: 0.1 })).toBeCloseTo(0.1, 10);
    expect(learningRateAt(1, 50, { kind: 'cosine', total: 100, min: 0 })).toBeCloseTo(0.5, 10);
    expect(learningRateAt(1, 0, { kind: 'constant', warmup: 4 })).toBe(0.25);
    expect(learningRateAt(2, 25, { kind: 'linear', total: 100 })).toBeCloseTo(1.5, 10);
    expect(learningRateAt(2, 100, { kind: 'linear', total: 100, min: 0.2 })).toBeCloseTo(0.2, 10);
    expect(learningRateAt(2, 150, { kind: 'linear', total: 100 })).toBe(0);
    expect(() => createTrainer({ cell: tinyRnn(1, 1, 1), schedule: { kind: 'linear', total: 0 } })).toThrow(/createTrainer: options.schedule.total: expected a positive number, received number 0/);
    expect(() => createTrainer({ cell: tinyRnn(1, 1, 1), schedule: { kind: 'step', every: 0, gamma: 1 } })).toThrow(/createTrainer: options.schedule.every: expected a positive number, received number 0/);
  });
});

describe('checkpoint and resume', () => {
  for (const optimizer of [{ kind: 'adam', lr: 0.05 }, { kind: 'momentum', lr: 0.05 }, { kind: 'rmsprop', lr: 0.01 }] as const) {
    it(`a resumed ${optimizer.kind} run gives the identical next losses`, async () => {
      const batches = [0, 1, 2, 3, 4, 5].map((k) => ({ inputs: seq(5, 2, 2, k), targets: tf.tensor2d(Array.from({ length: 10 }, (_, i) => (i * 7 + k) % 3), [5, 2], 'int32') }));
      const a = tinyRnn(2, 3, 19);
      const ta = createTrainer({ cell: a, optimizer, clipNorm: 1, seed: 4, schedule: { kind: 'cosine', total: 6 } });
      for (const b of batches.slice(0, 3)) ta.trainBatch(b);
      const ckpt = await ta.checkpoint({ note: 'x' });
      const weights = Object.fromEntries(Object.entries(a.params).map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.dataSync()) }]));
      const json = JSON.parse(JSON.stringify(ckpt.json)); // what goes to disk
      const lossesA = batches.slice(3).map((b) => ta.trainBatch(b).loss);
      // A new process: fresh cell from the saved weights, fresh trainer, restore.
      const before = tf.memory().numTensors;
      const b = tinyRnn(2, 3, 99);
      for (const [k, v] of Object.entries(weights)) tf.tidy(() => b.params[k].assign(tf.tensor(v.data, v.shape)));
      const tb = createTrainer({ cell: b, optimizer, clipNorm: 1, seed: 4, schedule: { kind: 'cosine', total: 6 } });
      await tb.restore({ json, arrays: ckpt.arrays });
      expect(tb.step).toBe(3);
      expect(tb.lr).toBe(ta.lr === undefined ? NaN : learningRateAt(optimizer.lr, 3, { kind: 'cosine', total: 6 }));
      const lossesB = batches.slice(3).map((bb) => tb.trainBatch(bb).loss);
      expect(lossesB).toEqual(lossesA);
      tb.dispose();
      b.dispose();
      expect(tf.memory().numTensors).toBe(before);
      ta.dispose();
      a.dispose();
      for (const bb of batches) tf.dispose([bb.inputs, bb.targets]);
    });
  }

  it('rejects a checkpoint of another optimiser, and bad batches, with clear errors', async () => {
    const cell = tinyRnn(2, 3, 1);
    const t = createTrainer({ cell, optimizer: { kind: 'adam', lr: 1e-3 } });
    const ck = await t.checkpoint();
    const other = createTrainer({ cell, optimizer: { kind: 'sgd', lr: 1e-3 } });
    await expect(other.restore(ck)).rejects.toThrow(/trainer.restore: ckpt.json.optimizer.kind: expected 'sgd'/);
    const bad = tf.zeros([4, 2, 3]) as tf.Tensor3D;
    const tg = tf.zeros([4, 2]);
    expect(() => t.trainBatch({ inputs: bad, targets: tg })).toThrow(/trainer.trainBatch: batch.inputs: expected shape \[T, B, 2\], received a float32 tensor of shape \[4, 2, 3\]/);
    expect(() => createTrainer({ cell, optimizer: { kind: 'nope' as 'sgd', lr: 1 } })).toThrow(/options.optimizer.kind/);
    tf.dispose([bad, tg]);
    t.dispose();
    other.dispose();
    cell.dispose();
  });
});
