// The fused addressing op against the composition of the per-equation functions: values and gradients.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@rxrnn/core';
import { expectClose, expectNoLeaks, gradCheck } from '@rxrnn/testing';
import { address, type AddressingOutputs } from './address.js';
import { addressFused } from './address-fused.js';

function inputs(seed: number, B: number, N: number, M: number, S: number, zeroRow = false) {
  const rng = createRng(seed);
  const r = (shape: number[], scale = 1) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-scale, scale)), shape);
  const memory = tf.variable(r([B, N, M]));
  if (zeroRow) memory.assign(tf.concat([tf.zeros([B, 1, M]), memory.slice([0, 1, 0], [-1, -1, -1])], 1) as tf.Tensor3D);
  const wp = tf.softmax(r([B, N], 3));
  const vars = {
    memory,
    key: tf.variable(r([B, M])),
    betaHat: tf.variable(r([B, 1], 2)),
    gHat: tf.variable(r([B, 1], 2)),
    sHat: tf.variable(r([B, 2 * S + 1], 2)),
    gammaHat: tf.variable(r([B, 1], 2)),
    wPrev: tf.variable(wp),
  };
  wp.dispose();
  return vars;
}

const headOf = (v: ReturnType<typeof inputs>): AddressingOutputs => ({ key: v.key as tf.Variable<tf.Rank.R2>, betaHat: v.betaHat as tf.Variable<tf.Rank.R2>, gHat: v.gHat as tf.Variable<tf.Rank.R2>, sHat: v.sHat as tf.Variable<tf.Rank.R2>, gammaHat: v.gammaHat as tf.Variable<tf.Rank.R2> });

describe('addressFused', () => {
  for (const [B, N, M, S] of [
    [2, 7, 3, 1],
    [3, 10, 4, 2],
  ]) {
    it(`equals the composition of eqs. 5–9 and its gradients (a zero memory row included) (B ${B}, N ${N}, M ${M}, S ${S})`, () => {
      const v = inputs(B * 100 + N, B, N, M, S, true);
      const proj = tf.tidy(() => tf.randomNormal([B, N], 0, 1, 'float32', 5));
      tf.tidy(() => {
        const ref = address(v.memory as tf.Variable<tf.Rank.R3>, headOf(v), v.wPrev as tf.Variable<tf.Rank.R2>);
        const got = addressFused(v.memory as tf.Variable<tf.Rank.R3>, headOf(v), v.wPrev as tf.Variable<tf.Rank.R2>);
        expectClose(got, ref.dataSync(), 1e-6, 1e-5, 'w');
        const loss = (f: typeof address) => () => tf.sum(tf.mul(f(v.memory as tf.Variable<tf.Rank.R3>, headOf(v), v.wPrev as tf.Variable<tf.Rank.R2>), proj)) as tf.Scalar;
        const gRef = tf.variableGrads(loss(address), Object.values(v));
        const gGot = tf.variableGrads(loss(addressFused), Object.values(v));
        for (const [name, t] of Object.entries(v)) expectClose(gGot.grads[t.name], gRef.grads[t.name].dataSync(), 1e-5, 1e-4, `d${name}`);
      });
      // Finite differences away from the zero row (its norm is √ε: a step of h there is not small).
      const u = inputs(B * 100 + N + 1, B, N, M, S);
      const report = gradCheck(() => tf.tidy(() => tf.sum(tf.mul(addressFused(u.memory as tf.Variable<tf.Rank.R3>, headOf(u), u.wPrev as tf.Variable<tf.Rank.R2>), proj)) as tf.Scalar), u);
      expect(report.checked).toBeGreaterThan(20);
      tf.dispose([...Object.values(v), ...Object.values(u), proj]);
    });
  }

  it('leaks no tensors, forward and backward', async () => {
    const v = inputs(3, 2, 6, 3, 1);
    await expectNoLeaks(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(addressFused(v.memory as tf.Variable<tf.Rank.R3>, headOf(v), v.wPrev as tf.Variable<tf.Rank.R2>)) as tf.Scalar, Object.values(v));
      value.dispose();
      tf.dispose(grads);
    }, 'addressFused');
    tf.dispose(Object.values(v));
  });
});
