// Fused kernels: stream a fused LSTM cell (here on the WebAssembly kernels) through the usual
// operator, then train the same parameters on whole sequences with lstmSequence and Adam.
import * as tf from '@tensorflow/tfjs';
import { from } from 'rxjs';
import { initBackend, readRows } from '@rxrnn/core';
import { lstmCell, lstm, fuseCell, lstmSequence } from '@rxrnn/cells';

await initBackend({ log: null });

const cell = fuseCell(lstmCell({ inputSize: 2, hiddenSize: 8, seed: 1, fused: false }), { native: false });
console.log('fused:', cell.fused);

// Streaming: one WebAssembly call per step.
from([[1, 0], [0, 1], [1, 1]])
  .pipe(lstm(cell), readRows())
  .subscribe((y) => console.log('h_t =', y[0].map((v) => v.toFixed(3)).join(' ')));

// Training: x [T, B, X] → ys [T, B, H]; learn to output the running mean of the first input.
const T = 20, B = 16;
const x = tf.randomUniform([T, B, 2], 0, 1, 'float32', 1) as tf.Tensor3D;
const target = tf.div(tf.cumsum(tf.slice(x, [0, 0, 0], [T, B, 1]), 0), tf.reshape(tf.range(1, T + 1), [T, 1, 1]));
const opt = tf.train.adam(0.02);
for (let epoch = 0; epoch <= 60; epoch++) {
  const loss = opt.minimize(() => {
    const { ys } = lstmSequence(cell.params as never, x);
    return tf.losses.meanSquaredError(target, tf.slice(ys, [0, 0, 0], [T, B, 1]));
  }, true) as tf.Scalar;
  if (epoch % 20 === 0) console.log(`epoch ${epoch}: loss ${loss.dataSync()[0].toFixed(5)}`);
  loss.dispose();
}
tf.dispose([x, target]);
opt.dispose();
cell.dispose();
