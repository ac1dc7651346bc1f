/**
 * `greedyDecode(options)`: greedy decoding (the most probable token at every step) as an RxJS operator,
 * from decoding sessions to events; beam search with a beam of 1 (the test checks they agree).
 *
 * Shape contract: each value in is a {@link DecodeSession} (owned by the operator from then on); out comes
 * one `{ kind: 'token', source, position, token, extras: { alignment } }` event per generated token, as
 * soon as it is chosen, then `{ kind: 'final', source, best, nBest: [best], steps }`.
 *
 * ```ts
 * // sessions$: an Observable of DecodeSessions (a complete one: packages/attention/docs/decode.example.ts)
 * sessions$.pipe(greedyDecode({ maxLength: 50 })).subscribe((e) => e.kind === 'token' && process.stdout.write(vocab[e.token]));
 * ```
 *
 * Errors: `E_SIZE` for maxLength < 1 (when the operator is made); per source, `E_SIZE` for an empty source.
 */
import type { OperatorFunction } from 'rxjs';
import type { DecodeSession } from './types.js';
import { greedyEvents, checkSearchOptions, type SearchOptions, type DecodeEvent } from './search.js';
import { decodeOperator, type EventSource } from './drive.js';

export function greedyDecode<S>(options: SearchOptions): OperatorFunction<DecodeSession<S>, DecodeEvent> {
  checkSearchOptions('greedyDecode', options);
  return decodeOperator<S, SearchOptions>('greedyDecode', { ...options }, greedyEvents as EventSource<SearchOptions>);
}
