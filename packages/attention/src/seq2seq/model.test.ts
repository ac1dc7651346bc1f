import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { lstmCell, gruCell } from '@rxrnn/cells';
import { loadGolden, expectClose, expectNoLeaks, gradCheck } from '@rxrnn/testing';
import { seq2seqModel, disposeEncoded, type Seq2SeqOptions } from './model.js';
import { seq2seqLoss } from './seq2seq-loss.js';
import { reverseIndices } from './reverse-padded.js';
import { tinyModel, teacherForced, TINY } from '../../test/seq2seq-harness.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/seq2seq/forward', import.meta.url));

describe('seq2seqModel: the encoder–decoder', () => {
  it('matches the PyTorch golden of one teacher-forced pass within 1e-5 (logits, alignments, label-smoothed loss)', async () => {
    const g = loadGolden<{ options: Seq2SeqOptions; labelSmoothing: number; params: string[] }>(FIXTURE);
    await expectNoLeaks(() => {
      const model = seq2seqModel({ ...g.config.options, seed: 0 });
      expect(Object.keys(model.params).sort()).toEqual([...g.config.params].sort()); // every parameter named and loaded
      for (const name of g.config.params) {
        const t = g.tensors[`params.${name}`];
        tf.tidy(() => model.params[name].assign(tf.tensor(Float32Array.from(t.data), t.shape)));
      }
      const ids = (name: string) => {
        const t = g.tensors[name];
        return Array.from({ length: t.shape[0] }, (_, b) => Array.from(t.data.slice(b * t.shape[1], (b + 1) * t.shape[1])).filter((v) => v >= 0));
      };
      const sources = ids('sources');
      const targets = ids('targets');
      expect(sources.map((s) => s.length)).toEqual([5, 3, 1]);
      const { logits, alignment } = teacherForced(model, sources, targets);
      // Past a row's EOS the step still runs (on padding) in both; compare every position.
      expectClose(logits.flat(2), g.tensors.logits.data, 1e-5, 0, 'logits');
      expectClose(alignment.flat(2), g.tensors.alignment.data, 1e-5, 0, 'alignment');
      const loss = tf.tidy(() => seq2seqLoss(model, sources, targets, { labelSmoothing: g.config.labelSmoothing }).loss.dataSync()[0]);
      expect(Math.abs(loss - g.tensors.loss.data[0])).toBeLessThan(1e-5);
      model.dispose();
    }, 'golden');
  });

  it('has the documented shapes: keys [B, S, 2H_enc], logits [B, V], alignment [B, S]', () => {
    const model = tinyModel();
    const batch = model.sourceBatch([[3, 4, 5], [6]]);
    const enc = model.encode(batch);
    expect(enc.keys.shape).toEqual([2, 3, 2 * TINY.encoderSize]);
    expect(batch.ids.shape).toEqual([3, 2, 1]);
    expect(batch.mask.arraySync()).toEqual([[1, 1, 1], [1, 0, 0]]);
    tf.tidy(() => {
      const r = model.step(model.initialState(enc), tf.tensor1d([1, 1], 'int32'), enc);
      expect(r.logits.shape).toEqual([2, TINY.targetVocab]);
      expect(r.alignment.shape).toEqual([2, 3]);
      expect(r.alignment.arraySync()[1]).toEqual([1, 0, 0]); // a one-token source: all weight on it
    });
    disposeEncoded(enc, batch);
    expect(Object.keys(model.params)).toEqual(expect.arrayContaining(['encoder.forward.kernel', 'encoder.backward.kernel', 'encoder.upper.layers.1.inner.kernel', 'decoder.cell.layers.2.inner.kernel', 'decoder.attention.query_kernel', 'decoder.output_kernel', 'projection.kernel']));
    expect(Object.keys(model.params).some((k) => k.startsWith('encoder.upper.layers.0.inner'))).toBe(false); // layer 2: no residual
    model.dispose();
  });

  it('masks: padding does not change the real rows (a padded batch equals each source alone)', () => {
    const model = tinyModel();
    const long = [3, 4, 5, 6, 3, 4];
    const short = [6, 5];
    const target = [3, 4, 5];
    const alone = teacherForced(model, [short], [target]);
    const padded = teacherForced(model, [long, short], [[5, 5, 5], target]);
    for (let t = 0; t < alone.logits.length; t++) {
      expectClose(padded.logits[t][1], alone.logits[t][0], 1e-5, 0, `logits at step ${t}`);
      expectClose(padded.alignment[t][1].slice(0, 2), alone.alignment[t][0], 1e-5, 0, `alignment at step ${t}`);
      expect(padded.alignment[t][1].slice(2)).toEqual([0, 0, 0, 0]);
    }
    model.dispose();
  });

  it('reverses each row within its length (an involution; padding stays)', () => {
    const idx = reverseIndices([3, 1], 3); // [S·B], rows b = 0, 1 interleaved
    expect(Array.from(idx)).toEqual([4, 1, 2, 3, 0, 5]);
    expect(Array.from(idx).map((i) => idx[i])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('gradients of the label-smoothed loss match finite differences (every parameter, GRU cells)', () => {
    const model = tinyModel({ cell: (c) => gruCell(c), encoderLayers: 3, decoderLayers: 3 });
    const loss = () => seq2seqLoss(model, [[3, 4, 5], [6, 2]], [[3, 4], [5]], { labelSmoothing: 0.1 }).loss;
    const report = gradCheck(loss, model.params as Record<string, tf.Variable>, { maxPerVariable: 2 });
    expect(report.checked).toBeGreaterThan(50);
    model.dispose();
  });

  it('gradients match finite differences with LSTM cells (fused kernels) and general attention', () => {
    const model = tinyModel({ cell: (c) => lstmCell(c), attention: 'general', encoderLayers: 2, decoderLayers: 2 });
    const loss = () => seq2seqLoss(model, [[3, 4, 5], [6]], [[3, 4], []]).loss;
    const report = gradCheck(loss, model.params as Record<string, tf.Variable>, { maxPerVariable: 3 });
    expect(report.checked).toBeGreaterThan(40);
    model.dispose();
  });

  it('rejects bad input with typed errors before allocating, and leaks nothing', async () => {
    await expectNoLeaks(() => {
      const model = tinyModel();
      const before = tf.memory().numTensors;
      expect(() => model.sourceBatch([])).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'sources' }));
      expect(() => model.sourceBatch([[3], []])).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'sources[1]' }));
      expect(() => model.sourceBatch([[3, 7]])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'sources[0][1]' }));
      expect(() => model.sourceBatch([[3, 1.5]])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
      expect(() => model.sourceBatch([new Array(9).fill(3)])).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'sources[0]' }));
      expect(() => seq2seqLoss(model, [[3]], [[9]])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'targets[0][0]' }));
      expect(() => seq2seqLoss(model, [[3]], [[3, 3, 3, 3, 3, 3]])).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'targets[0]' }));
      expect(() => seq2seqLoss(model, [[3], [4]], [[3]])).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'sources' }));
      expect(() => seq2seqLoss(model, [[3]], [[3]], { samplingProbability: 0.5 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.rng' }));
      expect(() => seq2seqLoss(model, [[3]], [[3]], { labelSmoothing: 1 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.labelSmoothing' }));
      expect(tf.memory().numTensors).toBe(before); // validated before anything was allocated
      tf.tidy(() => {
        seq2seqLoss(model, [[3, 4], [5]], [[3], [4, 4]], { labelSmoothing: 0.1 });
      });
      model.dispose();
      expect(() => model.sourceBatch([[3]])).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
      expect(() => seq2seqModel({ ...TINY, bos: 6 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.bos' }));
      expect(() => seq2seqModel({ ...TINY, attention: 'nope' as never })).toThrow(expect.objectContaining({ code: 'E_UNKNOWN', arg: 'options.attention' }));
      expect(() => seq2seqModel({ ...TINY, encoderSize: 0 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.encoderSize' }));
    }, 'seq2seq errors');
  });
});
