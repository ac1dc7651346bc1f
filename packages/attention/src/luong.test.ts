// Goldens: tools/goldens/attention.py (Luong et al. 2015's dot and general scores, transcribed in PyTorch).
import { describe, it, expect } from 'vitest';
import { dotAttention, generalAttention } from './luong.js';
import { expectGoldenParity, expectGradients, expectPaddingInvariance, expectAttentionNoLeaks } from '../test/attention-harness.js';

describe('dot attention (Luong)', () => {
  it('matches the PyTorch transcription', async () => {
    await expectGoldenParity('dot');
  });

  it('gradients match finite differences (query, keys)', () => {
    const att = dotAttention({ querySize: 4, keySize: 4 });
    expect(Object.keys(att.params)).toEqual([]);
    expectGradients(att);
    att.dispose();
  });

  it('a padded batch gives the unpadded results', async () => {
    const att = dotAttention({ querySize: 4, keySize: 4 });
    await expectPaddingInvariance(att);
    att.dispose();
  });

  it('leaks no tensors', async () => {
    await expectAttentionNoLeaks(() => dotAttention({ querySize: 4, keySize: 4 }));
  });

  it('needs equal query and key sizes', () => {
    expect(() => dotAttention({ querySize: 4, keySize: 5 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.keySize' }));
  });
});

describe('general attention (Luong)', () => {
  it('matches the PyTorch transcription', async () => {
    await expectGoldenParity('general');
  });

  it('gradients match finite differences (memory_kernel, query, keys)', () => {
    const att = generalAttention({ querySize: 3, keySize: 5, seed: 1 });
    expect(att.params.memory_kernel.shape).toEqual([5, 3]);
    expectGradients(att);
    att.dispose();
  });

  it('a padded batch gives the unpadded results', async () => {
    const att = generalAttention({ querySize: 3, keySize: 5, seed: 2 });
    await expectPaddingInvariance(att);
    att.dispose();
  });

  it('leaks no tensors', async () => {
    await expectAttentionNoLeaks(() => generalAttention({ querySize: 3, keySize: 5, seed: 3 }));
  });
});
