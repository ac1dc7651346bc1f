/**
 * The gradient-flow probe's experiment, shared by the figure script and its test: a long-dependency
 * task (the class of a sequence is its first input; the other T − 1 inputs are noise), a linear
 * readout of the last hidden state, and ‖∂L/∂h_{T−k}‖ against the distance k, for a vanilla RNN,
 * an LSTM and a GRU as each is built by default (untrained).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, gradientFlow, softmaxCrossEntropy, type Cell } from '@rxrnn/core';
import { rnnCell, lstmCell, gruCell } from '@rxrnn/cells';

export interface ProbeOptions {
  T?: number;
  hidden?: number;
  batch?: number;
  seed?: number;
}

export type ProbeResult = Record<'rnn' | 'lstm' | 'gru', number[]>;

export function runGradientFlowProbe(o: ProbeOptions = {}): ProbeResult {
  const T = o.T ?? 100;
  const H = o.hidden ?? 64;
  const B = o.batch ?? 16;
  const seed = o.seed ?? 1;
  const rng = createRng(seed);
  // x_0 = ±1 (the class); x_t ~ U(−0.5, 0.5) afterwards. Inputs [T, B, 1].
  const labels = Array.from({ length: B }, () => rng.int(2));
  const data = new Float32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) data[t * B + b] = t === 0 ? (labels[b] ? 1 : -1) : rng.uniform(-0.5, 0.5);
  const readout = Float32Array.from({ length: H * 2 }, () => rng.normal() / Math.sqrt(H));
  const inputs = tf.tensor3d(data, [T, B, 1]);
  const w = tf.tensor2d(readout, [H, 2]);
  const target = tf.tensor1d(labels, 'int32');
  const cells: Record<keyof ProbeResult, Cell> = {
    rnn: rnnCell({ inputSize: 1, hiddenSize: H, seed }),
    lstm: lstmCell({ inputSize: 1, hiddenSize: H, seed }),
    gru: gruCell({ inputSize: 1, hiddenSize: H, seed }),
  };
  try {
    const out = {} as ProbeResult;
    for (const [name, cell] of Object.entries(cells) as [keyof ProbeResult, Cell][]) {
      out[name] = gradientFlow(cell, inputs, { loss: (y) => tf.mean(softmaxCrossEntropy(tf.matMul(y, w) as tf.Tensor2D, target)) as tf.Scalar });
    }
    return out;
  } finally {
    Object.values(cells).forEach((c) => c.dispose());
    tf.dispose([inputs, w, target]);
  }
}
