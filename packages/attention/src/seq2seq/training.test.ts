import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, createUpdater } from '@rxrnn/core';
import { expectNoLeaks } from '@rxrnn/testing';
import { seq2seqLoss } from './seq2seq-loss.js';
import { labelSmoothedCrossEntropy } from './label-smoothing.js';
import { samplingProbability, checkSamplingSchedule } from './scheduled-sampling.js';
import { seq2seqGreedy } from './greedy.js';
import { tinyModel } from '../../test/seq2seq-harness.js';

const SOURCES = [[3, 4, 5, 6], [6, 5], [4]];
const TARGETS = [[3, 4, 5, 3], [5, 4], [3]];

describe('label smoothing (Szegedy et al. 2016)', () => {
  it('equals −Σ_k q′(k) log p(k) with q′ = (1 − ε) one-hot + ε/K, computed directly', () => {
    const logits = [[1.5, -0.3, 0.2, 2.0], [0.0, 0.1, -1.2, 0.4]];
    const y = [3, 1];
    for (const eps of [0, 0.1, 0.4]) {
      const got = tf.tidy(() => labelSmoothedCrossEntropy(tf.tensor2d(logits), tf.tensor1d(y, 'int32'), eps).arraySync());
      const want = logits.map((row, b) => {
        const m = Math.max(...row);
        const z = Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) + m;
        return -row.reduce((s, v, k) => s + ((1 - eps) * (k === y[b] ? 1 : 0) + eps / row.length) * (v - z), 0);
      });
      got.forEach((g, b) => expect(Math.abs(g - want[b])).toBeLessThan(1e-5));
    }
  });
});

describe('scheduled sampling (Bengio et al. 2015)', () => {
  it('at ε = 0 is teacher forcing exactly: same loss, truth fed, no coin drawn', () => {
    const model = tinyModel();
    tf.tidy(() => {
      const rng = createRng(5);
      const tf0 = seq2seqLoss(model, SOURCES, TARGETS);
      const ss0 = seq2seqLoss(model, SOURCES, TARGETS, { samplingProbability: 0, rng });
      expect(ss0.loss.dataSync()[0]).toBe(tf0.loss.dataSync()[0]);
      expect(ss0.fed).toEqual(tf0.fed);
      expect(Array.from(tf0.fed[1])).toEqual([3, 5, 3]); // y_1 of each row
      expect(rng.next()).toBe(createRng(5).next()); // the generator was not touched
    });
    model.dispose();
  });

  it('at ε = 1 feeds the previous argmax: free running, the same tokens as greedy decoding', () => {
    const model = tinyModel();
    const greedy = seq2seqGreedy(model, SOURCES, { maxLength: 5 });
    const fed = tf.tidy(() => seq2seqLoss(model, SOURCES, [[3, 3, 3, 3, 3], [3, 3, 3, 3, 3], [3, 3, 3, 3, 3]], { samplingProbability: 1, rng: createRng(1) }).fed);
    greedy.tokens.forEach((toks, b) => {
      toks.forEach((tok, t) => expect(fed[t + 1][b]).toBe(tok)); // until greedy stops (EOS)
    });
    // free running differs from teacher forcing once the model's guesses differ from the truth
    const teacher = tf.tidy(() => seq2seqLoss(model, SOURCES, TARGETS).loss.dataSync()[0]);
    const free = tf.tidy(() => seq2seqLoss(model, SOURCES, TARGETS, { samplingProbability: 1, rng: createRng(1) }).loss.dataSync()[0]);
    expect(free).not.toBe(teacher);
    model.dispose();
  });

  it('mixes truth and prediction per row with probability ε', () => {
    const model = tinyModel();
    const targets = Array.from({ length: 60 }, (_, b) => [3 + (b % 3), 4, 5]); // y_1 varies by row
    const src = Array.from({ length: 60 }, () => [3, 4]);
    const [truthFed, free, mixed] = tf.tidy(() => [seq2seqLoss(model, src, targets).fed, seq2seqLoss(model, src, targets, { samplingProbability: 1, rng: createRng(2) }).fed, seq2seqLoss(model, src, targets, { samplingProbability: 0.5, rng: createRng(3) }).fed]);
    let fromModel = 0;
    let decided = 0;
    for (let b = 0; b < 60; b++) {
      // step 1 follows BOS only, so its argmax is the same in every run
      expect([truthFed[1][b], free[1][b]]).toContain(mixed[1][b]);
      if (truthFed[1][b] !== free[1][b]) {
        decided++;
        if (mixed[1][b] === free[1][b]) fromModel++;
      }
    }
    expect(decided).toBeGreaterThanOrEqual(40);
    expect(fromModel / decided).toBeGreaterThan(0.25);
    expect(fromModel / decided).toBeLessThan(0.75);
    model.dispose();
  });

  it('schedules ε over updates (linear, exponential, inverse sigmoid, with a delay) and checks them', () => {
    expect(samplingProbability({ kind: 'linear', steps: 100, max: 0.5, delay: 10 }, 5)).toBe(0);
    expect(samplingProbability({ kind: 'linear', steps: 100, max: 0.5, delay: 10 }, 60)).toBeCloseTo(0.25);
    expect(samplingProbability({ kind: 'linear', steps: 100, max: 0.5 }, 1000)).toBe(0.5);
    expect(samplingProbability({ kind: 'exponential', k: 0.99, max: 1 }, 100)).toBeCloseTo(1 - 0.99 ** 100);
    expect(samplingProbability({ kind: 'inverseSigmoid', k: 10, max: 1 }, 0)).toBeCloseTo(1 - 10 / 11);
    expect(samplingProbability({ kind: 'constant', value: 0.3 }, 7)).toBe(0.3);
    expect(() => checkSamplingSchedule('f', { kind: 'linear', steps: 0, max: 0.5 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => checkSamplingSchedule('f', { kind: 'exponential', k: 1.5, max: 0.5 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => checkSamplingSchedule('f', { kind: 'nope' })).toThrow(expect.objectContaining({ code: 'E_UNKNOWN' }));
  });
});

describe('training with the updater', () => {
  it('learns to copy a short sequence (loss falls), and one update leaks nothing', async () => {
    const model = tinyModel({ encoderLayers: 1, decoderLayers: 1, decoderSize: 8, encoderSize: 4, embeddingSize: 4 });
    const updater = createUpdater({ params: model.params, optimizer: { kind: 'adam', lr: 0.05 }, clipNorm: 5, seed: 1 });
    const data = () => {
      const r = updater.rng(0);
      const xs = Array.from({ length: 8 }, () => Array.from({ length: 1 + r.int(3) }, () => 3 + r.int(3)));
      return [xs, xs] as const;
    };
    const first = tf.tidy(() => seq2seqLoss(model, ...data()).loss.dataSync()[0]);
    updater.minimize(() => seq2seqLoss(model, ...data()).loss); // Adam makes its slots on the first update
    await expectNoLeaks(() => updater.minimize(() => seq2seqLoss(model, ...data(), { labelSmoothing: 0.1, samplingProbability: 0.2, rng: updater.rng(2) }).loss), 'one update');
    for (let i = 0; i < 40; i++) updater.minimize(() => seq2seqLoss(model, ...data()).loss);
    const last = tf.tidy(() => seq2seqLoss(model, ...data()).loss.dataSync()[0]);
    expect(last).toBeLessThan(first * 0.5);
    expect(updater.step).toBe(42);
    updater.dispose();
    model.dispose();
  });

  it('greedy decoding leaks nothing and returns alignments over each source', async () => {
    const model = tinyModel();
    const r = await expectNoLeaks(() => seq2seqGreedy(model, SOURCES, { maxLength: 4, alignments: true }), 'greedy');
    expect(r.tokens).toHaveLength(3);
    r.tokens.forEach((toks) => expect(toks.length).toBeLessThanOrEqual(4));
    r.alignments!.forEach((rows, b) => rows.forEach((a) => {
      expect(a).toHaveLength(SOURCES[b].length);
      expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    }));
    expect(() => seq2seqGreedy(model, [[]])).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    model.dispose();
  });
});
