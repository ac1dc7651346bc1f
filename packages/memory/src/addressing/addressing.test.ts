// Goldens: tools/goldens/ntm.py (Graves et al. 2014, eqs. 2–9, transcribed in PyTorch; float64).
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@rxrnn/core';
import { loadGolden, expectClose, expectNoLeaks, gradCheck } from '@rxrnn/testing';
import { cosineSimilarity, contentAddressing } from './content.js';
import { interpolate } from './interpolate.js';
import { circularShift } from './shift.js';
import { sharpen } from './sharpen.js';
import { readMemory } from './read.js';
import { writeMemory } from './write.js';
import { address } from './address.js';
import { addressFused } from './address-fused.js';

const DIR = fileURLToPath(new URL('../../fixtures/ntm/', import.meta.url));

describe('NTM addressing against the PyTorch transcription of the paper', () => {
  for (const name of ['addressing', 'addressing-shift2']) {
    it(`${name}: eqs. 2–9 each within 1e-5 (a zero row and a zero memory included)`, async () => {
      const g = loadGolden(`${DIR}${name}`);
      await expectNoLeaks(() => {
        tf.tidy(() => {
          const t = (k: string) => tf.tensor(Float32Array.from(g.tensors[k].data), g.tensors[k].shape);
          const memory = t('memory') as tf.Tensor3D;
          const key = t('key') as tf.Tensor2D;
          const head = { key, betaHat: t('betaHat') as tf.Tensor2D, gHat: t('gHat') as tf.Tensor2D, sHat: t('sHat') as tf.Tensor2D, gammaHat: t('gammaHat') as tf.Tensor2D };
          const wPrev = t('wPrev') as tf.Tensor2D;
          const want = (k: string) => g.tensors[k].data;
          expectClose(cosineSimilarity(memory, key), want('cosine'), 1e-5, 0, 'eq. 6');
          const wc = contentAddressing(memory, key, head.betaHat);
          expectClose(wc, want('wc'), 1e-5, 0, 'eq. 5');
          const wg = interpolate(t('wc') as tf.Tensor2D, wPrev, head.gHat);
          expectClose(wg, want('wg'), 1e-5, 0, 'eq. 7');
          const wt = circularShift(t('wg') as tf.Tensor2D, head.sHat);
          expectClose(wt, want('wTilde'), 1e-5, 0, 'eq. 8');
          expectClose(sharpen(t('wTilde') as tf.Tensor2D, head.gammaHat), want('w'), 1e-5, 0, 'eq. 9');
          expectClose(address(memory, head, wPrev), want('w'), 1e-5, 0, 'eqs. 5–9');
          expectClose(addressFused(memory, head, wPrev), want('w'), 1e-5, 0, 'eqs. 5–9 fused');
          expectClose(readMemory(memory, t('w') as tf.Tensor2D), want('read'), 1e-5, 0, 'eq. 2');
          const written = writeMemory(memory, [
            { w: t('w') as tf.Tensor2D, eraseHat: t('eraseHat1') as tf.Tensor2D, add: t('add1') as tf.Tensor2D },
            { w: t('w2') as tf.Tensor2D, eraseHat: t('eraseHat2') as tf.Tensor2D, add: t('add2') as tf.Tensor2D },
          ]);
          expectClose(written, want('written'), 1e-5, 0, 'eqs. 3–4');
          // The zero memory (last row of the batch): uniform content weights, nothing NaN.
          const N = memory.shape[1];
          expect(Array.from(wc.slice([2, 0], [1, -1]).dataSync()).every((v) => Math.abs(v - 1 / N) < 1e-6)).toBe(true);
        });
      }, name);
    });
  }
});

/** Random float32 variables of the given shapes. */
function vars(seed: number, shapes: Record<string, number[]>, scale = 1): Record<string, tf.Variable> {
  const rng = createRng(seed);
  return Object.fromEntries(
    Object.entries(shapes).map(([k, s]) => [k, tf.variable(tf.tensor(Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.uniform(-scale, scale)), s))]),
  );
}

/** Weightings [B, N]: positive rows summing to 1. */
const weighting = (seed: number, B: number, N: number) => tf.variable(tf.tidy(() => tf.softmax(tf.randomNormal([B, N], 0, 1.5, 'float32', seed))));

describe('finite-difference gradients of each addressing op', () => {
  const B = 2;
  const N = 6;
  const M = 4;
  const check = (name: string, v: Record<string, tf.Variable>, f: () => tf.Tensor) => {
    const proj = tf.tidy(() => tf.randomNormal(f().shape, 0, 1, 'float32', 9));
    const report = gradCheck(() => tf.tidy(() => tf.sum(tf.mul(f(), proj)) as tf.Scalar), v);
    expect(report.checked, name).toBeGreaterThan(5);
    tf.dispose([proj, ...Object.values(v)]);
  };

  it('content addressing (eqs. 5–6): memory, key, β̂', () => {
    const v = vars(1, { memory: [B, N, M], key: [B, M], betaHat: [B, 1] });
    check('content', v, () => contentAddressing(v.memory as tf.Tensor3D, v.key as tf.Tensor2D, v.betaHat as tf.Tensor2D));
  });
  it('interpolation (eq. 7): w^c, w_{t−1}, ĝ', () => {
    const v: Record<string, tf.Variable> = { wc: weighting(2, B, N), wPrev: weighting(3, B, N), ...vars(4, { gHat: [B, 1] }, 2) };
    check('interpolate', v, () => interpolate(v.wc as tf.Tensor2D, v.wPrev as tf.Tensor2D, v.gHat as tf.Tensor2D));
  });
  for (const S of [1, 2]) {
    it(`circular shift (eq. 8), S = ${S}: w^g, ŝ`, () => {
      const v: Record<string, tf.Variable> = { wg: weighting(5, B, N), ...vars(6, { sHat: [B, 2 * S + 1] }, 2) };
      check('shift', v, () => circularShift(v.wg as tf.Tensor2D, v.sHat as tf.Tensor2D));
    });
  }
  it('sharpening (eq. 9): w̃, γ̂', () => {
    const v: Record<string, tf.Variable> = { wTilde: weighting(7, B, N), ...vars(8, { gammaHat: [B, 1] }, 2) };
    check('sharpen', v, () => sharpen(v.wTilde as tf.Tensor2D, v.gammaHat as tf.Tensor2D));
  });
  it('reading (eq. 2): memory, w', () => {
    const v: Record<string, tf.Variable> = { w: weighting(9, B, N), ...vars(10, { memory: [B, N, M] }) };
    check('read', v, () => readMemory(v.memory as tf.Tensor3D, v.w as tf.Tensor2D));
  });
  it('writing (eqs. 3–4), two heads: memory, w, ê, a', () => {
    const v: Record<string, tf.Variable> = { w1: weighting(11, B, N), w2: weighting(12, B, N), ...vars(13, { memory: [B, N, M], e1: [B, M], a1: [B, M], e2: [B, M], a2: [B, M] }) };
    check('write', v, () =>
      writeMemory(v.memory as tf.Tensor3D, [
        { w: v.w1 as tf.Tensor2D, eraseHat: v.e1 as tf.Tensor2D, add: v.a1 as tf.Tensor2D },
        { w: v.w2 as tf.Tensor2D, eraseHat: v.e2 as tf.Tensor2D, add: v.a2 as tf.Tensor2D },
      ]),
    );
  });
  it('the whole head (eqs. 5–9): every raw output and the previous weighting', () => {
    const v: Record<string, tf.Variable> = { wPrev: weighting(14, B, N), ...vars(15, { memory: [B, N, M], key: [B, M], betaHat: [B, 1], gHat: [B, 1], sHat: [B, 3], gammaHat: [B, 1] }) };
    check('address', v, () => address(v.memory as tf.Tensor3D, { key: v.key as tf.Tensor2D, betaHat: v.betaHat as tf.Tensor2D, gHat: v.gHat as tf.Tensor2D, sHat: v.sHat as tf.Tensor2D, gammaHat: v.gammaHat as tf.Tensor2D }, v.wPrev as tf.Tensor2D));
  });
});

describe('guards', () => {
  it('a zero key and a zero memory give finite weights and gradients (ε in the norms)', () => {
    const memory = tf.variable(tf.zeros([1, 4, 3]));
    const key = tf.variable(tf.zeros([1, 3]));
    const beta = tf.variable(tf.ones([1, 1]));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(contentAddressing(memory as tf.Tensor3D, key as tf.Tensor2D, beta as tf.Tensor2D))) as tf.Scalar, [memory, key, beta]);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    for (const g of Object.values(grads)) expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([value, memory, key, beta, ...Object.values(grads)]);
  });
  it('sharpening a weighting whose powers underflow float32 stays a distribution; γ ≥ 1 sharpens', () => {
    tf.tidy(() => {
      const wt = tf.fill([1, 128], 1 / 128) as tf.Tensor2D;
      const w = sharpen(wt, tf.fill([1, 1], 30) as tf.Tensor2D).dataSync(); // γ ≈ 31: (1/128)^31 = 0 in float32
      expect(w.every((v) => Math.abs(v - 1 / 128) < 1e-6)).toBe(true);
      const peaked = tf.tensor2d([[0.1, 0.6, 0.3]]);
      const s = sharpen(peaked, tf.fill([1, 1], 2) as tf.Tensor2D).dataSync();
      expect(s[1]).toBeGreaterThan(0.6);
      const flat = sharpen(peaked, tf.fill([1, 1], -30) as tf.Tensor2D).dataSync(); // γ → 1: unchanged
      expectClose(Array.from(flat), [0.1, 0.6, 0.3], 1e-5, 0, 'γ = 1');
    });
  });
  it('a one-hot shift moves the focus one row, circularly', () => {
    tf.tidy(() => {
      const w = tf.tensor2d([[0, 0, 0, 1]]);
      const plus = circularShift(w, tf.tensor2d([[-50, -50, 50]])).dataSync(); // s = δ(+1)
      expectClose(Array.from(plus), [1, 0, 0, 0], 1e-6, 0, '+1 wraps');
      const minus = circularShift(w, tf.tensor2d([[50, -50, -50]])).dataSync(); // s = δ(−1)
      expectClose(Array.from(minus), [0, 0, 1, 0], 1e-6, 0, '−1');
    });
  });
  it('typed errors before any tensor is made', () => {
    const m = tf.zeros([2, 5, 3]) as tf.Tensor3D;
    const w = tf.zeros([2, 5]) as tf.Tensor2D;
    const k4 = tf.zeros([2, 4]) as tf.Tensor2D;
    const k3 = tf.zeros([2, 3]) as tf.Tensor2D;
    const one = tf.zeros([2, 1]) as tf.Tensor2D;
    const s2 = tf.zeros([2, 2]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    expect(() => contentAddressing(m, k4, one)).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'key' }));
    expect(() => contentAddressing(m, k3, w)).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'betaHat' }));
    expect(() => interpolate(w, k4, one)).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'wPrev' }));
    expect(() => circularShift(w, s2)).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'sHat' }));
    expect(() => sharpen(w, s2)).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'gammaHat' }));
    expect(() => readMemory(m, k4)).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'w' }));
    expect(() => writeMemory(m, [])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'heads' }));
    expect(() => writeMemory(m, [{ w, eraseHat: k4, add: k3 }])).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'heads[0].eraseHat' }));
    expect(() => addressFused(m, { key: k3, betaHat: one, gHat: one, sHat: s2, gammaHat: one }, w)).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'head.sHat' }));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([m, w, k4, k3, one, s2]);
  });
});
