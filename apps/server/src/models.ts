/**
 * Load every model of a directory: `<dir>/<name>/model.json` + `<dir>/<name>/weights.safetensors`.
 * A cell model (`format: 'rxrnn.model'`) is hosted with its kind's io adapter; an encoder–decoder
 * (`format: 'rxrnn.seq2seq/1'`) is hosted as a session model through its pipeline's adapter
 * (`translateAdapter` of @rxrnn/text for `io.kind: 'translate'`).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { rxrnnError, ErrorCodes, describe, type SessionAdapter } from '@rxrnn/core';
import { decodeModel } from '@rxrnn/cells';
import { decodeSeq2seq, SEQ2SEQ_FORMAT, type Seq2SeqMeta, type Seq2SeqModel } from '@rxrnn/attention';
import { translateAdapter } from '@rxrnn/text';
import { withAdapters } from './adapters.js';
import { disposeServed, type ServedModel, type ServedSessionModel } from './served.js';

/** Session adapters by `io.kind` of an rxrnn.seq2seq/1 model file. */
const SESSION_ADAPTERS: Readonly<Record<string, (model: Seq2SeqModel, meta: Seq2SeqMeta, dir: string) => SessionAdapter>> = Object.freeze({
  translate: (model, meta, dir) => {
    const io = meta.io!;
    const subwords = typeof io.subwords === 'string' ? readFileSync(join(dir, io.subwords), 'utf8') : undefined;
    return translateAdapter(model, io, { subwords });
  },
});

function loadSeq2seqServed(dir: string, name: string, json: string): ServedSessionModel {
  const { meta, model } = decodeSeq2seq(json, new Uint8Array(readFileSync(join(dir, 'weights.safetensors'))));
  try {
    const kind = String(meta.io?.kind);
    const make = Object.hasOwn(SESSION_ADAPTERS, kind) ? SESSION_ADAPTERS[kind] : undefined;
    if (!make) throw rxrnnError(ErrorCodes.UNKNOWN, 'loadModels', `${name}: io.kind`, `one of ${Object.keys(SESSION_ADAPTERS).join(', ')}`, describe(meta.io?.kind));
    return { name: meta.name ?? name, description: meta.description, session: make(model, meta, dir), model };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Each model's io is its kind's adapter (see adapters.ts). `fused` (default true): the recurrent layers (LSTM, GRU, RNN) step on the fused kernels (native or WebAssembly)
 * of @rxrnn/kernels, as the cells of @rxrnn/cells do by default; false builds them on plain tfjs ops.
 */
export function loadModels(dir: string, options: { fused?: boolean } = {}): ServedModel[] {
  const fused = options.fused ?? true;
  if (!existsSync(dir)) throw rxrnnError(ErrorCodes.ARGUMENT, 'loadModels', 'dir', 'an existing models directory', dir);
  const out: ServedModel[] = [];
  try {
    for (const name of readdirSync(dir).sort()) {
      const json = join(dir, name, 'model.json');
      const weights = join(dir, name, 'weights.safetensors');
      if (!existsSync(json) || !existsSync(weights)) continue;
      const text = readFileSync(json, 'utf8');
      if (text.includes(`"${SEQ2SEQ_FORMAT}"`)) {
        out.push(loadSeq2seqServed(join(dir, name), name, text));
        continue;
      }
      const decoded = decodeModel(text, new Uint8Array(readFileSync(weights)), { fused: fused ? { enabled: true } : false });
      const { meta, cell } = decoded;
      out.push(...withAdapters([{ name: meta.name ?? name, cell, io: meta.io ?? { kind: 'vector' }, description: meta.description }]));
    }
  } catch (e) {
    for (const m of out) disposeServed(m);
    throw e;
  }
  if (out.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, 'loadModels', 'dir', 'a directory with at least one <name>/model.json + weights.safetensors', dir);
  return out;
}
