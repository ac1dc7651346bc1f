import { describe, it, expect } from 'vitest';
import { createRng } from '@rxrnn/core';
import { transduce, transductionBatch } from './transduction-task.js';

describe('transduction tasks (Grefenstette et al. 2015, §4.1)', () => {
  it('copy, reversal and bigram flip of a sequence', () => {
    expect(transduce('copy', [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    expect(transduce('reverse', [1, 2, 3, 4])).toEqual([4, 3, 2, 1]);
    expect(transduce('bigram-flip', [1, 2, 3, 4, 5, 6])).toEqual([2, 1, 4, 3, 6, 5]);
  });

  it('a batch: one-hot symbols, the separator, targets after it and −1 before; seeded', () => {
    const g = transductionBatch(createRng(3), 'reverse', 2, 5, 7);
    expect([g.T, g.B, g.X, g.V, g.lossFrom]).toEqual([11, 2, 8, 7, 6]);
    for (let b = 0; b < 2; b++) {
      const symbols: number[] = [];
      for (let t = 0; t < 5; t++) {
        const row = Array.from(g.inputs.subarray((t * 2 + b) * 8, (t * 2 + b + 1) * 8));
        expect(row.reduce((a, v) => a + v, 0)).toBe(1);
        expect(row[7]).toBe(0);
        symbols.push(row.indexOf(1));
      }
      expect(g.inputs[(5 * 2 + b) * 8 + 7]).toBe(1); // the separator
      for (let t = 6; t < 11; t++) expect(Array.from(g.inputs.subarray((t * 2 + b) * 8, (t * 2 + b + 1) * 8)).every((v) => v === 0)).toBe(true);
      const out = Array.from({ length: 5 }, (_, i) => g.targets[(6 + i) * 2 + b]);
      expect(out).toEqual([...symbols].reverse());
      for (let t = 0; t < 6; t++) expect(g.targets[t * 2 + b]).toBe(-1);
    }
    expect(transductionBatch(createRng(3), 'reverse', 2, 5, 7)).toEqual(g);
  });

  it('typed errors on a bad kind, size or an odd bigram length', () => {
    expect(() => transductionBatch(createRng(1), 'sort' as never, 2, 4)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => transductionBatch(createRng(1), 'copy', 0, 4)).toThrow(/batch/);
    expect(() => transductionBatch(createRng(1), 'bigram-flip', 2, 5)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});
