// The fused attend (score + masked softmax + context in one call of @rxrnn/kernels: attendAdditive,
// attendDot) against the tfjs path of the same mechanism (`fused: false`, the reference), on the
// native kernels and on the WebAssembly ones; the decoder step with fused mechanisms; the kernels' typed errors.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { RxrnnError, createRng } from '@rxrnn/core';
import { lstmCell } from '@rxrnn/cells';
import { attendAdditive, attendDot, kernels, kernelsInfo, type KernelsConfig } from '@rxrnn/kernels';
import { expectClose, expectNoLeaks } from '@rxrnn/testing';
import { additiveAttention, concatAttention } from './additive.js';
import { dotAttention, generalAttention } from './luong.js';
import { attentionDecoder, disposeDecoderState } from './decoder-step.js';
import type { DecoderStepResult } from './decoder-step.js';
import { expectGradients } from '../test/attention-harness.js';
import type { Attention, AttendOptions } from './types.js';

const configs: [string, KernelsConfig][] = [
  ['WebAssembly', { native: false }],
  ...(kernelsInfo({ native: true })?.backend === 'native' ? [['native', { native: true }] as [string, KernelsConfig]] : []),
];

function randn(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

/** A mask [B, S] with row b keeping its first `lens[b]` positions (0: fully masked). */
function maskOf(S: number, lens: number[]): tf.Tensor2D {
  return tf.tensor2d(lens.flatMap((l) => Array.from({ length: S }, (_, s) => (s < l ? 1 : 0))), [lens.length, S]);
}

type Factory = (fused: boolean | KernelsConfig) => Attention;
const Q = 6, D = 5, A = 7;
const factories: [string, Factory, number][] = [
  ['additive', (fused) => additiveAttention({ querySize: Q, keySize: D, units: A, seed: 3, fused, weights: { attention_b: { shape: [A], data: Float32Array.from({ length: A }, (_, i) => 0.1 * i - 0.3) } } }), Q],
  ['concat', (fused) => concatAttention({ querySize: Q, keySize: D, units: A, seed: 4, fused }), Q],
  ['additive + coverage', (fused) => additiveAttention({ querySize: Q, keySize: D, units: A, seed: 5, fused, coverage: true, weights: { coverage_kernel: { shape: [A], data: Float32Array.from({ length: A }, (_, i) => 0.2 - 0.05 * i) } } }), Q],
  ['general', (fused) => generalAttention({ querySize: Q, keySize: D, seed: 6, fused }), Q],
  ['dot', (fused) => dotAttention({ querySize: D, keySize: D, fused }), D],
];

function compare(make: Factory, q: number, config: KernelsConfig, B: number, S: number, options: (B: number, S: number) => AttendOptions): void {
  const fusedAtt = make(config);
  const ref = make(false);
  expect(fusedAtt.fused).toBe(true);
  expect(ref.fused).toBe(false);
  const keys = randn([B, S, D], 11) as tf.Tensor3D;
  const query = randn([B, q], 12).mul(2) as tf.Tensor2D;
  const opts = options(B, S);
  const m1 = fusedAtt.precompute(keys);
  const m2 = ref.precompute(keys);
  const a = fusedAtt.attend(query, m1, opts);
  const b = ref.attend(query, m2, opts);
  expectClose(a.alignment.dataSync(), b.alignment.dataSync(), 1e-5, 0, 'alignment');
  expectClose(a.context.dataSync(), b.context.dataSync(), 1e-5, 0, 'context');
  tf.dispose([keys, query, a.context, a.alignment, b.context, b.alignment, ...Object.values(opts).filter((t) => t instanceof tf.Tensor)]);
  m1.dispose();
  m2.dispose();
  fusedAtt.dispose();
  ref.dispose();
}

describe.each(configs)('fused attend on the %s kernels', (_name, config) => {
  it.each(factories)('%s matches the tfjs path within 1e-5 (B = 1 and 3, S = 1 and 9, masks with a fully masked row)', (name, make, q) => {
    const cov = name.includes('coverage');
    for (const [B, S] of [[1, 1], [1, 9], [3, 9], [3, 1]]) {
      compare(make, q, config, B, S, () => ({ ...(cov ? { coverage: tf.abs(randn([B, S], 13)) as tf.Tensor2D } : {}) }));
      const lens = B === 1 ? [Math.max(1, S - 3)] : [S, Math.max(1, S - 4), 0];
      compare(make, q, config, B, S, () => ({ mask: maskOf(S, lens), ...(cov ? { coverage: tf.abs(randn([B, S], 14)) as tf.Tensor2D } : {}) }));
    }
  });

  it('a bool mask works as the float one; a fully masked row gives α = 0 and c = 0', () => {
    const att = factories[0][1](config);
    const keys = randn([2, 4, D], 1) as tf.Tensor3D;
    const mem = att.precompute(keys);
    const q = randn([2, Q], 2) as tf.Tensor2D;
    const mask = maskOf(4, [2, 0]);
    const r1 = att.attend(q, mem, { mask });
    const r2 = att.attend(q, mem, { mask: mask.cast('bool') as tf.Tensor2D });
    expectClose(r1.alignment.dataSync(), r2.alignment.dataSync(), 0);
    expect(Array.from(r1.alignment.dataSync().slice(4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(r1.context.dataSync().slice(D))).toEqual(new Array(D).fill(0));
    tf.dispose([keys, q, mask, r1.context, r1.alignment, r2.context, r2.alignment]);
    mem.dispose();
    att.dispose();
  });

  it.each(factories)('%s: gradients under a tape (query, keys, every parameter) match the tfjs path within 1e-5', (name, make, q) => {
    const grads = (fused: boolean | KernelsConfig) => {
      const att = make(fused);
      const [B, S] = [3, 6];
      const keys = randn([B, S, D], 1) as tf.Tensor3D;
      const query = randn([B, q], 2) as tf.Tensor2D;
      const mask = maskOf(S, [S, 4, 1]);
      const coverage = name.includes('coverage') ? (tf.abs(randn([B, S], 3)) as tf.Tensor2D) : undefined;
      const r = randn([B, S], 4); // (the loss reaches the alignment too)
      const vars = Object.values(att.params);
      const loss = (x: tf.Tensor, k: tf.Tensor) => {
        const mem = att.precompute(k as tf.Tensor3D);
        const out = att.attend(x as tf.Tensor2D, mem, { mask, coverage });
        const l = out.context.square().sum().add(out.alignment.mul(r).sum()) as tf.Scalar;
        mem.dispose();
        return l;
      };
      const [gq, gk] = tf.grads(loss)([query, keys]);
      const { grads: gv } = vars.length ? tf.variableGrads(() => loss(query, keys), vars) : { grads: {} as Record<string, tf.Tensor> };
      const out = [gq, gk, ...vars.map((v) => gv[v.name])].map((g) => g.dataSync().slice());
      tf.dispose([keys, query, mask, r, gq, gk, ...Object.values(gv), ...(coverage ? [coverage] : [])]);
      att.dispose();
      return out;
    };
    const [a, b] = [grads(config), grads(false)];
    a.forEach((g, i) => expectClose(g, b[i], 1e-5, 0, `gradient ${i}`));
  });

  it('additive attention on the kernels: gradients match finite differences (params, query, keys; the kernels\' backward)', () => {
    const att = additiveAttention({ querySize: 3, keySize: 4, units: 5, seed: 1, fused: config, weights: { attention_b: { shape: [5], data: Float32Array.from([0.1, -0.2, 0.3, 0, 0.05]) } } });
    expect(att.fused).toBe(true);
    expectGradients(att);
    att.dispose();
  });

  it('additive attention under a tape runs on the kernels (its backward), and frees its reserve after the backward', async () => {
    const att = factories[0][1](config);
    const keys = randn([2, 4, D], 1) as tf.Tensor3D;
    const q = randn([2, Q], 2) as tf.Tensor2D;
    const mem = att.precompute(keys);
    const rt = kernels(config)!;
    let during = 0;
    const grad = () => {
      const g = tf.grad((x: tf.Tensor) => {
        const c = att.attend(x as tf.Tensor2D, mem).context;
        during = rt.bytesInUse(); // (the forward's reserve is held until the backward)
        return c.sum() as tf.Scalar;
      })(q);
      expect(g.shape).toEqual([2, Q]);
      g.dispose();
    };
    grad(); // (first call: the kernel's transpose becomes resident)
    const before = rt.bytesInUse();
    await expectNoLeaks(grad, 'taped fused attend');
    expect(during).toBeGreaterThan(before);
    expect(rt.bytesInUse()).toBe(before);
    tf.dispose([keys, q]);
    mem.dispose();
    att.dispose();
  });

  it('a decoder step (LSTM, input feeding, Luong output layer) matches the tfjs path over 4 steps; no leaks', async () => {
    for (const kind of ['additive', 'general']) {
      const run = (fused: boolean | KernelsConfig) => {
        const H = 8, X = 3, B = 2, S = 5;
        const cell = lstmCell({ inputSize: X + H, hiddenSize: H, seed: 1, fused: false });
        const att = kind === 'additive' ? additiveAttention({ querySize: H, keySize: H, units: 6, seed: 2, fused }) : generalAttention({ querySize: H, keySize: H, seed: 2, fused });
        const dec = attentionDecoder(cell, att, { inputSize: X, seed: 3 });
        const keys = randn([B, S, H], 4) as tf.Tensor3D;
        const mask = maskOf(S, [S, 3]);
        const mem = att.precompute(keys);
        let state = dec.initialState(B, S, mask);
        const outs: number[] = [];
        for (let t = 0; t < 4; t++) {
          const x = randn([B, X], 10 + t) as tf.Tensor2D;
          const r = tf.tidy(() => dec.step(state, x, mem, mask) as unknown as tf.TensorContainer) as unknown as DecoderStepResult<typeof state.cell>;
          outs.push(...r.output.dataSync(), ...r.alignment.dataSync());
          tf.dispose([x, r.context, r.alignment]);
          disposeDecoderState(state);
          state = r.state;
        }
        disposeDecoderState(state);
        tf.dispose([keys, mask]);
        mem.dispose();
        dec.dispose();
        att.dispose();
        cell.dispose();
        return Float32Array.from(outs);
      };
      const fusedOut = await expectNoLeaks(() => run(config), `${kind} decoder, fused`);
      expectClose(fusedOut, run(false), 1e-5, 0, `${kind} decoder outputs and alignments`);
    }
  });
});

describe.skipIf(kernelsInfo({ native: true })?.backend !== 'native')('fused attend on the native kernels, two threads', () => {
  it('a batch large enough to be split over the threads matches the tfjs path (additive with coverage, general)', () => {
    const rt = kernels({ native: true })!;
    const threads = rt.threads;
    rt.setThreads(2);
    try {
      const [B, S, H] = [16, 50, 128];
      for (const make of [
        (fused: boolean | KernelsConfig) => additiveAttention({ querySize: H, keySize: H, units: H, seed: 7, fused, coverage: true, weights: { coverage_kernel: { shape: [H], data: Float32Array.from({ length: H }, (_, i) => 0.01 * (i % 7) - 0.03) } } }),
        (fused: boolean | KernelsConfig) => generalAttention({ querySize: H, keySize: H, seed: 8, fused }),
      ]) {
        const fusedAtt = make({ native: true });
        const ref = make(false);
        const keys = tf.tidy(() => randn([B, S, H], 21).tanh()) as tf.Tensor3D; // (an encoder's and an LSTM's outputs: in (−1, 1))
        const q = tf.tidy(() => randn([B, H], 22).tanh()) as tf.Tensor2D;
        const opts = { mask: maskOf(S, Array.from({ length: B }, (_, b) => S - 3 * b)), coverage: tf.abs(randn([B, S], 23)) as tf.Tensor2D };
        const [m1, m2] = [fusedAtt.precompute(keys), ref.precompute(keys)];
        const a = fusedAtt.attend(q, m1, opts);
        const b = ref.attend(q, m2, opts);
        expectClose(a.alignment.dataSync(), b.alignment.dataSync(), 1e-5, 0, 'alignment');
        expectClose(a.context.dataSync(), b.context.dataSync(), 1e-5, 0, 'context');
        tf.dispose([keys, q, opts.mask, opts.coverage, a.context, a.alignment, b.context, b.alignment]);
        m1.dispose();
        m2.dispose();
        fusedAtt.dispose();
        ref.dispose();
      }
    } finally {
      rt.setThreads(threads);
    }
  });
});

describe('attendAdditive / attendDot (the kernels)', () => {
  const k = (s: number[]) => tf.zeros(s);
  it('reject bad shapes and dtypes with typed errors, before allocating', () => {
    const q = k([2, 3]) as tf.Tensor2D, W = k([3, 4]) as tf.Tensor2D, kp = k([2, 5, 4]) as tf.Tensor3D, v = k([4]) as tf.Tensor1D, h = k([2, 5, 6]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RxrnnError);
        return (e as RxrnnError).code;
      }
      return 'no error';
    };
    expect(code(() => attendAdditive(q, k([4, 4]) as tf.Tensor2D, kp, v, h))).toBe('E_SHAPE');
    expect(code(() => attendAdditive(q, W, k([2, 5, 3]) as tf.Tensor3D, v, h))).toBe('E_SHAPE');
    expect(code(() => attendAdditive(q, W, kp, k([5]) as tf.Tensor1D, h))).toBe('E_SHAPE');
    expect(code(() => attendAdditive(q, W, kp, v, k([2, 4, 6]) as tf.Tensor3D))).toBe('E_SHAPE');
    expect(code(() => attendAdditive(q, W, kp, v, h, { mask: k([2, 4]) as tf.Tensor2D }))).toBe('E_SHAPE');
    expect(code(() => attendAdditive(q, W, kp, v, h, { coverage: k([2, 5]) as tf.Tensor2D }))).toBe('E_ARGUMENT');
    expect(code(() => attendAdditive(q.cast('int32') as tf.Tensor2D, W, kp, v, h))).toBe('E_DTYPE');
    expect(code(() => attendDot(q, k([2, 5, 4]) as tf.Tensor3D, h))).toBe('E_SHAPE');
    expect(code(() => attendDot(q, k([2, 5, 3]) as tf.Tensor3D, k([1, 5, 6]) as tf.Tensor3D))).toBe('E_SHAPE');
    expect(code(() => attendDot(q, k([2, 5, 3]) as tf.Tensor3D, h, { kernels: { enabled: false } }))).toBe('E_STATE');
    expect(tf.memory().numTensors).toBe(before + 11); // (the cast and the 10 zeros made above; nothing else)
  });
});
