// The fused kernels used automatically: lstmCell/gruCell/rnnCell step on them by default, every
// cell and stack runs whole chunks through `sequence`, the trainer takes that path — and every
// number equals the plain tfjs step's (fused: false) within float32 round-off.
import { describe, it, expect, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTrainer, runCellSequence, unrollSteps, unrollLoss, softmaxCrossEntropy, createRng, type Cell, type State } from '@rxrnn/core';
import { expectNoLeaks, expectClose } from '@rxrnn/testing';
import { lstmCell, gruCell, rnnCell, embeddingCell, denseCell, stackCells, lstmVariantCell, isFused } from '../index.js';

/** embedding → LSTM → GRU(reset-before) → RNN relu → dense, fused or not, same weights (same seeds). */
function model(fused: boolean, dropout = 0): Cell {
  return stackCells(
    [
      embeddingCell({ vocabSize: 11, embeddingSize: 5, seed: 1 }),
      lstmCell({ inputSize: 5, hiddenSize: 7, seed: 2, fused }),
      gruCell({ inputSize: 7, hiddenSize: 6, seed: 3, resetAfter: false, fused }),
      rnnCell({ inputSize: 6, hiddenSize: 5, seed: 4, activation: 'relu', fused }),
      denseCell({ inputSize: 5, outputSize: 11, seed: 5 }),
    ],
    { dropout },
  );
}

function tokens(T: number, B: number, seed: number): { inputs: tf.Tensor3D; targets: tf.Tensor2D } {
  const rng = createRng(seed);
  const ids = Array.from({ length: (T + 1) * B }, () => rng.int(11));
  return {
    inputs: tf.tensor3d(ids.slice(0, T * B), [T, B, 1]),
    targets: tf.tensor2d(ids.slice(B), [T, B], 'int32'),
  };
}

const kernelsEnv = process.env.RXRNN_KERNELS;
afterEach(() => {
  if (kernelsEnv === undefined) delete process.env.RXRNN_KERNELS;
  else process.env.RXRNN_KERNELS = kernelsEnv;
});

describe('fused kernels, used automatically', () => {
  it('lstmCell, gruCell and rnnCell are fused by default; fused: false, { enabled: false }, RXRNN_KERNELS=off and uncovered configs are not', () => {
    const cells = [lstmCell({ inputSize: 3, hiddenSize: 4 }), gruCell({ inputSize: 3, hiddenSize: 4 }), rnnCell({ inputSize: 3, hiddenSize: 4 })];
    expect(cells.map((c) => isFused(c) && c.fused)).toEqual([true, true, true]);
    expect(cells.every((c) => typeof c.sequence === 'function')).toBe(true);
    const plain = [lstmCell({ inputSize: 3, hiddenSize: 4, fused: false }), rnnCell({ inputSize: 3, hiddenSize: 4, activation: 'step' }), lstmCell({ inputSize: 3, hiddenSize: 4, activation: 'softsign' })];
    plain.push(gruCell({ inputSize: 3, hiddenSize: 4, fused: { enabled: false } }));
    process.env.RXRNN_KERNELS = 'off';
    plain.push(gruCell({ inputSize: 3, hiddenSize: 4 }));
    expect(plain.map((c) => isFused(c))).toEqual([false, false, false, false, false]);
    expect(plain.map((c) => c.sequence)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    [...cells, ...plain].forEach((c) => c.dispose());
  });

  it('a stack runs a chunk layer by layer with the same outputs and final state as stepping (B = 1 and 3)', async () => {
    const fused = model(true);
    const plain = model(false);
    for (const B of [1, 3]) {
      const { inputs, targets } = tokens(9, B, B);
      await expectNoLeaks(() => {
        tf.tidy(() => {
          const s0 = fused.initialState(B);
          const [ys, s] = runCellSequence(fused, s0, inputs);
          const [ref, sr] = unrollSteps(plain, plain.initialState(B), inputs);
          expect(ys.shape).toEqual([9, B, 11]);
          expectClose(ys.dataSync(), ref.dataSync(), 1e-5, 0, 'ys');
          expect(Object.keys(s).sort()).toEqual(Object.keys(sr).sort());
          for (const k of Object.keys(s)) expectClose(s[k].dataSync(), sr[k].dataSync(), 1e-5, 0, `state ${k}`);
        });
      }, `sequence B=${B}`);
      tf.dispose([inputs, targets]);
    }
    fused.dispose();
    plain.dispose();
  });

  it('unrollLoss takes the chunk path (lossFrom too) and its gradients equal the stepped ones', async () => {
    const fused = model(true);
    const plain = model(false);
    const { inputs, targets } = tokens(8, 2, 7);
    for (const lossFrom of [0, 3]) {
      const grads = (cell: Cell) =>
        tf.tidy(() => {
          const vars = Object.values(cell.params);
          const { value, grads } = tf.variableGrads(() => unrollLoss(cell, cell.initialState(2), { inputs, targets }, softmaxCrossEntropy, { lossFrom }).loss, vars);
          return { loss: value.dataSync()[0], g: Object.fromEntries(Object.entries(grads).map(([k, t]) => [k.replace(/_\d+$/, ''), Array.from(t.dataSync())])) };
        });
      const a = await expectNoLeaks(() => grads(fused), 'fused gradients');
      const b = grads(plain);
      expect(a.loss).toBeCloseTo(b.loss, 5);
      const ga = Object.values(a.g);
      const gb = Object.values(b.g);
      expect(ga.length).toBe(Object.keys(fused.params).length);
      ga.forEach((g, i) => expectClose(g, gb[i], 1e-5, 1e-4, `gradient ${Object.keys(a.g)[i]} (lossFrom ${lossFrom})`));
    }
    tf.dispose([inputs, targets]);
    fused.dispose();
    plain.dispose();
  });

  it('the trainer updates a fused model exactly as a plain one (three Adam steps, carried state)', async () => {
    const run = (cell: Cell) => {
      const trainer = createTrainer({ cell, optimizer: { kind: 'adam', lr: 0.01 }, clipNorm: 1, seed: 1 });
      let carried: State | undefined;
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const batch = tokens(6, 3, 20 + i);
        const r = trainer.trainBatch(batch, { initialState: carried, keepFinal: true });
        tf.dispose([batch.inputs, batch.targets]);
        if (carried) tf.dispose(Object.values(carried));
        carried = r.final;
        losses.push(r.loss);
      }
      if (carried) tf.dispose(Object.values(carried));
      trainer.dispose();
      return { losses, params: Object.values(cell.params).map((p) => Array.from(p.dataSync())) };
    };
    const fused = model(true);
    const plain = model(false);
    const a = await expectNoLeaks(() => run(fused), 'fused training');
    const b = run(plain);
    a.losses.forEach((l, i) => expect(l).toBeCloseTo(b.losses[i], 5));
    a.params.forEach((p, i) => expectClose(p, b.params[i], 1e-5, 1e-4, `param ${i}`));
    fused.dispose();
    plain.dispose();
  });

  it('masked batches (variable lengths, padded rows keep their state) step on the kernels with the plain step’s loss, gradients and final state', () => {
    const fused = model(true);
    const plain = model(false);
    const [T, B] = [7, 3];
    const { inputs, targets } = tokens(T, B, 31);
    // lengths 7, 4 and 1 (padding at the end), and a hole in the middle of row 0
    const m = Array.from({ length: T * B }, (_, i) => {
      const [t, b] = [Math.floor(i / B), i % B];
      return b === 0 ? (t === 3 ? 0 : 1) : b === 1 ? (t < 4 ? 1 : 0) : t < 1 ? 1 : 0;
    });
    const mask = tf.tensor2d(m, [T, B]);
    const run = (cell: Cell) => {
      let final: number[][] = [];
      const { value, grads } = tf.variableGrads(() => {
        const r = unrollLoss(cell, cell.initialState(B), { inputs, targets, mask }, softmaxCrossEntropy);
        final = Object.keys(r.final).sort().map((k) => Array.from(r.final[k].dataSync()));
        return r.loss;
      }, Object.values(cell.params) as tf.Variable[]);
      const out = { loss: value.dataSync()[0], final, grads: Object.keys(cell.params).map((k) => Array.from(grads[cell.params[k].name].dataSync())) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const a = run(fused);
    const b = run(plain);
    expect(a.loss).toBeCloseTo(b.loss, 5);
    a.final.forEach((f, i) => expectClose(f, b.final[i], 1e-5, 1e-5, `final state ${i}`));
    a.grads.forEach((g, i) => expectClose(g, b.grads[i], 1e-5, 1e-5, `gradient ${i}`));
    tf.dispose([inputs, targets, mask]);
    fused.dispose();
    plain.dispose();
  });

  it('with dropout in training a stack runs whole chunks with the masks stepping would draw: same numbers as stepping', () => {
    const cell = model(true, 0.3);
    const { inputs, targets } = tokens(5, 2, 3);
    tf.tidy(() => {
      const [ys] = runCellSequence(cell, cell.initialState(2), inputs, { training: true, rng: createRng(5) });
      const [ref] = unrollSteps(cell, cell.initialState(2), inputs, { training: true, rng: createRng(5) });
      expectClose(ys, ref, 1e-5, 1e-5, 'ys with dropout');
      // dropout did something: without it the outputs differ
      const [plain] = runCellSequence(cell, cell.initialState(2), inputs, {});
      expect(Math.max(...Array.from(tf.abs(tf.sub(plain, ref)).dataSync()))).toBeGreaterThan(1e-3);
      // and gradients through the masked chunk match stepping's
      const loss = (f: typeof runCellSequence) => () =>
        tf.tidy(() => tf.mean(softmaxCrossEntropy(tf.reshape(f(cell, cell.initialState(2), inputs, { training: true, rng: createRng(9) })[0], [10, 11]) as tf.Tensor2D, targets)) as tf.Scalar);
      const ga = tf.variableGrads(loss(runCellSequence), Object.values(cell.params));
      const gb = tf.variableGrads(loss(unrollSteps as typeof runCellSequence), Object.values(cell.params));
      for (const v of Object.values(cell.params)) expectClose(ga.grads[v.name], gb.grads[v.name], 1e-5, 1e-4, `d${v.name} with dropout`);
      tf.dispose([ga as never, gb as never]);
    });
    tf.dispose([inputs, targets]);
    cell.dispose();
  });

  it('cells without a sequence form are unrolled; bad chunks get a clear error', () => {
    const cell = lstmVariantCell({ variant: 'FGR', inputSize: 3, hiddenSize: 4, seed: 1 }); // (FGR is not fused)
    expect(cell.sequence).toBeUndefined();
    tf.tidy(() => {
      const x = tf.randomNormal([4, 2, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
      const [ys] = runCellSequence(cell, cell.initialState(2), x);
      const [ref] = unrollSteps(cell, cell.initialState(2), x);
      expect(Array.from(ys.dataSync())).toEqual(Array.from(ref.dataSync()));
      expect(() => runCellSequence(cell, cell.initialState(2), tf.zeros([4, 2, 5]) as tf.Tensor3D)).toThrow(
        /runCellSequence: xs: expected a tensor of shape \[T ≥ 1, B, 3\], received a float32 tensor of shape \[4, 2, 5\]/,
      );
    });
    cell.dispose();
  });
});
