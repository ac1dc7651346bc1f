/**
 * Two ways to train the char-rnn on both cores, side by side: one `createTrainer` whose kernel
 * calls are split over the cores (`--threads 1` in `rxrnn train char-rnn`), and `createParallelTrainer`
 * (data parallel: half the streams per thread, `--threads 2`). Embedding (V = 83, E = 64) → LSTM H →
 * dense, Adam, T = 100, random tokens, no dropout; median tokens/s over 3 rounds of 10 updates each,
 * the two interleaved round by round.
 *
 *     npx tsx --conditions=@rxrnn/source tools/bench/trainer-threads.ts [H=384] [B ...=16 32]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, createTrainer, setExpKernel, type Trainer } from '@rxrnn/core';
import { stackCells, embeddingCell, lstmCell, denseCell } from '@rxrnn/cells';
import { createParallelTrainer } from '@rxrnn/cells/parallel';
import { kernelExp, kernelsInfo } from '@rxrnn/kernels';

await initBackend({ log: null });
setExpKernel(kernelExp()); // the loss's exp on the kernels
const H = Number(process.argv[2] ?? 384);
const batches = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [16, 32];
const [V, E, T] = [83, 64, 100];
console.log(`char-rnn V=${V} E=${E} H=${H} T=${T}, kernels ${JSON.stringify(kernelsInfo())}`);
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const B of batches) {
  const make = (kind: 'one' | 'parallel'): { trainer: Trainer; dispose: () => void } => {
    const cell = stackCells([
      embeddingCell({ vocabSize: V, embeddingSize: E, seed: 1 }),
      lstmCell({ inputSize: E, hiddenSize: H, seed: 2 }),
      denseCell({ inputSize: H, outputSize: V, seed: 3 }),
    ]);
    const opts = { cell, optimizer: { kind: 'adam' as const, lr: 2e-3 } };
    const trainer = kind === 'one' ? createTrainer(opts) : createParallelTrainer({ ...opts, threads: 2 });
    return { trainer, dispose: () => (trainer.dispose(), cell.dispose()) };
  };
  const inputs = tf.randomUniform([T, B, 1], 0, V, 'int32', 3).toFloat() as tf.Tensor3D;
  const targets = tf.randomUniform([T, B], 0, V, 'int32', 4);
  const runs = { one: make('one'), parallel: make('parallel') };
  const tps: Record<string, number[]> = { one: [], parallel: [] };
  for (const k of ['one', 'parallel'] as const) for (let i = 0; i < 3; i++) runs[k].trainer.trainBatch({ inputs, targets }); // warm-up
  for (let round = 0; round < 3; round++) {
    for (const k of ['one', 'parallel'] as const) {
      const t0 = performance.now();
      for (let i = 0; i < 10; i++) runs[k].trainer.trainBatch({ inputs, targets });
      tps[k].push((10 * T * B) / ((performance.now() - t0) / 1000));
    }
  }
  console.log(`B=${B}: one trainer, kernels on both cores ${median(tps.one).toFixed(0)} tokens/s; data parallel on 2 threads ${median(tps.parallel).toFixed(0)} tokens/s`);
  runs.one.dispose();
  runs.parallel.dispose();
  tf.dispose([inputs, targets]);
}
