/**
 * What dropout costs a char-rnn update: embedding (V = 83, E = 64) → LSTM 384 → dense, B = 16, T = 100,
 * one `createTrainer` (kernels on both cores), Adam, random tokens; ms per update without dropout and
 * with dropout 0.1 (the stack's masks, see packages/cells/src/stack/dropout-masks.ts), twice each.
 *
 *     npx tsx --conditions=@rxrnn/source tools/bench/dropout.ts
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, createTrainer, setExpKernel } from '@rxrnn/core';
import { kernelExp } from '@rxrnn/kernels';
import { stackCells, embeddingCell, lstmCell, denseCell } from '@rxrnn/cells';
await initBackend({ log: null });
setExpKernel(kernelExp()); // the loss's exp on the kernels
const [V, E, H, T, B] = [83, 64, 384, 100, 16];
for (const dropout of [0, 0.1, 0, 0.1]) {
  const cell = stackCells([embeddingCell({ vocabSize: V, embeddingSize: E, seed: 1 }), lstmCell({ inputSize: E, hiddenSize: H, seed: 2 }), denseCell({ inputSize: H, outputSize: V, seed: 3 })], { dropout });
  const trainer = createTrainer({ cell, optimizer: { kind: 'adam', lr: 2e-3 }, seed: 1 });
  const inputs = tf.randomUniform([T, B, 1], 0, V, 'int32', 3).toFloat() as tf.Tensor3D;
  const targets = tf.randomUniform([T, B], 0, V, 'int32', 4);
  for (let i = 0; i < 3; i++) trainer.trainBatch({ inputs, targets });
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) trainer.trainBatch({ inputs, targets });
  console.log(`dropout ${dropout}: ${((performance.now() - t0) / 20).toFixed(1)} ms/update`);
  trainer.dispose();
  cell.dispose();
  tf.dispose([inputs, targets]);
}
