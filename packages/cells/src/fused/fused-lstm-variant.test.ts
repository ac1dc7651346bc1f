// Fused peephole LSTM ('vanilla'), 'NP' and 'CIFG' (lstmvForward / lstmvBackward) against the plain
// tfjs step of lstmVariantCell (greffLstmStep): whole sequences and streaming steps, outputs, states,
// extras and gradients of every parameter (peepholes included), x, h0 and c0, on the WebAssembly and
// the native kernels; finite differences; the cell fused by default through the operator; fallbacks
// for the other variants; errors; leaks of tensors and kernel memory.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from } from 'rxjs';
import { recurrent, runCellSequence, unrollSteps, readRows, type Cell, type State } from '@rxrnn/core';
import { expectNoLeaks, expectClose, collect, gradCheck } from '@rxrnn/testing';
import { lstmVariantCell, peepholeLstmCell, cifgLstmCell, lstmVariant, LSTM_VARIANTS, lstmVariantSequence, fuseCell, isFused, type LstmVariant, type LstmVariantState, type FusedLstmVariant } from '../index.js';
import { unrollStep as unroll } from './sequence-reference.js'; // the plain cell's tfjs step unrolled over x [T, B, X] from s0
import { kernels, kernelsInfo } from '@rxrnn/kernels';

const VARIANTS: FusedLstmVariant[] = ['vanilla', 'NP', 'CIFG'];
// The native kernels (when built) and the WebAssembly kernels, each against tfjs.
const backends = kernelsInfo({ native: true })?.backend === 'native' ? [true, false] : [false];
const runtime = (native: boolean) => kernels({ native })!;
const label = (native: boolean) => (native ? 'native' : 'wasm');
/** Run a test body whose cells and sequences are built with `{ native }`, after checking which runtime that gives. */
async function onBackend(native: boolean, fn: () => Promise<void>): Promise<void> {
  expect(runtime(native).info().backend).toBe(label(native));
  await fn();
}

/** A plain (tfjs) cell of `variant` with non-trivial biases (peepholes are U(±1/√H) already). */
function plainCell(variant: LstmVariant, X: number, H: number, seed: number): Cell<LstmVariantState> {
  const cell = lstmVariantCell({ variant, inputSize: X, hiddenSize: H, seed, fused: false });
  tf.tidy(() => (cell.params.bias as tf.Variable).assign(tf.randomNormal(cell.params.bias.shape, 0, 0.5, 'float32', seed + 11)));
  return cell;
}

/** The same weights in a fused-by-default cell (built under the given kernels). */
function fusedCopy(plain: Cell<LstmVariantState>, native: boolean): Cell<LstmVariantState> {
  const c = plain.config as unknown as { variant: LstmVariant; inputSize: number; hiddenSize: number };
  const weights = Object.fromEntries(Object.entries(plain.params).map(([k, v]) => [k, { shape: v.shape, data: v.dataSync() as Float32Array }]));
  return lstmVariantCell({ variant: c.variant, inputSize: c.inputSize, hiddenSize: c.hiddenSize, weights, fused: { native } });
}

function randomState(B: number, H: number, seed: number): { h: tf.Tensor2D; c: tf.Tensor2D } {
  return { h: tf.randomNormal([B, H], 0, 0.5, 'float32', seed) as tf.Tensor2D, c: tf.randomNormal([B, H], 0, 1, 'float32', seed + 1) as tf.Tensor2D };
}

const seq = (variant: FusedLstmVariant, native: boolean) => (cell: Cell, x: tf.Tensor3D, s: State) => {
  const r = lstmVariantSequence(cell.params as never, x, s.h as tf.Tensor2D, s.c as tf.Tensor2D, { variant, kernels: { native } });
  return { ys: r.ys as tf.Tensor, s: { h: r.hT, c: r.cT } as State };
};

// [T, B, X, H]: odd sizes (not multiples of the 4- or 8-lane SIMD width), batch 1 and > 1, T = 1 and > 1
const SIZES: [number, number, number, number][] = [[1, 1, 7, 13], [5, 3, 7, 13], [1, 5, 4, 9], [6, 1, 13, 6], [4, 6, 3, 17]];

describe('fused peephole / CIFG LSTM: whole sequences', () => {
  for (const variant of VARIANTS)
    for (const native of backends)
      for (const [T, B, X, H] of SIZES) {
        it(`${variant} T=${T} B=${B} X=${X} H=${H} (${label(native)}): outputs, final state and every gradient match the tfjs step (1e-5)`, () =>
          onBackend(native, async () => {
            const cell = plainCell(variant, X, H, T + B + X);
            const x = tf.randomNormal([T, B, X], 0, 1, 'float32', 100 * T + X) as tf.Tensor3D;
            const s0 = randomState(B, H, 7 + B);
            const a = seq(variant, native)(cell, x, s0);
            const b = unroll(cell, x, s0);
            expectClose(a.ys, b.ys, 1e-5, 1e-5, 'ys');
            expectClose(a.s.h, b.s.h, 1e-5, 1e-5, 'hT');
            expectClose(a.s.c, b.s.c, 1e-5, 1e-5, 'cT');
            // a loss touching every output and the final h and c
            const w = tf.randomNormal(b.ys.shape, 0, 1, 'float32', 5);
            const loss = (g: typeof unroll) => (xx: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor) =>
              tf.tidy(() => {
                const r = g(cell, xx as tf.Tensor3D, { h: h0, c: c0 });
                return tf.addN([tf.sum(tf.mul(r.ys, w)), tf.sum(tf.mul(r.s.h, 2)), tf.sum(tf.mul(r.s.c, 3))]) as tf.Scalar;
              });
            const fa = loss(seq(variant, native));
            const fb = loss(unroll);
            const inputs = [x, s0.h, s0.c];
            const ga = tf.grads(fa as never)(inputs);
            const gb = tf.grads(fb as never)(inputs);
            ['dx', 'dh0', 'dc0'].forEach((n, i) => expectClose(ga[i], gb[i], 1e-5, 1e-5, n));
            const vars = Object.values(cell.params) as tf.Variable[];
            const pa = tf.variableGrads(() => fa(x, s0.h, s0.c), vars);
            const pb = tf.variableGrads(() => fb(x, s0.h, s0.c), vars);
            expect(Object.keys(cell.params).sort()).toEqual(
              variant === 'vanilla' ? ['bias', 'kernel', 'peepholeF', 'peepholeI', 'peepholeO', 'recurrentKernel'] : variant === 'CIFG' ? ['bias', 'kernel', 'peepholeI', 'peepholeO', 'recurrentKernel'] : ['bias', 'kernel', 'recurrentKernel'],
            );
            for (const [k, v] of Object.entries(cell.params)) {
              expect(pa.grads[v.name], `d${k}`).toBeDefined();
              expectClose(pa.grads[v.name], pb.grads[v.name], 1e-5, 1e-5, `d${k}`);
            }
            tf.dispose([a as never, b as never, w, ga, gb, pa as never, pb as never, x, s0 as never]);
            cell.dispose();
          }));
      }

  for (const variant of VARIANTS) {
    it(`${variant}: gradients of the fused op match finite differences (peepholes included)`, () => {
      const cell = plainCell(variant, 3, 5, 2);
      const x = tf.randomNormal([4, 2, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
      const s0 = randomState(2, 5, 3);
      const loss = () =>
        tf.tidy(() => {
          const r = lstmVariantSequence(cell.params as never, x, s0.h, s0.c, { variant });
          return tf.add(tf.sum(tf.square(r.ys)), tf.sum(r.cT)) as tf.Scalar;
        });
      const report = gradCheck(loss, cell.params as Record<string, tf.Variable>, { h: 1e-2, atol: 2e-3 });
      expect(report.checked).toBeGreaterThan(variant === 'NP' ? 40 : 60);
      tf.dispose([x, s0 as never]);
      cell.dispose();
    });

    for (const native of backends)
      it(`${variant} (${label(native)}): leaks no tensors or kernel memory (inference, forward and backward)`, () =>
        onBackend(native, async () => {
          const rt = runtime(native);
          const cell = plainCell(variant, 4, 6, 1);
          const x = tf.randomNormal([5, 2, 4]) as tf.Tensor3D;
          const s0 = randomState(2, 6, 1);
          const run = () => lstmVariantSequence(cell.params as never, x, s0.h, s0.c, { variant, kernels: { native } });
          const grads = () => {
            const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(run().ys) as tf.Scalar), Object.values(cell.params) as tf.Variable[]);
            tf.dispose([value, grads as never]);
          };
          grads(); // first use: weights (and the transposed K, R of the backward) become resident
          const bytes = rt.bytesInUse();
          await expectNoLeaks(() => tf.dispose(run() as never), 'inference');
          await expectNoLeaks(grads, 'forward and backward');
          await expectNoLeaks(() => tf.dispose(tf.grads((xx: tf.Tensor) => tf.sum(lstmVariantSequence(cell.params as never, xx as tf.Tensor3D, s0.h, s0.c, { variant, kernels: { native } }).ys))([x])), 'dx');
          expect(rt.bytesInUse()).toBe(bytes);
          // the forward's activations stay in kernel memory (a Reserve) until its backward has run
          let during = 0;
          const { value, grads: g } = tf.variableGrads(() => {
            const y = tf.tidy(() => tf.sum(run().ys) as tf.Scalar);
            during = rt.bytesInUse();
            return y;
          }, Object.values(cell.params) as tf.Variable[]);
          expect(during).toBeGreaterThan(bytes + 4 * 5 * 2 * (4 + 6 + 6));
          expect(rt.bytesInUse()).toBe(bytes);
          tf.dispose([value, g as never, x, s0 as never]);
          cell.dispose();
        }));
  }

  it('trains with Adam exactly like the tfjs step (three updates, every variant)', () => {
    for (const variant of VARIANTS) {
      const cells = [plainCell(variant, 4, 6, 9), plainCell(variant, 4, 6, 9)];
      const x = tf.randomNormal([6, 3, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
      const target = tf.randomNormal([6, 3, 6], 0, 0.5, 'float32', 3);
      const opts = [tf.train.adam(0.05), tf.train.adam(0.05)];
      const losses: number[][] = [[], []];
      for (let step = 0; step < 3; step++) {
        cells.forEach((cell, i) => {
          const l = opts[i].minimize(() => {
            const s0 = { h: tf.zeros([3, 6]), c: tf.zeros([3, 6]) };
            const ys = i === 0 ? lstmVariantSequence(cell.params as never, x, undefined, undefined, { variant }).ys : unroll(cell, x, s0).ys;
            return tf.losses.meanSquaredError(target, ys) as tf.Scalar;
          }, true, Object.values(cell.params) as tf.Variable[]) as tf.Scalar;
          losses[i].push(l.dataSync()[0]);
          l.dispose();
        });
      }
      expectClose(losses[0], losses[1], 1e-5, 1e-4, `${variant} loss curve`);
      expect(losses[0][2]).toBeLessThan(losses[0][0]);
      for (const k of Object.keys(cells[0].params)) expectClose(cells[0].params[k], cells[1].params[k], 1e-5, 1e-4, `${variant} trained ${k}`);
      tf.dispose([x, target]);
      opts.forEach((o) => o.dispose());
      cells.forEach((c) => c.dispose());
    }
  });

  it('with the kernels off the sequence is the tfjs step unrolled (with and without a start state)', () => {
    for (const variant of VARIANTS) {
      const cell = plainCell(variant, 5, 7, 4);
      const x = tf.randomNormal([3, 2, 5], 0, 1, 'float32', 8) as tf.Tensor3D;
      const s0 = randomState(2, 7, 6);
      const ref = unroll(cell, x, s0);
      const off = lstmVariantSequence(cell.params as never, x, s0.h, s0.c, { variant, kernels: { enabled: false } });
      expectClose(off.ys, ref.ys, 1e-6, 0, `${variant} kernels off`);
      expectClose(off.hT, ref.s.h, 1e-6, 0, `${variant} kernels off hT`);
      expectClose(off.cT, ref.s.c, 1e-6, 0, `${variant} kernels off cT`);
      const zero = cell.initialState(2);
      const ref0 = unroll(cell, x, zero);
      const off0 = lstmVariantSequence(cell.params as never, x, undefined, undefined, { variant, kernels: { enabled: false } });
      expectClose(off0.ys, ref0.ys, 1e-6, 0, `${variant} kernels off, zero state`);
      expectClose(off0.cT, ref0.s.c, 1e-6, 0, `${variant} kernels off, zero state cT`);
      tf.dispose([ref as never, off as never, ref0 as never, off0 as never, zero as never, x, s0 as never]);
      cell.dispose();
    }
  });

  it('rejects bad inputs with clear errors', () => {
    const v = plainCell('vanilla', 3, 4, 1);
    const c = plainCell('CIFG', 3, 4, 1);
    const x = tf.zeros([2, 1, 3]) as tf.Tensor3D;
    const p = v.params as never;
    expect(() => lstmVariantSequence(p, x, undefined, undefined, { variant: 'FGR' as never })).toThrow(/lstmVariantSequence: options\.variant: expected one of 'vanilla', 'NP', 'CIFG' \(the variants the fused kernels cover\), received the string "FGR"/);
    expect(() => lstmVariantSequence(p, tf.zeros([2, 3]) as never, undefined, undefined, { variant: 'vanilla' })).toThrow(/lstmVariantSequence: x: expected a tensor of shape \[T, B, X\], received a float32 tensor of shape \[2, 3\]/);
    expect(() => lstmVariantSequence(p, tf.zeros([2, 1, 5]) as never, undefined, undefined, { variant: 'vanilla' })).toThrow(/lstmVariantSequence: params\.kernel: expected a tensor of shape \[5, 4H\] \(blocks i, f, g, o\), received a float32 tensor of shape \[3, 16\]/);
    // CIFG's [3, 12] read as four blocks gives H = 3, which its recurrent kernel [4, 12] contradicts
    expect(() => lstmVariantSequence(c.params as never, x, undefined, undefined, { variant: 'vanilla' })).toThrow(/lstmVariantSequence: params\.recurrentKernel: expected a tensor of shape \[3, 12\], received a float32 tensor of shape \[4, 12\]/);
    expect(() => lstmVariantSequence(p, x, undefined, undefined, { variant: 'CIFG' })).toThrow(/lstmVariantSequence: params\.kernel: expected shape \[3, 3H\] \(blocks i, g, o\), received shape \[3, 16\]/);
    const { peepholeF: _f, peepholeI: _i, peepholeO: _o, ...np } = v.params;
    expect(() => lstmVariantSequence({ ...np, peepholeI: v.params.peepholeI } as never, x, undefined, undefined, { variant: 'NP' })).toThrow(/lstmVariantSequence: params\.peepholeI: expected no peepholeI for the 'NP' variant \(no peepholes\)/);
    const { peepholeO: _, ...noPo } = v.params;
    expect(() => lstmVariantSequence(noPo as never, x, undefined, undefined, { variant: 'vanilla' })).toThrow(/lstmVariantSequence: params\.peepholeO: expected a tensor of shape \[4\], received undefined/);
    expect(() => lstmVariantSequence({ ...c.params, peepholeF: tf.zeros([4]) } as never, x, undefined, undefined, { variant: 'CIFG' })).toThrow(/lstmVariantSequence: params\.peepholeF: expected no peepholeF for the 'CIFG' variant \(f = 1 − i has no peephole\)/);
    expect(() => lstmVariantSequence(p, x, tf.zeros([2, 4]) as tf.Tensor2D, undefined, { variant: 'vanilla' })).toThrow(/lstmVariantSequence: h0: expected a tensor of shape \[1, 4\], received a float32 tensor of shape \[2, 4\]/);
    expect(() => lstmVariantSequence(p, x, undefined, tf.zeros([1, 5]) as tf.Tensor2D, { variant: 'vanilla' })).toThrow(/lstmVariantSequence: c0: expected a tensor of shape \[1, 4\]/);
    tf.dispose(x);
    v.dispose();
    c.dispose();
  });
});

describe('fused peephole / CIFG LSTM cells (streaming steps, used automatically)', () => {
  it('vanilla, NP and CIFG are fused by default; fused: false and the other variants are not, with a reason naming the variant', () => {
    for (const variant of LSTM_VARIANTS) {
      const cell = lstmVariantCell({ variant, inputSize: 3, hiddenSize: 4 });
      const covered = (VARIANTS as string[]).includes(variant);
      expect(isFused(cell) && cell.fused, variant).toBe(covered);
      expect(typeof cell.sequence === 'function', variant).toBe(covered);
      if (!covered) {
        const wrapped = fuseCell(lstmVariantCell({ variant, inputSize: 3, hiddenSize: 4, fused: false }));
        expect(wrapped.fused).toBe(false);
        expect(wrapped.reason).toContain(`lstm-variant '${variant}'`);
        expect(wrapped.reason).toMatch(/fused lstm-variants: 'vanilla', 'NP', 'CIFG'/);
        wrapped.dispose();
      }
      cell.dispose();
    }
    expect(fuseCell(lstmVariantCell({ variant: 'FGR', inputSize: 3, hiddenSize: 4, fused: false })).reason).toBe("lstm-variant 'FGR' (full gate recurrence) (fused lstm-variants: 'vanilla', 'NP', 'CIFG')");
    const plain = [peepholeLstmCell({ inputSize: 3, hiddenSize: 4, fused: false }), cifgLstmCell({ inputSize: 3, hiddenSize: 4, fused: { enabled: false } })];
    expect(plain.map((c) => isFused(c))).toEqual([false, false]);
    plain.forEach((c) => c.dispose());
  });

  for (const variant of VARIANTS)
    for (const native of backends)
      for (const [X, H, B] of [[7, 13, 1], [7, 13, 3], [5, 6, 6]] as const) {
        it(`${variant} X=${X} H=${H} B=${B} (${label(native)}): steps, states, extras and gradients match the tfjs step`, () => {
          const plain = plainCell(variant, X, H, X + B);
          const fused = fusedCopy(plain, native);
          expect(isFused(fused) && fused.fused).toBe(true);
          const xs = Array.from({ length: 4 }, (_, t) => tf.randomNormal([B, X], 0, 1, 'float32', 10 * X + B + t) as tf.Tensor2D);
          const run = (cell: Cell, inputs: tf.Tensor2D[], extras = false) =>
            tf.tidy(() => {
              let s: State = { h: tf.mul(tf.ones([B, H]), 0.2), c: tf.mul(tf.ones([B, H]), -0.4) };
              const ys: tf.Tensor[] = [];
              const ex: Record<string, tf.Tensor>[] = [];
              for (const x of inputs) {
                const [y, next, e] = cell.step(s, x, { extras });
                ys.push(y);
                if (e) ex.push(e);
                s = next;
              }
              return { ys, s, ex };
            });
          const a = run(fused, xs, true);
          const b = run(plain, xs, true);
          for (let t = 0; t < xs.length; t++) {
            expectClose(a.ys[t], b.ys[t], 1e-5, 1e-5, `y[${t}]`);
            for (const k of ['i', 'f', 'g', 'o', 'c']) expectClose(a.ex[t][k], b.ex[t][k], 1e-5, 1e-5, `extras.${k}[${t}]`);
          }
          expectClose(a.s.h, b.s.h, 1e-5, 1e-5, 'state.h');
          expectClose(a.s.c, b.s.c, 1e-5, 1e-5, 'state.c');
          // gradients through the unrolled steps (T = 1 ops chained): every parameter, then x
          const loss = (cell: Cell) => () => tf.tidy(() => {
            const r = run(cell, xs);
            return tf.addN([...r.ys.map((y, t) => tf.sum(tf.mul(y, t + 1))), tf.sum(tf.square(r.s.c))]) as tf.Scalar;
          });
          const ga = tf.variableGrads(loss(fused), Object.values(fused.params) as tf.Variable[]);
          const gb = tf.variableGrads(loss(plain), Object.values(plain.params) as tf.Variable[]);
          expectClose(ga.value, gb.value, 1e-5, 1e-5, 'loss');
          for (const k of Object.keys(plain.params)) expectClose(ga.grads[fused.params[k].name], gb.grads[plain.params[k].name], 1e-5, 1e-5, `d${k}`);
          const dx = (cell: Cell) => tf.grad((x0: tf.Tensor) => tf.tidy(() => tf.sum(tf.square(run(cell, [x0 as tf.Tensor2D, ...xs.slice(1)]).ys[3]))))(xs[0]);
          const [dxa, dxb] = [dx(fused), dx(plain)];
          expectClose(dxa, dxb, 1e-5, 1e-5, 'dx');
          tf.dispose([a as never, b as never, ga as never, gb as never, dxa, dxb, xs]);
          plain.dispose();
          fused.dispose();
        });
      }

  for (const variant of VARIANTS)
    for (const native of backends) {
      it(`${variant} (${label(native)}): the operator and recurrent() give the outputs of { fused: false }; nothing leaks; dispose frees the kernel memory`, () => onBackend(native, async () => {
        const rt = runtime(native);
        const bytes0 = rt.bytesInUse();
        const plain = plainCell(variant, 7, 13, 3);
        const fused = fusedCopy(plain, native);
        const values = Array.from({ length: 6 }, (_, t) => Array.from({ length: 2 }, (_, b) => Array.from({ length: 7 }, (_, j) => Math.sin(1.7 * t + 0.3 * j + b))));
        const opA = await collect(from(values).pipe(lstmVariant(fused), readRows()));
        const opB = await collect(from(values).pipe(lstmVariant(plain), readRows()));
        expectClose(opA.flat(3), opB.flat(3), 1e-5, 1e-5, 'lstmVariant operator');
        const recA = await collect(from(values).pipe(recurrent(fused, { emit: 'step', state: true })));
        const recB = await collect(from(values).pipe(recurrent(plain, { emit: 'step', state: true })));
        recA.forEach((o, t) => {
          expectClose(o.y, recB[t].y, 1e-5, 1e-5, `recurrent() y[${t}]`);
          expectClose(o.state!.c, recB[t].state!.c, 1e-5, 1e-5, `recurrent() c[${t}]`);
        });
        tf.dispose([...recA, ...recB].map((o) => [o.y, ...Object.values(o.state!)]) as never);
        // no tensors and no kernel memory left behind (weights resident since the first step)
        const bytes = rt.bytesInUse();
        expect(bytes).toBeGreaterThan(bytes0);
        await expectNoLeaks(() => collect(from(values).pipe(lstmVariant(fused), readRows())), 'operator');
        await expectNoLeaks(async () => {
          const outs = await collect(from(values).pipe(lstmVariant(fused, { emit: 'step', extras: true })));
          expect(Object.keys(outs[0].extras!).sort()).toEqual(['c', 'f', 'g', 'i', 'o']);
          for (const o of outs) tf.dispose([o.y, ...Object.values(o.extras!)]);
        }, 'operator with extras');
        expect(rt.bytesInUse()).toBe(bytes);
        fused.dispose();
        plain.dispose();
        expect(rt.bytesInUse()).toBe(bytes0);
      }));

      it(`${variant} (${label(native)}): whole chunks (cell.sequence, as training runs them) equal the plain steps, values and gradients; no leaks`, () => onBackend(native, async () => {
        const rt = runtime(native);
        const plain = plainCell(variant, 7, 13, 5);
        const fused = fusedCopy(plain, native);
        expect(typeof fused.sequence).toBe('function');
        const xs = tf.randomNormal([6, 2, 7], 0, 1, 'float32', 3) as tf.Tensor3D;
        const s0 = () => ({ h: tf.fill([2, 13], 0.1), c: tf.fill([2, 13], -0.2) }) as LstmVariantState;
        tf.tidy(() => {
          const [ys, s] = runCellSequence(fused, s0(), xs);
          const [ref, sr] = unrollSteps(plain, s0(), xs);
          expectClose(ys, ref, 1e-5, 1e-5, 'chunk ys');
          expectClose(s.h, sr.h, 1e-5, 1e-5, 'chunk h');
          expectClose(s.c, sr.c, 1e-5, 1e-5, 'chunk c');
        });
        const grads = (cell: Cell<LstmVariantState>) => {
          const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.square(runCellSequence(cell, s0(), xs)[0])) as tf.Scalar), Object.values(cell.params) as tf.Variable[]);
          value.dispose();
          return grads;
        };
        const ga = grads(fused);
        const gb = grads(plain);
        for (const k of Object.keys(plain.params)) expectClose(ga[fused.params[k].name], gb[plain.params[k].name], 1e-5, 1e-5, `chunk d${k}`);
        tf.dispose([ga as never, gb as never]);
        const bytes = rt.bytesInUse();
        await expectNoLeaks(() => tf.dispose(grads(fused) as never), 'chunk gradients');
        await expectNoLeaks(() => tf.tidy(() => runCellSequence(fused, s0(), xs)[0]).dispose(), 'chunk');
        expect(rt.bytesInUse()).toBe(bytes);
        xs.dispose();
        fused.dispose();
        plain.dispose();
      }));
    }
});
