import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activations, getActivation } from './index.js';

describe('activations', () => {
  const xs = [-3, -1, -0.2, 0, 0.2, 1, 3];
  const ref: Record<string, (v: number) => number> = {
    step: (v) => (v > 0 ? 1 : 0),
    hardSigmoid: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)),
    hardTanh: (v) => Math.min(1, Math.max(-1, v)),
    tanh: Math.tanh,
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    relu: (v) => Math.max(0, v),
    softsign: (v) => v / (1 + Math.abs(v)),
    linear: (v) => v,
  };
  for (const [name, f] of Object.entries(ref)) {
    it(`${name} matches its definition`, () => {
      const y = tf.tidy(() => activations[name as keyof typeof activations](tf.tensor1d(xs)).dataSync());
      expect(Array.from(y)).toEqual(xs.map((v) => expect.closeTo(f(v), 6)));
    });
  }
  it('unknown names are rejected with the valid ones listed', () => {
    expect(() => getActivation('gelu' as never, 'rnnCell', 'options.activation')).toThrow(/rnnCell: options.activation: expected one of step, hardSigmoid, hardTanh, tanh, sigmoid, relu, softsign, linear or a function, received the string "gelu"/);
  });
});
