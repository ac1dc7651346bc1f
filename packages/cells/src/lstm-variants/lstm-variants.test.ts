import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { from, Subject, concat, of, throwError } from 'rxjs';
import { recurrent, readRows, type Cell, type NamedArrays, type State, type StepOutput } from '@rxrnn/core';
import { expectNoLeaks, expectClose, collect, gradCheck, loadGolden } from '@rxrnn/testing';
import { LSTM_VARIANTS, type LstmVariant, type LstmVariantState } from './greff-lstm-step.js';
import { lstmVariantCell, peepholeLstmCell, cifgLstmCell, lstmVariantWeightNames } from './lstm-variant-cell.js';
import { lstmVariant } from './lstm-variant.js';
import { layerNormLstmCell } from './layernorm-lstm-cell.js';
import { layerNormLstm } from './layernorm-lstm.js';
import { lstmCell } from '../lstm/lstm-cell.js';
import { cellFromConfig, cellWeights } from '../model/cell-registry.js';

// Goldens written by tools/goldens/lstm_variants.py (run with /usr/bin/python3): a direct PyTorch
// transcription of Greff et al. 2017 §II/§III-B and Ba, Kiros & Hinton 2016 eqs. 20–22.
const FIXTURES = fileURLToPath(new URL('../../fixtures/lstm-variants/', import.meta.url));

type GoldenConfig = { variant?: LstmVariant; inputSize: number; hiddenSize: number; epsilon?: number; T: number; B: number };

/** The T steps of `x` [T, B, X] as number[][] values. */
function steps(t: NamedArrays): number[][][] {
  const [T, B, X] = t.x.shape;
  return Array.from({ length: T }, (_, s) => Array.from({ length: B }, (_, b) => Array.from(t.x.data.subarray((s * B + b) * X, (s * B + b + 1) * X))));
}

/** Stream the golden's inputs through `op(cell)` from its initial state; compare y and c at every step, and the final h, c. */
async function expectGolden(t: NamedArrays, cell: Cell, op: typeof lstmVariant | typeof layerNormLstm, stateNames: string[]): Promise<void> {
  const [T, B, H] = t.y.shape;
  const initialState = () => Object.fromEntries(stateNames.map((n) => [n, tf.tensor(t[`${n}0`].data, t[`${n}0`].shape)])) as State;
  const outs: StepOutput[] = await collect(from(steps(t)).pipe((op as typeof lstmVariant)(cell as Cell<LstmVariantState>, { emit: 'step', state: true, initialState })));
  expect(outs.length).toBe(T);
  outs.forEach((o, s) => {
    expect(o.y.shape).toEqual([B, H]);
    expectClose(o.y, t.y.data.subarray(s * B * H, (s + 1) * B * H), 1e-5, 0, `y[${s}]`);
    expectClose(o.state!.c, t.c.data.subarray(s * B * H, (s + 1) * B * H), 1e-5, 0, `c[${s}]`);
  });
  expectClose(outs[T - 1].state!.h, t.hT.data, 1e-5, 0, 'hT');
  expectClose(outs[T - 1].state!.c, t.cT.data, 1e-5, 0, 'cT');
  for (const o of outs) tf.dispose([o.y, ...Object.values(o.state!)]);
}

/** Σ_t Σ (y_t² + c_t) over a short sequence from a non-zero state: a scalar touching every parameter. */
function sequenceLoss(cell: Cell, T = 3) {
  const B = 2;
  const X = cell.inputSize;
  const xs = Array.from({ length: T }, (_, t) => tf.tensor2d(Array.from({ length: B * X }, (_, k) => Math.sin(1.3 * k + 0.7 * t + 0.4)), [B, X]));
  const loss = () =>
    tf.tidy(() => {
      let s = cell.initialState(B);
      s = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, tf.add(v, tf.mul(0.3, tf.cos(tf.range(0, v.size).reshape(v.shape))))])) as typeof s;
      let total = tf.scalar(0);
      for (const x of xs) {
        const [y, next] = cell.step(s, x as tf.Tensor2D);
        s = next;
        total = tf.add(total, tf.add(tf.sum(tf.mul(y, y)), tf.sum(next.c)));
      }
      return total as tf.Scalar;
    });
  return { loss, dispose: () => xs.forEach((x) => x.dispose()) };
}

/** complete, error and early unsubscribe leave no tensor behind; extras come out and can be freed. */
async function expectOperatorNoLeaks(cell: Cell, op: typeof lstmVariant | typeof layerNormLstm): Promise<void> {
  const run = (op as typeof lstmVariant)(cell as Cell<LstmVariantState>);
  const X = cell.inputSize;
  const v = (k: number) => Array.from({ length: X }, (_, j) => Math.cos(k + j));
  const out = await expectNoLeaks(() => collect(from([v(0), v(1), v(2)]).pipe(run, readRows())), 'complete');
  expect(out.length).toBe(3);
  expect(out[2][0].length).toBe(cell.outputSize);
  await expectNoLeaks(async () => {
    await expect(collect(concat(of(v(0)), throwError(() => new Error('boom'))).pipe(run, readRows()))).rejects.toThrow('boom');
  }, 'error');
  await expectNoLeaks(() => {
    const s = new Subject<number[]>();
    const sub = s.pipe(run, readRows()).subscribe();
    s.next(v(0));
    s.next(v(1));
    sub.unsubscribe();
  }, 'unsubscribe');
  // extras: gates and cell, freed by the receiver at each step without harming the stream's state.
  await expectNoLeaks(async () => {
    const outs = await collect(from([[v(0), v(1)], [v(2), v(3)], [v(4), v(5)]]).pipe((op as typeof lstmVariant)(cell as Cell<LstmVariantState>, { emit: 'step', extras: true })));
    for (const o of outs) {
      expect(Object.keys(o.extras!).sort()).toEqual(['c', 'f', 'g', 'i', 'o']);
      for (const e of Object.values(o.extras!)) expect(e.shape).toEqual([2, cell.outputSize]);
      tf.dispose([o.y, ...Object.values(o.extras!)]);
    }
  }, 'extras');
}

describe('lstm variants (Greff et al. 2017)', () => {
  for (const variant of LSTM_VARIANTS) {
    it(`${variant}: reproduces the PyTorch transcription step by step (1e-5)`, async () => {
      const { config, tensors } = loadGolden<GoldenConfig>(`${FIXTURES}${variant}`);
      expect(config.variant).toBe(variant);
      const names = lstmVariantWeightNames(variant);
      const weights = Object.fromEntries(names.map((n) => [n, tensors[n]]));
      await expectNoLeaks(async () => {
        const cell = lstmVariantCell({ variant, inputSize: config.inputSize, hiddenSize: config.hiddenSize, weights });
        expect(Object.keys(cell.params).sort()).toEqual([...names].sort());
        await expectGolden(tensors, cell, lstmVariant, variant === 'FGR' ? ['h', 'c', 'gates'] : ['h', 'c']);
        cell.dispose();
      });
    });

    it(`${variant}: gradients match finite differences`, () => {
      const cell = lstmVariantCell({ variant, inputSize: 3, hiddenSize: 3, seed: 7 });
      const { loss, dispose } = sequenceLoss(cell);
      const report = gradCheck(loss, cell.params as Record<string, tf.Variable>, { maxPerVariable: 12 });
      expect(report.checked).toBeGreaterThan(30);
      dispose();
      cell.dispose();
    });

    it(`${variant}: the operator leaks nothing on complete, error, unsubscribe`, async () => {
      const cell = lstmVariantCell({ variant, inputSize: 3, hiddenSize: 4, seed: 2 });
      await expectOperatorNoLeaks(cell, lstmVariant);
      cell.dispose();
    });
  }

  it('drops the absent gate: NIG/NFG/NOG/CIFG kernels are [X, 3H], NP has no peepholes, FGR adds [3H, 3H]', () => {
    const shapes = (variant: LstmVariant) => {
      const cell = lstmVariantCell({ variant, inputSize: 2, hiddenSize: 5 });
      const out = Object.fromEntries(Object.entries(cell.params).map(([k, v]) => [k, v.shape]));
      cell.dispose();
      return out;
    };
    expect(shapes('vanilla')).toEqual({ kernel: [2, 20], recurrentKernel: [5, 20], bias: [20], peepholeI: [5], peepholeF: [5], peepholeO: [5] });
    expect(shapes('NIG')).toEqual({ kernel: [2, 15], recurrentKernel: [5, 15], bias: [15], peepholeF: [5], peepholeO: [5] });
    expect(shapes('CIFG')).toEqual({ kernel: [2, 15], recurrentKernel: [5, 15], bias: [15], peepholeI: [5], peepholeO: [5] });
    expect(shapes('NOG')).toEqual({ kernel: [2, 15], recurrentKernel: [5, 15], bias: [15], peepholeI: [5], peepholeF: [5] });
    expect(shapes('NP')).toEqual({ kernel: [2, 20], recurrentKernel: [5, 20], bias: [20] });
    expect(shapes('FGR').gateRecurrentKernel).toEqual([15, 15]);
  });

  it('NP with zero peepholes equals the base lstm; forgetBias lands on the forget gate', async () => {
    const base = lstmCell({ inputSize: 3, hiddenSize: 4, seed: 5 });
    const np = lstmVariantCell({ variant: 'NP', inputSize: 3, hiddenSize: 4, weights: cellWeights(base) });
    const xs = [[0.1, -0.5, 0.9], [1, 0.2, -0.3], [-0.7, 0.4, 0.05]];
    const a = await collect(from(xs).pipe(recurrent(base), readRows()));
    const b = await collect(from(xs).pipe(lstmVariant(np), readRows()));
    expectClose(b.flat(2), a.flat(2), 1e-6);
    base.dispose();
    np.dispose();
    const v = peepholeLstmCell({ inputSize: 2, hiddenSize: 3, forgetBias: 2 });
    expect(Array.from(v.params.bias.dataSync())).toEqual([0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
    expect(v.config).toEqual({ kind: 'lstm-variant', variant: 'vanilla', inputSize: 2, hiddenSize: 3 });
    v.dispose();
    const c = cifgLstmCell({ inputSize: 2, hiddenSize: 3 });
    expect(c.config.variant).toBe('CIFG');
    expect(Array.from(c.params.bias.dataSync()).every((x) => x === 0)).toBe(true);
    c.dispose();
  });

  it('CIFG reports f = 1 − i; NOG reports o = 1', async () => {
    for (const variant of ['CIFG', 'NOG'] as const) {
      const cell = lstmVariantCell({ variant, inputSize: 2, hiddenSize: 3, seed: 4 });
      const [out] = await collect(of([0.3, -0.8]).pipe(lstmVariant(cell, { emit: 'step', extras: true })));
      const e = out.extras!;
      if (variant === 'CIFG') expectClose(tf.add(e.i, e.f), new Float32Array(3).fill(1), 1e-6);
      else expectClose(e.o, new Float32Array(3).fill(1), 0);
      tf.dispose([out.y, ...Object.values(e)]);
      cell.dispose();
    }
  });

  it('rebuilds from its config and weights (cellFromConfig)', async () => {
    const cell = lstmVariantCell({ variant: 'FGR', inputSize: 2, hiddenSize: 3, seed: 9 });
    const copy = cellFromConfig(cell.config, cellWeights(cell));
    const xs = [[1, 0], [0.5, -1]];
    const a = await collect(from(xs).pipe(lstmVariant(cell), readRows()));
    const b = await collect(from(xs).pipe(lstmVariant(copy as Cell<LstmVariantState>), readRows()));
    expect(b).toEqual(a);
    cell.dispose();
    copy.dispose();
  });

  it('names what is wrong in bad input, allocating nothing', async () => {
    await expectNoLeaks(() => {
      expect(() => lstmVariantCell({ variant: 'GRU' as never, inputSize: 2, hiddenSize: 2 })).toThrow(
        /lstmVariantCell: options.variant: expected one of 'vanilla', 'NIG', 'NFG', 'NOG', 'NIAF', 'NOAF', 'NP', 'CIFG', 'FGR', received the string "GRU"/,
      );
      expect(() => lstmVariantCell({ variant: 'GRU' as never, inputSize: 2, hiddenSize: 2 })).toThrow(expect.objectContaining({ code: 'E_UNKNOWN' }));
      expect(() => lstmVariantCell(undefined as never)).toThrow(expect.objectContaining({ code: 'E_UNKNOWN' }));
      const bad = { shape: [2, 8], data: new Float32Array(16) };
      expect(() => lstmVariantCell({ variant: 'NIG', inputSize: 2, hiddenSize: 2, weights: { kernel: bad } })).toThrow(/lstmVariantCell: weights.kernel: expected shape \[2, 6\], received shape \[2, 8\]/);
      expect(() => lstmVariantCell({ variant: 'NIG', inputSize: 2, hiddenSize: 2, weights: { kernel: bad } })).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
      expect(() => cifgLstmCell({ inputSize: 2, hiddenSize: 2, weights: { peepholeF: { shape: [2], data: new Float32Array(2) } } })).toThrow(
        /cifgLstmCell: weights.peepholeF: expected one of kernel, recurrentKernel, bias, peepholeI, peepholeO, received unknown name "peepholeF"/,
      );
      expect(() => peepholeLstmCell({ inputSize: 0, hiddenSize: 2 })).toThrow(/peepholeLstmCell: options.inputSize: expected a positive integer, received number 0/);
      expect(() => lstmVariantCell({ variant: 'FGR', inputSize: 2, hiddenSize: 2, weights: { gateRecurrentKernel: { shape: [2, 2], data: new Float32Array(4) } } })).toThrow(
        /weights.gateRecurrentKernel: expected shape \[6, 6\]/,
      );
    });
    const ln = layerNormLstmCell({ inputSize: 2, hiddenSize: 2 });
    expect(() => lstmVariant(ln as never)).toThrow(/lstmVariant: cell: expected a cell of kind 'lstm-variant', received a 'layernorm-lstm' cell/);
    ln.dispose();
    const cell = peepholeLstmCell({ inputSize: 3, hiddenSize: 2 });
    await expectNoLeaks(async () => {
      await expect(collect(from([[1, 2]]).pipe(lstmVariant(cell)))).rejects.toThrow(expect.objectContaining({ code: 'E_SIZE' }));
    });
    cell.dispose();
  });
});

describe('layer-normalised LSTM (Ba, Kiros & Hinton 2016)', () => {
  it('reproduces the PyTorch transcription step by step (1e-5)', async () => {
    const { config, tensors } = loadGolden<GoldenConfig>(`${FIXTURES}layernorm`);
    const names = ['kernel', 'recurrentKernel', 'bias', 'lnInputGain', 'lnInputBias', 'lnRecurrentGain', 'lnRecurrentBias', 'lnCellGain', 'lnCellBias'];
    await expectNoLeaks(async () => {
      const cell = layerNormLstmCell({ inputSize: config.inputSize, hiddenSize: config.hiddenSize, epsilon: config.epsilon, weights: Object.fromEntries(names.map((n) => [n, tensors[n]])) });
      await expectGolden(tensors, cell, layerNormLstm, ['h', 'c']);
      cell.dispose();
    });
  });

  it('gradients match finite differences', () => {
    // Non-trivial gains and LN biases so that their gradients are exercised away from the defaults.
    const base = layerNormLstmCell({ inputSize: 3, hiddenSize: 3, seed: 3 });
    const w = cellWeights(base);
    base.dispose();
    for (const [k, v] of Object.entries(w)) if (k.startsWith('ln')) v.data.forEach((_, j) => (v.data[j] = (k.endsWith('Gain') ? 1 : 0) + 0.3 * Math.sin(3 * j + k.length)));
    const cell = layerNormLstmCell({ inputSize: 3, hiddenSize: 3, weights: w });
    const { loss, dispose } = sequenceLoss(cell);
    const report = gradCheck(loss, cell.params as Record<string, tf.Variable>, { maxPerVariable: 12 });
    expect(report.checked).toBeGreaterThan(60);
    dispose();
    cell.dispose();
  });

  it('the operator leaks nothing on complete, error, unsubscribe; rebuilds from its config', async () => {
    const cell = layerNormLstmCell({ inputSize: 3, hiddenSize: 4, seed: 2 });
    await expectOperatorNoLeaks(cell, layerNormLstm);
    expect(cell.config).toEqual({ kind: 'layernorm-lstm', inputSize: 3, hiddenSize: 4, epsilon: 1e-5 });
    const copy = cellFromConfig(cell.config, cellWeights(cell));
    const a = await collect(from([[1, 0, 2]]).pipe(layerNormLstm(cell), readRows()));
    const b = await collect(from([[1, 0, 2]]).pipe(layerNormLstm(copy as never), readRows()));
    expect(b).toEqual(a);
    copy.dispose();
    cell.dispose();
  });

  it('names what is wrong in bad input, allocating nothing', async () => {
    await expectNoLeaks(() => {
      expect(() => layerNormLstmCell({ inputSize: 2, hiddenSize: 2, weights: { lnCellGain: { shape: [8], data: new Float32Array(8) } } })).toThrow(
        /layerNormLstmCell: weights.lnCellGain: expected shape \[2\], received shape \[8\]/,
      );
      expect(() => layerNormLstmCell({ inputSize: 2, hiddenSize: 2, epsilon: -1 })).toThrow(/layerNormLstmCell: options.epsilon: expected a positive finite number, received number -1/);
      expect(() => layerNormLstmCell({ inputSize: 2, hiddenSize: 2, weights: { peepholeI: { shape: [2], data: new Float32Array(2) } } })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    });
    const v = cifgLstmCell({ inputSize: 2, hiddenSize: 2 });
    expect(() => layerNormLstm(v as never)).toThrow(/layerNormLstm: cell: expected a cell of kind 'layernorm-lstm', received a 'lstm-variant' cell/);
    v.dispose();
  });
});

