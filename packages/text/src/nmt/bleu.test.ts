import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusBleu, bleuByLength } from './bleu.js';

interface BleuCase {
  name: string;
  weights: number[];
  references: string[][][];
  hypotheses: string[][];
  bleu: number;
  precisions: [number, number][];
  hyp_length: number;
  ref_length: number;
  brevity_penalty: number;
}

// written by tools/goldens/bleu.py (NLTK's corpus_bleu, Debian python3-nltk)
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bleu/corpora.json'), 'utf8')) as { nltk: string; cases: BleuCase[] };

describe(`corpusBleu against NLTK ${fixture.nltk} corpus_bleu`, () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = corpusBleu(c.references, c.hypotheses, { weights: c.weights });
    expect(Math.abs(r.bleu - c.bleu)).toBeLessThanOrEqual(1e-9 * Math.max(1, c.bleu));
    // the tiny method0 values too, relatively
    if (c.bleu > 0) expect(Math.abs(r.bleu / c.bleu - 1)).toBeLessThan(1e-9);
    else expect(r.bleu).toBe(0);
    expect(r.precisions.map((p) => [p.matches, p.total])).toEqual(c.precisions);
    expect(r.hypothesisLength).toBe(c.hyp_length);
    expect(r.referenceLength).toBe(c.ref_length);
    expect(Math.abs(r.brevityPenalty - c.brevity_penalty)).toBeLessThan(1e-12);
  });

  it('covers the edge cases it is meant to', () => {
    const names = fixture.cases.map((c) => c.name);
    for (const n of ['short-hypotheses', 'closest-reference-tie', 'clipping', 'no-higher-order-match', 'no-match']) expect(names).toContain(n);
    expect(fixture.cases.some((c) => c.references.some((refs) => refs.length > 1))).toBe(true);
    expect(fixture.cases.find((c) => c.name === 'no-higher-order-match')!.bleu).toBeLessThan(1e-100); // method0, not 0
  });
});

describe('corpusBleu: input', () => {
  it('an empty corpus scores 0', () => {
    expect(corpusBleu([], []).bleu).toBe(0);
  });

  it('rejects mismatched counts and non-token input with typed errors', () => {
    expect(() => corpusBleu([[['a']]], [])).toThrow(expect.objectContaining({ code: 'E_SIZE' }));
    expect(() => corpusBleu([[]], [['a']])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'references[0]' }));
    expect(() => corpusBleu([[['a', 1 as never]]], [['a']])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'references[0][0]' }));
    expect(() => corpusBleu([[['a']]], ['a' as never])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'hypotheses[0]' }));
    expect(() => corpusBleu([[['a']]], [['a']], { weights: [] })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.weights' }));
  });
});

describe('bleuByLength', () => {
  const c = fixture.cases.find((x) => x.name === 'random-0')!;
  const sentences = c.hypotheses.map((hypothesis, i) => ({ sourceLength: c.references[i]![0]!.length, references: c.references[i]!, hypothesis }));

  it('is corpusBleu over the sentences in each bucket', () => {
    const edges = [0, 10, 15, 20, Infinity];
    const buckets = bleuByLength(sentences, edges);
    expect(buckets.map((b) => [b.from, b.to])).toEqual([
      [0, 10],
      [10, 15],
      [15, 20],
      [20, Infinity],
    ]);
    expect(buckets.reduce((s, b) => s + b.sentences, 0)).toBe(sentences.length);
    for (const b of buckets) {
      const inside = sentences.filter((s) => s.sourceLength >= b.from && s.sourceLength < b.to);
      expect(b.sentences).toBe(inside.length);
      expect(b.bleu).toBe(corpusBleu(inside.map((s) => s.references), inside.map((s) => s.hypothesis)).bleu);
    }
    // one bucket holding everything is the corpus score
    expect(bleuByLength(sentences, [0, Infinity])[0]!.bleu).toBe(corpusBleu(c.references, c.hypotheses).bleu);
  });

  it('reports empty buckets, and rejects edges that do not ascend', () => {
    expect(bleuByLength(sentences, [1000, 2000])[0]).toMatchObject({ sentences: 0, bleu: 0 });
    expect(() => bleuByLength(sentences, [10, 5])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'edges' }));
    expect(() => bleuByLength([{ sourceLength: NaN, references: [['a']], hypothesis: ['a'] }], [0, 5])).toThrow(expect.objectContaining({ arg: 'sentences[0].sourceLength' }));
  });
});
