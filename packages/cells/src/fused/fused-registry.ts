/**
 * The one registry of fused paths: cell kind → the {@link FusedFamily} that runs cells of that kind
 * on the kernels. `fuseCell` and `runSequence` look a cell up here and nowhere else; a family added
 * later registers itself with {@link registerFusedFamily} (the way `registerCellKind` adds a kind to
 * the model format).
 *
 * ```ts
 * fusedFamily('lstm')?.unsupported(cell); // null: covered
 * fusedKinds();                           // ['dense', 'gru', 'lstm', 'lstm-variant', 'rnn']
 * ```
 */
import { rxrnnError, ErrorCodes, describe, type Cell } from '@rxrnn/core';
import type { KernelRuntime } from '@rxrnn/kernels';
import type { FusedFamily } from './fused-family.js';
import { lstmFused } from '../lstm/lstm-fused.js';
import { gruFused } from '../gru/gru-fused.js';
import { rnnFused } from '../rnn/rnn-fused.js';
import { lstmVariantFused } from '../lstm-variants/lstm-variant-fused.js';
import { denseFused } from '../layers/dense-fused.js';

const families = new Map<string, FusedFamily>([
  ['lstm', lstmFused],
  ['lstm-variant', lstmVariantFused],
  ['gru', gruFused],
  ['rnn', rnnFused],
  ['dense', denseFused],
]);

/** Run cells of `kind` on `family`'s fused path from now on (replaces an earlier registration). */
export function registerFusedFamily(kind: string, family: FusedFamily): void {
  if (typeof kind !== 'string' || !kind) throw rxrnnError(ErrorCodes.ARGUMENT, 'registerFusedFamily', 'kind', 'a cell kind', describe(kind));
  if (!family || typeof family.unsupported !== 'function' || typeof family.sequence !== 'function' || typeof family.stepper !== 'function') {
    throw rxrnnError(ErrorCodes.ARGUMENT, 'registerFusedFamily', 'family', 'a FusedFamily ({ unsupported, sequence, stepper })', describe(family));
  }
  families.set(kind, family);
}

/** The fused path of cells of `kind`, if any. */
export function fusedFamily(kind: string): FusedFamily | undefined {
  return families.get(kind);
}

/** The kinds with a fused path. */
export function fusedKinds(): string[] {
  return [...families.keys()].sort();
}

/** Why `cell` cannot take the fused path (on `rt`, when given), or null when it can. */
export function unsupported(cell: Cell, rt?: KernelRuntime): string | null {
  const family = families.get(cell.kind);
  if (!family) return `a '${cell.kind}' cell (fused: ${[...families.keys()].join(', ')})`;
  return family.unsupported(cell, rt);
}
