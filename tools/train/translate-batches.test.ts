import { describe, it, expect } from 'vitest';
import { epochBatches, wordTokens } from './translate-batches.js';

describe('translate: length-bucketed batches and BLEU word tokens', () => {
  const items = Array.from({ length: 1000 }, (_, i) => ({ i, src: 1 + ((i * 37) % 90), tgt: 1 + ((i * 11) % 70) }));
  const len = (x: (typeof items)[number]): [number, number] => [x.src, x.tgt];

  it('puts every item in exactly one batch, the same way for the same (seed, epoch), differently for another epoch', () => {
    const b = epochBatches(items, 16, 1, 0, len);
    expect(b.flat().map((x) => x.i).sort((x, y) => x - y)).toEqual(items.map((x) => x.i));
    expect(b.every((x) => x.length <= 16)).toBe(true);
    expect(epochBatches(items, 16, 1, 0, len)).toEqual(b);
    expect(epochBatches(items, 16, 1, 1, len).map((x) => x.map((y) => y.i))).not.toEqual(b.map((x) => x.map((y) => y.i)));
  });

  it('groups similar source lengths: far less padding than random batches', () => {
    const padding = (bs: (typeof items)[]) => bs.reduce((n, x) => n + x.reduce((m, y) => m + Math.max(...x.map((z) => z.src)) - y.src, 0), 0);
    const bucketed = padding(epochBatches(items, 16, 1, 0, len));
    const random = padding(Array.from({ length: Math.ceil(items.length / 16) }, (_, k) => items.slice(k * 16, (k + 1) * 16)));
    expect(bucketed).toBeLessThan(random / 5);
    expect(() => epochBatches(items, 0, 1, 0, len)).toThrow(/batch/);
  });

  it('splits words from punctuation, keeps accents and digits, normalises to NFC', () => {
    expect(wordTokens('Y dijo Dios: «Sea la luz»; y fué la luz.')).toEqual(['Y', 'dijo', 'Dios', ':', '«', 'Sea', 'la', 'luz', '»', ';', 'y', 'fué', 'la', 'luz', '.']);
    expect(wordTokens('In the 31st year, Jehovah’s word')).toEqual(['In', 'the', '31', 'st', 'year', ',', 'Jehovah', '’', 's', 'word']);
    expect(wordTokens('fue\u0301')).toEqual(['fué']); // decomposed é → one token
    expect(wordTokens('  ')).toEqual([]);
  });
});
