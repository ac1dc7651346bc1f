// Whole-sequence fused kernels (lstmSequence, gruSequence, rnnSequence) against the tfjs step
// functions of @rxrnn/cells unrolled over time: outputs, final states, gradients of every input
// and parameter; finite differences; training with a tfjs optimiser; errors; leaks.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Cell, State } from '@rxrnn/core';
import { expectNoLeaks, expectClose, gradCheck } from '@rxrnn/testing';
import { lstmCell, gruCell, rnnCell, lstmVariantCell, lstmSequence, gruSequence, rnnSequence, runSequence, fuseCell } from '../index.js';
import { kernels, kernelsInfo } from '@rxrnn/kernels';
import { SEQUENCE_FAMILIES as families, unrollStep as unroll, randomState } from './sequence-reference.js';

const rt = kernels()!;

// The native kernels (when built) and the WebAssembly kernels, each against tfjs.
const backends = kernelsInfo({ native: true })?.backend === 'native' ? [true, false] : [false];

describe('fused sequences', () => {
  for (const f of families) {
    for (const native of backends)
    for (const [T, B, X, H] of [[1, 1, 5, 7], [6, 3, 13, 9], [5, 1, 8, 16], [4, 5, 3, 6], [7, 9, 10, 37]]) {
      it(`${f.name} T=${T} B=${B} X=${X} H=${H} (${native ? 'native' : 'wasm'}): outputs and all gradients match the unrolled tfjs step`, () => {
        const on = { native }; // the kernels every sequence runs on
        expect(kernels(on)!.info().backend).toBe(native ? 'native' : 'wasm');
        const cell = f.make(X, H);
        const x = tf.randomNormal([T, B, X], 0, 1, 'float32', T * 100 + X) as tf.Tensor3D;
        const s0 = randomState(cell, B, 7);
        const a = f.run(cell, x, s0, on);
        const b = unroll(cell, x, s0);
        expectClose(a.ys, b.ys, 1e-5, 1e-5, 'ys');
        for (const k of Object.keys(b.s)) expectClose(a.s[k], b.s[k], 1e-5, 1e-5, `final ${k}`);
        // gradients of a loss touching every output and the final state
        const w = tf.randomNormal(b.ys.shape, 0, 1, 'float32', 5); // [T, B, H or P]
        const loss = (g: (xx: tf.Tensor3D, ss: State) => { ys: tf.Tensor; s: State }) => (xx: tf.Tensor, ...st: tf.Tensor[]) =>
          tf.tidy(() => {
            const names = Object.keys(s0);
            const r = g(xx as tf.Tensor3D, Object.fromEntries(names.map((n, i) => [n, st[i]])));
            return tf.addN([tf.sum(tf.mul(r.ys, w)), ...names.map((n, i) => tf.sum(tf.mul(r.s[n], tf.scalar(i + 2))))]) as tf.Scalar;
          });
        const fa = loss((xx, ss) => f.run(cell, xx, ss, on));
        const fb = loss((xx, ss) => unroll(cell, xx, ss));
        const inputs = [x, ...Object.values(s0)];
        const [ga, gb] = [tf.grads(fa)(inputs), tf.grads(fb)(inputs)];
        ga.forEach((g, i) => expectClose(g, gb[i], 1e-5, 1e-5, i === 0 ? 'dx' : `d${Object.keys(s0)[i - 1]}0`));
        const pa = tf.variableGrads(() => fa(inputs[0], ...inputs.slice(1)), Object.values(cell.params));
        const pb = tf.variableGrads(() => fb(inputs[0], ...inputs.slice(1)), Object.values(cell.params));
        for (const [k, v] of Object.entries(cell.params)) expectClose(pa.grads[v.name], pb.grads[v.name], 1e-5, 1e-5, `d${k}`);
        tf.dispose([a as never, b as never, w, ga, gb, pa as never, pb as never, x, s0 as never]);
        cell.dispose();
      });
    }

    it(`${f.name}: gradients match finite differences`, () => {
      const cell = f.make(3, 4);
      const x = tf.randomNormal([3, 2, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
      const s0 = randomState(cell, 2, 3);
      // (relu: a smaller step, so that no pre-activation crosses the kink at 0 while probing)
      const h = f.name.includes('relu') ? 1e-3 : 1e-2;
      const report = gradCheck(() => tf.tidy(() => tf.sum(tf.square(f.run(cell, x, s0).ys)) as tf.Scalar), cell.params as Record<string, tf.Variable>, { h, atol: 2e-3 });
      expect(report.checked).toBeGreaterThan(20);
      tf.dispose([x, s0 as never]);
      cell.dispose();
    });

    it(`${f.name}: leaks no tensors or WASM memory (forward, backward, inference)`, async () => {
      const cell = f.make(4, 6);
      const x = tf.randomNormal([5, 2, 4]) as tf.Tensor3D;
      const s0 = randomState(cell, 2, 1);
      f.run(cell, x, s0).ys.dispose(); // first use makes the weights resident
      tf.dispose(f.run(cell, x, s0) as never);
      const bytes = rt.bytesInUse();
      await expectNoLeaks(() => tf.dispose(f.run(cell, x, s0) as never));
      await expectNoLeaks(() => {
        const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(f.run(cell, x, s0).ys) as tf.Scalar), Object.values(cell.params));
        tf.dispose([value, grads as never]);
      });
      expect(rt.bytesInUse()).toBe(bytes + transposedBytes(cell));
      tf.dispose([x, s0 as never]);
      cell.dispose();
    });
  }

  it('trains with a tfjs optimiser (Adam) exactly like the unrolled tfjs step', () => {
    const cells = [lstmCell({ fused: false, inputSize: 4, hiddenSize: 6, seed: 9 }), lstmCell({ fused: false, inputSize: 4, hiddenSize: 6, seed: 9 })];
    const x = tf.randomNormal([7, 3, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
    const target = tf.randomNormal([7, 3, 6], 0, 0.5, 'float32', 3);
    const opts = [tf.train.adam(0.05), tf.train.adam(0.05)];
    const losses: number[][] = [[], []];
    for (let it = 0; it < 5; it++) {
      cells.forEach((cell, i) => {
        const l = opts[i].minimize(() => {
          const ys = i === 0 ? lstmSequence(cell.params as never, x).ys : unroll(cell, x, cell.initialState(3)).ys;
          return tf.losses.meanSquaredError(target, ys) as tf.Scalar;
        }, true, Object.values(cell.params)) as tf.Scalar;
        losses[i].push(l.dataSync()[0]);
        l.dispose();
      });
    }
    expectClose(losses[0], losses[1], 1e-5, 1e-4, 'loss curve');
    expect(losses[0][4]).toBeLessThan(losses[0][0]);
    for (const k of Object.keys(cells[0].params)) expectClose(cells[0].params[k], cells[1].params[k], 1e-5, 1e-4, `trained ${k}`);
    tf.dispose([x, target]);
    opts.forEach((o) => o.dispose());
    cells.forEach((c) => c.dispose());
  });

  it('runSequence: fused for covered cells, the unrolled tfjs step otherwise; same values and gradients', () => {
    const x = tf.randomNormal([5, 3, 4], 0, 1, 'float32', 4) as tf.Tensor3D;
    const cases: [Cell, boolean][] = [
      [lstmCell({ fused: false, inputSize: 4, hiddenSize: 6, seed: 1 }), true],
      [fuseCell(gruCell({ fused: false, inputSize: 4, hiddenSize: 6, seed: 2, resetAfter: false })), true],
      [rnnCell({ fused: false, inputSize: 4, hiddenSize: 6, seed: 3, activation: 'relu' }), true],
      [lstmCell({ fused: false, inputSize: 4, hiddenSize: 6, projSize: 3, seed: 4 }), true],
      [lstmCell({ fused: false, inputSize: 4, hiddenSize: 6, activation: 'softsign', seed: 4 }), false],
      [gruCell({ fused: false, inputSize: 4, hiddenSize: 6, seed: 5, recurrentActivation: 'hardSigmoid' }), false],
      [lstmVariantCell({ fused: false, variant: 'vanilla', inputSize: 4, hiddenSize: 6, seed: 6 }), true],
      [lstmVariantCell({ fused: false, variant: 'CIFG', inputSize: 4, hiddenSize: 6, seed: 7 }), true],
      [lstmVariantCell({ fused: false, variant: 'FGR', inputSize: 4, hiddenSize: 6, seed: 8 }), false],
    ];
    for (const [cell, fused] of cases) {
      const s0 = randomState(cell, 3, 9);
      const r = runSequence(cell, x, s0);
      expect(r.fused).toBe(fused);
      const ref = unroll(cell, x, s0);
      expectClose(r.ys, ref.ys, 1e-5, 1e-5, `${cell.kind} ys`);
      for (const k of Object.keys(ref.s)) expectClose(r.state[k], ref.s[k], 1e-5, 1e-5, `${cell.kind} ${k}`);
      const ga = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.square(runSequence(cell, x, s0).ys)) as tf.Scalar), Object.values(cell.params));
      const gb = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.square(unroll(cell, x, s0).ys)) as tf.Scalar), Object.values(cell.params));
      for (const v of Object.values(cell.params)) expectClose(ga.grads[v.name], gb.grads[v.name], 1e-5, 1e-5, `${cell.kind} d${v.name}`);
      tf.dispose([r as never, ref as never, ga as never, gb as never, s0 as never]);
      cell.dispose();
    }
    const small = lstmCell({ fused: false, inputSize: 3, hiddenSize: 2 });
    expect(() => runSequence(small, x)).toThrow(/runSequence: x: expected a tensor of shape \[T, B, 3\], received a float32 tensor of shape \[5, 3, 4\]/);
    small.dispose();
    x.dispose();
  });

  it('with the kernels off a projected LSTM equals stepping the cell, with and without h0 and c0 (one formula: its own step)', async () => {
    const cell = lstmCell({ fused: false, inputSize: 5, hiddenSize: 6, projSize: 3, seed: 8 });
    const x = tf.randomNormal([4, 2, 5], 0, 1, 'float32', 21) as tf.Tensor3D;
    const given = randomState(cell, 2, 5); // h [2, 3] (the projection's size), c [2, 6]
    const zero = cell.initialState(2);
    const off = { kernels: { enabled: false } }; // as with RXRNN_KERNELS=off, or WebAssembly without SIMD
    const cases: [string, tf.Tensor2D | undefined, tf.Tensor2D | undefined, State][] = [
      ['h0 and c0', given.h as tf.Tensor2D, given.c as tf.Tensor2D, given],
      ['h0, no c0', given.h as tf.Tensor2D, undefined, { h: given.h, c: zero.c }],
      ['no h0, c0', undefined, given.c as tf.Tensor2D, { h: zero.h, c: given.c }],
      ['neither', undefined, undefined, zero],
    ];
    for (const [name, h0, c0, s0] of cases) {
      const r = lstmSequence(cell.params as never, x, h0, c0, off);
      const ref = unroll(cell, x, s0);
      expectClose(r.ys, ref.ys, 1e-6, 0, `${name}: ys`);
      expectClose(r.hT, ref.s.h, 1e-6, 0, `${name}: hT`);
      expectClose(r.cT, ref.s.c, 1e-6, 0, `${name}: cT`);
      tf.dispose([r as never, ref as never]);
      await expectNoLeaks(() => tf.dispose(lstmSequence(cell.params as never, x, h0, c0, off) as never), name);
    }
    const rs = runSequence(cell, x, undefined, { enabled: false });
    const ref = unroll(cell, x, zero);
    expect(rs.fused).toBe(false);
    expectClose(rs.ys, ref.ys, 1e-6, 0, 'runSequence, kernels off');
    tf.dispose([rs as never, ref as never, x, given as never, zero as never]);
    cell.dispose();
  });

  it('rejects bad inputs with clear errors', () => {
    const cell = lstmCell({ fused: false, inputSize: 3, hiddenSize: 4 });
    const p = cell.params as never;
    const x = tf.zeros([2, 1, 3]) as tf.Tensor3D;
    expect(() => lstmSequence(p, tf.zeros([0, 1, 3]) as never)).toThrow(/lstmSequence: x: expected a tensor of shape \[T, B, X\], received a float32 tensor of shape \[0, 1, 3\]/);
    expect(() => lstmSequence(p, tf.zeros([2, 3]) as never)).toThrow(/lstmSequence: x: expected a tensor of shape \[T, B, X\], received a float32 tensor of shape \[2, 3\]/);
    expect(() => lstmSequence(p, tf.zeros([2, 1, 5]) as never)).toThrow(/lstmSequence: params\.kernel: expected a tensor of shape \[5, 4H\], received a float32 tensor of shape \[3, 16\]/);
    expect(() => lstmSequence(p, x, tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(/lstmSequence: h0: expected a tensor of shape \[1, 4\]/);
    const proj = lstmCell({ fused: false, inputSize: 3, hiddenSize: 4, projSize: 2 });
    const { projection: _, ...noProjection } = proj.params;
    expect(() => lstmSequence(noProjection as never, x)).toThrow(/params\.recurrentKernel: expected a tensor of shape \[4, 16\] \(no projection given\), received a float32 tensor of shape \[2, 16\]/);
    expect(() => lstmSequence({ ...proj.params, projection: tf.zeros([4, 3]) } as never, x)).toThrow(/params\.recurrentKernel: expected a tensor of shape \[3, 16\] \(with the projection\), received a float32 tensor of shape \[2, 16\]/);
    const g = gruCell({ fused: false, inputSize: 3, hiddenSize: 4 });
    expect(() => gruSequence(g.params as never, x, undefined, { resetAfter: false })).toThrow(/gruSequence: params\.recurrentBias: expected no recurrent bias in the reset-before form/);
    const r = rnnCell({ fused: false, inputSize: 3, hiddenSize: 4 });
    expect(() => rnnSequence(r.params as never, x, undefined, { activation: 'softsign' as never })).toThrow(/rnnSequence: options\.activation: expected 'tanh' or 'relu', received the string "softsign"/);
    tf.dispose(x);
    [cell, proj, g, r].forEach((c) => c.dispose());
  });
});

/** After a backward, the transposed kernel, recurrent kernel (and projection) stay resident with the weights. */
function transposedBytes(cell: Cell): number {
  const bytes = (n: number) => Math.max(64, Math.ceil((n * 4) / 64) * 64);
  return bytes(cell.params.kernel.size) + bytes(cell.params.recurrentKernel.size) + (cell.params.projection ? bytes(cell.params.projection.size) : 0);
}
