/**
 * The worker side of {@link createParallelTrainer}: a copy of the model, rebuilt from its config,
 * that computes the gradients of its slice of each batch. Stateless between jobs (the weights, the
 * carried state and the data come with each job), so a resumed run needs nothing from it.
 *
 * Protocol (one MessagePort): job → `{ id, weights?, inputs, targets, mask?, state, lossFrom,
 * keepFinal, step }`; reply → `{ id, loss, tokens, grads, final }` or `{ id, error }`. After each
 * reply the worker bumps `done` (Int32Array over a SharedArrayBuffer) and notifies, so the main
 * thread can wait for it synchronously (`Atomics.wait` + `receiveMessageOnPort`).
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend, createTrainer, rngAt, setExpKernel, type BackendName, type CellConfig, type LossName, type State } from '@rxrnn/core';
import { kernelExp } from '@rxrnn/kernels';
import { cellFromConfig } from '../model/cell-registry.js';

/** An array crossing the thread boundary. */
export interface WireTensor {
  shape: number[];
  data: Float32Array | Int32Array;
  dtype: 'float32' | 'int32';
}

export interface WorkerInit {
  config: CellConfig;
  weights: Record<string, WireTensor>;
  loss: LossName;
  seed: number;
  training: boolean;
  backend: BackendName;
  /** The main thread's loss runs on an exp kernel: use the kernels' exp here too. */
  kernelExp: boolean;
  port: MessagePort;
  done: SharedArrayBuffer;
  /** This worker's index (1, 2, …; the main thread is 0): its training-noise stream. */
  index: number;
}

export interface WorkerJob {
  id: number;
  weights?: Record<string, WireTensor>;
  inputs: WireTensor;
  targets: WireTensor;
  mask?: WireTensor;
  state?: Record<string, WireTensor>;
  lossFrom?: number;
  keepFinal: boolean;
  step: number;
}

/** `tensors`: the worker's live tfjs tensors after the job (constant from job to job: no leaks). */
export type WorkerReply = { id: number; loss: number; tokens: number; grads: Record<string, WireTensor>; final?: Record<string, WireTensor>; tensors: number } | { id: number; error: string };

/** A copy of the tensor's data (never a view on the backend's memory, so it can be transferred). */
export const toWire = (t: tf.Tensor): WireTensor => ({ shape: t.shape.slice(), data: (t.dataSync() as Float32Array | Int32Array).slice(), dtype: t.dtype === 'int32' ? 'int32' : 'float32' });
export const fromWire = (w: WireTensor): tf.Tensor => tf.tensor(w.data, w.shape, w.dtype);

async function main(init: WorkerInit): Promise<void> {
  const done = new Int32Array(init.done);
  const reply = (r: WorkerReply, transfer: ArrayBuffer[] = []) => {
    init.port.postMessage(r, transfer);
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
  };
  let ready: { cell: ReturnType<typeof cellFromConfig>; trainer: ReturnType<typeof createTrainer> } | null = null;
  let failed: string | null = null;
  try {
    await initBackend({ prefer: [init.backend], log: null });
    if (init.kernelExp) setExpKernel(kernelExp());
    const weights = Object.fromEntries(Object.entries(init.weights).map(([k, w]) => [k, { shape: w.shape, data: w.data as Float32Array }]));
    const cell = cellFromConfig(init.config, weights);
    ready = { cell, trainer: createTrainer({ cell, loss: init.loss, seed: init.seed, training: init.training }) };
  } catch (e) {
    failed = `worker ${init.index} could not start: ${e instanceof Error ? e.message : String(e)}`;
  }
  init.port.on('message', (job: WorkerJob) => {
    if (!ready) return reply({ id: job.id, error: failed ?? 'worker not ready' });
    const { cell, trainer } = ready;
    const own: tf.Tensor[] = [];
    try {
      // assign() shares the new tensor's data: free our handle, or every step would leak a model's worth
      if (job.weights) for (const [k, w] of Object.entries(job.weights)) tf.tidy(() => cell.params[k].assign(fromWire(w) as tf.Variable));
      const inputs = fromWire(job.inputs) as tf.Tensor3D;
      const targets = fromWire(job.targets);
      const mask = job.mask ? (fromWire(job.mask) as tf.Tensor2D) : undefined;
      own.push(inputs, targets, ...(mask ? [mask] : []));
      const state: State | undefined = job.state ? Object.fromEntries(Object.entries(job.state).map(([k, w]) => [k, fromWire(w)])) : undefined;
      if (state) own.push(...Object.values(state));
      // The main thread's trainer is at job.step: draw this worker's noise from the same position.
      const g = tf.tidy(() => trainer.gradients({ inputs, targets, mask }, { initialState: state, keepFinal: job.keepFinal, lossFrom: job.lossFrom, rng: rngAt(init.seed, job.step, 100 + init.index) }));
      const grads = Object.fromEntries(Object.entries(g.grads).map(([k, t]) => [k, toWire(t)]));
      const final = g.final ? Object.fromEntries(Object.entries(g.final).map(([k, t]) => [k, toWire(t)])) : undefined;
      tf.dispose([...Object.values(g.grads), ...Object.values(g.final ?? {})]);
      const buffers = [...Object.values(grads), ...Object.values(final ?? {})].map((w) => w.data.buffer as ArrayBuffer);
      tf.dispose(own.splice(0));
      reply({ id: job.id, loss: g.loss, tokens: g.tokens, grads, final, tensors: tf.memory().numTensors }, buffers.filter((b, i) => buffers.indexOf(b) === i));
    } catch (e) {
      reply({ id: job.id, error: e instanceof Error ? e.message : String(e) });
    } finally {
      tf.dispose(own);
    }
  });
}

if (workerData && (workerData as { rxrnnParallel?: boolean }).rxrnnParallel) void main(workerData as WorkerInit);
