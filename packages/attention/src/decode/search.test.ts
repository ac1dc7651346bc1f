import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectNoLeaks } from '@rxrnn/testing';
import { beamSearchSync, greedySearchSync, beamSearchEvents, lengthNormaliser, coverageScore, topK, MAX_BEAM_WIDTH, type Hypothesis } from './search.js';
import { tinySession, type TinySession } from '../../test/decode-session.js';

const V = 4, L = 4, S = 3;

/** Every output of up to L tokens (ending in eos, or L tokens without), scored with GNMT's formula written out again here. */
function exhaustive(session: TinySession, alpha: number, beta: number): { tokens: number[]; score: number }[] {
  const out: { tokens: number[]; score: number }[] = [];
  const score = (logProb: number, length: number, cov: Float64Array) =>
    logProb / Math.pow((5 + length) / 6, alpha) + beta * Array.from(cov).reduce((s, c) => s + Math.log(Math.max(Math.min(c, 1), 1e-10)), 0);
  let prefixes = [{ tokens: [] as number[], logProb: 0, cov: new Float64Array(S) }];
  let state = session.initialState(1);
  for (let t = 1; t <= L && prefixes.length; t++) {
    const tokens = Int32Array.from(prefixes, (p) => (p.tokens.length ? p.tokens[p.tokens.length - 1] : session.bos));
    const r = session.step(state, tokens);
    session.disposeState(state);
    const lp = r.logProbs.arraySync();
    const al = r.alignment!.arraySync();
    tf.dispose([r.logProbs, r.alignment]);
    const next: typeof prefixes = [];
    const rows: number[] = [];
    prefixes.forEach((p, k) => {
      const cov = p.cov.map((c, j) => c + al[k][j]);
      for (let v = 0; v < V; v++) {
        const seq = { tokens: [...p.tokens, v], logProb: p.logProb + lp[k][v], cov };
        if (v === session.eos || t === L) out.push({ tokens: v === session.eos ? seq.tokens.slice(0, -1) : seq.tokens, score: score(seq.logProb, t, cov) });
        else {
          next.push(seq);
          rows.push(k);
        }
      }
    });
    prefixes = next;
    if (prefixes.length) {
      const sel = session.select(r.state, Int32Array.from(rows));
      session.disposeState(r.state);
      state = sel;
    } else state = r.state;
  }
  session.disposeState(state);
  return out.sort((a, b) => b.score - a.score);
}

describe('beam search (GNMT scoring) over a tiny random attentional decoder', () => {
  const settings: [number, number][] = [[0, 0], [0.6, 0.2], [1.2, 0.5]];
  for (const [alpha, beta] of settings) {
    it(`α = ${alpha}, β = ${beta}: a beam of V^(L−1) finds the exhaustive best; narrower beams never score above it`, async () => {
      let worse = 0;
      for (const seed of [4, 5, 6]) {
        await expectNoLeaks(() => {
          const s = tinySession({ vocabSize: V, sourceLength: S, seed, sharpness: 1 });
          const all = exhaustive(s, alpha, beta);
          expect(all.length).toBe(1 + 3 + 9 + 27 + 81);
          const wide = beamSearchSync(s, { beamWidth: V ** (L - 1), maxLength: L, lengthPenalty: alpha, coveragePenalty: beta, nBest: 5 });
          expect(wide.best.tokens).toEqual(all[0].tokens);
          expect(wide.best.score).toBeCloseTo(all[0].score, 9);
          expect(wide.nBest.map((h) => h.score)).toEqual(all.slice(0, 5).map((h) => expect.closeTo(h.score, 9))); // the n best too
          for (const K of [1, 2, 3, 8]) {
            const narrow = beamSearchSync(s, { beamWidth: K, maxLength: L, lengthPenalty: alpha, coveragePenalty: beta });
            expect(narrow.best.score).toBeLessThanOrEqual(all[0].score + 1e-9);
            if (narrow.best.score < all[0].score - 1e-6) worse++;
            const same = all.find((h) => h.tokens.join() === narrow.best.tokens.join() && h.tokens.length === narrow.best.tokens.length);
            expect(narrow.best.score).toBeCloseTo(same!.score, 9); // scored as the exhaustive search scores it
          }
          s.dispose();
        }, `seed ${seed}`);
      }
      expect(worse).toBeGreaterThan(0); // the narrow beams did miss the best sometimes: the search is not trivial here
    });
  }

  it('over a hard MoChA decoder too (its state carries the monotonic α), a beam of V^(L−1) finds the exhaustive best', async () => {
    for (const seed of [4, 5]) {
      await expectNoLeaks(() => {
        const s = tinySession({ vocabSize: V, sourceLength: S, seed, sharpness: 1, mechanism: 'mocha' });
        const all = exhaustive(s, 0.6, 0.2);
        const wide = beamSearchSync(s, { beamWidth: V ** (L - 1), maxLength: L, lengthPenalty: 0.6, coveragePenalty: 0.2 });
        expect(wide.best.tokens).toEqual(all[0].tokens);
        expect(wide.best.score).toBeCloseTo(all[0].score, 9);
        s.dispose();
      }, `mocha ${seed}`);
    }
  });

  it('greedy decoding is beam search with a beam of 1 (tokens, score, alignments)', async () => {
    for (const seed of [4, 5, 6, 7]) {
      await expectNoLeaks(() => {
        const s = tinySession({ vocabSize: 6, sourceLength: 5, seed, mechanism: seed % 2 ? 'location' : 'additive' });
        const g = greedySearchSync(s, { maxLength: 8, lengthPenalty: 0.6 });
        const b = beamSearchSync(s, { beamWidth: 1, maxLength: 8, lengthPenalty: 0.6 });
        expect(g.best.tokens).toEqual(b.best.tokens);
        expect(g.best.finish).toBe(b.best.finish);
        expect(g.best.score).toBeCloseTo(b.best.score, 9);
        expect(g.best.alignments.map((a) => Array.from(a))).toEqual(b.best.alignments.map((a) => Array.from(a)));
        expect(g.steps).toBe(b.steps);
        s.dispose();
      }, `greedy ${seed}`);
    }
  });

  it('hypotheses end at eos or at maxLength; each token has its alignment row; the scores follow lp and cp', () => {
    const s = tinySession({ vocabSize: 5, sourceLength: 4, seed: 9 });
    const r = beamSearchSync(s, { beamWidth: 3, maxLength: 6, lengthPenalty: 0.8, coveragePenalty: 0.3, nBest: 3 });
    expect(r.nBest.length).toBe(3);
    for (const h of r.nBest as Hypothesis[]) {
      expect(h.length).toBe(h.tokens.length + (h.finish === 'eos' ? 1 : 0));
      expect(h.length).toBeLessThanOrEqual(6);
      if (h.finish === 'max-length') expect(h.length).toBe(6);
      expect(h.tokens).not.toContain(s.eos);
      expect(h.alignments.length).toBe(h.length);
      for (const a of h.alignments) expect(a.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
      const cov = new Float64Array(4);
      for (const a of h.alignments) a.forEach((v, j) => (cov[j] += v));
      expect(h.score).toBeCloseTo(h.logProb / lengthNormaliser(h.length, 0.8) + coverageScore(cov, 0.3), 9);
    }
    expect(r.nBest[0].score).toBeGreaterThanOrEqual(r.nBest[1].score);
    expect(lengthNormaliser(1, 0.7)).toBe(1); // (5 + 1)^α / 6^α
    expect(coverageScore([0.5, 2, 0], 1)).toBeCloseTo(Math.log(0.5) + 0 + Math.log(1e-10), 9);
    s.dispose();
  });

  it('commits a token as soon as every hypothesis that can still win shares it: the tokens concatenate to the best', () => {
    let early = 0;
    for (const seed of [11, 12, 13, 14, 15]) {
      const s = tinySession({ vocabSize: 5, sourceLength: 4, seed, sharpness: 3 });
      const gen = beamSearchEvents(s, { beamWidth: 3, maxLength: 8, lengthPenalty: 0.6 });
      const tokens: number[] = [];
      let final: Hypothesis | null = null;
      for (let r = gen.next(); !r.done; r = gen.next()) {
        const e = r.value;
        if (e.kind === 'token') {
          expect(final).toBeNull();
          expect(e.position).toBe(tokens.length);
          tokens.push(e.token);
          if (s.steps < 8 && tokens.length === 1) early++;
          expect(e.extras.alignment.length).toBe(4);
        } else final = e.best;
      }
      expect(tokens).toEqual(final!.tokens);
      s.dispose();
    }
    expect(early).toBeGreaterThan(0); // some first tokens came out while the search was still running
  });

  it('topK: the k best of a row, best first, ties to the lower index, by sorting or by one pass', () => {
    const row = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7) * 10 + (i % 7 === 0 ? 3 : 0));
    const two = Float32Array.from([...row, ...row.map((v) => -v)]);
    for (const k of [1, 3, 7, 24, 25, 60, 200]) {
      const sorted = Array.from(row.keys()).sort((x, y) => row[y] - row[x] || x - y).slice(0, k);
      expect(topK(two, 0, 200, k)).toEqual(sorted);
      expect(topK(two, 1, 200, k)).toEqual(Array.from(row.keys()).sort((x, y) => row[x] - row[y] || x - y).slice(0, k));
    }
    expect(topK([1, 5, 5, 2], 0, 4, 2)).toEqual([1, 2]);
  });

  it('rejects bad options and sources with typed errors, before any tensor is made', async () => {
    const s = tinySession({ vocabSize: 4, sourceLength: 3, seed: 1 });
    await expectNoLeaks(() => {
      const bad = (o: object) => () => beamSearchSync(s, { beamWidth: 2, maxLength: 4, ...o });
      expect(bad({ beamWidth: 0 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.beamWidth' }));
      expect(bad({ beamWidth: MAX_BEAM_WIDTH + 1 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.beamWidth' }));
      expect(bad({ beamWidth: 2.5 })).toThrow(expect.objectContaining({ code: 'E_SIZE' }));
      expect(bad({ maxLength: 0 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.maxLength' }));
      expect(bad({ nBest: 3 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.nBest' }));
      expect(bad({ lengthPenalty: -1 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.lengthPenalty' }));
      expect(() => beamSearchSync({ ...s, sourceLength: 0 }, { beamWidth: 2, maxLength: 4 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'session.sourceLength' }));
      expect(() => greedySearchSync({ ...s, eos: 9 }, { maxLength: 4 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'session.eos' }));
      expect(() => greedySearchSync(s, { maxLength: 0 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.maxLength' }));
    }, 'rejected');
    expect(s.steps).toBe(0);
    s.dispose();
  });
});
