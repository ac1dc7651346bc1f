/**
 * The page script of browser.test.ts, bundled with esbuild and run in headless Chromium: the
 * WebAssembly kernels, loaded the way a browser app loads them (`loadKernels(bytes)` on the fetched
 * `kernelsWasmFile()`: kernels-relaxed.wasm where relaxed SIMD runs, else kernels.wasm), against the cells' own tfjs steps on tfjs's cpu backend. For each case it reports the
 * worst error of every output, final state and gradient, as `|fused − tfjs| − (atol + rtol·|tfjs|)`
 * with atol = rtol = 1e-5 (≤ 0 passes), on `window.__rxrnn`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Cell, State } from '@rxrnn/core';
import { loadKernels, kernelsInfo, kernelsWasmFile, relaxedSimdSupported, lstmSequence, gruSequence, rnnSequence, fuseCell } from '@rxrnn/kernels';
import { lstmCell } from '../lstm/lstm-cell.js';
import { gruCell } from '../gru/gru-cell.js';
import { rnnCell } from '../rnn/rnn-cell.js';

const ATOL = 1e-5;
const RTOL = 1e-5;

/** One compared quantity: its worst excess over the tolerance (≤ 0 passes) and the largest |tfjs| value. */
export interface BrowserCheck {
  case: string;
  quantity: string;
  excess: number;
  scale: number;
}

export interface BrowserReport {
  backend: string;
  kernels: { backend: string; isa: string; threads: number } | null;
  relaxedSimd: boolean;
  checks: BrowserCheck[];
  error?: string;
}

function excess(a: tf.Tensor, b: tf.Tensor): { excess: number; scale: number } {
  const x = a.dataSync();
  const y = b.dataSync();
  if (x.length !== y.length) return { excess: Infinity, scale: 0 };
  let worst = -Infinity;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    worst = Math.max(worst, Math.abs(x[i] - y[i]) - (ATOL + RTOL * Math.abs(y[i])));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return { excess: worst, scale };
}

/** The reference: the cell's tfjs step unrolled over x [T, B, X]. */
function unroll(cell: Cell, x: tf.Tensor3D, s0: State): { ys: tf.Tensor; s: State } {
  let s = s0;
  const ys: tf.Tensor[] = [];
  for (let t = 0; t < x.shape[0]; t++) {
    const [y, next] = cell.step(s, tf.squeeze(tf.slice(x, [t, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D);
    ys.push(y);
    s = next;
  }
  return { ys: tf.stack(ys), s };
}

interface Family {
  name: string;
  make: (X: number, H: number) => Cell;
  run: (cell: Cell, x: tf.Tensor3D, s0: State) => { ys: tf.Tensor; s: State };
}

const families: Family[] = [
  {
    name: 'lstm',
    make: (X, H) => lstmCell({ fused: false, inputSize: X, hiddenSize: H, seed: 1, init: 'uniform' }),
    run: (cell, x, s0) => {
      const r = lstmSequence(cell.params as never, x, s0.h as tf.Tensor2D, s0.c as tf.Tensor2D);
      return { ys: r.ys, s: { h: r.hT, c: r.cT } };
    },
  },
  {
    name: 'lstm with projection',
    make: (X, H) => lstmCell({ fused: false, inputSize: X, hiddenSize: H, projSize: H - 3, seed: 4, init: 'uniform' }),
    run: (cell, x, s0) => {
      const r = lstmSequence(cell.params as never, x, s0.h as tf.Tensor2D, s0.c as tf.Tensor2D);
      return { ys: r.ys, s: { h: r.hT, c: r.cT } };
    },
  },
  ...[true, false].map((resetAfter) => ({
    name: `gru ${resetAfter ? 'reset-after' : 'reset-before'}`,
    make: (X: number, H: number) => gruCell({ fused: false, inputSize: X, hiddenSize: H, seed: 2, init: 'uniform', resetAfter }),
    run: (cell: Cell, x: tf.Tensor3D, s0: State) => {
      const r = gruSequence(cell.params as never, x, s0.h as tf.Tensor2D, { resetAfter });
      return { ys: r.ys, s: { h: r.hT } };
    },
  })),
  {
    name: 'rnn tanh',
    make: (X, H) => rnnCell({ fused: false, inputSize: X, hiddenSize: H, seed: 3, activation: 'tanh' }),
    run: (cell, x, s0) => {
      const r = rnnSequence(cell.params as never, x, s0.h as tf.Tensor2D, { activation: 'tanh' });
      return { ys: r.ys, s: { h: r.hT } };
    },
  },
];

/** Sizes that are not multiples of the SIMD width, batch 1 and batch > 1: [T, B, X, H]. */
const SIZES = [
  [1, 1, 5, 7],
  [6, 3, 13, 9],
  [7, 9, 10, 37],
];

function randomState(cell: Cell, B: number, seed: number): State {
  const s = cell.initialState(B);
  return Object.fromEntries(
    Object.entries(s).map(([k, v], i) => {
      const r = tf.randomNormal(v.shape, 0, 0.5, 'float32', seed + i);
      v.dispose();
      return [k, r];
    }),
  );
}

/** Whole sequences: outputs, final states and the gradients of every input and parameter. */
function sequenceChecks(): BrowserCheck[] {
  const checks: BrowserCheck[] = [];
  for (const f of families) {
    for (const [T, B, X, H] of SIZES) {
      const name = `${f.name} sequence T=${T} B=${B} X=${X} H=${H}`;
      tf.tidy(() => {
        const cell = f.make(X, H);
        const x = tf.randomNormal([T, B, X], 0, 1, 'float32', T * 100 + X) as tf.Tensor3D;
        const s0 = randomState(cell, B, 7);
        const names = Object.keys(s0);
        const a = f.run(cell, x, s0);
        const b = unroll(cell, x, s0);
        checks.push({ case: name, quantity: 'ys', ...excess(a.ys, b.ys) });
        for (const k of names) checks.push({ case: name, quantity: `final ${k}`, ...excess(a.s[k], b.s[k]) });
        const w = tf.randomNormal(b.ys.shape, 0, 1, 'float32', 5);
        const loss = (g: (xx: tf.Tensor3D, ss: State) => { ys: tf.Tensor; s: State }) => (xx: tf.Tensor, ...st: tf.Tensor[]) => {
          const r = g(xx as tf.Tensor3D, Object.fromEntries(names.map((n, i) => [n, st[i]])));
          return tf.addN([tf.sum(tf.mul(r.ys, w)), ...names.map((n, i) => tf.sum(tf.mul(r.s[n], tf.scalar(i + 2))))]) as tf.Scalar;
        };
        const fa = loss((xx, ss) => f.run(cell, xx, ss));
        const fb = loss((xx, ss) => unroll(cell, xx, ss));
        const inputs = [x, ...names.map((n) => s0[n])];
        const [ga, gb] = [tf.grads(fa)(inputs), tf.grads(fb)(inputs)];
        ga.forEach((g, i) => checks.push({ case: name, quantity: i === 0 ? 'dx' : `d${names[i - 1]}0`, ...excess(g, gb[i]) }));
        const vars = Object.values(cell.params) as tf.Variable[];
        const pa = tf.variableGrads(() => fa(x, ...inputs.slice(1)), vars);
        const pb = tf.variableGrads(() => fb(x, ...inputs.slice(1)), vars);
        for (const [k, v] of Object.entries(cell.params)) checks.push({ case: name, quantity: `d${k}`, ...excess(pa.grads[v.name], pb.grads[v.name]) });
        cell.dispose();
      });
    }
  }
  return checks;
}

/** Streaming: a fused cell stepped token by token against the same cell's tfjs step. */
function stepChecks(): BrowserCheck[] {
  const checks: BrowserCheck[] = [];
  for (const f of families) {
    for (const B of [1, 4]) {
      const name = `${f.name} streaming step B=${B} X=11 H=19`;
      tf.tidy(() => {
        const cell = f.make(11, 19);
        const fused = fuseCell(cell);
        if (!fused.fused) {
          checks.push({ case: name, quantity: 'fused', excess: Infinity, scale: 0 });
          return;
        }
        let sa = randomState(cell, B, 3);
        let sb = sa;
        for (let t = 0; t < 5; t++) {
          const x = tf.randomNormal([B, 11], 0, 1, 'float32', 40 + t) as tf.Tensor2D;
          const [ya, na] = fused.step(sa, x);
          const [yb, nb] = cell.step(sb, x);
          checks.push({ case: name, quantity: `y[${t}]`, ...excess(ya, yb) });
          for (const k of Object.keys(nb)) checks.push({ case: name, quantity: `${k}[${t}]`, ...excess(na[k], nb[k]) });
          [sa, sb] = [na, nb];
        }
        cell.dispose();
      });
    }
  }
  return checks;
}

async function main(): Promise<BrowserReport> {
  await tf.setBackend('cpu');
  await tf.ready();
  // What a browser app does: fetch the binary this engine runs best, and load it.
  const bytes = await (await fetch(`/${kernelsWasmFile()}`)).arrayBuffer();
  loadKernels(bytes);
  const info = kernelsInfo();
  const checks = [...sequenceChecks(), ...stepChecks()];
  return { backend: tf.getBackend(), kernels: info ? { backend: info.backend, isa: info.isa, threads: info.threads } : null, relaxedSimd: relaxedSimdSupported(), checks };
}

const w = globalThis as unknown as { __rxrnn?: BrowserReport };
main().then(
  (r) => (w.__rxrnn = r),
  (e: unknown) => (w.__rxrnn = { backend: tf.getBackend(), kernels: null, relaxedSimd: false, checks: [], error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) }),
);
