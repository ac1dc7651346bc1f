import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { lstmCell, gruCell } from '@rxrnn/cells';
import { gradCheck, expectNoLeaks } from '@rxrnn/testing';
import { attentionDecoder } from './decoder-step.js';
import { locationAttention } from './location.js';
import { additiveAttention } from './additive.js';
import { generalAttention } from './luong.js';
import type { Attention } from './types.js';

const X = 2, H = 3, D = 4, S = 4, B = 2, T = 3;

function setup(attention: Attention) {
  const cell = lstmCell({ inputSize: X + H, hiddenSize: H, seed: 1, fused: false });
  const dec = attentionDecoder(cell, attention, { inputSize: X, seed: 2 });
  return { cell, dec };
}

function decodeLoss(dec: ReturnType<typeof setup>['dec'], keys: tf.Tensor3D, xs: tf.Tensor2D[], mask: tf.Tensor2D, w: tf.Tensor2D) {
  return () =>
    tf.tidy(() => {
      const memory = dec.attention.precompute(keys);
      let state = dec.initialState(B, S, mask);
      let loss = tf.scalar(0);
      for (const x of xs) {
        const r = dec.step(state, x, memory, mask);
        loss = loss.add(r.output.mul(w).sum()).add(r.alignment.mul(w.slice([0, 0], [B, 1])).sum());
        state = r.state;
      }
      return loss as tf.Scalar;
    });
}

const mechanisms: [string, () => Attention][] = [
  ['location-aware', () => locationAttention({ querySize: H, keySize: D, units: 3, filters: 2, kernelSize: 3, seed: 3 })],
  ['additive with coverage', () => additiveAttention({ querySize: H, keySize: D, units: 3, coverage: true, seed: 4, weights: { coverage_kernel: { shape: [3], data: Float32Array.from([0.7, -0.5, 0.3]) } } })],
  ['general', () => generalAttention({ querySize: H, keySize: D, seed: 5 })],
];

describe('attentionDecoder (Luong input feeding)', () => {
  for (const [name, make] of mechanisms) {
    it(`${name}: gradients over ${T} steps match finite differences (cell, attention, output kernel, keys)`, () => {
      const att = make();
      const { cell, dec } = setup(att);
      const keys = tf.variable(tf.randomNormal([B, S, D], 0, 1, 'float32', 1));
      const xs = Array.from({ length: T }, (_, t) => tf.randomNormal([B, X], 0, 1, 'float32', 10 + t) as tf.Tensor2D);
      const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 0, 0]]);
      const w = tf.randomNormal([B, H], 0, 1, 'float32', 20) as tf.Tensor2D;
      const vars: Record<string, tf.Variable> = { keys, output_kernel: dec.params.output_kernel };
      for (const [k, v] of Object.entries(cell.params)) vars[`cell.${k}`] = v;
      for (const [k, v] of Object.entries(att.params)) vars[`attention.${k}`] = v;
      const report = gradCheck(decodeLoss(dec, keys as tf.Tensor3D, xs, mask, w), vars, { maxPerVariable: 8 });
      expect(report.checked).toBeGreaterThan(40);
      tf.dispose([keys, ...xs, mask, w]);
      dec.dispose();
      att.dispose();
      cell.dispose();
    });
  }

  it('feeds h̃_{t−1} back into the cell and carries α and the coverage in its state', () => {
    const att = locationAttention({ querySize: H, keySize: D, units: 3, filters: 2, kernelSize: 3, seed: 3 });
    const { cell, dec } = setup(att);
    tf.tidy(() => {
      const keys = tf.randomNormal([B, S, D], 0, 1, 'float32', 1) as tf.Tensor3D;
      const memory = att.precompute(keys);
      const x = tf.ones([B, X]) as tf.Tensor2D;
      const s0 = dec.initialState(B, S);
      const r1 = dec.step(s0, x, memory);
      const zeroFed = { ...r1.state, attentional: tf.zerosLike(r1.state.attentional) as tf.Tensor2D };
      const a = dec.step(r1.state, x, memory).output.arraySync();
      const b = dec.step(zeroFed, x, memory).output.arraySync();
      expect(Math.abs(a[0][0] - b[0][0])).toBeGreaterThan(1e-6); // the attentional state is fed
      expect(r1.state.alignment).toBe(r1.alignment);
      expect(r1.state.coverage.sum(-1).arraySync()).toEqual([expect.closeTo(1, 5), expect.closeTo(1, 5)]);
      expect(r1.output.shape).toEqual([B, H]);
      expect(r1.context.shape).toEqual([B, D]);
    });
    dec.dispose();
    att.dispose();
    cell.dispose();
  });

  it('leaks no tensors over a decode, and rejects mismatched sizes', async () => {
    await expectNoLeaks(() => {
      const cell = gruCell({ inputSize: X + H, hiddenSize: H, seed: 1 });
      const att = additiveAttention({ querySize: H, keySize: D, units: 3, seed: 2 });
      const dec = attentionDecoder(cell, att, { inputSize: X });
      const keys = tf.randomNormal([B, S, D], 0, 1, 'float32', 1) as tf.Tensor3D;
      const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 0, 0]]);
      const memory = att.precompute(keys);
      let state = dec.initialState(B, S, mask);
      for (let t = 0; t < T; t++) {
        const next = tf.tidy(() => dec.step(state, tf.ones([B, X]) as tf.Tensor2D, memory, mask).state);
        tf.dispose(state as never);
        state = next;
      }
      tf.dispose(state as never);
      const badX = tf.ones([B, X + 1]) as tf.Tensor2D;
      expect(() => dec.step(state, badX, memory)).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'x' }));
      badX.dispose();
      memory.dispose();
      tf.dispose([keys, mask]);
      expect(() => attentionDecoder(cell, att, { inputSize: X + 1 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'cell.inputSize' }));
      const wrongQuery = additiveAttention({ querySize: H + 1, keySize: D, units: 3 });
      expect(() => attentionDecoder(cell, wrongQuery, { inputSize: X })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'attention.querySize' }));
      wrongQuery.dispose();
      dec.dispose();
      att.dispose();
      cell.dispose();
    }, 'decoder');
  });
});
