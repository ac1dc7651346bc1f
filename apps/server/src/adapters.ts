/**
 * The io adapters this server knows, by the `io.kind` a model file declares: the vector adapter of
 * @rxrnn/core and the char adapter of @rxrnn/text. A new kind of model is served by adding its
 * pipeline package's adapter here; the stream server itself never changes.
 */
import { vectorAdapter, isModelAdapter, rxrnnError, ErrorCodes, type AdapterFactory } from '@rxrnn/core';
import { charAdapter } from '@rxrnn/text';
import type { HostedModel } from '@rxrnn/ws';
import type { ServedModel } from './served.js';

/** Adapter factories by io kind. */
export const ADAPTERS: Readonly<Record<string, AdapterFactory>> = Object.freeze({ vector: vectorAdapter, char: charAdapter });

/** Each model with its io as an adapter: declared `io` objects (default `{ kind: 'vector' }`) go through the factory of their kind. */
export function withAdapters<M extends ServedModel>(models: readonly M[], adapters: Readonly<Record<string, AdapterFactory>> = ADAPTERS): M[] {
  return models.map((m): M => {
    if (!('cell' in m) || isModelAdapter(m.io)) return m; // session models bring their adapter
    const io = m.io ?? { kind: 'vector' };
    const kind = String(io.kind);
    const make = Object.hasOwn(adapters, kind) ? adapters[kind] : undefined;
    if (!make) throw rxrnnError(ErrorCodes.UNKNOWN, 'withAdapters', `${m.name}: io.kind`, `one of ${Object.keys(adapters).join(', ')}`, JSON.stringify(io.kind));
    return { ...m, io: make(io, { name: m.name, inputSize: m.cell.inputSize, outputSize: m.cell.outputSize }) } as HostedModel as M;
  });
}
