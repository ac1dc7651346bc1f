/**
 * The rxrnn model format: a JSON document and a safetensors file of weights.
 *
 *     models/<name>/model.json          { format: 'rxrnn.model', version: 1, name, description,
 *                                         cell: <cell config>, io: <pipeline-specific>, metrics?, reproduce? }
 *     models/<name>/weights.safetensors named F32 tensors, names = cell.params keys
 *
 * `io` describes how a pipeline turns user data into steps and back (e.g. a char model's
 * vocabulary); `reproduce` is the command that trains the model from scratch. Pure (no fs): it
 * works in browsers; apps read the files.
 */
import { readSafetensors, writeSafetensors, rxrnnError, ErrorCodes, describe, type Cell, type CellConfig } from '@rxrnn/core';
import { cellFromConfig, cellWeights, type BuildOptions } from './cell-registry.js';

export interface ModelMeta {
  format: 'rxrnn.model';
  version: 1;
  name: string;
  description?: string;
  cell: CellConfig;
  io?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  reproduce?: string;
}

/** Encode a cell and its metadata as `{ json, weights }` (a JSON string and safetensors bytes). */
export function encodeModel(cell: Cell, meta: Omit<ModelMeta, 'format' | 'version' | 'cell'>): { json: string; weights: Uint8Array } {
  const doc: ModelMeta = { format: 'rxrnn.model', version: 1, ...meta, cell: cell.config };
  return { json: JSON.stringify(doc, null, 2) + '\n', weights: writeSafetensors(cellWeights(cell), { format: 'rxrnn.model' }) };
}

/**
 * Decode a model: rebuild its cell (owned by the caller) from the JSON and the weights' bytes.
 * `options.fused` (default true): the layers the kernels cover run fused; `false` builds plain tfjs
 * steps; a kernels config picks the kernels.
 *
 * ```ts
 * const { meta, cell } = decodeModel(json, weights, { fused: false });
 * ```
 */
export function decodeModel(json: string | ModelMeta, weights: Uint8Array, options: BuildOptions = {}): { meta: ModelMeta; cell: Cell } {
  let meta: ModelMeta;
  try {
    meta = typeof json === 'string' ? JSON.parse(json) : json;
  } catch (e) {
    throw rxrnnError(ErrorCodes.FORMAT, 'decodeModel', 'json', 'a JSON model document', `unparseable JSON (${(e as Error).message})`);
  }
  if (!meta || meta.format !== 'rxrnn.model' || meta.version !== 1) {
    throw rxrnnError(ErrorCodes.FORMAT, 'decodeModel', 'json', "{ format: 'rxrnn.model', version: 1, … }", describe(meta));
  }
  const tensors = readSafetensors(weights);
  const cell = cellFromConfig(meta.cell, Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, { shape: v.shape, data: v.data }])), options);
  const expected = Object.keys(cell.params).sort();
  const got = Object.keys(tensors).sort();
  const missing = expected.filter((k) => !got.includes(k));
  const extra = got.filter((k) => !expected.includes(k));
  if (missing.length || extra.length) {
    cell.dispose();
    throw rxrnnError(ErrorCodes.MISSING_WEIGHT, 'decodeModel', 'weights', `exactly the parameters ${expected.join(', ')}`, `${missing.length ? `missing ${missing.join(', ')}` : ''}${extra.length ? ` extra ${extra.join(', ')}` : ''}`);
  }
  return { meta, cell };
}
