// Goldens: tools/goldens/stack_rnn.py (Joulin & Mikolov 2015, eqs. 1–5, transcribed in PyTorch cell by cell; float64).
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from, Subject, concat, throwError } from 'rxjs';
import { createRng, type ParamInit } from '@rxrnn/core';
import { loadGolden, expectClose, expectNoLeaks, gradCheck, collect } from '@rxrnn/testing';
import { stackRnnCell, type StackRnnCellOptions } from './stack-rnn-cell.js';
import { stackRnn } from './stack-rnn.js';

const DIR = fileURLToPath(new URL('../../fixtures/stack-rnn/', import.meta.url));
const tiny: StackRnnCellOptions = { inputSize: 3, outputSize: 2, hiddenSize: 4, stacks: 2, depth: 5, readDepth: 2, seed: 1 };

describe('stackRnnCell against the PyTorch transcription (eqs. 1–5)', () => {
  for (const name of ['stack-rnn', 'stack-rnn-no-recurrence']) {
    it(`${name}: outputs, hidden state, stacks and actions within 1e-5`, async () => {
      const g = loadGolden<{ options: StackRnnCellOptions; weights: string[]; T: number; B: number }>(`${DIR}${name}`);
      const weights: Record<string, ParamInit> = {};
      for (const w of g.config.weights) weights[w] = { shape: g.tensors[`weights.${w}`].shape, data: Float32Array.from(g.tensors[`weights.${w}`].data) };
      await expectNoLeaks(() => {
        const cell = stackRnnCell({ ...g.config.options, weights });
        tf.tidy(() => {
          const { T, B } = g.config;
          const xs = tf.unstack(tf.tensor3d(Float32Array.from(g.tensors.xs.data), [T, B, g.config.options.inputSize])) as tf.Tensor2D[];
          let s = cell.initialState(B);
          const ys: tf.Tensor2D[] = [];
          let extras: Record<string, tf.Tensor> = {};
          for (const x of xs) {
            const [y, next, e] = cell.step(s, x, { extras: true });
            ys.push(y);
            s = next;
            extras = e!;
          }
          expectClose(tf.stack(ys), g.tensors.ys.data, 1e-5, 0, 'y');
          expectClose(s.h, g.tensors.h.data, 1e-5, 0, 'h');
          expectClose(extras.stacks, g.tensors.stacks.data, 1e-5, 0, 'stacks');
          expect(extras.stacks.shape).toEqual(g.tensors.stacks.shape);
          expectClose(extras.actions, g.tensors.actions.data, 1e-5, 0, 'actions');
        });
        cell.dispose();
      }, name);
    });
  }

  it('a hard PUSH, PUSH, POP moves the values as a discrete stack', () => {
    // Actions forced through huge action biases (hidden weights zero): push 1 with σ(+big), then pop.
    const H = 2;
    const z = (n: number) => ({ shape: [n], data: new Float32Array(n) });
    const m = (a: number, b: number) => ({ shape: [a, b], data: new Float32Array(a * b) });
    const run = (bias: number[]) => {
      const cell = stackRnnCell({ inputSize: 1, outputSize: 1, hiddenSize: H, depth: 3, readDepth: 1, weights: {
        'hidden.kernel': m(1, H), 'hidden.recurrentKernel': m(H, H), 'hidden.stackKernel': m(1, H), 'hidden.bias': z(H),
        'action.kernel': m(H, 3), 'action.bias': { shape: [3], data: Float32Array.from(bias) },
        'push.kernel': m(H, 1), 'push.bias': { shape: [1], data: Float32Array.of(40) }, 'output.kernel': m(H, 1), 'output.bias': z(1),
      } });
      return cell;
    };
    const push = run([60, 0, 0]);
    const pop = run([0, 60, 0]);
    const values = tf.tidy(() => {
      let s = push.initialState(1);
      const x = tf.zeros([1, 1]) as tf.Tensor2D;
      s = push.step(s, x)[1];
      s = push.step(s, x)[1];
      const afterPushes = Array.from(s.stacks.dataSync());
      s = pop.step(s, x)[1];
      return [afterPushes, Array.from(s.stacks.dataSync())];
    });
    expect(values[0].map((v) => Math.round(v))).toEqual([1, 1, -1]);
    expect(values[1].map((v) => Math.round(v))).toEqual([1, -1, -1]);
    push.dispose();
    pop.dispose();
  });

  it('gradients of three steps match finite differences, every parameter', () => {
    const cell = stackRnnCell(tiny);
    const rng = createRng(5);
    const xs = [0, 1, 2].map(() => tf.tensor2d(Array.from({ length: 6 }, () => rng.uniform(-1, 1)), [2, 3]));
    const proj = tf.tensor2d([[0.3, -0.8], [1.1, 0.4]]);
    const loss = () =>
      tf.tidy(() => {
        let s = cell.initialState(2);
        let total = tf.scalar(0);
        for (const x of xs) {
          const [y, next] = cell.step(s, x);
          total = tf.add(total, tf.sum(tf.mul(y, proj)));
          s = next;
        }
        return total as tf.Scalar;
      });
    const report = gradCheck(loss, cell.params);
    expect(report.checked).toBeGreaterThan(50);
    tf.dispose([...xs, proj]);
    cell.dispose();
  });

  it('rejects bad options and inputs with typed errors before allocating', () => {
    const before = tf.memory().numTensors;
    expect(() => stackRnnCell({ ...tiny, depth: 1 })).toThrow(expect.objectContaining({ code: 'E_SIZE' }));
    expect(() => stackRnnCell({ ...tiny, readDepth: 9 })).toThrow(expect.objectContaining({ code: 'E_SIZE' }));
    expect(() => stackRnnCell({ ...tiny, stacks: 0 })).toThrow(/stacks/);
    expect(() => stackRnnCell({ ...tiny, recurrent: 'yes' as never })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(tf.memory().numTensors).toBe(before);
    const cell = stackRnnCell(tiny);
    const s = cell.initialState(1);
    expect(() => tf.tidy(() => cell.step(s, tf.zeros([1, 2]) as tf.Tensor2D))).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    tf.dispose(Object.values(s));
    cell.dispose();
  });
});

describe('stackRnn operator', () => {
  const xs = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  it('streams the stacks and actions as extras, the same numbers as stepping the cell, and leaks nothing', async () => {
    const cell = stackRnnCell(tiny);
    await expectNoLeaks(async () => {
      const out = await collect(from(xs).pipe(stackRnn(cell, { emit: 'step', extras: true })));
      expect(out.map((o) => o.extras!.stacks.shape)).toEqual([[1, 2, 5], [1, 2, 5], [1, 2, 5]]);
      expect(out[0].extras!.actions.shape).toEqual([1, 2, 3]);
      const want = tf.tidy(() => {
        let s = cell.initialState(1);
        const got: number[] = [];
        for (const x of xs) {
          const [y, next] = cell.step(s, tf.tensor2d([x]));
          got.push(...y.dataSync());
          s = next;
        }
        return got;
      });
      expect(out.flatMap((o) => Array.from(o.y.dataSync()))).toEqual(want);
      for (const o of out) tf.dispose([o.y, ...Object.values(o.extras!)]);
    }, 'complete');
    await expectNoLeaks(async () => {
      const got: tf.Tensor[] = [];
      const failed = await new Promise<unknown>((resolve) => {
        concat(from(xs.slice(0, 2)), throwError(() => new Error('boom')))
          .pipe(stackRnn(cell))
          .subscribe({ next: (y) => got.push(y), error: resolve });
      });
      expect(String(failed)).toContain('boom');
      tf.dispose(got);
    }, 'error');
    await expectNoLeaks(async () => {
      const input = new Subject<number[]>();
      const got: tf.Tensor[] = [];
      const sub = input.pipe(stackRnn(cell)).subscribe((y) => got.push(y));
      input.next(xs[0]);
      sub.unsubscribe();
      expect(got).toHaveLength(1);
      tf.dispose(got);
    }, 'unsubscribe');
    expect(() => stackRnn(tiny as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    cell.dispose();
  });
});
