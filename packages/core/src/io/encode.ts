/**
 * The message fields every model kind shares: the output vector `y` and the cell's extras, as the
 * client asked for them. Adapters put their own fields after these.
 */
import type { EncodeWants, IoStep, JsonObject } from './adapter.js';

/**
 * `{ y?, extras? }` for a step: `y` `[Y]` when wanted in JSON; the extras the client named (or all).
 *
 * ```ts
 * encodeOutput({ row, y, extras: { c: cRow } }, { y: true, extras: new Set(['c']) }); // { y: […], extras: { c: […] } }
 * ```
 */
export function encodeOutput(step: IoStep, wants: EncodeWants): JsonObject {
  const out: JsonObject = {};
  if (wants.y) out.y = Array.from(step.y);
  const want = wants.extras;
  if (step.extras && want) {
    const extras: JsonObject = {};
    for (const k in step.extras) if (want === true || want.has(k)) extras[k] = Array.from(step.extras[k]);
    out.extras = extras;
  }
  return out;
}
