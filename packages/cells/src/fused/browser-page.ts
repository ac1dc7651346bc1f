/**
 * The page script of browser.test.ts, bundled with esbuild and run in headless Chromium: the
 * WebAssembly kernels, loaded the way a browser app loads them (`loadKernels(bytes)` on the fetched
 * `kernelsWasmFile()`: kernels-relaxed.wasm where relaxed SIMD runs, else kernels.wasm), against the
 * cells' own tfjs steps on tfjs's cpu backend. For each case it reports the worst error of every
 * output, final state and gradient, as `|fused − tfjs| − (atol + rtol·|tfjs|)` with
 * atol = rtol = 1e-5 (≤ 0 passes), on `window.__rxrnn`.
 */
import * as tf from '@tensorflow/tfjs';
import type { State } from '@rxrnn/core';
import { loadKernels, kernelsInfo, kernelsWasmFile, relaxedSimdSupported } from '@rxrnn/kernels';
import { fuseCell } from './fuse-cell.js';
import { SEQUENCE_FAMILIES as families, unrollStep as unroll, randomState } from './sequence-reference.js';

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

/** Sizes that are not multiples of the SIMD width, batch 1 and batch > 1: [T, B, X, H]. */
const SIZES = [
  [1, 1, 5, 7],
  [6, 3, 13, 9],
  [7, 9, 10, 37],
];

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
  // What a browser app does: fetch the binary this engine runs best, and load it (`?wasm=kernels.wasm`
  // forces the 128-bit SIMD build, so the test covers both).
  const file = new URLSearchParams(location.search).get('wasm') ?? kernelsWasmFile();
  const bytes = await (await fetch(`/${file}`)).arrayBuffer();
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
