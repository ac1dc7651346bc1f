import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { take } from 'rxjs';
import { createTrainer, unrollLoss, softmaxCrossEntropy } from '@rxrnn/core';
import { expectNoLeaks, collect, gradCheck } from '@rxrnn/testing';
import { cellFromConfig } from '@rxrnn/cells';
import { charRnnModel, trainCharRnn, evalBpc, splitCorpus, streamChunks, sampleText, saveCharRnn, loadCharRnnCheckpoint, loadCharModel, CharCodec } from './index.js';

const TEXT = 'the cat sat on the mat. the dog sat on the log. '.repeat(12);

describe('char-rnn data', () => {
  it('splits a corpus at a fixed point and cuts it into parallel streams with next-character targets', () => {
    const { codec, train, validation, test, heldOut } = splitCorpus('abcdefghij'.repeat(10), 0.1);
    expect(train.length).toBe(90);
    expect(codec.decode(heldOut)).toBe('abcdefghij');
    expect(codec.decode(validation)).toBe('abcde'); // the held-out tail's first half chooses runs…
    expect(codec.decode(test)).toBe('fghij'); // …and its second half is reported once
    const chunks = streamChunks(train, 3, 4); // streams of 30: [0,30) [30,60) [60,90)
    expect(chunks.perEpoch).toBe(6);
    const b = chunks.chunk(1, 2);
    const x = b.inputs.arraySync() as number[][][];
    const y = b.targets.arraySync() as number[][];
    // Stream 1, chunk 1, offset 2 starts at 30 + 2 + 4 = 36.
    expect(codec.decode([x[0][1][0], x[1][1][0], x[2][1][0], x[3][1][0]])).toBe(codec.decode(train.subarray(36, 40)));
    expect(y[0][1]).toBe(train[37]);
    tf.dispose([b.inputs, b.targets]);
    expect(() => streamChunks(train, 40, 4)).toThrow(/streamChunks: ids: expected at least/);
  });
});

describe('char-rnn training', () => {
  it('the embedding → LSTM → dense model has correct gradients (finite differences, wasm gather gradient included)', () => {
    const cell = charRnnModel({ vocabSize: 5, embeddingSize: 3, hiddenSize: 4, seed: 3 });
    createTrainer({ cell }).dispose(); // registers the training kernels
    const inputs = tf.tensor3d([0, 1, 2, 3, 4, 0, 1, 1], [4, 2, 1]);
    const targets = tf.tensor2d([1, 2, 3, 4, 0, 1, 2, 0], [4, 2], 'int32');
    const s0 = cell.initialState(2);
    const r = gradCheck(() => unrollLoss(cell, s0, { inputs, targets }, softmaxCrossEntropy).loss, cell.params as Record<string, tf.Variable>, { maxPerVariable: 8 });
    expect(r.checked).toBeGreaterThan(30);
    tf.dispose([inputs, targets, ...Object.values(s0)]);
    cell.dispose();
  });

  it('a tiny char model overfits a short text (train bpc falls below 1.0), without leaks', async () => {
    const before = tf.memory().numTensors;
    const r = await trainCharRnn({ text: TEXT, hiddenSize: 32, embeddingSize: 8, steps: 60, seq: 16, batch: 4, lr: 0.02, evalEvery: 60, validationFraction: 0.2, seed: 3 });
    const first = r.curve[0].bpc;
    const last = r.curve.slice(-5).reduce((s, p) => s + p.bpc, 0) / 5;
    expect(first).toBeGreaterThan(3); // log2(V = 14) ≈ 3.8 at the start
    expect(last).toBeLessThan(1.0);
    expect(r.valBpc).toBeLessThan(2.5); // the held-out tail is the same sentences (short streams from a zero state)
    r.cell.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checkpoint → resume continues the identical loss curve', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxrnn-char-'));
    try {
      const opts = { text: TEXT, hiddenSize: 16, embeddingSize: 4, steps: 8, seq: 8, batch: 4, lr: 0.01, evalEvery: 100, checkpointEvery: 4, validationFraction: 0.2, seed: 5 };
      let saved = false;
      const full = await trainCharRnn({
        ...opts,
        onCheckpoint: (ck) => {
          if (ck.trainer.json.step === 4) {
            saveCharRnn(dir, ck, { reproduce: 'test' });
            saved = true;
          }
        },
      });
      expect(saved).toBe(true);
      const resumed = await trainCharRnn({ ...opts, resume: loadCharRnnCheckpoint(dir) });
      expect(resumed.curve.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(resumed.curve.slice(4).map((p) => p.bpc)).toEqual(full.curve.slice(4).map((p) => p.bpc));
      const wa = Object.values(full.cell.params).map((v) => Array.from(v.dataSync()));
      const wb = Object.values(resumed.cell.params).map((v) => Array.from(v.dataSync()));
      expect(wb).toEqual(wa);
      full.cell.dispose();
      resumed.cell.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('trainCharRnn with any cell', () => {
  it('trains a given model (a GRU stack built from the registry) and rejects one of the wrong size', async () => {
    const codec = CharCodec.fromText(TEXT);
    const model = cellFromConfig({ kind: 'stack', dropout: 0, layers: [
      { kind: 'embedding', vocabSize: codec.size, embeddingSize: 4 },
      { kind: 'gru', inputSize: 4, hiddenSize: 8 },
      { kind: 'dense', inputSize: 8, outputSize: codec.size, activation: 'linear' },
    ] });
    const r = await trainCharRnn({ text: TEXT, model, steps: 5, seq: 8, batch: 4, evalEvery: 5, validationFraction: 0.2 });
    expect(r.cell).toBe(model);
    expect(r.curve.length).toBe(5);
    expect(Number.isFinite(r.valBpc)).toBe(true);
    const wrong = cellFromConfig({ kind: 'dense', inputSize: 1, outputSize: 3 });
    await expect(trainCharRnn({ text: TEXT, model: wrong, steps: 1 })).rejects.toThrow(/trainCharRnn: options.model: expected a cell with input \[B, 1\] and 14 logits, received input 1, output 3/);
    wrong.dispose();
    model.dispose();
  });
});

describe('evalBpc and sampleText', () => {
  it('evalBpc of an untrained model is near log2(V); a saved model loads with its io', () => {
    const codec = CharCodec.fromText(TEXT);
    const cell = charRnnModel({ vocabSize: codec.size, hiddenSize: 8, seed: 1 });
    const ids = Int32Array.from(codec.encode(TEXT));
    const bpc = evalBpc(cell, ids, { batch: 4, seq: 20 });
    expect(Math.abs(bpc - Math.log2(codec.size))).toBeLessThan(0.3);
    cell.dispose();
    expect(() => loadCharModel('/nonexistent')).toThrow(/loadCharModel: dir: expected a model directory with model.json/);
  });

  it('streams characters one at a time, reproducibly for a seed, and frees its state', async () => {
    const codec = CharCodec.fromText(TEXT);
    const cell = charRnnModel({ vocabSize: codec.size, hiddenSize: 8, seed: 2 });
    const a = await expectNoLeaks(() => collect(sampleText(cell, codec, { prime: 'the ', temperature: 0.8, length: 40, seed: 9 })));
    const b = await collect(sampleText(cell, codec, { prime: 'the ', temperature: 0.8, length: 40, seed: 9 }));
    expect(a.length).toBe(40);
    expect(a.every((c) => c.length === 1 && codec.chars.includes(c))).toBe(true);
    expect(b).toEqual(a);
    const greedy = await collect(sampleText(cell, codec, { prime: 'the ', temperature: 0, length: 10, seed: 1 }));
    const greedy2 = await collect(sampleText(cell, codec, { prime: 'the ', temperature: 0, length: 10, seed: 2 }));
    expect(greedy2).toEqual(greedy);
    await expectNoLeaks(() => collect(sampleText(cell, codec, { prime: 'the', length: 1000 }).pipe(take(5))), 'unsubscribe');
    expect(() => sampleText(cell, codec, { prime: 'the ', temperature: -1 })).toThrow(/sampleText: options.temperature: expected a finite number ≥ 0/);
    expect(() => sampleText(cell, codec, { prime: 'Q' })).toThrow(/sampleText: text: expected characters of the model vocabulary, received "Q"/);
    cell.dispose();
  });
});
