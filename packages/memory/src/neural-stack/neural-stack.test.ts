// Goldens: tools/goldens/neural_stack.py (Grefenstette et al. 2015, §3, transcribed in PyTorch with the
// paper's growing lists and explicit sums; float64).
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from, Subject, concat, throwError } from 'rxjs';
import { createRng, type ParamInit } from '@rxrnn/core';
import { loadGolden, expectClose, expectNoLeaks, gradCheck, collect } from '@rxrnn/testing';
import { stackStep, queueStep, dequeStep, type Structure } from './structures.js';
import { neuralStackCell, type NeuralStackCellOptions } from './neural-stack-cell.js';
import { neuralStack } from './neural-stack.js';
import type { StructureKind } from './neural-stack-step.js';

const DIR = fileURLToPath(new URL('../../fixtures/neural-stack/', import.meta.url));
const KINDS: StructureKind[] = ['stack', 'queue', 'deque'];

/** The paper's list (bottom first) as this buffer of `rows` rows holds it: zeros in front (stack, queue) or in the middle (deque). */
function asBuffer(kind: StructureKind, list: Float32Array, B: number, n: number, width: number, rows: number): Float32Array {
  const out = new Float32Array(B * rows * width);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) {
      const half = n / 2;
      const at = kind === 'deque' ? (i < half ? i : rows - n + i) : rows - n + i;
      out.set(list.subarray((b * n + i) * width, (b * n + i + 1) * width), (b * rows + at) * width);
    }
  }
  return out;
}

describe('continuous stack, queue and deque against the transcription of the paper (eqs. 1–3, §§3.2–3.3)', () => {
  for (const kind of KINDS) {
    it(`${kind}: every step's reads, the final strengths and rows within 1e-5`, async () => {
      const g = loadGolden<{ B: number; m: number; T: number; ends: number }>(`${DIR}${kind}-structure`);
      const { B, m, T, ends: E } = g.config;
      const N = 8; // ≥ T: exactly the paper's numbers
      const C = E * N;
      await expectNoLeaks(() => {
        tf.tidy(() => {
          const t = (k: string) => tf.tensor(Float32Array.from(g.tensors[k].data), g.tensors[k].shape);
          const us = tf.unstack(t('u')) as tf.Tensor2D[]; // T × [B, E]
          const ds = tf.unstack(t('d')) as tf.Tensor2D[];
          const vs = tf.unstack(t('v')) as tf.Tensor3D[]; // T × [B, E, m]
          let s: Structure = { values: tf.zeros([B, C, m]), strengths: tf.zeros([B, C]) };
          const reads: tf.Tensor[] = [];
          for (let i = 0; i < T; i++) {
            const end = (e: number) => ({ u: tf.slice(us[i], [0, e], [B, 1]) as tf.Tensor2D, d: tf.slice(ds[i], [0, e], [B, 1]) as tf.Tensor2D, v: tf.reshape(tf.slice(vs[i], [0, e, 0], [B, 1, m]), [B, m]) as tf.Tensor2D });
            if (kind === 'deque') {
              const r = dequeStep(s, end(0), end(1));
              s = r.next;
              reads.push(tf.stack([r.readTop, r.readBottom], 1));
            } else {
              const r = (kind === 'stack' ? stackStep : queueStep)(s, end(0));
              s = r.next;
              reads.push(tf.expandDims(r.read, 1));
            }
          }
          expectClose(tf.stack(reads), g.tensors.reads.data, 1e-5, 0, 'reads');
          const n = g.tensors.strengths.shape[1];
          expectClose(s.strengths, asBuffer(kind, Float32Array.from(g.tensors.strengths.data), B, n, 1, C), 1e-5, 0, 'strengths');
          expectClose(s.values, asBuffer(kind, Float32Array.from(g.tensors.values.data), B, n, m, C), 1e-5, 0, 'values');
        });
      }, kind);
    });
  }

  it('a push of strength 1 and a pop of 1 behave as a discrete stack, queue and deque', () => {
    tf.tidy(() => {
      const one = tf.ones([1, 1]) as tf.Tensor2D;
      const zero = tf.zeros([1, 1]) as tf.Tensor2D;
      const v = (k: number) => tf.tensor2d([[k]]);
      const run = (kind: 'stack' | 'queue') => {
        const step = kind === 'stack' ? stackStep : queueStep;
        let s: Structure = { values: tf.zeros([1, 8, 1]), strengths: tf.zeros([1, 8]) }; // a row per step: 5 steps fit
        const out: number[] = [];
        for (const k of [1, 2, 3]) s = step(s, { u: zero, d: one, v: v(k) }).next; // push 1, 2, 3
        for (let i = 0; i < 2; i++) {
          const r = step(s, { u: one, d: zero, v: v(9) }); // pop one, push nothing
          s = r.next;
          out.push(r.read.dataSync()[0]);
        }
        return out;
      };
      expect(run('stack')).toEqual([2, 1]); // popped 3, then 2
      expect(run('queue')).toEqual([2, 3]); // popped 1, then 2
      let s: Structure = { values: tf.zeros([1, 8, 1]), strengths: tf.zeros([1, 8]) };
      s = dequeStep(s, { u: zero, d: one, v: v(1) }, { u: zero, d: one, v: v(2) }).next; // [2 | 1]
      s = dequeStep(s, { u: zero, d: one, v: v(3) }, { u: zero, d: one, v: v(4) }).next; // [4 2 | 1 3]
      const r = dequeStep(s, { u: one, d: zero, v: v(9) }, { u: one, d: zero, v: v(9) }); // pop 3 and 4
      expect([r.readTop.dataSync()[0], r.readBottom.dataSync()[0]]).toEqual([1, 2]);
    });
  });
});

/** Random float32 variables (values in ±scale, or in (0.05, 0.95) for strengths). */
function vars(seed: number, shapes: Record<string, [number[], 'signed' | 'unit']>): Record<string, tf.Variable> {
  const rng = createRng(seed);
  return Object.fromEntries(
    Object.entries(shapes).map(([k, [s, kind]]) => [k, tf.variable(tf.tensor(Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (kind === 'unit' ? rng.uniform(0.05, 0.95) : rng.uniform(-1, 1))), s))]),
  );
}

describe('finite-difference gradients of the structures (pops, pushes and reads of two steps)', () => {
  const B = 2;
  const m = 3;
  for (const kind of KINDS) {
    it(kind, () => {
      const E = kind === 'deque' ? 2 : 1;
      const C = 5 * E;
      const v = vars(7, { // a seed whose points lie ≥ h from every kink of the piecewise-linear max/min (at a kink a central difference averages two slopes)
        values: [[B, C, m], 'signed'], strengths: [[B, C], 'unit'], u1: [[B, E], 'unit'], d1: [[B, E], 'unit'], v1: [[B, E * m], 'signed'], u2: [[B, E], 'unit'], d2: [[B, E], 'unit'], v2: [[B, E * m], 'signed'],
      });
      const proj = tf.randomNormal([B, E * m], 0, 1, 'float32', 4);
      const loss = () =>
        tf.tidy(() => {
          let s: Structure = { values: v.values as tf.Tensor3D, strengths: v.strengths as tf.Tensor2D };
          const end = (i: 1 | 2, e: number) => ({ u: tf.slice(v[`u${i}`], [0, e], [B, 1]) as tf.Tensor2D, d: tf.slice(v[`d${i}`], [0, e], [B, 1]) as tf.Tensor2D, v: tf.slice(v[`v${i}`], [0, e * m], [B, m]) as tf.Tensor2D });
          let read: tf.Tensor2D = tf.zeros([B, E * m]);
          for (const i of [1, 2] as const) {
            if (kind === 'deque') {
              const r = dequeStep(s, end(i, 0), end(i, 1));
              s = r.next;
              read = tf.concat([r.readTop, r.readBottom], 1) as tf.Tensor2D;
            } else {
              const r = (kind === 'stack' ? stackStep : queueStep)(s, end(i, 0));
              s = r.next;
              read = r.read;
            }
          }
          return tf.sum(tf.mul(read, proj)) as tf.Scalar;
        });
      const report = gradCheck(loss, v, { h: 1e-3, atol: 2e-3 });
      expect(report.checked).toBeGreaterThan(30);
      tf.dispose([proj, ...Object.values(v)]);
    });
  }
});

const tiny = (structure: StructureKind): NeuralStackCellOptions => ({ structure, inputSize: 3, outputSize: 2, controllerSize: 4, valueSize: 3, capacity: 6, seed: 1 });

describe('neuralStackCell', () => {
  for (const kind of KINDS) {
    it(`${kind}: outputs and the final state against the PyTorch transcription within 1e-5`, async () => {
      const g = loadGolden<{ options: NeuralStackCellOptions; weights: string[]; T: number; B: number }>(`${DIR}${kind}-cell`);
      const weights: Record<string, ParamInit> = {};
      for (const w of g.config.weights) weights[w] = { shape: g.tensors[`weights.${w}`].shape, data: Float32Array.from(g.tensors[`weights.${w}`].data) };
      await expectNoLeaks(() => {
        const cell = neuralStackCell({ ...g.config.options, weights });
        tf.tidy(() => {
          const { T, B } = g.config;
          const xs = tf.unstack(tf.tensor3d(Float32Array.from(g.tensors.xs.data), [T, B, g.config.options.inputSize])) as tf.Tensor2D[];
          let s = cell.initialState(B);
          const ys: tf.Tensor2D[] = [];
          for (const x of xs) {
            const [y, next] = cell.step(s, x);
            ys.push(y);
            s = next;
          }
          expectClose(tf.stack(ys), g.tensors.ys.data, 1e-5, 0, 'y');
          for (const k of ['h', 'c', 'reads'] as const) expectClose(s[k], g.tensors[k].data, 1e-5, 0, k);
          const C = (kind === 'deque' ? 2 : 1) * g.config.options.capacity!;
          const n = g.tensors.strengths.shape[1];
          expectClose(s.strengths, asBuffer(kind, Float32Array.from(g.tensors.strengths.data), B, n, 1, C), 1e-5, 0, 'strengths');
        });
        cell.dispose();
      }, kind);
    });

    it(`${kind}: gradients of three steps match finite differences, every parameter`, () => {
      const cell = neuralStackCell(tiny(kind));
      const rng = createRng(5);
      const xs = [0, 1, 2].map(() => tf.tensor2d(Array.from({ length: 6 }, () => rng.uniform(-1, 1)), [2, 3]));
      const proj = tf.tensor2d([[0.3, -0.8], [1.1, 0.4]]);
      const loss = () =>
        tf.tidy(() => {
          let s = cell.initialState(2);
          let total = tf.scalar(0);
          for (const x of xs) {
            const [y, next] = cell.step(s, x);
            total = tf.add(total, tf.sum(tf.mul(y, proj)));
            s = next;
          }
          return total as tf.Scalar;
        });
      const report = gradCheck(loss, cell.params, { h: 1e-3, atol: 2e-3 });
      expect(report.checked).toBeGreaterThan(40);
      tf.dispose([...xs, proj]);
      cell.dispose();
    });
  }

  it('rejects bad options and inputs with typed errors before allocating', () => {
    const before = tf.memory().numTensors;
    expect(() => neuralStackCell({ ...tiny('stack'), structure: 'heap' as never })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => neuralStackCell({ ...tiny('stack'), capacity: 1 })).toThrow(expect.objectContaining({ code: 'E_SIZE' }));
    expect(() => neuralStackCell({ ...tiny('stack'), valueSize: 0 })).toThrow(/valueSize/);
    expect(() => neuralStackCell({ ...tiny('stack'), weights: { 'output.kernal': { shape: [4, 2], data: new Float32Array(8) } } })).toThrow(/output\.kernal/);
    expect(tf.memory().numTensors).toBe(before);
    const cell = neuralStackCell(tiny('queue'));
    const s = cell.initialState(1);
    expect(() => tf.tidy(() => cell.step(s, tf.zeros([1, 4]) as tf.Tensor2D))).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    tf.dispose(Object.values(s));
    cell.dispose();
  });
});

describe('neuralStack operator', () => {
  const xs = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]];
  for (const kind of KINDS) {
    it(`${kind}: streams the structure as extras, and equals stepping the cell`, async () => {
      const cell = neuralStackCell(tiny(kind));
      await expectNoLeaks(async () => {
        const out = await collect(from(xs).pipe(neuralStack(cell, { emit: 'step', extras: true })));
        const E = kind === 'deque' ? 2 : 1;
        const C = 6 * E;
        expect(out).toHaveLength(4);
        const last = out[3];
        expect(last.extras!.strengths.shape).toEqual([1, C]);
        expect(last.extras!.values.shape).toEqual([1, C, 3]);
        expect(last.extras!.readWeights.shape).toEqual([1, E, C]);
        expect(last.extras!.reads.shape).toEqual([1, E, 3]);
        expect(last.extras!.push.shape).toEqual([1, E]);
        expect(last.extras!.pop.shape).toEqual([1, E]);
        // The same numbers as stepping the cell by hand.
        const ys = tf.tidy(() => {
          let s = cell.initialState(1);
          const got: number[] = [];
          for (const x of xs) {
            const [y, next] = cell.step(s, tf.tensor2d([x]));
            got.push(...y.dataSync());
            s = next;
          }
          return got;
        });
        expect(out.flatMap((o) => Array.from(o.y.dataSync()))).toEqual(ys);
        for (const o of out) tf.dispose([o.y, ...Object.values(o.extras!)]);
      }, kind);
      cell.dispose();
    });
  }

  it('leaks nothing on error and on early unsubscribe', async () => {
    const cell = neuralStackCell(tiny('deque'));
    await expectNoLeaks(async () => {
      const got: tf.Tensor[] = [];
      const failed = await new Promise<unknown>((resolve) => {
        concat(from(xs.slice(0, 2)), throwError(() => new Error('boom')))
          .pipe(neuralStack(cell))
          .subscribe({ next: (y) => got.push(y), error: resolve });
      });
      expect(String(failed)).toContain('boom');
      expect(got).toHaveLength(2);
      tf.dispose(got);
    }, 'error');
    await expectNoLeaks(async () => {
      const input = new Subject<number[]>();
      const got: tf.Tensor[] = [];
      const sub = input.pipe(neuralStack(cell)).subscribe((y) => got.push(y));
      input.next(xs[0]);
      input.next(xs[1]);
      sub.unsubscribe();
      expect(got).toHaveLength(2);
      tf.dispose(got);
    }, 'unsubscribe');
    expect(() => neuralStack(tiny as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    cell.dispose();
  });
});
