/** Subscribe, gather every emission, and resolve on complete (reject on error). */
import type { Observable } from 'rxjs';

export function collect<T>(source: Observable<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    source.subscribe({ next: (v) => out.push(v), error: reject, complete: () => resolve(out) });
  });
}
