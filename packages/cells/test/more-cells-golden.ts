/**
 * Test helpers for the golden fixtures of tools/goldens/more_cells.py
 * (packages/cells/fixtures/more-cells/<case>.safetensors + .json): build a cell from the stored
 * weights, stream the stored input through an operator, and compare every step's output and the
 * final state within 1e-5.
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { from, type OperatorFunction } from 'rxjs';
import type { Cell, ParamInit, RecurrentOptions, StepOutput } from '@rxrnn/core';
import { loadGolden, collect, expectClose, expectNoLeaks, type Golden } from '@rxrnn/testing';

export interface MoreCellsMeta {
  case: string;
  options: Record<string, unknown>;
  T: number;
  B: number;
  weights: string[];
  state: string[];
}

const DIR = fileURLToPath(new URL('../fixtures/more-cells/', import.meta.url));

export function loadMoreCells(name: string): Golden<MoreCellsMeta> {
  return loadGolden<MoreCellsMeta>(`${DIR}${name}`);
}

/** The stored weights whose names start with `prefix`, prefix removed. */
export function goldenWeights(g: Golden<MoreCellsMeta>, prefix = ''): Record<string, ParamInit> {
  const out: Record<string, ParamInit> = {};
  for (const name of g.config.weights) {
    if (!name.startsWith(prefix)) continue;
    const t = g.tensors[`weights.${name}`];
    out[name.slice(prefix.length)] = { shape: t.shape, data: Float32Array.from(t.data) };
  }
  return out;
}

type Op = (cell: Cell, options: RecurrentOptions & { emit: 'step' }) => OperatorFunction<unknown, StepOutput>;

/**
 * Stream the fixture's x through `op(cell)` and check y at every step and the final state.
 * Leaves no tensors behind (checked).
 */
export async function expectGoldenParity(g: Golden<MoreCellsMeta>, cell: Cell, op: Op, atol = 1e-5): Promise<void> {
  const { T, B } = g.config;
  const x = g.tensors.x; // [T, B, X]
  const y = g.tensors.y; // [T, B, Y]
  const X = x.shape[2];
  const Y = y.shape[2];
  const steps: number[][][] = [];
  for (let t = 0; t < T; t++) {
    const rows: number[][] = [];
    for (let b = 0; b < B; b++) rows.push(Array.from(x.data.subarray((t * B + b) * X, (t * B + b + 1) * X)));
    steps.push(rows);
  }
  await expectNoLeaks(async () => {
    const outs = await collect(from(steps).pipe(op(cell, { emit: 'step', state: true })));
    if (outs.length !== T) throw new Error(`expected ${T} outputs, got ${outs.length}`);
    outs.forEach((o, t) => expectClose(o.y, y.data.subarray(t * B * Y, (t + 1) * B * Y), atol, 0, `${g.config.case} y[${t}]`));
    const last = outs[T - 1].state ?? {};
    for (const key of g.config.state) {
      const want = g.tensors[`state.${key}`];
      if (!last[key]) throw new Error(`${g.config.case}: the final state has no entry ${key} (has ${Object.keys(last).join(', ')})`);
      expectClose(last[key], want.data, atol, 0, `${g.config.case} state.${key}`);
    }
    for (const o of outs) {
      o.y.dispose();
      for (const t of Object.values(o.state ?? {})) t.dispose();
    }
  }, `golden ${g.config.case}`);
}

/** A scalar loss over a short unrolled sequence, for gradCheck. */
export function sequenceLoss(cell: Cell, xs: tf.Tensor2D[]): () => tf.Scalar {
  return () =>
    tf.tidy(() => {
      let s = cell.initialState(xs[0].shape[0]);
      let total = tf.scalar(0);
      for (const x of xs) {
        const [yt, next] = cell.step(s, x);
        s = next;
        total = tf.add(total, tf.sum(tf.mul(yt, tf.sin(tf.mul(yt, 3)))));
      }
      return total as tf.Scalar;
    });
}

/** Deterministic small inputs [B, X] for gradient checks. */
export function smallInputs(T: number, B: number, X: number): tf.Tensor2D[] {
  const out: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const data = new Float32Array(B * X);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(1.7 * (t * B * X + i) + 0.3);
    out.push(tf.tensor2d(data, [B, X]));
  }
  return out;
}

type AnyOp = (cell: Cell, options?: RecurrentOptions) => OperatorFunction<unknown, tf.Tensor2D>;

/**
 * The operator leaks nothing on complete, on error, and on early unsubscribe (a live Subject),
 * and emits `[B, Y]` tensors. `row` is one input `[X]`.
 */
export async function expectOperatorNoLeaks(cell: Cell, op: AnyOp, row: number[], options: RecurrentOptions = {}): Promise<void> {
  const { Subject, concat, of, throwError, take, map } = await import('rxjs');
  const read = map((t: tf.Tensor2D) => {
    const v = t.arraySync();
    t.dispose();
    return v;
  });
  // complete
  const out = await expectNoLeaks(() => collect(from([row, row.map((v) => -v), row]).pipe(op(cell, options), read)), `${cell.kind} complete`);
  if (out.length !== 3 || out[0].length !== 1 || out[0][0].length !== cell.outputSize) throw new Error(`${cell.kind}: expected 3 outputs of [1, ${cell.outputSize}]`);
  // error
  await expectNoLeaks(async () => {
    let failed: unknown = null;
    await collect(concat(of(row, row), throwError(() => new Error('boom'))).pipe(op(cell, options), read)).catch((e) => (failed = e));
    if (!(failed instanceof Error) || failed.message !== 'boom') throw new Error(`${cell.kind}: the error did not propagate`);
  }, `${cell.kind} error`);
  // early unsubscribe: a live source, and take(1) on a synchronous one
  await expectNoLeaks(() => {
    const s = new Subject<number[]>();
    const sub = s.pipe(op(cell, options), read).subscribe();
    s.next(row);
    s.next(row);
    sub.unsubscribe();
    s.next(row);
  }, `${cell.kind} unsubscribe`);
  await expectNoLeaks(() => collect(from([row, row, row]).pipe(op(cell, options), take(1), read)), `${cell.kind} take(1)`);
  // emit: 'step' with state and extras: the receiver owns (and frees) every tensor it gets, and the stream goes on
  await expectNoLeaks(async () => {
    const outs = await collect(from([row, row, row]).pipe((op as unknown as Op)(cell, { ...options, emit: 'step', state: true, extras: true } as never)));
    for (const o of outs) {
      for (const t of [o.y, ...Object.values(o.state ?? {}), ...Object.values(o.extras ?? {})]) {
        if (t.isDisposed) throw new Error(`${cell.kind}: an emitted tensor was already disposed`);
        t.dispose();
      }
    }
  }, `${cell.kind} step outputs`);
  await expectNoLeaks(async () => {
    const src = from([row, row, row]).pipe((op as unknown as Op)(cell, { ...options, emit: 'step', extras: true } as never));
    await collect(src.pipe(map((o: StepOutput) => { for (const t of Object.values(o.extras ?? {})) t.dispose(); return o.y; }), read));
  }, `${cell.kind} extras freed by the receiver`);
  // a value of the wrong size mid-stream: a clear E_SIZE error, nothing left allocated
  await expectNoLeaks(async () => {
    let failed: { code?: string; message?: string } | null = null;
    await collect(from([row, [...row, 0]]).pipe(op(cell, options), read)).catch((e) => (failed = e));
    const f = failed as { code?: string; message?: string } | null;
    if (!f || f.code !== 'E_SIZE' || !String(f.message).includes(`${cell.inputSize}`)) throw new Error(`${cell.kind}: expected an E_SIZE error for a value of size ${row.length + 1}, got ${String(f?.message)}`);
  }, `${cell.kind} bad value`);
}

/** `cellFromConfig(cell.config, cellWeights(cell))` rebuilds a cell that steps identically. */
export async function expectRegistryRoundTrip(cell: Cell, rows: number[][]): Promise<void> {
  const { cellFromConfig, cellWeights } = await import('../src/model/cell-registry.js');
  const copy = cellFromConfig(JSON.parse(JSON.stringify(cell.config)), cellWeights(cell));
  try {
    if (copy.kind !== cell.kind || JSON.stringify(copy.config) !== JSON.stringify(cell.config)) throw new Error(`${cell.kind}: the rebuilt config differs`);
    tf.tidy(() => {
      const x = tf.tensor2d(rows);
      const [a] = cell.step(cell.initialState(rows.length), x);
      const [b] = copy.step(copy.initialState(rows.length), x);
      expectClose(b, a.dataSync(), 0, 0, `${cell.kind} rebuilt`);
    });
  } finally {
    copy.dispose();
  }
}
