// Batching never changes an output (docs/protocol.md): every servable cell family, stepped through
// @rxrnn/core's createBatcher with random batch compositions, joins, leaves and snapshot moves, gives
// each stream exactly — bit for bit, Object.is on every float — what the stream gives stepped alone
// (batch 1): outputs, gate extras and final states. On every kernel build this process can run: the
// native kernels on 1 and 2 threads, the WebAssembly kernels (kernels.wasm, 128-bit SIMD, and
// kernels-relaxed.wasm, fused multiply-adds), and the plain tfjs step (no kernels). Sizes are odd (no
// multiple of any SIMD width or register tile) and large enough to take every path of the kernels:
// the batch-1 GEMV and the batched tiles, several 256-deep blocks of the inner dimension, and the
// native kernels' splits over threads.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createBatcher, createRng, type Batcher, type BatchSession, type Cell, type Rng, type StateSnapshot } from '@rxrnn/core';
import { expectNoLeaks } from '@rxrnn/testing';
import { kernels, kernelsInfo, loadKernels, type KernelsConfig } from '@rxrnn/kernels';
import { lstmCell, gruCell, rnnCell, lstmVariantCell, stackCells, embeddingCell, denseCell } from '../index.js';

// Node 20 validates kernels-relaxed.wasm only behind this flag (browsers and Node ≥ 22 without one).
setFlagsFromString('--experimental-wasm-relaxed-simd');
const wasmBytes = (file: string) => readFileSync(new URL(`../../../kernels/wasm/${file}`, import.meta.url));

interface Build {
  name: string;
  /** The kernels (false: the plain tfjs step). */
  fused: boolean;
  /** Build the cell on this build's kernels (false: the plain tfjs step). */
  make: (plain: (fused: boolean | KernelsConfig) => Cell) => Cell;
  threads: number;
}

const nativeBuilt = kernelsInfo({ native: true })?.backend === 'native';
/** Threads of the native runtime's calls (WebAssembly runs on one whatever is set). */
const kernelThreads = (): [number, number] => [kernels({ native: true })?.threads ?? 1, kernels({ native: true })?.stepThreads ?? 1];
/** Threads of every call, a batch-1 step's included (so the 2-thread build covers the small-step split too). */
const setKernelThreads = (n: number | [number, number]) => {
  const [all, step] = typeof n === 'number' ? [n, n] : n;
  kernels({ native: true })?.setThreads(all);
  kernels({ native: true })?.setStepThreads(step);
};
/** A fused cell built on the kernels `kernelsInfo()` reports as `isa` (checked). */
const fusedOn = (native: boolean, isa: string) => (plain: (fused: boolean | KernelsConfig) => Cell) => {
    expect(kernelsInfo({ native })?.isa).toBe(isa);
    const cell = plain({ native });
    if (cell.kind !== 'stack') expect((cell as { fused?: boolean }).fused).toBe(true); // (a stack's recurrent layer checks itself)
    return cell;
  };
/** The WebAssembly kernels from `file`, loaded for the cells built from now on. */
const wasmBuild = (file: string, isa: string) => (plain: (fused: boolean | KernelsConfig) => Cell) => {
  loadKernels(wasmBytes(file));
  return fusedOn(false, isa)(plain);
};
const BUILDS: Build[] = [
  ...(nativeBuilt
    ? [
        { name: 'native, 1 thread', fused: true, make: fusedOn(true, 'avx2+fma'), threads: 1 },
        { name: 'native, 2 threads', fused: true, make: fusedOn(true, 'avx2+fma'), threads: 2 },
      ]
    : []),
  { name: 'wasm, 128-bit SIMD', fused: true, make: wasmBuild('kernels.wasm', 'wasm-simd128'), threads: 1 },
  { name: 'wasm, relaxed SIMD', fused: true, make: wasmBuild('kernels-relaxed.wasm', 'wasm-relaxed-simd'), threads: 1 },
  { name: 'plain tfjs step', fused: false, make: (plain) => plain(false), threads: 1 },
];

interface Family {
  name: string;
  /** [X, H] sizes: small, and large (over 256 deep, over 512 KiB of recurrent weights). */
  sizes: [number, number][];
  plain: (X: number, H: number, seed: number) => (fused: boolean | KernelsConfig) => Cell;
  /** One input of size X (default: X values in [−2, 2)). */
  input?: (rng: Rng, X: number) => Float32Array;
}

const V = 29; // the stack's vocabulary
/** The shipped char-rnn's shape: embedding → LSTM → dense logits (inputs are token ids). */
function charStack(H: number, seed: number): (fused: boolean | KernelsConfig) => Cell {
  return (fused) => {
    const lstm = lstmCell({ inputSize: 11, hiddenSize: H, seed, init: 'uniform', fused });
    if (fused !== false) expect((lstm as { fused?: boolean }).fused).toBe(true);
    return stackCells([embeddingCell({ vocabSize: V, embeddingSize: 11, seed }), lstm, denseCell({ inputSize: H, outputSize: V, seed: seed + 1, fused })]);
  };
}
const FAMILIES: Family[] = [
  { name: 'lstm', sizes: [[7, 13], [300, 264]], plain: (X, H, seed) => (fused) => lstmCell({ inputSize: X, hiddenSize: H, seed, init: 'uniform', fused }) },
  { name: 'lstm with projection', sizes: [[7, 13], [300, 264]], plain: (X, H, seed) => (fused) => lstmCell({ inputSize: X, hiddenSize: H, projSize: Math.ceil(H / 2) - 1, seed, init: 'uniform', fused }) },
  { name: 'gru reset-after', sizes: [[7, 13], [300, 264]], plain: (X, H, seed) => (fused) => gruCell({ inputSize: X, hiddenSize: H, seed, init: 'uniform', fused }) },
  { name: 'gru reset-before', sizes: [[7, 13], [300, 264]], plain: (X, H, seed) => (fused) => gruCell({ inputSize: X, hiddenSize: H, seed, init: 'uniform', resetAfter: false, fused }) },
  { name: 'rnn tanh', sizes: [[7, 13], [300, 370]], plain: (X, H, seed) => (fused) => rnnCell({ inputSize: X, hiddenSize: H, seed, fused }) },
  { name: 'rnn relu', sizes: [[7, 13], [300, 370]], plain: (X, H, seed) => (fused) => rnnCell({ inputSize: X, hiddenSize: H, seed, activation: 'relu', fused }) },
  { name: 'stack: embedding → lstm → dense', sizes: [[1, 13], [1, 264]], plain: (_X, H, seed) => charStack(H, seed), input: (rng) => Float32Array.of(Math.floor(rng.next() * V)) },
  ...(['vanilla', 'NP', 'CIFG'] as const).map(
    (variant): Family => ({ name: `lstm-variant ${variant}`, sizes: [[7, 13], [300, 264]], plain: (X, H, seed) => (fused) => lstmVariantCell({ variant, inputSize: X, hiddenSize: H, seed, fused }) }),
  ),
];

/** Non-zero biases (the initialisers leave most of them zero), so every term of a step counts. */
function randomiseBiases(cell: Cell, seed: number): void {
  for (const [name, v] of Object.entries(cell.params)) {
    if (/bias/i.test(name)) tf.tidy(() => (v as tf.Variable).assign(tf.randomUniform(v.shape, -0.5, 0.5, 'float32', seed++)));
  }
}

/** One stream of a scenario: its inputs (and which steps ask for extras), when it joins, and whether it moves (leave with a snapshot, join again later). */
interface Stream {
  xs: Float32Array[];
  extras: boolean[];
  start: number;
  moveAt: number;
}

const uniformInput = (rng: Rng, X: number): Float32Array => Float32Array.from({ length: X }, () => rng.uniform(-2, 2));

/** `n` streams of X inputs; with `extras`, about 3 steps in 10 ask for the extras. */
function streams(rng: Rng, n: number, X: number, extras = true, input = uniformInput): Stream[] {
  return Array.from({ length: n }, () => {
    const len = 3 + Math.floor(rng.next() * 5);
    return {
      xs: Array.from({ length: len }, () => input(rng, X)),
      extras: Array.from({ length: len }, () => extras && rng.next() < 0.3),
      start: Math.floor(rng.next() * 4),
      moveAt: rng.next() < 0.3 ? 1 + Math.floor(rng.next() * (len - 1)) : -1,
    };
  });
}

type Extras = Record<string, Float32Array> | undefined;

interface Run {
  ys: Float32Array[][];
  extras: Extras[][];
  finals: StateSnapshot[];
}

/** A stream stepped alone: batch 1 at every step. */
function solo(cell: Cell, s: Stream): { ys: Float32Array[]; extras: Extras[]; final: StateSnapshot } {
  const b = createBatcher<number>(cell);
  const session = b.join();
  const extras: Extras[] = [];
  const ys = s.xs.map((x, t) => {
    b.push(session, x, t, { extras: s.extras[t] });
    const [r] = b.flush();
    if (r.error) throw r.error;
    extras[t] = r.extras;
    return r.y;
  });
  const final = b.snapshot(session);
  b.dispose();
  return { ys, extras, final };
}

/**
 * All streams through one batcher: each tick, every joined stream pushes its next input with
 * probability 3/4 (so batches are random subsets, in arrival order), a moving stream leaves with a
 * snapshot and joins again from it two ticks later, and finished streams leave.
 */
function together(cell: Cell, all: Stream[], rng: Rng, maxBatch: number): Run & { batchSizes: number[] } {
  const b: Batcher<[number, number]> = createBatcher(cell, { maxBatch });
  const ys: Float32Array[][] = all.map(() => []);
  const extras: Extras[][] = all.map(() => []);
  const finals: StateSnapshot[] = [];
  const session: (BatchSession | null)[] = all.map(() => null);
  const next = all.map(() => 0);
  const away = new Map<number, { back: number; snap: StateSnapshot }>();
  for (let tick = 0; next.some((t, i) => t < all[i].xs.length); tick++) {
    expect(tick).toBeLessThan(500);
    all.forEach((s, i) => {
      const moved = away.get(i);
      if (moved && tick >= moved.back) {
        session[i] = b.join(moved.snap);
        away.delete(i);
      } else if (!session[i] && !moved && next[i] === 0 && tick >= s.start) session[i] = b.join();
    });
    const order = all.map((_, i) => i).sort(() => rng.next() - 0.5); // arrival order differs from tick to tick
    for (const i of order) {
      const sess = session[i];
      if (sess && next[i] < all[i].xs.length && sess.pending === 0 && rng.next() < 0.75) b.push(sess, all[i].xs[next[i]], [i, next[i]], { extras: all[i].extras[next[i]] });
    }
    for (const r of b.flush()) {
      if (r.error) throw r.error;
      const [i, t] = r.tag;
      ys[i][t] = r.y;
      extras[i][t] = r.extras;
      next[i] = t + 1;
      const sess = session[i] as BatchSession;
      if (next[i] === all[i].xs.length) {
        finals[i] = b.snapshot(sess);
        b.leave(sess);
        session[i] = null;
      } else if (next[i] === all[i].moveAt) {
        away.set(i, { back: tick + 2, snap: b.snapshot(sess) });
        b.leave(sess);
        session[i] = null;
      }
    }
  }
  const batchSizes = [...b.stats.batchSizes.keys()];
  b.dispose();
  return { ys, extras, finals, batchSizes };
}

/** Index of the first float where a and b are not the same number (Object.is), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSame(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  const i = firstDifference(a, b);
  expect(i, i < 0 ? what : `${what}: batched ${a[i]} ≠ alone ${b[i]} at [${i}] (lengths ${a.length}, ${b.length})`).toBe(-1);
}

describe.each(BUILDS)('batched streams equal solo runs bit for bit ($name)', (build) => {
  for (const family of FAMILIES) {
    for (const [X, H] of family.sizes) {
      it(`${family.name} X=${X} H=${H}`, async () => {
        const was = kernelThreads();
        setKernelThreads(build.threads);
        try {
          const seed = X * 1000 + H;
          const cell = build.make(family.plain(X, H, seed));
          randomiseBiases(cell, seed);
          try {
            await expectNoLeaks(() => {
              const rng = createRng(seed);
              // (batches of up to ~30 rows at the small size; extras asked for at random steps)
              const all = streams(rng, H < 100 ? 40 : 11, X, true, family.input);
              const alone = all.map((s) => solo(cell, s));
              const sizes = new Set<number>();
              // one batch for every pending stream, and small batches (maxBatch 3 and 5) beside each other
              for (const maxBatch of [64, 5, 3]) {
                const run = together(cell, all, rng.fork(), maxBatch);
                run.batchSizes.forEach((n) => sizes.add(n));
                all.forEach((s, i) => {
                  s.xs.forEach((_, t) => {
                    expectSame(run.ys[i][t], alone[i].ys[t], `maxBatch ${maxBatch}: stream ${i} y[${t}]`);
                    const [got, want] = [run.extras[i][t], alone[i].extras[t]];
                    expect(Object.keys(got ?? {}).sort(), `stream ${i} extras[${t}]`).toEqual(Object.keys(want ?? {}).sort());
                    for (const k of Object.keys(want ?? {})) expectSame((got as Record<string, Float32Array>)[k], (want as Record<string, Float32Array>)[k], `maxBatch ${maxBatch}: stream ${i} extras[${t}].${k}`);
                  });
                  for (const [k, v] of Object.entries(alone[i].final.tensors)) expectSame(run.finals[i].tensors[k].data, v.data, `maxBatch ${maxBatch}: stream ${i} final ${k}`);
                });
              }
              // the compositions reached both sides of every small-batch path (batch 1..3 and ≥ 6 rows)
              expect(Math.min(...sizes)).toBe(1);
              expect(Math.max(...sizes)).toBeGreaterThanOrEqual(6);
            });
          } finally {
            cell.dispose();
          }
        } finally {
          setKernelThreads(was);
        }
      });
    }
  }
});

// The native kernels split work over threads by columns only, so a step gives the same bits on any
// number of threads — which matters because a call runs on one thread whenever another worker thread
// holds the pool.
describe.skipIf(!nativeBuilt)('native steps give the same bits on 1, 2 and 3 threads', () => {
  for (const family of FAMILIES) {
    const [X, H] = family.sizes[1];
    it(`${family.name} X=${X} H=${H}, batch 1 and batch 7`, () => {
      const cell = fusedOn(true, 'avx2+fma')(family.plain(X, H, 5));
      randomiseBiases(cell, 5);
      const was = kernelThreads();
      try {
        const all = streams(createRng(9), 7, X, true, family.input);
        const runs = [1, 2, 3].map((threads) => {
          setKernelThreads(threads);
          return { alone: solo(cell, all[0]), together: together(cell, all, createRng(threads), 64) };
        });
        for (const r of runs.slice(1)) {
          all[0].xs.forEach((_, t) => expectSame(r.alone.ys[t], runs[0].alone.ys[t], `batch 1 y[${t}]`));
          all.forEach((s, i) => s.xs.forEach((_, t) => expectSame(r.together.ys[i][t], runs[0].together.ys[i][t], `batched stream ${i} y[${t}]`)));
        }
      } finally {
        setKernelThreads(was);
        cell.dispose();
      }
    });
  }
});

// A regression test: the fused RNN step once had no `pre` extra, so when any stream of a batch asked for
// extras the whole batch took the tfjs step and the other streams' outputs changed by float rounding.
// Now h always comes from the kernel and `pre` is added beside it.
describe.each(BUILDS.filter((b) => b.fused))('a stream asking for extras does not change the others in a fused RNN batch ($name)', (build) => {
  it('rnn tanh X=7 H=13: batched with extras asked for by other streams equals solo without', () => {
    const was = kernelThreads();
    setKernelThreads(build.threads);
    const cell = build.make((fused) => rnnCell({ inputSize: 7, hiddenSize: 13, seed: 3, fused }));
    randomiseBiases(cell, 3);
    try {
      const all = streams(createRng(4), 8, 7);
      all[0].extras.fill(false); // stream 0 never asks; others do, at random steps
      all.slice(1).forEach((s) => s.extras.fill(true));
      const alone = solo(cell, all[0]);
      const run = together(cell, all, createRng(5), 64);
      all[0].xs.forEach((_, t) => expectSame(run.ys[0][t], alone.ys[t], `stream 0 y[${t}]`));
    } finally {
      setKernelThreads(was);
      cell.dispose();
    }
  });
});
