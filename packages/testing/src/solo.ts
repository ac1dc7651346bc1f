/**
 * The outputs a stream must reproduce: its inputs stepped alone, through one session of core's
 * batcher (batch 1, the arithmetic a server uses for a stream on its own).
 *
 * ```ts
 * const alone = soloOutputs(cell, [Float32Array.of(1, 0), Float32Array.of(0, 1)]); // [y0, y1]
 * ```
 */
import { createBatcher, type Cell } from '@rxrnn/core';

export function soloOutputs(cell: Cell, xs: readonly Float32Array[]): Float32Array[] {
  const b = createBatcher<number>(cell, { maxQueue: Math.max(1, xs.length) });
  const s = b.join();
  const out: Float32Array[] = [];
  try {
    for (const x of xs) {
      b.push(s, x, 0);
      const [r] = b.flush();
      if (r.error) throw r.error;
      out.push(r.y);
    }
  } finally {
    b.dispose();
  }
  return out;
}
