import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectNoLeaks } from '@rxrnn/testing';
import { createUpdater } from './updater.js';

describe('createUpdater: updates for any named parameters', () => {
  it('minimises a loss of its parameters (SGD step = −lr · gradient), clipped by global norm', async () => {
    const w = tf.variable(tf.tensor1d([3, -4]));
    const up = createUpdater({ params: { w }, optimizer: { kind: 'sgd', lr: 0.1 }, clipNorm: 1 });
    const r = await expectNoLeaks(() => up.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, { tokens: 2 }), 'minimize');
    expect(r).toMatchObject({ step: 1, loss: 25, lr: 0.1, tokens: 2 });
    expect(r.gradNorm).toBeCloseTo(10, 5); // ‖2w‖ = 10, clipped to 1: the step is 0.1 · (6, −8) / 10
    const v = w.dataSync();
    expect(v[0]).toBeCloseTo(3 - 0.06, 6);
    expect(v[1]).toBeCloseTo(-4 + 0.08, 6);
    expect(() => up.apply({ w: tf.zeros([3]) }, { loss: 0, tokens: 0 })).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: "grads['w']" }));
    up.dispose();
    expect(() => up.minimize(() => tf.sum(w) as tf.Scalar)).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
    w.dispose();
  });

  it('checkpoints and resumes the same updates (Adam slots, step, schedule)', async () => {
    const run = async (split: boolean) => {
      const w = tf.variable(tf.tensor1d([1, 2, 3]));
      const opts = { optimizer: { kind: 'adam' as const, lr: 0.1 }, schedule: { kind: 'cosine' as const, total: 6 }, seed: 3 };
      let up = createUpdater({ params: { w }, ...opts });
      const loss = () => tf.sum(tf.mul(tf.square(w), tf.tensor1d([1, 2, 3]))) as tf.Scalar;
      for (let i = 0; i < 3; i++) up.minimize(loss);
      if (split) {
        const ck = await up.checkpoint();
        up.dispose();
        up = createUpdater({ params: { w }, ...opts });
        await up.restore(ck);
        expect(up.step).toBe(3);
      }
      for (let i = 0; i < 3; i++) up.minimize(loss);
      up.dispose();
      const out = Array.from(w.dataSync());
      w.dispose();
      return out;
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it('rejects parameters that are not variables', () => {
    const t = tf.scalar(1);
    expect(() => createUpdater({ params: { w: t as never } })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.params' }));
    t.dispose();
  });
});
