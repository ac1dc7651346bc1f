import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { of, lastValueFrom, toArray } from 'rxjs';
import { gruCell } from '@rxrnn/cells';
import { expectNoLeaks } from '@rxrnn/testing';
import { attentionDecoder } from '../decoder-step.js';
import { additiveAttention } from '../additive.js';
import { attentionDecoderSession } from './decoder-session.js';
import { beamSearch } from './beam-search.js';
import { greedyDecode } from './greedy-decode.js';
import type { FinalEvent } from './search.js';
import type { Memory } from '../types.js';

const S = 5, V = 6, H = 4, D = 3, X = 3;

function setup() {
  const cell = gruCell({ inputSize: X + H, hiddenSize: H, seed: 1 });
  const attention = additiveAttention({ querySize: H, keySize: D, units: 3, seed: 2 });
  const dec = attentionDecoder(cell, attention, { inputSize: X, seed: 3 });
  const keys = tf.randomNormal([1, S, D], 0, 1.5, 'float32', 4) as tf.Tensor3D;
  const embedding = tf.randomNormal([V, X], 0, 1, 'float32', 5) as tf.Tensor2D;
  const output = tf.randomNormal([H, V], 0, 2, 'float32', 6) as tf.Tensor2D;
  const outputBias = tf.randomNormal([V], 0, 0.3, 'float32', 7) as tf.Tensor1D;
  const dispose = () => {
    tf.dispose([keys, embedding, output, outputBias]);
    dec.dispose();
    attention.dispose();
    cell.dispose();
  };
  return { dec, keys, embedding, output, outputBias, dispose };
}

describe('attentionDecoderSession', () => {
  it('steps as the decoder with the memory tiled by hand; tiles once per K; leaks nothing', async () => {
    const { dec, keys, embedding, output, outputBias, dispose } = setup();
    await expectNoLeaks(() => {
      const s = attentionDecoderSession(dec, { keys, embedding, output, outputBias, bos: 0, eos: 1 });
      const tokens = Int32Array.of(0, 3, 2);
      const s0 = s.initialState(3);
      const r = s.step(s0, tokens);
      const want = tf.tidy(() => {
        const memory = dec.attention.precompute(keys);
        const mem: Memory = { keys: tf.tile(keys, [3, 1, 1]) as tf.Tensor3D, projected: tf.tile(memory.projected!, [3, 1, 1]) as tf.Tensor3D, dispose: () => {} };
        const m = dec.step(s0, tf.gather(embedding, tf.tensor1d(tokens, 'int32')) as tf.Tensor2D, mem);
        memory.dispose();
        return { lp: tf.logSoftmax(m.output.matMul(output).add(outputBias)).arraySync(), a: m.alignment.arraySync() };
      });
      expect(r.logProbs.arraySync()).toEqual(want.lp);
      expect(r.alignment!.arraySync()).toEqual(want.a);
      tf.dispose([r.logProbs, r.alignment!]);
      const before = tf.memory().numTensors;
      const r2 = s.step(r.state, Int32Array.of(1, 1, 4)); // K = 3 again: the tiling is reused
      expect(tf.memory().numTensors - before).toBe(2 + Object.keys(r2.state.cell).length + 3); // logProbs, alignment and the new state only
      for (const x of [s0, r.state, r2.state]) s.disposeState(x);
      tf.dispose([r2.logProbs, r2.alignment!]);
      s.dispose();
      expect(() => s.initialState(1)).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
    }, 'session');
    dispose();
  });

  it('streams through greedyDecode and beamSearch: a beam of 1 equals greedy; no leaks', async () => {
    const { dec, keys, embedding, output, outputBias, dispose } = setup();
    const run = (beam: number) =>
      expectNoLeaks(async () => {
        const session = attentionDecoderSession(dec, { keys, embedding, output, outputBias, bos: 0, eos: 1 });
        const op = beam === 0 ? greedyDecode({ maxLength: 6 }) : beamSearch({ beamWidth: beam, maxLength: 6 });
        const events = await lastValueFrom(of(session).pipe(op, toArray()));
        return events.at(-1) as FinalEvent;
      }, 'decode');
    const greedy = await run(0);
    expect((await run(1)).best.tokens).toEqual(greedy.best.tokens);
    expect((await run(4)).best.score).toBeGreaterThanOrEqual(greedy.best.score - 1e-6);
    dispose();
  });

  it('rejects bad options and tokens with typed errors, before allocating', () => {
    const { dec, keys, embedding, output, dispose } = setup();
    const badKeys = tf.zeros([1, S, D + 1]) as tf.Tensor3D;
    const badOutput = tf.transpose(output) as tf.Tensor2D;
    const n = tf.memory().numTensors;
    expect(() => attentionDecoderSession(dec, { keys: badKeys, embedding, output, bos: 0, eos: 1 })).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'options.keys' }));
    expect(() => attentionDecoderSession(dec, { keys, embedding, output: badOutput, bos: 0, eos: 1 })).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'options.output' }));
    expect(() => attentionDecoderSession(dec, { keys, embedding, output, bos: 0, eos: V })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.eos' }));
    expect(tf.memory().numTensors).toBe(n); // nothing allocated on the way to an error
    tf.dispose([badKeys, badOutput]);
    const s = attentionDecoderSession(dec, { keys, embedding, output, bos: 0, eos: 1 });
    const s0 = s.initialState(2);
    expect(() => s.step(s0, Int32Array.of(1))).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'tokens' }));
    expect(() => s.step(s0, Int32Array.of(1, V))).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'tokens' }));
    expect(() => s.select(s0, Int32Array.of(2))).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'rows' }));
    s.disposeState(s0);
    s.dispose();
    dispose();
  });
});
