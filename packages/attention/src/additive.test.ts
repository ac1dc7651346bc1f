// Goldens: tools/goldens/attention.py (Bahdanau et al. 2014 and Luong et al. 2015's concat, transcribed in PyTorch).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { RxrnnError } from '@rxrnn/core';
import { expectNoLeaks } from '@rxrnn/testing';
import { additiveAttention, concatAttention } from './additive.js';
import { expectGoldenParity, expectGradients, expectPaddingInvariance, expectAttentionNoLeaks } from '../test/attention-harness.js';

const sizes = { querySize: 3, keySize: 4, units: 5 };

describe('additive attention (Bahdanau)', () => {
  it('matches the PyTorch transcription (scores, masked alignment, context)', async () => {
    await expectGoldenParity('additive');
  });

  it('with the coverage feature matches the PyTorch transcription of See et al.', async () => {
    await expectGoldenParity('additive-coverage');
  });

  it('gradients match finite differences (params, query, keys)', () => {
    const att = additiveAttention({ ...sizes, seed: 1, weights: { attention_b: { shape: [5], data: Float32Array.from([0.1, -0.2, 0.3, 0, 0.05]) } } });
    expectGradients(att);
    att.dispose();
  });

  it('gradients with coverage match finite differences (params, query, keys, coverage)', () => {
    const att = additiveAttention({ ...sizes, coverage: true, seed: 2, weights: { coverage_kernel: { shape: [5], data: Float32Array.from([0.5, -0.4, 0.3, 0.2, -0.1]) } } });
    expectGradients(att, { coverage: true });
    att.dispose();
  });

  it('a padded batch gives the unpadded results; padding gets exactly zero weight', async () => {
    const att = additiveAttention({ ...sizes, seed: 3 });
    await expectPaddingInvariance(att);
    att.dispose();
    const cov = additiveAttention({ ...sizes, coverage: true, seed: 3 });
    await expectPaddingInvariance(cov, { coverage: true });
    cov.dispose();
  });

  it('leaks no tensors', async () => {
    await expectAttentionNoLeaks(() => additiveAttention({ ...sizes, seed: 4 }));
    await expectAttentionNoLeaks(() => additiveAttention({ ...sizes, coverage: true, seed: 4 }), { coverage: true });
  });

  it('rejects bad input with typed errors before allocating', async () => {
    const att = additiveAttention({ ...sizes, seed: 5 });
    const keys = tf.zeros([2, 4, 4]) as tf.Tensor3D;
    const memory = att.precompute(keys);
    const badQuery = tf.zeros([2, 7]) as tf.Tensor2D;
    const query = tf.zeros([2, 3]) as tf.Tensor2D;
    const badMask = tf.ones([2, 3]) as tf.Tensor2D;
    const badKeys = tf.zeros([2, 4, 5]) as tf.Tensor3D;
    await expectNoLeaks(() => {
      expect(() => att.attend(badQuery, memory)).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'query' }));
      expect(() => att.attend(query, memory, { mask: badMask })).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'options.mask' }));
      expect(() => att.precompute(badKeys)).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'keys' }));
    }, 'rejected input');
    tf.dispose([badQuery, badMask, badKeys]);
    expect(() => additiveAttention({ ...sizes, units: 0 })).toThrow(RxrnnError);
    expect(() => additiveAttention({ ...sizes, weights: { W: { shape: [3, 5], data: new Float32Array(15) } } })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => additiveAttention({ ...sizes, weights: { query_kernel: { shape: [5, 3], data: new Float32Array(15) } } })).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    const withCoverage = additiveAttention({ ...sizes, coverage: true });
    const m2 = withCoverage.precompute(keys);
    expect(() => withCoverage.attend(query, m2)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.coverage' }));
    m2.dispose();
    withCoverage.dispose();
    memory.dispose();
    tf.dispose([keys, query]);
    att.dispose();
    expect(() => att.precompute(keys)).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
  });
});

describe('concat attention (Luong)', () => {
  it('matches the PyTorch transcription', async () => {
    await expectGoldenParity('concat');
  });

  it('gradients match finite differences (params, query, keys)', () => {
    const att = concatAttention({ ...sizes, seed: 6 });
    expect(Object.keys(att.params).sort()).toEqual(['attention_v', 'memory_kernel', 'query_kernel']);
    expectGradients(att);
    att.dispose();
  });

  it('a padded batch gives the unpadded results', async () => {
    const att = concatAttention({ ...sizes, seed: 7 });
    await expectPaddingInvariance(att);
    att.dispose();
  });

  it('leaks no tensors', async () => {
    await expectAttentionNoLeaks(() => concatAttention({ ...sizes, seed: 8 }));
  });
});
