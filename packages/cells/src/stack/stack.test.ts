import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from, Subject, concat, of, throwError } from 'rxjs';
import { readRows, toFloat32, recurrent } from '@rxrnn/core';
import { expectNoLeaks, collect, gradCheck } from '@rxrnn/testing';
import { stackCells, stack, lstmCell, gruCell, denseCell } from '../index.js';

const deep = (dropout = 0) =>
  stackCells([lstmCell({ inputSize: 2, hiddenSize: 4, seed: 1 }), gruCell({ inputSize: 4, hiddenSize: 3, seed: 2 }), denseCell({ inputSize: 3, outputSize: 2, seed: 3 })], { dropout });

describe('stack', () => {
  it('equals running its layers one after another, step by step', async () => {
    const model = deep();
    const a = lstmCell({ inputSize: 2, hiddenSize: 4, seed: 1 });
    const b = gruCell({ inputSize: 4, hiddenSize: 3, seed: 2 });
    const c = denseCell({ inputSize: 3, outputSize: 2, seed: 3 });
    const xs = [[1, 0], [0.5, -1], [0, 2]];
    const got = await expectNoLeaks(() => collect(from(xs).pipe(stack(model), toFloat32())));
    const want = await collect(from(xs).pipe(recurrent(a), recurrent(b), recurrent(c), toFloat32()));
    expect(got.map((v) => Array.from(v))).toEqual(want.map((v) => Array.from(v)));
    [model, a, b, c].forEach((m) => m.dispose());
  });

  it('leaks nothing on complete, error and early unsubscribe', async () => {
    const model = deep();
    await expectNoLeaks(() => collect(from([[1, 2], [3, 4]]).pipe(stack(model), readRows())), 'complete');
    await expectNoLeaks(() => expect(collect(concat(of([1, 2]), throwError(() => new Error('e'))).pipe(stack(model), readRows()))).rejects.toThrow('e'), 'error');
    await expectNoLeaks(() => {
      const s = new Subject<number[]>();
      const sub = s.pipe(stack(model), readRows()).subscribe();
      s.next([1, 1]);
      sub.unsubscribe();
    }, 'unsubscribe');
    model.dispose();
  });

  it('drops out between layers only in training mode, reproducibly with a seed', async () => {
    const model = deep(0.5);
    const xs = [[1, 1], [1, -1], [0.3, 0.7]];
    const run = (opts: { training?: boolean; seed?: number }) => collect(from(xs).pipe(stack(model, opts), toFloat32())).then((v) => v.map((r) => Array.from(r)));
    const plain = deep(0);
    const inference = await run({});
    expect(inference).toEqual(await collect(from(xs).pipe(stack(plain), toFloat32())).then((v) => v.map((r) => Array.from(r))));
    const t1 = await expectNoLeaks(() => run({ training: true, seed: 7 }));
    expect(await run({ training: true, seed: 7 })).toEqual(t1);
    expect(t1).not.toEqual(inference);
    model.dispose();
    plain.dispose();
  });

  it('gradients reach every layer (finite differences)', () => {
    const model = deep();
    const xs = [tf.tensor2d([[0.4, -0.2]]), tf.tensor2d([[-0.5, 0.9]])];
    const loss = () =>
      tf.tidy(() => {
        let s = model.initialState(1);
        let total = tf.scalar(0);
        for (const x of xs) {
          const [y, next] = model.step(s, x);
          s = next;
          total = tf.add(total, tf.sum(tf.mul(y, y)));
        }
        return total as tf.Scalar;
      });
    expect(gradCheck(loss, model.params as Record<string, tf.Variable>, { maxPerVariable: 6 }).checked).toBeGreaterThan(20);
    xs.forEach((x) => x.dispose());
    model.dispose();
  });
});
