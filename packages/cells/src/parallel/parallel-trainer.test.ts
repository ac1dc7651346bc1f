// createParallelTrainer: the batch split across the calling thread and worker threads gives the
// same update as one thread (same losses, same weights after three Adam steps with carried state and
// a mask), leaks no tensors, and reports bad options and worker failures clearly.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTrainer, createRng, defineCell, type Cell, type State, type Trainer } from '@rxrnn/core';
import { expectNoLeaks, expectClose } from '@rxrnn/testing';
import { embeddingCell, lstmCell, gruCell, denseCell, stackCells } from '../index.js';
import { kernels } from '@rxrnn/kernels';
import { createParallelTrainer } from './index.js';

const rt = kernels();
const threadsBefore = rt?.threads ?? 1;

const model = (): Cell =>
  stackCells([
    embeddingCell({ vocabSize: 9, embeddingSize: 4, seed: 1 }),
    lstmCell({ inputSize: 4, hiddenSize: 6, seed: 2 }),
    gruCell({ inputSize: 6, hiddenSize: 5, seed: 3 }),
    denseCell({ inputSize: 5, outputSize: 9, seed: 4 }),
  ]);

function batch(i: number, T = 6, B = 5) {
  const rng = createRng(30 + i);
  const ids = Array.from({ length: (T + 1) * B }, () => rng.int(9));
  const mask = Array.from({ length: T * B }, (_, j) => (Math.floor(j / B) < T - 1 || j % B !== 2 ? 1 : 0)); // one padded row at the end
  return { inputs: tf.tensor3d(ids.slice(0, T * B), [T, B, 1]), targets: tf.tensor2d(ids.slice(B), [T, B], 'int32'), mask: tf.tensor2d(mask, [T, B]) };
}

function run(trainer: Trainer, steps = 3) {
  let carried: State | undefined;
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const b = batch(i);
    const r = trainer.trainBatch(b, { initialState: carried, keepFinal: true, lossFrom: 1 });
    tf.dispose([b.inputs, b.targets, b.mask]);
    if (carried) tf.dispose(Object.values(carried));
    carried = r.final;
    losses.push(r.loss);
  }
  const final = carried ? Object.fromEntries(Object.entries(carried).map(([k, t]) => [k, Array.from(t.dataSync())])) : {};
  if (carried) tf.dispose(Object.values(carried));
  return { losses, final };
}

describe('createParallelTrainer', () => {
  it('with 3 threads takes the same steps as one thread (losses, carried state, weights)', async () => {
    const a = model();
    const b = model();
    const one = createTrainer({ cell: a, optimizer: { kind: 'adam', lr: 0.02 }, clipNorm: 1, seed: 3 });
    const want = run(one);
    // workers, optimiser slots and all: nothing is left once the trainer is disposed
    const got = await expectNoLeaks(async () => {
      const par = createParallelTrainer({ cell: b, optimizer: { kind: 'adam', lr: 0.02 }, clipNorm: 1, seed: 3, threads: 3 });
      rt?.setThreads(2);
      const r = { ...run(par), weights: Object.fromEntries(Object.entries(b.params).map(([k, v]) => [k, Array.from(v.dataSync())])) };
      expect(par.step).toBe(3);
      // this thread's part ran on one kernel thread (the workers hold the other cores); restored after
      if (rt) expect(rt.threads).toBe(rt.info().backend === 'native' ? 2 : 1); // (WebAssembly always runs on one)
      rt?.setThreads(threadsBefore);
      // the workers' own tensors stay put from step to step (a leak there once cost 1.4 MB a step)
      const counts = par.workerTensors();
      expect(counts.length).toBe(2);
      run(par, 2);
      expect(par.workerTensors()).toEqual(counts);
      // checkpoints come from the one optimiser on this thread
      expect((await par.checkpoint()).json.step).toBe(5);
      par.dispose();
      return r;
    }, 'parallel training');
    got.losses.forEach((l, i) => expect(l).toBeCloseTo(want.losses[i], 5));
    expect(Object.keys(got.final)).toEqual(Object.keys(want.final));
    for (const k of Object.keys(want.final)) expectClose(got.final[k], want.final[k], 1e-5, 1e-4, `carried ${k}`);
    for (const k of Object.keys(a.params)) expectClose(got.weights[k], a.params[k].dataSync(), 1e-5, 1e-4, k);
    one.dispose();
    a.dispose();
    b.dispose();
  }, 120_000);

  it('threads: 1 is the plain trainer; bad options are named', () => {
    const cell = model();
    const t = createParallelTrainer({ cell, threads: 1 });
    expect(typeof t.trainBatch).toBe('function');
    t.dispose();
    expect(() => createParallelTrainer({ cell, threads: 0 })).toThrow(/createParallelTrainer: options.threads: expected a positive integer, received number 0/);
    expect(() => createParallelTrainer({ cell, loss: ((y: tf.Tensor) => y) as never, threads: 2 })).toThrow(/createParallelTrainer: options.loss: expected a loss name/);
    cell.dispose();
    // a cell the registry cannot rebuild (an unregistered kind) cannot go to workers
    const custom = defineCell({ kind: 'my-own', inputSize: 1, outputSize: 2, config: {}, params: { w: { shape: [1, 2], data: new Float32Array(2) } }, initialState: () => ({}), step: (p, s, x) => [tf.matMul(x, p.w) as tf.Tensor2D, s] });
    expect(() => createParallelTrainer({ cell: custom, threads: 2 })).toThrow(/createParallelTrainer: options.cell: expected a cell the registry can rebuild/);
    custom.dispose();
  });
});
