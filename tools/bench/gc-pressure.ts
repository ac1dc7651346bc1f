/**
 * Garbage collection during training: the bench's char-LSTM (V=65, E=64, H=256, T=100, B=32, Adam,
 * `createTrainer`, the cells' automatic fused path) for N updates at 1 and 2 kernel threads, with
 * the full (mark-compact) and young-generation collections counted by a PerformanceObserver. A
 * full collection marks the heap on a background thread, on the core the kernels' second thread
 * wants, so on a 2-core machine it slows 2-thread training more than it shows in pause times.
 *
 *     npx tsx --conditions=@rxrnn/source tools/bench/gc-pressure.ts [updates=30]
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { initBackend, createTrainer, setExpKernel } from '@rxrnn/core';
import { stackCells, embeddingCell, lstmCell, denseCell } from '@rxrnn/cells';
import { kernels, kernelExp, kernelsInfo } from '@rxrnn/kernels';

const backend = await initBackend({ log: null });
setExpKernel(kernelExp()); // the loss's exp on the kernels
const N = Number(process.argv[2] ?? 30);
const [V, E, H, T, B] = [65, 64, 256, 100, 32];

const gc = { major: 0, minor: 0, pauseMs: 0 };
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
    gc.pauseMs += e.duration;
  }
});
obs.observe({ entryTypes: ['gc'] });

const cell = stackCells([
  embeddingCell({ vocabSize: V, embeddingSize: E, seed: 1 }),
  lstmCell({ inputSize: E, hiddenSize: H, seed: 2, init: 'uniform' }),
  denseCell({ inputSize: H, outputSize: V, seed: 3 }),
]);
const trainer = createTrainer({ cell, optimizer: { kind: 'adam', lr: 2e-3 } });
const inputs = tf.randomUniform([T, B, 1], 0, V, 'int32', 3).toFloat() as tf.Tensor3D;
const targets = tf.randomUniform([T, B], 0, V, 'int32', 4);
for (let i = 0; i < 3; i++) trainer.trainBatch({ inputs, targets }); // warm-up
console.log(`backend ${backend.name}, kernels ${JSON.stringify(kernelsInfo())}, ${N} updates per row, T=${T} B=${B} H=${H}`);
console.log('| kernel threads | ms / update | tokens/s | full GCs / update | young GCs / update | GC pause ms / update |');
console.log('|---|---|---|---|---|---|');
for (const threads of [1, 2, 1, 2]) {
  kernels()?.setThreads(threads);
  await new Promise((r) => setTimeout(r, 100)); // deliver the observer's pending entries
  Object.assign(gc, { major: 0, minor: 0, pauseMs: 0 });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) trainer.trainBatch({ inputs, targets });
  const ms = (performance.now() - t0) / N;
  await new Promise((r) => setTimeout(r, 100));
  console.log(`| ${threads} | ${ms.toFixed(1)} | ${((T * B) / ms * 1000).toFixed(0)} | ${(gc.major / N).toFixed(2)} | ${(gc.minor / N).toFixed(2)} | ${(gc.pauseMs / N).toFixed(1)} |`);
}
obs.disconnect();
trainer.dispose();
cell.dispose();
tf.dispose([inputs, targets]);
