/**
 * The RxJS side shared by `greedyDecode` and `beamSearch`: decode each session of the stream in turn
 * with a search generator (search.ts), emitting its events as they are produced.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { DecodeSession } from './types.js';
import type { DecodeEvent, FinalEvent } from './search.js';

export type EventSource<O> = (session: DecodeSession<unknown>, options: O, source: number, fn: string) => Generator<DecodeEvent, FinalEvent, void>;

/** Release a session, whatever state its decoding ended in. */
function release(session: unknown): void {
  if (session && typeof (session as DecodeSession<unknown>).dispose === 'function') (session as DecodeSession<unknown>).dispose();
}

/**
 * An operator from sessions to decoding events. Sessions are decoded one after another, synchronously
 * within the arrival of each (one decoder step after another, the consumer can unsubscribe between any
 * two events); the operator owns every session it receives and disposes it when its decoding ends,
 * fails or is unsubscribed from.
 */
export function decodeOperator<S, O>(fn: string, options: O, events: EventSource<O>): OperatorFunction<DecodeSession<S>, DecodeEvent> {
  return (source) =>
    new Observable<DecodeEvent>((subscriber) => {
      let index = 0;
      const sub = source.subscribe({
        next(session) {
          if (subscriber.closed) return release(session);
          const gen = events(session as DecodeSession<unknown>, options, index++, fn);
          try {
            for (;;) {
              if (subscriber.closed) break; // unsubscribed in the middle of a source
              const r = gen.next();
              if (r.done) break;
              subscriber.next(r.value);
            }
          } catch (e) {
            subscriber.error(e);
          } finally {
            gen.return(undefined as never); // frees the search's states if it stopped early
            release(session);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
      return () => sub.unsubscribe();
    });
}
