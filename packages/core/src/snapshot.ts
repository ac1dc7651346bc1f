/**
 * Serialisable snapshots of a recurrent state, so a stream can pause, move between processes and
 * resume bit-identically. JSON-safe: float32 values survive a JSON round trip exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { Cell, State } from './cell.js';
import { rxrnnError, ErrorCodes, describe } from './errors.js';
import { toFloat32Checked } from './float32.js';
import { checkAllocation } from './memory-guard.js';

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

/** Each state entry's shape for one stream, without the batch dimension, by name: `{ h: [H], c: [H] }`. */
export type StateTemplate = Readonly<Record<string, readonly number[]>>;

/** A snapshot's values, validated and converted to float32; no tensor made. */
export interface SnapshotValues {
  batch: number;
  tensors: Record<string, { shape: number[]; data: Float32Array }>;
}

export interface RestoreOptions {
  /** The batch the snapshot must have (a server's stream: 1). Default: any; the data it carries bounds it. */
  batch?: number;
}

const templates = new WeakMap<Cell, StateTemplate>();

/**
 * A cell's {@link StateTemplate}, read once from `initialState(1)` (a batch of one, so its size is the
 * model's, never a caller's) and cached per cell.
 */
export function stateTemplate(cell: Cell): StateTemplate {
  let t = templates.get(cell);
  if (!t) {
    const st = cell.initialState(1);
    t = Object.freeze(Object.fromEntries(Object.entries(st).map(([k, v]) => [k, Object.freeze(v.shape.slice(1))])));
    for (const v of Object.values(st)) v.dispose();
    templates.set(cell, t);
  }
  return t;
}

/** A client-given name, short enough for an error message. */
const quote = (name: string) => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
/** A list of names for an error message: at most 8, each shortened. */
const listNames = (names: string[]) => (names.length > 8 ? `${names.slice(0, 8).map(quote).join(', ')} and ${names.length - 8} more` : names.map(quote).join(', '));
const isDim = (d: unknown): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0;

/**
 * Check every field of a snapshot against the model before anything is allocated, and return its
 * values as float32. In order: format and version; `kind`; `batch` (a positive integer, equal to
 * `options.batch` when given); the entry names (those of `template`); each entry's shape
 * (`[batch, ...template[name]]`); its data length (the product of the shape); every value (a number,
 * finite once stored as float32: 1e308 is rejected). Without a template only the structure and the
 * values are checked. Errors: `E_FORMAT` (structure, kind, names, lengths), `E_SHAPE` (batch,
 * shapes), `E_DTYPE` / `E_NONFINITE` (values). Work and memory are bounded by the data it carries.
 *
 * ```ts
 * const { tensors } = readSnapshot('restore', snap, cell.kind, stateTemplate(cell), { batch: 1 });
 * ```
 */
export function readSnapshot(fn: string, snapshot: unknown, kind: string, template?: StateTemplate, options: RestoreOptions = {}): SnapshotValues {
  const s = snapshot as Partial<StateSnapshot> | null;
  if (!s || typeof s !== 'object' || s.format !== 'rxrnn.state' || s.version !== 1 || typeof s.tensors !== 'object' || s.tensors === null || Array.isArray(s.tensors)) {
    throw rxrnnError(ErrorCodes.FORMAT, fn, 'snapshot', 'an rxrnn.state snapshot of version 1', describe(snapshot));
  }
  if (s.kind !== kind) throw rxrnnError(ErrorCodes.FORMAT, fn, 'snapshot.kind', JSON.stringify(kind), typeof s.kind === 'string' ? quote(s.kind) : describe(s.kind));
  const batch = s.batch;
  if (typeof batch !== 'number' || !Number.isSafeInteger(batch) || batch < 1) throw rxrnnError(ErrorCodes.FORMAT, fn, 'snapshot.batch', 'a positive integer', describe(batch));
  if (options.batch !== undefined && batch !== options.batch) throw rxrnnError(ErrorCodes.SHAPE, fn, 'snapshot.batch', `${options.batch} (the batch it is restored into)`, `${batch}`);
  const entries = s.tensors as Record<string, unknown>;
  const names = Object.keys(entries);
  if (template) {
    const want = Object.keys(template).sort();
    const got = names.length === want.length ? names.slice().sort() : names;
    if (got.length !== want.length || got.some((n, i) => n !== want[i])) throw rxrnnError(ErrorCodes.FORMAT, fn, 'snapshot.tensors', `entries ${want.join(',')}`, `entries ${listNames(got)}`);
  }
  // Shapes and lengths of every entry first: no value is read (nor memory taken) for a snapshot that does not fit.
  for (const name of names) {
    const e = entries[name] as { shape?: unknown; data?: unknown } | null;
    const shape = e?.shape;
    const data = e?.data;
    const arg = `snapshot.tensors.${template ? name : quote(name)}`;
    if (!Array.isArray(shape) || !shape.every(isDim) || !(Array.isArray(data) || data instanceof Float32Array)) {
      throw rxrnnError(ErrorCodes.FORMAT, fn, arg, '{ shape, data } with data.length = product of shape', describe(e));
    }
    const rest = template?.[name];
    if (shape[0] !== batch || (rest && (shape.length !== rest.length + 1 || rest.some((d, i) => shape[i + 1] !== d)))) {
      const expected = rest ? `[${[batch, ...rest].join(', ')}]` : `[${batch}, …] (the snapshot's batch first)`;
      throw rxrnnError(ErrorCodes.SHAPE, fn, `${arg}.shape`, expected, shape.length > 8 ? `a shape of rank ${shape.length}` : `[${shape.join(', ')}]`);
    }
    if ((shape as number[]).reduce((a, b) => a * b, 1) !== data.length) {
      throw rxrnnError(ErrorCodes.FORMAT, fn, arg, '{ shape, data } with data.length = product of shape', `shape [${shape.join(', ')}] with ${data.length} values`);
    }
  }
  // (Object.fromEntries makes own properties, even of a name like "__proto__".)
  const tensors = Object.fromEntries(
    names.map((name) => {
      const { shape, data } = entries[name] as { shape: number[]; data: ArrayLike<unknown> };
      const arg = `snapshot.tensors.${template ? name : quote(name)}`;
      checkAllocation(fn, arg, data.length);
      return [name, { shape: shape.slice(), data: toFloat32Checked(fn, `${arg}.data`, data) }];
    }),
  );
  return { batch, tensors };
}

/**
 * Rebuild a state from a snapshot, checked against the state `like` (a cell, or its
 * {@link StateTemplate}) would create, before any tensor is made (see {@link readSnapshot}).
 *
 * ```ts
 * const state = restoreState('resume', snap, cell.kind, cell, { batch: 1 });
 * ```
 */
export function restoreState(fn: string, snapshot: unknown, kind: string, like?: Cell | StateTemplate, options: RestoreOptions = {}): State {
  const template = like === undefined ? undefined : isCell(like) ? stateTemplate(like) : like;
  const { tensors } = readSnapshot(fn, snapshot, kind, template, options);
  const out: [string, tf.Tensor][] = [];
  try {
    for (const [name, { shape, data }] of Object.entries(tensors)) out.push([name, tf.tensor(data, shape)]);
  } catch (e) {
    for (const [, t] of out) t.dispose();
    throw e;
  }
  return Object.fromEntries(out);
}

function isCell(v: Cell | StateTemplate): v is Cell {
  return typeof (v as Cell).initialState === 'function';
}

/** Dispose every tensor of `old` that is not also in `keep`. */
export function disposeStateExcept(old: State | null | undefined, keep?: State | null): void {
  if (!old) return;
  const kept = keep ? new Set(Object.values(keep)) : null;
  for (const t of Object.values(old)) if (!kept?.has(t)) t.dispose();
}
