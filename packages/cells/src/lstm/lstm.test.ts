import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from, Subject, concat, of, throwError, map } from 'rxjs';
import { readRows } from '@rxrnn/core';
import { expectNoLeaks, collect, gradCheck } from '@rxrnn/testing';
import { lstmCell, lstm, gruCell } from '../index.js';

describe('lstm', () => {
  it('streams [B, X] → [B, H] and leaks nothing on complete, error, unsubscribe', async () => {
    const cell = lstmCell({ inputSize: 3, hiddenSize: 5, seed: 1 });
    const out = await expectNoLeaks(() => collect(from([[1, 2, 3], [0, 0, 1]]).pipe(lstm(cell), readRows())));
    expect(out.length).toBe(2);
    expect(out[0][0].length).toBe(5);
    await expectNoLeaks(async () => {
      await expect(collect(concat(of([1, 2, 3]), throwError(() => new Error('x'))).pipe(lstm(cell), readRows()))).rejects.toThrow('x');
    });
    await expectNoLeaks(() => {
      const s = new Subject<number[]>();
      const sub = s.pipe(lstm(cell), readRows()).subscribe();
      s.next([1, 1, 1]);
      sub.unsubscribe();
    });
    cell.dispose();
  });

  it('refuses a cell of another family', () => {
    const g = gruCell({ inputSize: 2, hiddenSize: 2 });
    expect(() => lstm(g as never)).toThrow(/lstm: cell: expected a cell of kind 'lstm', received a 'gru' cell/);
    g.dispose();
  });

  it('gradients match finite differences (with projection)', () => {
    const cell = lstmCell({ inputSize: 3, hiddenSize: 4, projSize: 2, seed: 3 });
    const xs = [tf.tensor2d([[0.5, -1, 0.2], [0.1, 0.3, -0.7]]), tf.tensor2d([[-0.3, 0.8, 1], [0.9, -0.2, 0.4]])];
    const loss = () =>
      tf.tidy(() => {
        let s = cell.initialState(2);
        let total = tf.scalar(0);
        for (const x of xs) {
          const [y, next] = cell.step(s, x);
          s = next;
          total = tf.add(total, tf.sum(tf.mul(y, y)));
        }
        return total as tf.Scalar;
      });
    const report = gradCheck(loss, cell.params as Record<string, tf.Variable>);
    expect(report.checked).toBeGreaterThan(20);
    xs.forEach((x) => x.dispose());
    cell.dispose();
  });
});

describe('lstm extras', () => {
  it('extras c can be freed by the receiver, step by step, without freeing the state', async () => {
    const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const keys = await expectNoLeaks(() =>
      collect(
        from([[1, 0], [0, 1], [1, 1]]).pipe(
          lstm(cell, { emit: 'step', extras: true }),
          map((s) => {
            const k = Object.keys(s.extras!).sort();
            s.y.dispose();
            Object.values(s.extras!).forEach((t) => t.dispose()); // before the next step runs
            return k;
          }),
        ),
      ),
    );
    expect(keys).toEqual([0, 1, 2].map(() => ['c', 'f', 'g', 'i', 'o']));
    cell.dispose();
  });
});
