import { describe, it, expect } from 'vitest';
import { Subject, from, take, throwError, concat, of } from 'rxjs';
import { collect, expectNoLeaks } from '@rxrnn/testing';
import { beamSearch } from './beam-search.js';
import { greedyDecode } from './greedy-decode.js';
import { beamSearchSync, type DecodeEvent, type FinalEvent } from './search.js';
import { tinySession, type TinySession } from '../../test/decode-session.js';

const make = (seed: number, extra: Partial<Parameters<typeof tinySession>[0]> = {}) => tinySession({ vocabSize: 5, sourceLength: 4, seed, sharpness: 3, ...extra });

describe('beamSearch and greedyDecode operators', () => {
  it('stream committed tokens while decoding runs, then the final event; per source, tokens concatenate to the best', async () => {
    await expectNoLeaks(async () => {
      const sessions = [11, 12, 13, 14].map((s) => make(s));
      const stepsAt = new Map<DecodeEvent, number>(); // how many decoder steps the source had taken when the event arrived
      const events: DecodeEvent[] = [];
      await new Promise<void>((resolve, reject) =>
        from(sessions)
          .pipe(beamSearch({ beamWidth: 3, maxLength: 8, lengthPenalty: 0.6, coveragePenalty: 0.1, nBest: 2 }))
          .subscribe({
            next: (e) => {
              events.push(e);
              stepsAt.set(e, sessions[e.source].steps);
            },
            error: reject,
            complete: resolve,
          }),
      );
      let streamed = 0;
      for (let src = 0; src < sessions.length; src++) {
        const mine = events.filter((e) => e.source === src);
        const final = mine.at(-1) as FinalEvent;
        expect(final.kind).toBe('final'); // the final event closes each source…
        const tokens = mine.filter((e) => e.kind === 'token');
        expect(tokens.map((e) => e.token)).toEqual(final.best.tokens); // …after exactly its best tokens
        expect(tokens.map((e) => e.position)).toEqual(final.best.tokens.map((_, i) => i));
        tokens.forEach((e, i) => expect(Array.from(e.extras.alignment)).toEqual(Array.from(final.best.alignments[i])));
        expect(final.nBest.length).toBe(2);
        if (tokens.length && stepsAt.get(tokens[0])! < final.steps) streamed++; // a token out while the search still had steps to take
        expect(sessions[src].disposed).toBe(true); // the operator owns and frees the sessions
      }
      expect(streamed).toBeGreaterThan(0);
      // the same result as the pure search
      const again = make(11);
      expect(beamSearchSync(again, { beamWidth: 3, maxLength: 8, lengthPenalty: 0.6, coveragePenalty: 0.1 }).best.tokens).toEqual((events.find((e) => e.kind === 'final' && e.source === 0) as FinalEvent).best.tokens);
      again.dispose();
    }, 'complete');
  });

  it('greedyDecode emits every token at the step that chose it and agrees with a beam of 1', async () => {
    await expectNoLeaks(async () => {
      const s = make(21);
      const seen: number[] = [];
      const events = await collect(of(s as TinySession).pipe(greedyDecode({ maxLength: 10 })));
      const s2 = make(21);
      const beam1 = (await collect(of(s2 as TinySession).pipe(beamSearch({ beamWidth: 1, maxLength: 10 })))).at(-1) as FinalEvent;
      const final = events.at(-1) as FinalEvent;
      for (const e of events) if (e.kind === 'token') seen.push(e.token);
      expect(seen).toEqual(final.best.tokens);
      expect(final.best.tokens).toEqual(beam1.best.tokens);
      expect(final.best.score).toBeCloseTo(beam1.best.score, 9);
    }, 'greedy');
  });

  it('frees everything on error: a failing step, an erroring source, a bad session', async () => {
    await expectNoLeaks(async () => {
      const failing = make(32, { failAt: 3 }); // (seed 32 decodes for 12 steps)
      await expect(collect(of(failing as TinySession).pipe(beamSearch({ beamWidth: 3, maxLength: 12 })))).rejects.toThrow(/failing at step 3/);
      expect(failing.disposed).toBe(true);
      const ok = make(32);
      await expect(collect(concat(of(ok as TinySession), throwError(() => new Error('upstream'))).pipe(greedyDecode({ maxLength: 6 })))).rejects.toThrow('upstream');
      expect(ok.disposed).toBe(true);
      const empty = make(33);
      const bad = { ...empty, sourceLength: 0, dispose: () => empty.dispose() };
      await expect(collect(of(bad).pipe(beamSearch({ beamWidth: 2, maxLength: 4 })))).rejects.toMatchObject({ code: 'E_SIZE', arg: 'session.sourceLength' });
      expect(empty.disposed).toBe(true);
      expect(empty.steps).toBe(0);
    }, 'error');
  });

  it('frees everything on early unsubscribe, mid-source', async () => {
    await expectNoLeaks(async () => {
      const first = make(40); // (seed 40: the first token is committed at step 11 of 12)
      const got = await collect(of(first as TinySession).pipe(beamSearch({ beamWidth: 3, maxLength: 12 }), take(1)));
      expect(got.length).toBe(1);
      expect(first.disposed).toBe(true);
      expect(first.steps).toBeLessThan(12);
      const greedy = make(32); // 12 greedy tokens: stop after the second
      const two = await collect(of(greedy as TinySession).pipe(greedyDecode({ maxLength: 12 }), take(2)));
      expect(two.map((e) => e.kind)).toEqual(['token', 'token']);
      expect(greedy.steps).toBe(2);
      expect(greedy.disposed).toBe(true);
      const subject = new Subject<TinySession>();
      const seen: DecodeEvent[] = [];
      const sub = subject.pipe(greedyDecode({ maxLength: 6 })).subscribe((e) => seen.push(e));
      const a = make(42);
      subject.next(a);
      sub.unsubscribe();
      const late = make(43);
      subject.next(late); // nobody is listening any more: not decoded
      expect(late.steps).toBe(0);
      late.dispose();
      expect(a.disposed).toBe(true);
      expect(seen.at(-1)!.kind).toBe('final');
    }, 'unsubscribe');
  });

  it('rejects bad options when the operator is made, with typed errors', () => {
    expect(() => beamSearch({ beamWidth: 0, maxLength: 4 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.beamWidth' }));
    expect(() => beamSearch({ beamWidth: 1e6, maxLength: 4 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.beamWidth' }));
    expect(() => beamSearch({ beamWidth: 2, maxLength: 0 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.maxLength' }));
    expect(() => beamSearch({ beamWidth: 2, maxLength: 4, coveragePenalty: Number.NaN })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => greedyDecode({ maxLength: -1 })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.maxLength' }));
  });
});
