// Goldens: tools/goldens/attention.py (Chorowski et al. 2015, eqs. 8–9 and §2.3, transcribed in PyTorch with F.conv1d).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { locationAttention } from './location.js';
import { expectGoldenParity, expectGradients, expectPaddingInvariance, expectAttentionNoLeaks } from '../test/attention-harness.js';

const sizes = { querySize: 3, keySize: 4, units: 5, filters: 2, kernelSize: 3 };

describe('location-aware attention (Chorowski et al.)', () => {
  for (const name of ['location', 'location-sharpened', 'location-smoothed']) {
    it(`${name} matches the PyTorch transcription`, async () => {
      await expectGoldenParity(name);
    });
  }

  for (const variant of [{}, { sharpening: 2 }, { smoothing: true }]) {
    const label = JSON.stringify(variant);
    it(`${label}: gradients match finite differences (params, query, keys, previous alignment)`, () => {
      const att = locationAttention({ ...sizes, ...variant, seed: 1, weights: { attention_b: { shape: [5], data: Float32Array.from([0.1, -0.3, 0.2, 0, 0.4]) } } });
      expectGradients(att, { prev: true });
      att.dispose();
    });

    it(`${label}: a padded batch gives the unpadded results`, async () => {
      const att = locationAttention({ ...sizes, ...variant, seed: 2 });
      await expectPaddingInvariance(att, { prev: true });
      att.dispose();
    });
  }

  it('the location features see the previous alignment: moving α_{i−1} moves the scores', () => {
    const att = locationAttention({ ...sizes, seed: 4 });
    tf.tidy(() => {
      const keys = tf.zeros([1, 5, 4]) as tf.Tensor3D; // no content: only location can tell positions apart
      const q = tf.zeros([1, 3]) as tf.Tensor2D;
      const memory = att.precompute(keys);
      const at = (j: number) => att.score(q, memory, { prevAlignment: tf.oneHot([j], 5).toFloat() as tf.Tensor2D }).arraySync()[0];
      const e1 = at(1);
      const e3 = at(3);
      expect(e1[0]).toBeCloseTo(e3[2], 6); // the same offset from the previous focus gives the same score
      expect(e1[2]).toBeCloseTo(e3[4], 6);
      expect(Math.abs(e1[0] - e1[3])).toBeGreaterThan(1e-4);
    });
    att.dispose();
  });

  it('leaks no tensors', async () => {
    await expectAttentionNoLeaks(() => locationAttention({ ...sizes, seed: 3 }), { prev: true });
  });

  it('rejects bad options and a missing previous alignment', () => {
    expect(() => locationAttention({ ...sizes, kernelSize: 4 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.kernelSize' }));
    expect(() => locationAttention({ ...sizes, sharpening: 0 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.sharpening' }));
    const att = locationAttention(sizes);
    const keys = tf.zeros([1, 5, 4]) as tf.Tensor3D;
    const q = tf.zeros([1, 3]) as tf.Tensor2D;
    const memory = att.precompute(keys);
    expect(() => att.attend(q, memory)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.prevAlignment' }));
    memory.dispose();
    tf.dispose([keys, q]);
    att.dispose();
  });
});
