// fuseCell: the fused streaming step against the tfjs step of @rxrnn/cells (outputs, states,
// extras and gradients), fallbacks, errors, and leaks (tensors and WASM memory).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from, Subject, concat, of, throwError, type OperatorFunction } from 'rxjs';
import { readRows, type Cell, type State } from '@rxrnn/core';
import { expectNoLeaks, expectClose, collect } from '@rxrnn/testing';
import { lstmCell, gruCell, rnnCell, lstm, gru, rnn, fuseCell, fusedLstmCell } from '../index.js';
import { kernels } from '@rxrnn/kernels';

const rt = kernels()!;

type Make = (X: number, H: number) => Cell;
const families: [string, Make][] = [
  ['lstm', (X, H) => lstmCell({ fused: false, inputSize: X, hiddenSize: H, seed: 1, init: 'uniform' })],
  ['lstm with projection', (X, H) => lstmCell({ fused: false, inputSize: X, hiddenSize: H, projSize: Math.max(1, H - 2), seed: 6, init: 'uniform' })],
  ['gru reset-after', (X, H) => gruCell({ fused: false, inputSize: X, hiddenSize: H, seed: 2, init: 'uniform' })],
  ['gru reset-before', (X, H) => gruCell({ fused: false, inputSize: X, hiddenSize: H, seed: 3, init: 'uniform', resetAfter: false })],
  ['rnn tanh', (X, H) => rnnCell({ fused: false, inputSize: X, hiddenSize: H, seed: 4 })],
  ['rnn relu', (X, H) => rnnCell({ fused: false, inputSize: X, hiddenSize: H, seed: 5, activation: 'relu' })],
];
// odd sizes (not multiples of the 4-lane SIMD width or the 4×8 tile), batch 1 and batch > 1
const sizes: [number, number, number][] = [[5, 7, 1], [13, 9, 3], [8, 16, 6]];

function xs(T: number, B: number, X: number, seed: number): tf.Tensor2D[] {
  return Array.from({ length: T }, (_, t) => tf.randomNormal([B, X], 0, 1, 'float32', seed + t) as tf.Tensor2D);
}

/** Run `cell` over the inputs from its zero state; returns outputs and the final state (kept). */
function unroll(cell: Cell, inputs: tf.Tensor2D[], extras = false) {
  return tf.tidy(() => {
    let s: State = cell.initialState(inputs[0].shape[0]);
    const ys: tf.Tensor[] = [];
    const ex: Record<string, tf.Tensor>[] = [];
    for (const x of inputs) {
      const [y, next, e] = cell.step(s, x, { extras });
      ys.push(y);
      if (e) ex.push(e);
      s = next;
    }
    return { ys, s, ex };
  });
}

function dispose(...ts: unknown[]) {
  tf.dispose(ts as tf.TensorContainer);
}

describe('fuseCell', () => {
  for (const [name, make] of families) {
    for (const [X, H, B] of sizes) {
      it(`${name} X=${X} H=${H} B=${B}: outputs, states and gradients match the tfjs step`, () => {
        const cell = make(X, H);
        const fused = fuseCell(make(X, H));
        expect(fused.fused).toBe(true);
        // same parameters for both (copy the reference cell's values)
        for (const [k, v] of Object.entries(cell.params)) fused.params[k].assign(v);
        const inputs = xs(4, B, X, 10 * X + B);
        const a = unroll(fused, inputs);
        const b = unroll(cell, inputs);
        for (let t = 0; t < inputs.length; t++) expectClose(a.ys[t], b.ys[t], 1e-5, 1e-5, `y[${t}]`);
        for (const k of Object.keys(b.s)) expectClose(a.s[k], b.s[k], 1e-5, 1e-5, `state.${k}`);
        // gradients through the unrolled steps: parameters and inputs
        const loss = (c: Cell) => () => {
          const r = unroll(c, inputs);
          return tf.tidy(() => tf.addN(r.ys.map((y, t) => tf.sum(tf.mul(y, tf.scalar(t + 1))))).add(tf.sum(tf.square(Object.values(r.s)[0])))) as tf.Scalar;
        };
        const ga = tf.variableGrads(loss(fused), Object.values(fused.params));
        const gb = tf.variableGrads(loss(cell), Object.values(cell.params));
        expectClose(ga.value, gb.value, 1e-5, 1e-5, 'loss');
        for (const k of Object.keys(cell.params)) expectClose(ga.grads[fused.params[k].name], gb.grads[cell.params[k].name], 1e-5, 1e-5, `d${k}`);
        const dx = (c: Cell) => tf.grad((x0: tf.Tensor) => tf.tidy(() => tf.sum(tf.square(unroll(c, [x0 as tf.Tensor2D, ...inputs.slice(1)]).ys[3]))))(inputs[0]);
        const [dxa, dxb] = [dx(fused), dx(cell)];
        expectClose(dxa, dxb, 1e-5, 1e-5, 'dx');
        dispose(a, b, ga, gb, dxa, dxb, inputs);
        cell.dispose();
        fused.dispose();
      });
    }
  }

  it('lstm and gru extras (gate activations) match', () => {
    for (const make of [families[0][1], families[1][1], families[2][1]]) {
      const cell = make(6, 5);
      const fused = fuseCell(make(6, 5));
      for (const [k, v] of Object.entries(cell.params)) fused.params[k].assign(v);
      const inputs = xs(2, 3, 6, 1);
      const a = unroll(fused, inputs, true);
      const b = unroll(cell, inputs, true);
      expect(Object.keys(a.ex[1]).sort()).toEqual(Object.keys(b.ex[1]).sort());
      for (const k of Object.keys(b.ex[1])) expectClose(a.ex[1][k], b.ex[1][k], 1e-5, 1e-5, `extras.${k}`);
      dispose(a, b, inputs);
      cell.dispose();
      fused.dispose();
    }
  });

  it.each([2, 6])('follows Variable updates (re-uploads weights after assign; batch %i)', (B) => {
    // (batch ≥ 4 on the native kernels reads weights kept packed between calls: they must follow too)
    const cell = lstmCell({ fused: false, inputSize: 3, hiddenSize: 5, seed: 7 });
    const fused = fuseCell(lstmCell({ fused: false, inputSize: 3, hiddenSize: 5, seed: 7 }));
    const x = xs(1, B, 3, 3);
    const first = unroll(fused, x);
    for (const c of [cell, fused]) c.params.recurrentKernel.assign(tf.mul(c.params.recurrentKernel, 0.5));
    for (const c of [cell, fused]) c.params.kernel.assign(tf.mul(c.params.kernel, -1));
    for (const c of [cell, fused]) c.params.bias.assign(tf.add(c.params.bias, 0.25));
    const a = unroll(fused, x);
    const b = unroll(cell, x);
    expectClose(a.ys[0], b.ys[0], 1e-6, 1e-5, 'after assign');
    expect(Math.abs(a.ys[0].dataSync()[0] - first.ys[0].dataSync()[0])).toBeGreaterThan(1e-4);
    dispose(first, a, b, x);
    cell.dispose();
    fused.dispose();
  });

  it('keeps the tfjs step (same results) for what it does not fuse', () => {
    const proj = fuseCell(lstmCell({ fused: false, inputSize: 3, hiddenSize: 4, activation: 'relu', seed: 1 }));
    expect(proj.fused).toBe(false);
    expect(proj.reason).toMatch(/activation relu/);
    const hard = fuseCell(gruCell({ fused: false, inputSize: 3, hiddenSize: 4, recurrentActivation: 'hardSigmoid' }));
    expect(hard.fused).toBe(false);
    const ref = gruCell({ fused: false, inputSize: 3, hiddenSize: 4, recurrentActivation: 'hardSigmoid' });
    const x = xs(2, 2, 3, 9);
    const [a, b] = [unroll(hard, x), unroll(ref, x)];
    expectClose(a.ys[1], b.ys[1], 0, 0, 'fallback');
    const plain = fuseCell(rnnCell({ fused: false, inputSize: 3, hiddenSize: 4, activation: 'softsign' }));
    expect(plain.fused).toBe(false);
    dispose(a, b, x);
    [proj, hard, ref, plain].forEach((c) => c.dispose());
  });

  it('rejects bad cells and inputs with clear errors, leaving nothing allocated', async () => {
    expect(() => fuseCell(null as never)).toThrow(/fuseCell: cell: expected a Cell/);
    const g = gruCell({ fused: false, inputSize: 2, hiddenSize: 3 });
    expect(() => fusedLstmCell(g)).toThrow(/fusedLstmCell: cell: expected a cell of kind 'lstm', received a 'gru' cell/);
    g.dispose();
    const cell = fuseCell(lstmCell({ fused: false, inputSize: 4, hiddenSize: 3 }));
    await expectNoLeaks(() => {
      const s = cell.initialState(2);
      const bad = tf.zeros([2, 5]) as tf.Tensor2D;
      expect(() => cell.step(s, bad)).toThrow(/lstm\.step: x: expected a float32 tensor of shape \[B, 4\], received a float32 tensor of shape \[2, 5\]/);
      const wrongBatch = tf.zeros([3, 4]) as tf.Tensor2D;
      expect(() => cell.step(s, wrongBatch)).toThrow(/lstm\.step: state\.h: expected a tensor of shape \[3, ·\]/);
      dispose(s, bad, wrongBatch);
    });
    cell.dispose();
    expect(cell.isDisposed).toBe(true);
    expect(() => cell.initialState(1)).toThrow(/disposed/);
  });

  it('streams through the usual operators and leaks no tensors or WASM memory on complete, error, unsubscribe', async () => {
    const bytes = rt.bytesInUse();
    const cases: [Cell, (c: Cell) => OperatorFunction<number[], tf.Tensor2D>][] = [
      [fuseCell(lstmCell({ fused: false, inputSize: 3, hiddenSize: 5, seed: 1 })), (c) => lstm(c as never) as never],
      [fuseCell(gruCell({ fused: false, inputSize: 3, hiddenSize: 5, seed: 1 })), (c) => gru(c as never) as never],
      [fuseCell(rnnCell({ fused: false, inputSize: 3, hiddenSize: 5, seed: 1 })), (c) => rnn(c as never) as never],
    ];
    for (const [cell, op] of cases) {
      const out = await expectNoLeaks(() => collect(from([[1, 2, 3], [0, 0, 1], [1, -1, 0.5]]).pipe(op(cell), readRows())));
      expect(out.length).toBe(3);
      expect((out[0] as number[][])[0].length).toBe(5);
      await expectNoLeaks(async () => {
        await expect(collect(concat(of([1, 2, 3]), throwError(() => new Error('boom'))).pipe(op(cell), readRows()))).rejects.toThrow('boom');
      });
      await expectNoLeaks(() => {
        const s = new Subject<number[]>();
        const sub = s.pipe(op(cell), readRows()).subscribe();
        s.next([1, 1, 1]);
        sub.unsubscribe();
      });
      cell.dispose();
    }
    expect(rt.bytesInUse()).toBe(bytes);
  });
});
