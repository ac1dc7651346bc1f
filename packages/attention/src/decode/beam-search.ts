/**
 * `beamSearch(options)`: beam search as an RxJS operator, from decoding sessions to events.
 *
 * Shape contract: each value in is a {@link DecodeSession} (one source, owned by the operator from then on);
 * out come `{ kind: 'token', source, position, token, extras: { alignment } }` events as soon as every
 * hypothesis that can still win agrees on the next token (so tokens stream out before the search ends),
 * then one `{ kind: 'final', source, best, nBest, steps }` per source. The tokens of a source always
 * concatenate to its `best.tokens`. Scoring: GNMT's length normalisation and coverage penalty
 * (Wu et al. 2016, §7); see search.ts for the algorithm.
 *
 * ```ts
 * // sessions$: an Observable of DecodeSessions (a complete one: packages/attention/docs/decode.example.ts)
 * sessions$.pipe(beamSearch({ beamWidth: 4, maxLength: 50, lengthPenalty: 0.6, coveragePenalty: 0.2, nBest: 3 }))
 *   .subscribe((e) => (e.kind === 'token' ? process.stdout.write(vocab[e.token]) : console.log('\n', e.best.score)));
 * ```
 *
 * Errors (typed, thrown when the operator is made): `E_SIZE` for a beam width outside 1 … MAX_BEAM_WIDTH or a
 * maxLength < 1, `E_ARGUMENT` for nBest outside 1 … beamWidth or a negative penalty; per source (as the
 * stream's error, the session disposed): `E_SIZE` for an empty source, `E_SHAPE` for a step's wrong shapes.
 */
import type { OperatorFunction } from 'rxjs';
import type { DecodeSession } from './types.js';
import { beamSearchEvents, checkBeamOptions, type BeamSearchOptions, type DecodeEvent } from './search.js';
import { decodeOperator, type EventSource } from './drive.js';

export function beamSearch<S>(options: BeamSearchOptions): OperatorFunction<DecodeSession<S>, DecodeEvent> {
  checkBeamOptions('beamSearch', options);
  return decodeOperator<S, BeamSearchOptions>('beamSearch', { ...options }, beamSearchEvents as EventSource<BeamSearchOptions>);
}
