/**
 * `conn.stream(model, options)`: a remote stream as an RxJS operator. Each input value is sent as
 * step(s); each output is emitted; it completes once the last input's output (and any primed and
 * generated characters) has arrived, and closes the stream on unsubscribe.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { OutputMessage, StreamOptions } from '../protocol.js';
import type { RemoteStream, StreamInput } from './remote-stream.js';

export function streamOperator(open: (model: string, options: StreamOptions) => RemoteStream, model: string, opts: StreamOptions): OperatorFunction<StreamInput, OutputMessage> {
  return (input$) =>
    new Observable<OutputMessage>((subscriber) => {
      const rs = open(model, opts);
      let expected = (opts.prime ? Array.from(opts.prime).length : 0) + (opts.generate ?? 0);
      let got = 0;
      let inputDone = false;
      const maybeDone = () => {
        if (inputDone && got >= expected) {
          subscriber.complete();
          rs.close();
        }
      };
      const outSub = rs.output$.subscribe({
        next: (m) => {
          if (m.token || m.input !== undefined || m.y !== undefined) got++;
          subscriber.next(m);
          maybeDone();
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
      const inSub = input$.subscribe({
        next: (x) => {
          expected += typeof x === 'string' ? Array.from(x).length : Array.isArray(x) && Array.isArray(x[0]) ? x.length : 1;
          rs.next(x);
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          inputDone = true;
          maybeDone();
        },
      });
      return () => {
        inSub.unsubscribe();
        outSub.unsubscribe();
        rs.close();
      };
    });
}
