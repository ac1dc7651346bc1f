// Goldens: tools/goldens/monotonic.py (Raffel et al. 2017's recurrence and Algorithm 1, Chiu & Raffel 2018's eq. 20, as loops in PyTorch).
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, type ParamInit } from '@rxrnn/core';
import { gruCell } from '@rxrnn/cells';
import { loadGolden, expectClose, expectNoLeaks, gradCheck, maxAbsDiff, type Golden } from '@rxrnn/testing';
import { monotonicAttention, monotonicStops, expectedAlignment, hardAlignment } from './monotonic.js';
import { mochaAttention, movingSum } from './mocha.js';
import { attentionDecoder, extendDecoderState } from './decoder-step.js';
import { expectPaddingInvariance, expectAttentionNoLeaks, lengthMask, alignmentRows } from '../test/attention-harness.js';
import type { Attention, AttendOptions } from './types.js';

interface Meta {
  factory: 'monotonicAttention' | 'mochaAttention';
  options: Record<string, number>;
  weights: string[];
}

const DIR = fileURLToPath(new URL('../fixtures/monotonic/', import.meta.url));
const t = (g: Golden<Meta>, name: string) => tf.tensor(Float32Array.from(g.tensors[name].data), g.tensors[name].shape);

function fromGolden(g: Golden<Meta>, scale = 1): Attention {
  const weights: Record<string, ParamInit> = {};
  for (const w of g.config.weights) {
    const d = Float32Array.from(g.tensors[`weights.${w}`].data);
    if (w === 'attention_g' || w === 'attention_r') d[0] *= scale; // e → scale · e: energies pushed apart
    weights[w] = { shape: g.tensors[`weights.${w}`].shape, data: d };
  }
  const options = { ...g.config.options, weights };
  return g.config.factory === 'mochaAttention' ? mochaAttention(options as never) : monotonicAttention(options as never);
}

const cases = ['monotonic', 'mocha', 'mocha-w1'];

describe('monotonic attention (Raffel et al. 2017) and MoChA (Chiu & Raffel 2018)', () => {
  for (const name of cases) {
    it(`${name}: the expected alignment (training, given noise) matches the papers' recurrences`, async () => {
      const g = loadGolden<Meta>(`${DIR}${name}`);
      await expectNoLeaks(() => {
        const att = fromGolden(g);
        tf.tidy(() => {
          const memory = att.precompute(t(g, 'keys') as tf.Tensor3D);
          const opts: AttendOptions = { mask: t(g, 'mask') as tf.Tensor2D, prevAlignment: t(g, 'prev') as tf.Tensor2D, noise: t(g, 'noise') as tf.Tensor2D, training: true };
          const r = att.attend(t(g, 'query') as tf.Tensor2D, memory, opts);
          expectClose(att.score(t(g, 'query') as tf.Tensor2D, memory, opts), g.tensors.scores.data, 1e-5, 0, `${name} energies`);
          expectClose(r.alignment, g.tensors.alignment.data, 1e-5, 0, `${name} alignment`);
          expectClose(r.context, g.tensors.context.data, 1e-5, 0, `${name} context`);
          if (g.tensors.monotonic) expectClose(r.selection!, g.tensors.monotonic.data, 1e-5, 0, `${name} α`);
          else expect(r.selection).toBe(r.alignment);
          memory.dispose();
        });
        att.dispose();
      }, name);
    });

    it(`${name}: hard decisions (inference) match Algorithm 1's scan`, async () => {
      const g = loadGolden<Meta>(`${DIR}${name}`);
      await expectNoLeaks(() => {
        const att = fromGolden(g);
        tf.tidy(() => {
          const memory = att.precompute(t(g, 'keys') as tf.Tensor3D);
          const r = att.attend(t(g, 'query') as tf.Tensor2D, memory, { mask: t(g, 'mask') as tf.Tensor2D, prevAlignment: t(g, 'prevHard') as tf.Tensor2D });
          expectClose(r.alignment, g.tensors.hardAlignment.data, 1e-5, 0, `${name} hard alignment`);
          expectClose(r.context, g.tensors.hardContext.data, 1e-5, 0, `${name} hard context`);
          expect(Array.from(monotonicStops(r.selection!))).toEqual(Array.from(g.tensors.hardPosition.data));
          memory.dispose();
        });
        att.dispose();
      }, `${name} hard`);
    });
  }

  it('the expected alignment approaches the hard one as the energies are pushed apart, with training noise on', async () => {
    for (const name of cases) {
      const g = loadGolden<Meta>(`${DIR}${name}`);
      const errors: number[] = [];
      for (const scale of [1, 10, 100, 1000]) {
        await expectNoLeaks(() => {
          const att = fromGolden(g, scale);
          tf.tidy(() => {
            const memory = att.precompute(t(g, 'keys') as tf.Tensor3D);
            // t_{i−1} = 0 (a decoder's first step): the cumprod form divides by Π_{l<t_{i−1}} (1 − p_l), clamped at 1e−10 (see the README)
            const opts = { mask: t(g, 'mask') as tf.Tensor2D, prevAlignment: tf.oneHot([0, 0, 0], 6).toFloat() as tf.Tensor2D };
            const soft = att.attend(t(g, 'query') as tf.Tensor2D, memory, { ...opts, training: true, rng: createRng(scale) }); // σ = 1 noise
            const hard = att.attend(t(g, 'query') as tf.Tensor2D, memory, opts);
            errors.push(Math.max(maxAbsDiff(soft.alignment, hard.alignment), maxAbsDiff(soft.context, hard.context)));
            memory.dispose();
          });
          att.dispose();
        }, `${name} × ${scale}`);
      }
      expect(errors[3], `${name}: ${errors}`).toBeLessThan(1e-4);
      expect(errors[0], `${name}: ${errors}`).toBeGreaterThan(errors[3]);
    }
    // the same limit on the pure functions: p → {0, 1} makes eq. 12 the scan
    tf.tidy(() => {
      const prev = tf.tensor2d([[0, 1, 0, 0, 0]]);
      const e = tf.tensor2d([[3, -2, -1, 0.7, 2]]);
      const hard = hardAlignment(tf.sigmoid(e) as tf.Tensor2D, prev);
      expect(hard.arraySync()).toEqual([[0, 0, 0, 1, 0]]); // from t = 1: frame 1 and 2 rejected, stop at 3
      const e0 = tf.tensor2d([[-3, -2, -1, 0.7, 2]]);
      const first = tf.tensor2d([[1, 0, 0, 0, 0]]);
      expectClose(expectedAlignment(tf.sigmoid(e0.mul(200)) as tf.Tensor2D, first), hardAlignment(tf.sigmoid(e0) as tf.Tensor2D, first), 1e-6, 0, 'eq. 12 at p ∈ {0, 1}');
    });
  });

  it('movingSum is the windowed sum of the definition', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 2, 3, 4, 5]]);
      expect(movingSum(x, 2, 0).arraySync()).toEqual([[1, 3, 6, 9, 12]]);
      expect(movingSum(x, 0, 2).arraySync()).toEqual([[6, 9, 12, 9, 5]]);
      expect(movingSum(x, 1, 1).arraySync()).toEqual([[3, 6, 9, 12, 9]]);
    });
  });

  const sizes = { querySize: 3, keySize: 4, units: 4 };
  const makers: [string, () => Attention][] = [
    ['monotonic', () => monotonicAttention({ ...sizes, seed: 1, initialOffset: 0 })],
    ['mocha (w = 2)', () => mochaAttention({ ...sizes, chunkSize: 2, seed: 2, initialOffset: 0 })],
  ];

  for (const [name, make] of makers) {
    it(`${name}: training-path gradients match finite differences (params, query, keys, α_{i−1}, with noise)`, () => {
      const att = make();
      const rng = createRng(7);
      const B = 2, S = 4;
      const rand = (shape: number[], s = 1) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.uniform(-s, s)), shape);
      const query = tf.variable(rand([B, 3]));
      const keys = tf.variable(rand([B, S, 4]));
      const prev = tf.variable(alignmentRows(rng.next, [4, 2], S));
      const mask = lengthMask([4, 2], S);
      const noise = rand([B, S], 0.5) as tf.Tensor2D;
      const wc = rand([B, 4]);
      const wa = rand([B, S]);
      const loss = () =>
        tf.tidy(() => {
          const memory = att.precompute(keys as tf.Tensor3D);
          const r = att.attend(query as tf.Tensor2D, memory, { mask, prevAlignment: prev as tf.Tensor2D, training: true, noise });
          return r.context.mul(wc).sum().add(r.alignment.mul(wa).sum()).add(r.selection!.mul(wa).sum().mul(0.5)) as tf.Scalar;
        });
      const report = gradCheck(loss, { ...att.params, query, keys, prev } as Record<string, tf.Variable>);
      expect(report.checked).toBeGreaterThan(30);
      tf.dispose([query, keys, prev, mask, noise, wc, wa]);
      att.dispose();
    });

    it(`${name}: a padded batch gives the unpadded results (hard path); no leaks`, async () => {
      const att = make();
      await expectPaddingInvariance(att, { prev: true });
      att.dispose();
      await expectAttentionNoLeaks(make, { prev: true });
    });

    it(`${name}: decides while the source is still arriving: every prefix that holds t_i gives the full source's decision`, async () => {
      const att = make();
      const S = 7;
      await expectNoLeaks(() =>
        tf.tidy(() => {
          const query = tf.randomNormal([3, 3], 0, 2, 'float32', 3) as tf.Tensor2D;
          const keys = tf.randomNormal([3, S, 4], 0, 2, 'float32', 4) as tf.Tensor3D;
          const prev = tf.oneHot([0, 2, 1], S).toFloat() as tf.Tensor2D;
          const full = att.attend(query, att.precompute(keys), { prevAlignment: prev });
          const stops = monotonicStops(full.selection!);
          const ctx = full.context.arraySync();
          for (let L = 1; L <= S; L++) {
            const part = att.attend(query, att.precompute(keys.slice([0, 0, 0], [-1, L, -1])), { prevAlignment: prev.slice([0, 0], [-1, L]) });
            const found = monotonicStops(part.selection!);
            const pc = part.context.arraySync();
            for (let b = 0; b < 3; b++) {
              if (stops[b] >= 0 && stops[b] < L) {
                expect(found[b]).toBe(stops[b]); // the stop is known as soon as frame t_i has arrived…
                expectClose(pc[b], ctx[b], 1e-6, 0, `context of row ${b} from ${L} frames`); // …and so is the context
              } else expect(found[b]).toBe(-1); // not yet: wait for more frames
            }
          }
        }),
      );
      att.dispose();
    });
  }

  it('an attentional decoder with hard monotonic attention emits each step once its stop frame has arrived, as over the full source', async () => {
    const H = 3, D = 4, S = 6, T = 4;
    const cell = gruCell({ inputSize: 2 + H, hiddenSize: H, seed: 1 });
    const att = monotonicAttention({ querySize: H, keySize: D, units: 4, seed: 3, initialOffset: 0.5 });
    const dec = attentionDecoder(cell, att, { inputSize: 2, seed: 4 });
    await expectNoLeaks(() =>
      tf.tidy(() => {
        const keys = tf.randomNormal([1, S, D], 0, 1.5, 'float32', 5) as tf.Tensor3D;
        const x = tf.ones([1, 2]) as tf.Tensor2D;
        // full source
        const fullOut: number[][] = [];
        const memory = att.precompute(keys);
        let st = dec.initialState(1, S);
        for (let i = 0; i < T; i++) {
          const r = dec.step(st, x, memory);
          fullOut.push(Array.from(r.output.dataSync()));
          st = r.state;
        }
        // frames arrive one by one; a step is taken when its stop is among the arrived frames (or the source has ended)
        const streamed: { out: number[]; frames: number }[] = [];
        let state = dec.initialState(1, 1);
        for (let L = 1; L <= S && streamed.length < T; L++) {
          state = extendDecoderState(state, L); // the frames that have arrived
          const mem = att.precompute(keys.slice([0, 0, 0], [-1, L, -1]));
          for (;;) {
            if (streamed.length === T) break;
            const r = dec.step(state, x, mem);
            if (monotonicStops(r.state.alignment)[0] < 0 && L < S) break; // no stop yet: wait for the next frame
            streamed.push({ out: Array.from(r.output.dataSync()), frames: L });
            state = r.state;
          }
        }
        expect(streamed.length).toBe(T);
        streamed.forEach((s, i) => expectClose(s.out, fullOut[i], 1e-6, 0, `step ${i}`));
        expect(streamed[0].frames).toBeLessThan(S); // the first output came before the source ended
      }),
    );
    dec.dispose();
    att.dispose();
    cell.dispose();
  });

  it('in an attentional decoder, training-path gradients over 3 steps match finite differences (MoChA carries α, not β)', () => {
    const H = 3, D = 4, S = 4, B = 2;
    const cell = gruCell({ inputSize: 2 + H, hiddenSize: H, seed: 1 });
    const att = mochaAttention({ querySize: H, keySize: D, units: 3, chunkSize: 2, seed: 5, initialOffset: 0 });
    const dec = attentionDecoder(cell, att, { inputSize: 2, seed: 6 });
    const keys = tf.variable(tf.randomNormal([B, S, D], 0, 1, 'float32', 1));
    const mask = lengthMask([4, 3], S);
    const w = tf.randomNormal([B, H], 0, 1, 'float32', 2) as tf.Tensor2D;
    const loss = () =>
      tf.tidy(() => {
        const memory = att.precompute(keys as tf.Tensor3D);
        let state = dec.initialState(B, S, mask);
        expect(state.alignment.arraySync()[0]).toEqual([1, 0, 0, 0]); // α_0: the first frame
        let l = tf.scalar(0);
        const ctx = { training: true, rng: createRng(9) }; // the same noise at every evaluation
        for (let i = 0; i < 3; i++) {
          const r = dec.step(state, tf.fill([B, 2], 0.3 * (i + 1)) as tf.Tensor2D, memory, mask, ctx);
          l = l.add(r.output.mul(w).sum());
          state = r.state;
        }
        return l as tf.Scalar;
      });
    const vars: Record<string, tf.Variable> = { keys, output_kernel: dec.params.output_kernel };
    for (const [k, v] of Object.entries(att.params)) vars[`attention.${k}`] = v;
    expect(gradCheck(loss, vars, { maxPerVariable: 6 }).checked).toBeGreaterThan(30);
    tf.dispose([keys, mask, w]);
    dec.dispose();
    att.dispose();
    cell.dispose();
  });

  it('rejects bad input with typed errors before allocating', async () => {
    const att = monotonicAttention({ ...sizes, seed: 1 });
    const keys = tf.zeros([2, 5, 4]) as tf.Tensor3D;
    const memory = att.precompute(keys);
    const query = tf.zeros([2, 3]) as tf.Tensor2D;
    const prev = tf.zeros([2, 5]) as tf.Tensor2D;
    const badNoise = tf.zeros([2, 4]) as tf.Tensor2D;
    await expectNoLeaks(() => {
      expect(() => att.attend(query, memory)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.prevAlignment' }));
      expect(() => att.attend(query, memory, { prevAlignment: prev, training: true })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.rng' }));
      expect(() => att.attend(query, memory, { prevAlignment: prev, training: true, noise: badNoise })).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'options.noise' }));
    }, 'rejected input');
    expect(() => mochaAttention({ ...sizes, chunkSize: 0 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.chunkSize' }));
    expect(() => mochaAttention({ ...sizes, chunkSize: 1.5 })).toThrow(expect.objectContaining({ code: 'E_SIZE' }));
    expect(() => monotonicAttention({ ...sizes, noiseStd: -1 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.noiseStd' }));
    expect(() => monotonicAttention({ ...sizes, weights: { chunk_v: { shape: [4], data: new Float32Array(4) } } })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => monotonicAttention({ ...sizes, weights: { attention_g: { shape: [2], data: new Float32Array(2) } } })).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    const quiet = monotonicAttention({ ...sizes, noiseStd: 0 }); // no noise: training needs no rng
    const m2 = quiet.precompute(keys);
    const r = quiet.attend(query, m2, { prevAlignment: prev, training: true });
    tf.dispose([r.context, r.alignment]);
    m2.dispose();
    quiet.dispose();
    memory.dispose();
    att.dispose();
    expect(() => att.precompute(keys)).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
    tf.dispose([keys, query, prev, badNoise]);
  });
});
