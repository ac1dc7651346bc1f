/**
 * Latency of one streaming step of a fused LSTM (or GRU, RNN) cell (batch 1 by default), alone on the machine (no
 * PyTorch beside it), on 1 and 2 kernel threads, several rounds: the issue-3 target is a batch-1
 * LSTM step at H = X = 512 under 0.15 ms using both cores.
 *
 *     npx tsx --conditions=@rxrnn/source tools/bench/step-latency.ts [--cell lstm|gru|rnn] [--hidden 512] [--batch 1] [--rounds 3]
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@rxrnn/core';
import { lstmCell, gruCell, rnnCell } from '@rxrnn/cells';
import { kernels, kernelsInfo } from '@rxrnn/kernels';

const o = new Command()
  .option('--cell <kind>', 'lstm, gru or rnn', 'lstm')
  .option('--hidden <n>', 'H = X', '512')
  .option('--batch <n>', 'B', '1')
  .option('--rounds <n>', 'rounds per thread count', '3')
  .option('--steps <n>', 'timed steps per round', '3000')
  .parse()
  .opts<{ cell: string; hidden: string; batch: string; rounds: string; steps: string }>();
const [H, B, rounds, n] = [o.hidden, o.batch, o.rounds, o.steps].map(Number);

await initBackend({ log: null });
const makers = { lstm: lstmCell, gru: gruCell, rnn: rnnCell } as const;
const make = makers[o.cell as keyof typeof makers];
if (!make) throw new Error(`step-latency: --cell must be lstm, gru or rnn, got ${JSON.stringify(o.cell)}`);
const cell = make({ inputSize: H, hiddenSize: H, seed: 1, init: 'uniform' });
const x = tf.randomNormal([B, H]) as tf.Tensor2D;
let s = cell.initialState(B);
const step = () => {
  const next = tf.tidy(() => cell.step(s, x)[1]);
  tf.dispose(Object.values(s));
  s = next;
};
const k = kernelsInfo();
console.log(`${o.cell.toUpperCase()} step B=${B} H=X=${H}; kernels: ${k ? `${k.backend} ${k.isa}` : 'none'}; median, 10th and 90th percentiles and mean of ${n} steps per round`);
for (let r = 0; r < rounds; r++) {
  for (const threads of [1, 2]) {
    kernels()?.setThreads(threads);
    kernels()?.setStepThreads(threads); // (a batch-1 step's own threads; the default is 1)
    for (let i = 0; i < 300; i++) step();
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      step();
      ts.push(performance.now() - t0);
    }
    const mean = ts.reduce((a, b) => a + b, 0) / n; // (the bench's figure: a round's time over its calls)
    ts.sort((a, b) => a - b);
    console.log(`round ${r + 1}, ${threads} thread${threads > 1 ? 's' : ''}: median ${(ts[n >> 1] * 1000).toFixed(1)} µs, p10 ${(ts[Math.floor(n / 10)] * 1000).toFixed(1)} µs, p90 ${(ts[Math.floor(n * 0.9)] * 1000).toFixed(1)} µs, mean ${(mean * 1000).toFixed(1)} µs`);
  }
}
tf.dispose([x, ...Object.values(s)]);
cell.dispose();
