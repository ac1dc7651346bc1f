import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectNoLeaks, expectClose } from '@rxrnn/testing';
import { seq2seqSession } from './decode-session.js';
import { seq2seqGreedy } from './greedy.js';
import { of, lastValueFrom, toArray, type OperatorFunction } from 'rxjs';
import { beamSearch } from '../decode/beam-search.js';
import { greedyDecode } from '../decode/greedy-decode.js';
import type { DecodeEvent, FinalEvent } from '../decode/search.js';
import type { DecodeSession } from '../decode/types.js';
import type { DecoderState } from '../decoder-step.js';
import { tinyModel, TINY } from '../../test/seq2seq-harness.js';

describe('seq2seqSession: the DecodeSession adapter', () => {
  it('greedy decoding through the session equals seq2seqGreedy, and leaks nothing', async () => {
    const model = tinyModel();
    const source = [3, 4, 5, 6];
    const want = seq2seqGreedy(model, [source], { maxLength: 5 }).tokens[0];
    const got = await expectNoLeaks(() => {
      const s = seq2seqSession(model, source);
      expect([s.vocabSize, s.bos, s.eos, s.sourceLength]).toEqual([TINY.targetVocab, TINY.bos, TINY.eos, 4]);
      let state = s.initialState(1);
      const out: number[] = [];
      let token = s.bos;
      for (let t = 0; t <= 5; t++) {
        const r = s.step(state, Int32Array.of(token));
        s.disposeState(state);
        state = r.state;
        expect(r.logProbs.shape).toEqual([1, TINY.targetVocab]);
        expect(r.alignment!.shape).toEqual([1, 4]);
        token = tf.tidy(() => r.logProbs.argMax(1).dataSync()[0]);
        tf.dispose([r.logProbs, r.alignment!]);
        if (token === s.eos || t === 5) break;
        out.push(token);
      }
      s.disposeState(state);
      s.dispose();
      return out;
    }, 'session');
    expect(got).toEqual(want);
    model.dispose();
  });

  it('steps K beams as K copies, log-softmax rows, and reorders rows with select', async () => {
    const model = tinyModel();
    await expectNoLeaks(() => {
      const s = seq2seqSession(model, [3, 4, 5]);
      const s0 = s.initialState(3);
      const r = s.step(s0, Int32Array.of(1, 3, 1));
      const lp = r.logProbs.arraySync();
      lp.forEach((row) => expect(Math.log(row.reduce((a, v) => a + Math.exp(v), 0))).toBeCloseTo(0, 5));
      expectClose(lp[2], lp[0], 1e-6, 0, 'same token, same row'); // rows 0 and 2 fed the same token
      const picked = s.select(r.state, Int32Array.of(1, 1));
      expect(picked.attentional.shape).toEqual([2, TINY.decoderSize]);
      expectClose(picked.attentional.arraySync()[0], r.state.attentional.arraySync()[1], 0, 0, 'row 1 selected');
      const r2 = s.step(picked, Int32Array.of(4, 5)); // K = 2 now: the source is tiled again, once
      expect(r2.logProbs.shape).toEqual([2, TINY.targetVocab]);
      expect(() => s.step(picked, Int32Array.of(4))).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'tokens' }));
      expect(() => s.step(picked, Int32Array.of(4, 99))).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'tokens' }));
      expect(() => s.select(picked, Int32Array.of(2))).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'rows' }));
      expect(() => s.initialState(0)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
      for (const x of [s0, r.state, picked, r2.state]) s.disposeState(x);
      tf.dispose([r.logProbs, r.alignment!, r2.logProbs, r2.alignment!]);
      s.dispose();
      expect(() => s.initialState(1)).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
    }, 'beams');
    expect(() => seq2seqSession(model, [])).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    expect(() => seq2seqSession(model, [3, 70])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => seq2seqSession(model, new Array(20).fill(3))).toThrow(expect.objectContaining({ code: 'E_SIZE' }));
    model.dispose();
  });

  it('streams through the decoding operators: greedyDecode and a beam of 1 give seq2seqGreedy; a beam of 4 scores no lower', async () => {
    const model = tinyModel();
    for (const source of [[3, 4, 5, 6], [6, 3], [5, 5, 5, 4, 3]]) {
      const want = seq2seqGreedy(model, [source], { maxLength: 6 }).tokens[0];
      const run = (op: OperatorFunction<DecodeSession<DecoderState>, DecodeEvent>) =>
        expectNoLeaks(() => lastValueFrom(of(seq2seqSession(model, source)).pipe(op, toArray())), 'operator');
      const greedy = await run(greedyDecode({ maxLength: 6 }));
      const beam1 = await run(beamSearch({ beamWidth: 1, maxLength: 6 }));
      const beam4 = await run(beamSearch({ beamWidth: 4, maxLength: 6 }));
      const final = (events: DecodeEvent[]) => events[events.length - 1] as FinalEvent;
      expect(final(greedy).best.tokens).toEqual(want);
      expect(final(beam1).best.tokens).toEqual(want);
      expect(final(beam4).best.score).toBeGreaterThanOrEqual(final(beam1).best.score - 1e-6);
    }
    model.dispose();
  });
});
