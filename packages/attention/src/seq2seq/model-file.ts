/**
 * The file format of an encoder–decoder (`rxrnn.seq2seq/1`): a directory with
 *
 *     model.json           { format: 'rxrnn.seq2seq/1', name, description?, options: <Seq2SeqOptions,
 *                            attention by name, no cell factory>, io: <pipeline-specific, e.g.
 *                            { kind: 'translate', subwords: 'subwords.json', maxSourceTokens }>, training?: {…} }
 *     weights.safetensors  every tensor of `model.params` by its name (F32, or F16 with `{ dtype: 'F16' }`)
 *
 * `encodeSeq2seq` / `decodeSeq2seq` are pure (they work in browsers); `saveSeq2seq` / `loadSeq2seq`
 * read and write the directory (Node). Loading checks the document, then the weights' names and
 * shapes against the model the options build, with typed errors (E_FORMAT, E_MISSING_WEIGHT,
 * E_SHAPE); a failed load leaves nothing allocated.
 *
 * ```ts
 * await saveSeq2seq('models/dates', model, { name: 'dates', io: { kind: 'translate', chars: {…}, maxSourceTokens: 48 } });
 * const { model, meta } = await loadSeq2seq('models/dates');
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { readSafetensors, writeSafetensors, rxrnnError, ErrorCodes, describe, RxrnnError, type NamedArrays } from '@rxrnn/core';
import { seq2seqModel, type Seq2SeqModel, type Seq2SeqOptions } from './model.js';

export const SEQ2SEQ_FORMAT = 'rxrnn.seq2seq/1';

/** Options as stored: JSON-serialisable (attention by name, the default cell). */
export type Seq2SeqFileOptions = Omit<Seq2SeqOptions, 'attention' | 'cell'> & { attention?: 'additive' | 'concat' | 'dot' | 'general' | 'location' };

export interface Seq2SeqMeta {
  format: typeof SEQ2SEQ_FORMAT;
  name: string;
  description?: string;
  options: Seq2SeqFileOptions;
  /** How a pipeline turns text into ids and back (for translators: `{ kind: 'translate', … }`). */
  io?: Record<string, unknown>;
  /** How the model was trained (command, seed, results). */
  training?: Record<string, unknown>;
}

/** Encode a model as `{ json, weights }`. `dtype: 'F16'` halves the weights on disk. */
export function encodeSeq2seq(model: Seq2SeqModel, meta: Omit<Seq2SeqMeta, 'format' | 'options'>, options: { dtype?: 'F32' | 'F16' } = {}): { json: string; weights: Uint8Array } {
  const fn = 'encodeSeq2seq';
  if (!model || model.isDisposed) throw rxrnnError(ErrorCodes.DISPOSED, fn, 'model', 'a live seq2seq model', describe(model));
  if (!meta || typeof meta.name !== 'string' || meta.name === '') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'meta.name', 'a non-empty string', describe(meta?.name));
  const c = model.config;
  if (!['additive', 'concat', 'dot', 'general', 'location'].includes(c.attention)) {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'model', 'a model with a named attention (a factory cannot be saved)', describe(c.attention));
  }
  const opts: Seq2SeqFileOptions = {
    sourceVocab: c.sourceVocab, targetVocab: c.targetVocab, bos: c.bos, eos: c.eos, embeddingSize: c.embeddingSize, encoderSize: c.encoderSize,
    decoderSize: c.decoderSize, encoderLayers: c.encoderLayers, decoderLayers: c.decoderLayers, residualFrom: c.residualFrom,
    attention: c.attention as Seq2SeqFileOptions['attention'], maxSourceLength: c.maxSourceLength, maxTargetLength: c.maxTargetLength, seed: c.seed,
  };
  const doc: Seq2SeqMeta = { format: SEQ2SEQ_FORMAT, name: meta.name, ...(meta.description ? { description: meta.description } : {}), options: opts, ...(meta.io ? { io: meta.io } : {}), ...(meta.training ? { training: meta.training } : {}) };
  const tensors = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, { shape: v.shape.slice(), data: v.dataSync() as Float32Array }]));
  let weights = writeSafetensors(tensors, { format: SEQ2SEQ_FORMAT });
  if (options.dtype === 'F16') weights = toF16(weights);
  return { json: JSON.stringify(doc, null, 2) + '\n', weights };
}

/** Parse and check a model.json document (no allocation). */
export function parseSeq2seqMeta(json: string | Seq2SeqMeta): Seq2SeqMeta {
  const fn = 'decodeSeq2seq';
  let meta: Seq2SeqMeta;
  try {
    meta = typeof json === 'string' ? JSON.parse(json) : json;
  } catch (e) {
    throw rxrnnError(ErrorCodes.FORMAT, fn, 'json', 'a JSON model document', `unparseable JSON (${(e as Error).message})`);
  }
  if (!meta || typeof meta !== 'object' || meta.format !== SEQ2SEQ_FORMAT) throw rxrnnError(ErrorCodes.FORMAT, fn, 'json.format', `'${SEQ2SEQ_FORMAT}'`, describe(meta?.format));
  if (typeof meta.name !== 'string' || meta.name === '') throw rxrnnError(ErrorCodes.FORMAT, fn, 'json.name', 'a non-empty string', describe(meta.name));
  if (!meta.options || typeof meta.options !== 'object') throw rxrnnError(ErrorCodes.FORMAT, fn, 'json.options', 'the Seq2SeqOptions object', describe(meta.options));
  if (meta.io !== undefined && (meta.io === null || typeof meta.io !== 'object')) throw rxrnnError(ErrorCodes.FORMAT, fn, 'json.io', 'an object', describe(meta.io));
  return meta;
}

/**
 * Decode a model (owned by the caller) from its JSON and weights: the options build it (their own
 * checks: E_SIZE, E_ARGUMENT, E_UNKNOWN), then every parameter must be in the weights with its
 * shape (E_MISSING_WEIGHT, E_SHAPE), nothing else (E_MISSING_WEIGHT), every value finite (E_NONFINITE).
 */
export function decodeSeq2seq(json: string | Seq2SeqMeta, weights: Uint8Array): { meta: Seq2SeqMeta; model: Seq2SeqModel } {
  const fn = 'decodeSeq2seq';
  const meta = parseSeq2seqMeta(json);
  let tensors: NamedArrays;
  try {
    tensors = readSafetensors(weights);
  } catch (e) {
    if (e instanceof RxrnnError) throw rxrnnError(e.code, fn, 'weights (safetensors)', e.expected, e.received);
    throw e;
  }
  for (const [k, v] of Object.entries(tensors)) {
    for (let i = 0; i < v.data.length; i++) if (!Number.isFinite(v.data[i])) throw rxrnnError(ErrorCodes.NONFINITE, fn, `weights["${k}"]`, 'finite numbers', `${v.data[i]} at index ${i}`);
  }
  if ((meta.options as { cell?: unknown }).cell !== undefined) throw rxrnnError(ErrorCodes.FORMAT, fn, 'json.options.cell', 'absent (the default cell)', describe((meta.options as { cell?: unknown }).cell));
  const model = seq2seqModel(meta.options as Seq2SeqOptions);
  try {
    const expected = Object.keys(model.params).sort();
    const missing = expected.filter((k) => !(k in tensors));
    const extra = Object.keys(tensors).filter((k) => !(k in model.params)).sort();
    if (missing.length || extra.length) {
      throw rxrnnError(ErrorCodes.MISSING_WEIGHT, fn, 'weights', `exactly the ${expected.length} parameters of the model`, `${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `extra ${extra.join(', ')}` : ''}`);
    }
    for (const k of expected) {
      const want = model.params[k].shape;
      const got = tensors[k].shape;
      if (want.length !== got.length || want.some((d, i) => d !== got[i])) throw rxrnnError(ErrorCodes.SHAPE, fn, `weights["${k}"]`, `shape [${want.join(', ')}]`, `shape [${got.join(', ')}]`);
    }
    for (const k of expected) {
      const v = model.params[k];
      tf.tidy(() => v.assign(tf.tensor(tensors[k].data, v.shape, v.dtype)));
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { meta, model };
}

/** Write `model.json` and `weights.safetensors` into `dir` (created if missing). */
export async function saveSeq2seq(dir: string, model: Seq2SeqModel, meta: Omit<Seq2SeqMeta, 'format' | 'options'>, options: { dtype?: 'F32' | 'F16' } = {}): Promise<void> {
  const { json, weights } = encodeSeq2seq(model, meta, options);
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.safetensors'), weights);
  writeFileSync(join(dir, 'model.json'), json);
}

/** Read a directory written by {@link saveSeq2seq}. E_ARGUMENT when a file is missing. */
export async function loadSeq2seq(dir: string): Promise<{ meta: Seq2SeqMeta; model: Seq2SeqModel }> {
  const { readFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  for (const f of ['model.json', 'weights.safetensors']) {
    if (!existsSync(join(dir, f))) throw rxrnnError(ErrorCodes.ARGUMENT, 'loadSeq2seq', 'dir', `a directory with ${f}`, describe(dir));
  }
  return decodeSeq2seq(readFileSync(join(dir, 'model.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'weights.safetensors'))));
}

/** Rewrite an F32 safetensors file as F16 (round to nearest even). */
function toF16(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const names = Object.keys(header).filter((k) => k !== '__metadata__').sort((a, b) => header[a].data_offsets[0] - header[b].data_offsets[0]);
  const out: Record<string, unknown> = header.__metadata__ ? { __metadata__: header.__metadata__ } : {};
  let offset = 0;
  for (const k of names) {
    const count = (header[k].data_offsets[1] - header[k].data_offsets[0]) / 4;
    out[k] = { dtype: 'F16', shape: header[k].shape, data_offsets: [offset, offset + 2 * count] };
    offset += 2 * count;
  }
  let json = JSON.stringify(out);
  while ((8 + new TextEncoder().encode(json).length) % 8 !== 0) json += ' ';
  const head = new TextEncoder().encode(json);
  const res = new Uint8Array(8 + head.length + offset);
  const w = new DataView(res.buffer);
  w.setBigUint64(0, BigInt(head.length), true);
  res.set(head, 8);
  let at = 8 + head.length;
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (const k of names) {
    for (let o = header[k].data_offsets[0]; o < header[k].data_offsets[1]; o += 4, at += 2) {
      f32[0] = view.getFloat32(base + o, true);
      w.setUint16(at, f32ToF16(u32[0]), true);
    }
  }
  return res;
}

function f32ToF16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  e = h; // rounding may carry into the exponent, which is still the right bits
  return sign | e;
}
