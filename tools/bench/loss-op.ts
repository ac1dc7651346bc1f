/**
 * Softmax cross-entropy, forward and backward, on a char-rnn batch of logits [3200, 65]: the fused op
 * of @rxrnn/core (with the kernels' vectorised exp installed, and with Math.exp) beside the same loss as
 * tfjs kernels (logSoftmax · oneHot), the first two interleaved round by round, Math.exp last. Median ms per call.
 *
 *     npx tsx --conditions=@rxrnn/source tools/bench/loss-op.ts
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, softmaxCrossEntropy, setExpKernel } from '@rxrnn/core';
import { kernelExp } from '@rxrnn/kernels';

await initBackend({ log: null });
const [N, V] = [3200, 65];
const y = tf.randomNormal([N, V], 0, 1, 'float32', 1) as tf.Tensor2D;
const t = tf.randomUniform([N], 0, V, 'int32', 2) as tf.Tensor1D;
setExpKernel(kernelExp()); // the kernels' exp in softmaxCrossEntropy
const tfjsLoss = (yy: tf.Tensor2D, ids: tf.Tensor1D) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(yy), tf.oneHot(ids, V)), 1)) as tf.Tensor1D;
const time = (f: typeof tfjsLoss, calls: number): number[] => {
  const g = tf.grad((x: tf.Tensor) => tf.sum(f(x as tf.Tensor2D, t)));
  g(y).dispose();
  return Array.from({ length: calls }, () => {
    const t0 = performance.now();
    g(y).dispose();
    return performance.now() - t0;
  });
};
const times = new Map<string, number[]>([['fused op, kernels’ exp', []], ['tfjs kernels', []], ['fused op, Math.exp', []]]);
for (let round = 0; round < 6; round++) {
  times.get('fused op, kernels’ exp')!.push(...time(softmaxCrossEntropy as typeof tfjsLoss, 10));
  times.get('tfjs kernels')!.push(...time(tfjsLoss, 10));
}
setExpKernel(null); // Math.exp (measured last)
times.get('fused op, Math.exp')!.push(...time(softmaxCrossEntropy as typeof tfjsLoss, 60));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [name, xs] of times) console.log(`${name.padEnd(24)} ${median(xs).toFixed(2)} ms (forward + backward, [${N}, ${V}])`);
tf.dispose([y, t]);
