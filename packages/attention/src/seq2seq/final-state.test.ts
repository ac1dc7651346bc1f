import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { lstmCell } from '@rxrnn/cells';
import { createUpdater } from '@rxrnn/core';
import { expectClose, expectNoLeaks, gradCheck } from '@rxrnn/testing';
import { disposeEncoded } from './model.js';
import { seq2seqLoss } from './seq2seq-loss.js';
import { seq2seqGreedy } from './greedy.js';
import { seq2seqSession } from './decode-session.js';
import { greedySearchSync } from '../decode/search.js';
import { finalStateAttention, finalStateSummary, lastPositions } from './final-state.js';
import { tinyModel, teacherForced } from '../../test/seq2seq-harness.js';

const plain = (extra = {}) => tinyModel({ attention: 'none', encoderLayers: 1, decoderLayers: 2, ...extra });

describe("seq2seqModel({ attention: 'none' }): the plain encoder–decoder (Cho et al. 2014)", () => {
  it('starts every decoder layer from tanh(W_b c + b_b), c = [→h_n; ←h_1] of each row (checked by hand on the read-back keys)', () => {
    const model = plain();
    expect(Object.keys(model.params)).toEqual(expect.arrayContaining(['bridge.kernel', 'bridge.bias', 'decoder.output_kernel', 'projection.kernel']));
    expect(Object.keys(model.params).some((k) => k.startsWith('decoder.attention.'))).toBe(false); // nothing attends
    expect(model.config.attention).toBe('none');
    const batch = model.sourceBatch([[3, 4, 5], [6]]);
    const enc = model.encode(batch);
    const keys = enc.keys.arraySync() as number[][][]; // [B, S, 2H]
    const He = keys[0][0].length / 2;
    const W = model.params['bridge.kernel'].arraySync() as number[][]; // [D, L·H]
    const bias = model.params['bridge.bias'].arraySync() as number[];
    const state = model.initialState(enc);
    const H = model.config.decoderSize;
    [3, 1].forEach((n, b) => {
      const c = [...keys[b][n - 1].slice(0, He), ...keys[b][0].slice(He)]; // →h_n, ←h_1
      const want = bias.map((bj, j) => Math.tanh(c.reduce((s, ci, i) => s + ci * W[i][j], bj)));
      for (let l = 0; l < 2; l++) {
        expectClose((state.cell[`${l}.h`].arraySync() as number[][])[b], want.slice(l * H, (l + 1) * H), 1e-5, 0, `row ${b}, layer ${l}`);
        expect((state.cell[`${l}.c`].arraySync() as number[][])[b]).toEqual(new Array(H).fill(0)); // the cell state starts at zero
      }
      expectClose(finalStateSummary(enc.keys, batch.mask).arraySync()[b], c, 1e-6, 0, `summary of row ${b}`);
    });
    tf.dispose([...Object.values(state.cell), state.attentional, state.alignment, state.coverage]);
    disposeEncoded(enc, batch);
    model.dispose();
  });

  it('masks: a padded batch equals each source alone; the "alignment" is ½ on the two positions read', () => {
    const model = plain();
    const alone = teacherForced(model, [[6, 5]], [[3, 4, 5]]);
    const padded = teacherForced(model, [[3, 4, 5, 6, 3, 4], [6, 5]], [[5, 5, 5], [3, 4, 5]]);
    for (let t = 0; t < alone.logits.length; t++) {
      expectClose(padded.logits[t][1], alone.logits[t][0], 1e-5, 0, `logits at step ${t}`);
      expect(padded.alignment[t][1]).toEqual([0.5, 0.5, 0, 0, 0, 0]);
      expect(padded.alignment[t][0]).toEqual([0.5, 0, 0, 0, 0, 0.5]);
    }
    expect(tf.tidy(() => lastPositions(tf.tensor2d([[1, 1, 0], [1, 0, 0], [1, 1, 1]])).arraySync())).toEqual([[0, 1, 0], [1, 0, 0], [0, 0, 1]]);
    model.dispose();
  });

  it('gradients of the label-smoothed loss match finite differences (every parameter, LSTM cells)', () => {
    const model = plain({ cell: (c: { inputSize: number; hiddenSize: number; seed: number }) => lstmCell(c) });
    const loss = () => seq2seqLoss(model, [[3, 4, 5], [6]], [[3, 4], [5]], { labelSmoothing: 0.1 }).loss;
    const report = gradCheck(loss, model.params as Record<string, tf.Variable>, { maxPerVariable: 3 });
    expect(report.checked).toBeGreaterThan(40);
    model.dispose();
  });

  it('decodes through a DecodeSession as seq2seqGreedy does, learns to copy, and leaks nothing', async () => {
    const model = plain({ decoderLayers: 1, encoderSize: 4, decoderSize: 8, embeddingSize: 4 });
    const updater = createUpdater({ params: model.params, optimizer: { kind: 'adam', lr: 0.05 }, clipNorm: 5, seed: 1 });
    const xs = [[3, 4, 5], [5, 4], [4], [3, 3]];
    const first = tf.tidy(() => seq2seqLoss(model, xs, xs).loss.dataSync()[0]);
    updater.minimize(() => seq2seqLoss(model, xs, xs).loss);
    await expectNoLeaks(() => updater.minimize(() => seq2seqLoss(model, xs, xs, { labelSmoothing: 0.1 }).loss), 'one update');
    for (let i = 0; i < 60; i++) updater.minimize(() => seq2seqLoss(model, xs, xs).loss);
    expect(tf.tidy(() => seq2seqLoss(model, xs, xs).loss.dataSync()[0])).toBeLessThan(first * 0.5);
    const greedy = await expectNoLeaks(() => seq2seqGreedy(model, xs, { maxLength: 4 }), 'greedy');
    for (const [b, x] of xs.entries()) {
      const tokens = await expectNoLeaks(() => {
        const session = seq2seqSession(model, x);
        try {
          return greedySearchSync(session, { maxLength: 5 }).best.tokens;
        } finally {
          session.dispose();
        }
      }, `session ${b}`);
      expect(tokens).toEqual(greedy.tokens[b]);
    }
    updater.dispose();
    model.dispose();
  });

  it('rejects an odd key size with E_SIZE', () => {
    expect(() => finalStateAttention({ querySize: 4, keySize: 3 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'keySize' }));
  });
});
