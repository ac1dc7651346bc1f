/**
 * Hosting: each model's cell, its batcher (the streams of a model step together), and its io
 * adapter — given on the model, or made for a declared `io` by the built-in vector adapter. The
 * adapters' names extend the protocol's grammar; the server asks them, never a model kind.
 *
 * A session model (`{ name, session }`, a {@link SessionAdapter}) has no cell and no batcher: each
 * input of its streams becomes one queued operation whose work is the adapter's Observable (an
 * encoder–decoder's whole search), run per stream in order (see docs/protocol.md, "Session models").
 */
import { createBatcher, isModelAdapter, isSessionAdapter, rxrnnError, vectorAdapter, ErrorCodes, describe, type Batcher, type Cell, type IoField, type IoRow, type ModelAdapter, type SessionAdapter } from '@rxrnn/core';
import { TRANSPORT_OPTIONS, type ModelInfo } from '../protocol.js';
import { V1_GRAMMAR, extendGrammar, type Grammar } from '../parse.js';
import type { ServerOptions } from '../options.js';

/** A session model to host: its adapter (a SessionAdapter of @rxrnn/core; the caller owns its model). */
export interface HostedSessionModel {
  name: string;
  session: SessionAdapter;
  description?: string;
}

/** A cell model or a session model. */
export type AnyHostedModel = HostedModel | HostedSessionModel;

/** A model to host: a cell (owned by the caller, not disposed by the server) and its io. */
export interface HostedModel {
  name: string;
  cell: Cell;
  /**
   * The model's io adapter (`ModelAdapter` of @rxrnn/core: `charAdapter` of @rxrnn/text for char
   * models…), or the `io` its model file declares when that is `{ kind: 'vector' }` (the default).
   */
  io?: ModelAdapter | Readonly<Record<string, unknown>>;
  description?: string;
}

/** What a batcher carries with each input: whose step it is, and when its input arrived. */
export interface Tag<S> {
  stream: S;
  row: IoRow;
  t0: number;
}

/** A hosted model; `S` is the server's stream type (a type parameter keeps this module below stream.ts). */
export interface Hosted<S = unknown> {
  readonly info: ModelInfo;
  /** A cell model's cell, adapter and batcher (null for a session model). */
  readonly cell: Cell | null;
  readonly adapter: ModelAdapter | null;
  readonly batcher: Batcher<Tag<S>> | null;
  /** A session model's adapter (null for a cell model). */
  readonly session: SessionAdapter | null;
  /** Streams with an input in the batcher. */
  readonly inFlight: Set<S>;
}

export interface Hosting<S = unknown> {
  readonly models: ReadonlyMap<string, Hosted<S>>;
  readonly infos: ModelInfo[];
  /** rxrnn.v1's grammar plus the names the adapters declare. */
  readonly grammar: Grammar;
}

const FN = 'createStreamServer';

function adapterOf(m: HostedModel, i: number): ModelAdapter {
  if (isModelAdapter(m.io)) return m.io;
  const io = m.io ?? { kind: 'vector' };
  if (io.kind === 'vector') return vectorAdapter(io, { name: m.name, inputSize: m.cell.inputSize, outputSize: m.cell.outputSize });
  throw rxrnnError(ErrorCodes.ARGUMENT, FN, `models[${i}].io`, `an io adapter for kind ${JSON.stringify(io.kind)} (a ModelAdapter, e.g. charAdapter of @rxrnn/text for "char"), or { kind: 'vector' }`, describe(io));
}

/** The wire checks of an adapter's names that rxrnn.v1 does not define. */
function extensions(a: Pick<ModelAdapter, 'inputs' | 'options' | 'fields'> & { loops?: ModelAdapter['loops'] }, name: string) {
  const need = (names: readonly string[], known: ReadonlyMap<string, IoField>, what: string) => {
    const out: Record<string, IoField> = {};
    for (const n of names) {
      if (known.has(n)) continue;
      const spec = a.fields?.[n];
      if (!spec || typeof spec.check !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, FN, `${name}.io.fields.${n}`, `a wire check ({ check, expected }) for its ${what} ${JSON.stringify(n)}`, describe(spec));
      if ((TRANSPORT_OPTIONS as readonly string[]).includes(n)) throw rxrnnError(ErrorCodes.ARGUMENT, FN, `${name}.io`, 'option names other than the transport’s own', JSON.stringify(n));
      out[n] = spec;
    }
    return out;
  };
  return {
    inputs: need(a.inputs, V1_GRAMMAR.inputs, 'input field'),
    options: need(a.options, V1_GRAMMAR.options, 'open option'),
    loopOptions: need(Object.values(a.loops ?? {}).flat(), V1_GRAMMAR.loopOptions, 'loop option'),
  };
}

export function hostModels<S>(models: readonly AnyHostedModel[], opts: ServerOptions): Hosting<S> {
  if (!Array.isArray(models) || models.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, FN, 'models', 'a non-empty array of { name, cell, io? }', describe(models));
  const hosted = new Map<string, Hosted<S>>();
  let grammar = V1_GRAMMAR;
  for (const [i, m] of models.entries()) {
    if (hosted.has(m?.name)) throw rxrnnError(ErrorCodes.ARGUMENT, FN, `models[${i}].name`, 'a unique name', JSON.stringify(m.name));
    if (m && typeof m.name === 'string' && !('cell' in m && m.cell) && 'session' in m && isSessionAdapter(m.session)) {
      const a = m.session;
      grammar = extendGrammar(grammar, extensions(a, m.name));
      hosted.set(m.name, { info: { name: m.name, description: m.description, kind: a.modelKind, inputSize: 0, outputSize: 0, io: a.info }, cell: null, adapter: null, batcher: null, session: a, inFlight: new Set() });
      continue;
    }
    if (!m || typeof m.name !== 'string' || !('cell' in m) || !m.cell || typeof m.cell.step !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, FN, `models[${i}]`, '{ name, cell, io? } or { name, session }', describe(m));
    const adapter = adapterOf(m, i);
    grammar = extendGrammar(grammar, extensions(adapter, m.name));
    hosted.set(m.name, {
      info: { name: m.name, description: m.description, kind: m.cell.kind, inputSize: m.cell.inputSize, outputSize: m.cell.outputSize, io: adapter.info },
      cell: m.cell,
      adapter,
      batcher: createBatcher<Tag<S>>(m.cell, { maxBatch: opts.maxBatch, maxQueue: 1 }),
      session: null,
      inFlight: new Set(),
    });
  }
  return { models: hosted, infos: [...hosted.values()].map((h) => h.info), grammar };
}
