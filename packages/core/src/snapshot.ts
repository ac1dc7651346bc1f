/**
 * Serialisable snapshots of a recurrent state, so a stream can pause, move between processes and
 * resume bit-identically. JSON-safe: float32 values survive a JSON round trip exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { State } from './cell.js';
import { rxrnnError, ErrorCodes, describe } from './errors.js';

export interface StateSnapshot {
  format: 'rxrnn.state';
  version: 1;
  /** The cell kind the state belongs to. */
  kind: string;
  batch: number;
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

/** Read a state of batch size `batch` back into a snapshot (one read-back per tensor). Does not dispose the state. */
export function snapshotState(kind: string, state: State, batch: number): StateSnapshot {
  const tensors: StateSnapshot['tensors'] = {};
  for (const [name, t] of Object.entries(state)) {
    tensors[name] = { shape: t.shape.slice(), data: Array.from(t.dataSync()) };
  }
  return { format: 'rxrnn.state', version: 1, kind, batch, tensors };
}

/** Rebuild a state from a snapshot, checked against the state a cell would create. */
export function restoreState(fn: string, snapshot: unknown, kind: string, like?: (batch: number) => State): State {
  const s = snapshot as Partial<StateSnapshot> | null;
  if (!s || typeof s !== 'object' || s.format !== 'rxrnn.state' || s.version !== 1 || typeof s.tensors !== 'object' || s.tensors === null) {
    throw rxrnnError(ErrorCodes.FORMAT, fn, 'snapshot', 'an rxrnn.state snapshot of version 1', describe(snapshot));
  }
  if (s.kind !== kind) throw rxrnnError(ErrorCodes.FORMAT, fn, 'snapshot.kind', JSON.stringify(kind), JSON.stringify(s.kind));
  const batch = s.batch;
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1) throw rxrnnError(ErrorCodes.FORMAT, fn, 'snapshot.batch', 'a positive integer', describe(batch));
  let reference: State | undefined;
  const out: Record<string, tf.Tensor> = {};
  try {
    if (like) reference = like(batch);
    const names = Object.keys(s.tensors);
    if (reference) {
      const want = Object.keys(reference).sort().join(',');
      if (names.slice().sort().join(',') !== want) throw rxrnnError(ErrorCodes.FORMAT, fn, 'snapshot.tensors', `entries ${want}`, `entries ${names.sort().join(',')}`);
    }
    for (const name of names) {
      const e = s.tensors[name] as { shape?: unknown; data?: unknown };
      const shape = e?.shape;
      const data = e?.data;
      const expectedShape = reference?.[name]?.shape;
      if (!Array.isArray(shape) || !Array.isArray(data) || shape.reduce((a: number, b: number) => a * b, 1) !== data.length) {
        throw rxrnnError(ErrorCodes.FORMAT, fn, `snapshot.tensors.${name}`, '{ shape, data } with data.length = product of shape', describe(e));
      }
      if (expectedShape && expectedShape.join(',') !== shape.join(',')) {
        throw rxrnnError(ErrorCodes.SHAPE, fn, `snapshot.tensors.${name}.shape`, `[${expectedShape.join(', ')}]`, `[${shape.join(', ')}]`);
      }
      for (let i = 0; i < data.length; i++) {
        if (typeof data[i] !== 'number' || !Number.isFinite(data[i])) throw rxrnnError(ErrorCodes.NONFINITE, fn, `snapshot.tensors.${name}.data`, 'finite numbers', `${describe(data[i])} at index ${i}`);
      }
      out[name] = tf.tensor(Float32Array.from(data as number[]), shape as number[]);
    }
    return out;
  } catch (e) {
    for (const t of Object.values(out)) t.dispose();
    throw e;
  } finally {
    if (reference) for (const t of Object.values(reference)) t.dispose();
  }
}

/** Dispose every tensor of `old` that is not also in `keep`. */
export function disposeStateExcept(old: State | null | undefined, keep?: State | null): void {
  if (!old) return;
  const kept = keep ? new Set(Object.values(keep)) : null;
  for (const t of Object.values(old)) if (!kept?.has(t)) t.dispose();
}
