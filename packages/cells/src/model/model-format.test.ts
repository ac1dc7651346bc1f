import { describe, it, expect } from 'vitest';
import { from } from 'rxjs';
import { toFloat32, recurrent } from '@rxrnn/core';
import { expectNoLeaks, collect } from '@rxrnn/testing';
import { stackCells, embeddingCell, lstmCell, gruCell, denseCell, rnnCell, encodeModel, decodeModel, cellFromConfig, registerCellKind, stack, isFused } from '../index.js';

describe('model format', () => {
  it('round-trips a stacked model (embedding → LSTM → GRU → RNN → dense) exactly', async () => {
    const model = stackCells([
      embeddingCell({ vocabSize: 7, embeddingSize: 3, seed: 1 }),
      lstmCell({ inputSize: 3, hiddenSize: 5, projSize: 4, seed: 2 }),
      gruCell({ inputSize: 4, hiddenSize: 4, resetAfter: false, seed: 3 }),
      rnnCell({ inputSize: 4, hiddenSize: 4, activation: 'relu', seed: 4 }),
      denseCell({ inputSize: 4, outputSize: 7, activation: 'softmax', seed: 5 }),
    ]);
    const { json, weights } = encodeModel(model, { name: 'toy', io: { vocab: 'abcdefg' } });
    const { meta, cell } = decodeModel(json, weights);
    expect(meta.io).toEqual({ vocab: 'abcdefg' });
    const ids = [[1], [4], [6], [0]];
    const a = await expectNoLeaks(() => collect(from(ids).pipe(stack(model), toFloat32())));
    const b = await collect(from(ids).pipe(recurrent(cell), toFloat32()));
    expect(b.map((v) => Array.from(v))).toEqual(a.map((v) => Array.from(v)));
    expect(a[0].reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    model.dispose();
    cell.dispose();
  });

  it('decodes with the fused option: covered layers fused by default, plain with fused: false, on the kernels a config names; stacks pass it to every layer', async () => {
    const x = [[1, 0, 2], [0, 1, 0]];
    for (const make of [() => lstmCell({ inputSize: 3, hiddenSize: 5, seed: 2 }), () => gruCell({ inputSize: 3, hiddenSize: 4, seed: 3 }), () => denseCell({ inputSize: 3, outputSize: 2, seed: 5 })]) {
      const model = make();
      const { json, weights } = encodeModel(model, { name: 'toy' });
      const decoded = [decodeModel(json, weights).cell, decodeModel(json, weights, { fused: false }).cell, decodeModel(json, weights, { fused: { native: false } }).cell];
      expect(decoded.map((c) => isFused(c) && c.fused), model.kind).toEqual([true, false, true]);
      const [a, b, c] = await Promise.all(decoded.map((d) => collect(from(x).pipe(recurrent(d), toFloat32()))));
      b.forEach((v, t) => v.forEach((y, j) => expect(a[t][j]).toBeCloseTo(y, 5)));
      c.forEach((v, t) => v.forEach((y, j) => expect(a[t][j]).toBeCloseTo(y, 5)));
      [model, ...decoded].forEach((m) => m.dispose());
    }
    const seen: unknown[] = [];
    registerCellKind('fused-option-probe', (c, w, _build, o) => {
      seen.push(o.fused);
      return denseCell({ inputSize: c.inputSize as number, outputSize: c.outputSize as number, weights: w, fused: o.fused });
    });
    const probe = { kind: 'fused-option-probe', inputSize: 2, outputSize: 2 };
    cellFromConfig({ kind: 'stack', layers: [probe, { kind: 'residual', inner: { ...probe } }] }, undefined, { fused: false }).dispose();
    expect(seen).toEqual([false, false]);
  });

  it('names what is wrong in a bad model', () => {
    expect(() => cellFromConfig({ kind: 'nope' })).toThrow(/cellFromConfig: config.kind: expected one of .*lstm.*, received the string "nope"/);
    const m = lstmCell({ inputSize: 2, hiddenSize: 2 });
    const { json, weights } = encodeModel(m, { name: 'x' });
    const bad = JSON.parse(json);
    bad.cell.hiddenSize = 3;
    expect(() => decodeModel(JSON.stringify(bad), weights)).toThrow(/weights.kernel: expected shape \[2, 12\], received shape \[2, 8\]/);
    expect(() => stackCells([m, lstmCell({ inputSize: 3, hiddenSize: 2 })])).toThrow(/cells\[1\].inputSize: expected 2/);
    m.dispose();
  });
});
