// Fast check of the qualitative result that docs/figures/gradient-flow.png shows (tools/train/gradient-flow.ts).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { runGradientFlowProbe } from './gradient-flow-probe.js';

describe('gradient flow at initialisation', () => {
  it("a vanilla RNN's ‖∂L/∂h_{T−k}‖ decays much faster with k than an LSTM's", () => {
    const before = tf.memory().numTensors;
    const r = runGradientFlowProbe({ T: 40, hidden: 32, batch: 8, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    const decay = (n: number[], k: number) => n[k] / n[1];
    // Both are finite and positive at every distance.
    for (const n of [r.rnn, r.lstm, r.gru]) n.slice(1).forEach((v) => expect(v).toBeGreaterThan(0));
    // 30 steps back, the RNN keeps a far smaller share of its gradient than the LSTM.
    expect(decay(r.rnn, 30)).toBeLessThan(1e-2 * decay(r.lstm, 30));
    expect(decay(r.rnn, 30)).toBeLessThan(1e-4);
  });
});
