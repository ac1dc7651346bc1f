/**
 * `createParallelTrainer`: a {@link Trainer} that uses more than one core (data parallelism). tfjs
 * runs on one thread in Node (the wasm backend has no threads there), so each update splits the
 * batch by rows across the calling thread and `threads − 1` worker threads, each holding a copy of
 * the model rebuilt from its config; the gradients of the parts are combined by their token counts,
 *
 *     L = Σ_k n_k L_k / Σ_k n_k      ∇L = Σ_k n_k ∇L_k / Σ_k n_k      (n_k = counted tokens of part k)
 *
 * — the gradient of the whole batch's masked mean loss — then clipped and applied once, by the same
 * optimiser, on the calling thread. The weights go to the workers with each job; the carried state
 * is cut by rows and put back together, so checkpoints and resume work as with `createTrainer`.
 * `trainBatch` stays synchronous: the calling thread computes its own part while the workers compute
 * theirs, then waits for them (`Atomics.wait`).
 *
 * Node only (worker_threads). Any cell the registry can rebuild from its config trains this way; the
 * loss must be named (`'softmaxCrossEntropy'`, `'mse'`, …). Call `dispose()` to stop the workers.
 *
 * ```ts
 * const trainer = createParallelTrainer({ cell, optimizer: { kind: 'adam', lr: 2e-3 }, clipNorm: 5, threads: 2 });
 * const { loss, final } = trainer.trainBatch({ inputs, targets }, { initialState, keepFinal: true });
 * trainer.dispose();
 * ```
 */
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { createTrainer, getExpKernel, rxrnnError, ErrorCodes, describe, type LossName, type State, type Trainer, type TrainerOptions, type BackendName } from '@rxrnn/core';
import { kernels } from '@rxrnn/kernels';
import { cellFromConfig, cellWeights } from '../model/cell-registry.js';
import { toWire, fromWire, type WireTensor, type WorkerInit, type WorkerJob, type WorkerReply } from './parallel-worker.js';

export interface ParallelTrainerOptions extends Omit<TrainerOptions, 'loss'> {
  /** A named loss (functions cannot cross threads). Default `'softmaxCrossEntropy'`. */
  loss?: LossName;
  /** Threads in all, the calling one included. Default: min(2, the machine's cores). 1 = `createTrainer`. */
  threads?: number;
  /** How long to wait for a worker's part, in ms, before failing. Default 300 000. */
  timeout?: number;
}

interface Remote {
  tensors?: number;
  worker: Worker;
  port: MessagePort;
  done: Int32Array;
  seen: number;
}

const sliceRows = (t: tf.Tensor, axis: number, start: number, size: number): tf.Tensor => {
  const begin = t.shape.map((_, i) => (i === axis ? start : 0));
  const sizes = t.shape.map((d, i) => (i === axis ? size : d));
  return tf.slice(t, begin, sizes);
};

/** tsx's ESM API, resolved from here (only when running from TypeScript sources). */
const tsxApi = (): string => pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;

/** A {@link Trainer} on several threads. */
export interface ParallelTrainer extends Trainer {
  /** Live tfjs tensors in each worker after its last part (for leak checks; empty before the first). */
  workerTensors(): number[];
}

export function createParallelTrainer(options: ParallelTrainerOptions): ParallelTrainer {
  const fn = 'createParallelTrainer';
  const threads = options?.threads ?? Math.min(2, availableParallelism());
  if (!Number.isInteger(threads) || threads < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.threads', 'a positive integer', describe(threads));
  const loss = options.loss ?? 'softmaxCrossEntropy';
  if (typeof loss !== 'string') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.loss', "a loss name ('softmaxCrossEntropy', 'mse', …): functions cannot cross threads", describe(loss));
  const inner = createTrainer({ ...options, loss });
  if (threads === 1) return Object.assign(inner, { workerTensors: () => [] });
  const cell = options.cell;
  // The workers rebuild the model from its config: check that the registry can.
  try {
    cellFromConfig(cell.config, cellWeights(cell)).dispose();
  } catch (e) {
    inner.dispose();
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.cell', 'a cell the registry can rebuild from its config (cellFromConfig)', `${cell.kind} (${e instanceof Error ? e.message : String(e)})`);
  }
  const timeout = options.timeout ?? 300_000;
  const names = Object.keys(cell.params);
  const wireWeights = (): Record<string, WireTensor> => Object.fromEntries(names.map((k) => [k, toWire(cell.params[k])]));
  const source = import.meta.url.endsWith('.ts');
  const url = new URL(source ? './parallel-worker.ts' : './parallel-worker.js', import.meta.url);
  const remotes: Remote[] = [];
  for (let index = 1; index < threads; index++) {
    const { port1, port2 } = new MessageChannel();
    const done = new SharedArrayBuffer(4);
    const init: WorkerInit & { rxrnnParallel: true } = {
      rxrnnParallel: true,
      config: cell.config,
      weights: wireWeights(),
      loss,
      seed: inner.seed,
      training: options.training ?? true,
      backend: tf.getBackend() as BackendName,
      kernelExp: getExpKernel() !== null,
      port: port2,
      done,
      index,
    };
    // From TypeScript sources (tests, tsx scripts) the worker first registers tsx's loader (a
    // `--import tsx` flag does not reach a worker's entry module in Node 20), with our source condition.
    const worker = source
      ? new Worker(`import(${JSON.stringify(tsxApi())}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true, workerData: init, transferList: [port2], execArgv: ['--conditions=@rxrnn/source'] })
      : new Worker(url, { workerData: init, transferList: [port2] });
    worker.unref();
    port1.unref();
    remotes.push({ worker, port: port1, done: new Int32Array(done), seen: 0 });
  }
  let jobId = 0;
  let disposed = false;

  const await1 = (r: Remote, id: number): Extract<WorkerReply, { loss: number }> => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const m = receiveMessageOnPort(r.port);
      if (m) {
        r.seen++;
        const reply = m.message as WorkerReply;
        if ('error' in reply) throw rxrnnError(ErrorCodes.STATE, 'parallelTrainer.trainBatch', 'worker', 'a worker computing its part', reply.error);
        if (reply.id !== id) continue;
        r.tensors = reply.tensors;
        return reply;
      }
      if (Date.now() > deadline) throw rxrnnError(ErrorCodes.STATE, 'parallelTrainer.trainBatch', 'worker', `its part within ${timeout} ms`, 'no answer');
      Atomics.wait(r.done, 0, r.seen, 100);
    }
  };

  const trainer: ParallelTrainer = {
    workerTensors: () => remotes.filter((r) => r.tensors !== undefined).map((r) => r.tensors!),
    get cell() {
      return inner.cell;
    },
    get step() {
      return inner.step;
    },
    get seed() {
      return inner.seed;
    },
    get lr() {
      return inner.lr;
    },
    rng: (stream) => inner.rng(stream),
    trainBatch(batch, o = {}) {
      if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, 'parallelTrainer.trainBatch', 'trainer', 'a live trainer', 'a disposed trainer');
      const B = batch?.inputs instanceof tf.Tensor && batch.inputs.rank === 3 ? batch.inputs.shape[1] : 0;
      const parts = Math.min(remotes.length + 1, B);
      // keepAfter (a mid-chunk state) and batches too small to split run on this thread alone.
      if (parts < 2 || o.keepAfter !== undefined) return inner.trainBatch(batch, o);
      const rows = Array.from({ length: parts }, (_, k) => Math.floor(B / parts) + (k < B % parts ? 1 : 0));
      const starts = rows.map((_, k) => rows.slice(0, k).reduce((a, b) => a + b, 0));
      const ownState = !o.initialState;
      const state0: State = o.initialState ?? cell.initialState(B);
      const piece = (k: number) => ({
        inputs: sliceRows(batch.inputs, 1, starts[k], rows[k]) as tf.Tensor3D,
        targets: sliceRows(batch.targets, 1, starts[k], rows[k]),
        mask: batch.mask ? (sliceRows(batch.mask, 1, starts[k], rows[k]) as tf.Tensor2D) : undefined,
        state: Object.fromEntries(Object.entries(state0).map(([n, t]) => [n, sliceRows(t, 0, starts[k], rows[k])])) as State,
      });
      const temp: tf.Tensor[] = [];
      const results: { loss: number; tokens: number; grads: Record<string, tf.Tensor>; final?: State }[] = [];
      try {
        // Send the workers their parts first, then compute ours while they compute theirs.
        const weights = wireWeights();
        const sent = remotes.slice(0, parts - 1).map((r, i) => {
          const p = piece(i + 1);
          const id = ++jobId;
          const job: WorkerJob = {
            id,
            weights,
            inputs: toWire(p.inputs),
            targets: toWire(p.targets),
            mask: p.mask ? toWire(p.mask) : undefined,
            state: Object.fromEntries(Object.entries(p.state).map(([n, t]) => [n, toWire(t)])),
            lossFrom: o.lossFrom,
            keepFinal: !!o.keepFinal,
            step: inner.step,
          };
          tf.dispose([p.inputs, p.targets, ...(p.mask ? [p.mask] : []), ...Object.values(p.state)]);
          r.port.postMessage(job);
          return { r, id };
        });
        const mine = piece(0);
        temp.push(mine.inputs, mine.targets, ...(mine.mask ? [mine.mask] : []), ...Object.values(mine.state));
        // One kernel thread for our part: the workers hold the other cores (a kernel thread pool on
        // this thread would compete with them: measured 1.5× slower updates on 2 cores).
        const rt = kernels(); // the runtime the cells of @rxrnn/cells take by default
        const kThreads = rt?.threads ?? 1;
        rt?.setThreads(1);
        let g;
        try {
          g = inner.gradients({ inputs: mine.inputs, targets: mine.targets, mask: mine.mask }, { initialState: mine.state, keepFinal: o.keepFinal, lossFrom: o.lossFrom });
        } finally {
          rt?.setThreads(kThreads);
        }
        results.push(g);
        for (const { r, id } of sent) {
          const reply = await1(r, id);
          results.push({
            loss: reply.loss,
            tokens: reply.tokens,
            grads: Object.fromEntries(Object.entries(reply.grads).map(([k, w]) => [k, fromWire(w)])),
            final: reply.final ? (Object.fromEntries(Object.entries(reply.final).map(([k, w]) => [k, fromWire(w)])) as State) : undefined,
          });
        }
        const tokens = results.reduce((a, r) => a + r.tokens, 0);
        const loss = tokens > 0 ? results.reduce((a, r) => a + r.loss * r.tokens, 0) / tokens : 0;
        const grads = tf.tidy(() => {
          const out: Record<string, tf.Tensor> = {};
          for (const k of Object.keys(results[0].grads)) out[k] = tf.addN(results.map((r) => tf.mul(r.grads[k], tokens > 0 ? r.tokens / tokens : 1 / results.length)));
          return out;
        });
        temp.push(...Object.values(grads));
        const step = inner.applyGradients(grads, { loss, tokens });
        const final = o.keepFinal ? (Object.fromEntries(Object.keys(results[0].final ?? {}).map((k) => [k, tf.concat(results.map((r) => r.final![k]), 0)])) as State) : undefined;
        return { ...step, final };
      } finally {
        for (const r of results) tf.dispose([...Object.values(r.grads), ...Object.values(r.final ?? {})]);
        tf.dispose(temp);
        if (ownState) tf.dispose(Object.values(state0));
      }
    },
    gradients: (batch, o) => inner.gradients(batch, o),
    applyGradients: (grads, info) => inner.applyGradients(grads, info),
    evaluate: (batch, o) => inner.evaluate(batch, o),
    checkpoint: (extra) => inner.checkpoint(extra),
    restore: (ckpt) => inner.restore(ckpt),
    dispose() {
      if (disposed) return;
      disposed = true;
      inner.dispose();
      for (const r of remotes) {
        r.port.close();
        void r.worker.terminate();
      }
    },
  };
  return trainer;
}
