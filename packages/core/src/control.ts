/**
 * A handle on a live recurrent stream: reset it, snapshot its state, restore a snapshot.
 *
 * ```ts
 * const control = createControl();
 * input$.pipe(recurrent(cell, { control })).subscribe(...);
 * const saved = control.snapshot();   // JSON-safe
 * control.restore(saved);             // continue bit-identically, here or in another process
 * ```
 */
import type { StateSnapshot } from './snapshot.js';
import { rxrnnError, ErrorCodes } from './errors.js';

/** What a subscription of `recurrent()` lends to its control while it is live. */
export interface ControlTarget {
  reset(): void;
  snapshot(): StateSnapshot | null;
  restore(snapshot: StateSnapshot): void;
}

export interface RecurrentControl {
  /** Drop the state; the next input starts from the initial state. */
  reset(): void;
  /** The current state, read back; null before the first input. */
  snapshot(): StateSnapshot | null;
  /** Replace the current state with a snapshot (validated against the cell). */
  restore(snapshot: StateSnapshot): void;
  /** True while a subscription is attached. */
  readonly attached: boolean;
  /** @internal Used by `recurrent()`. Returns the detach function. */
  attach(target: ControlTarget): () => void;
}

/** Create a control to pass as `recurrent(cell, { control })`. One live subscription at a time. */
export function createControl(): RecurrentControl {
  let target: ControlTarget | null = null;
  const need = (method: string): ControlTarget => {
    if (!target) throw rxrnnError(ErrorCodes.STATE, `control.${method}`, 'control', 'a control attached to a live recurrent() subscription', 'a detached control');
    return target;
  };
  return {
    reset: () => need('reset').reset(),
    snapshot: () => need('snapshot').snapshot(),
    restore: (s) => need('restore').restore(s),
    get attached() {
      return target !== null;
    },
    attach(t) {
      if (target) throw rxrnnError(ErrorCodes.STATE, 'recurrent', 'options.control', 'a control not already attached to another live subscription', 'an attached control');
      target = t;
      return () => {
        if (target === t) target = null;
      };
    },
  };
}
