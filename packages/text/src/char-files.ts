/**
 * Char-rnn on disk (Node): a model directory in the rxrnn model format plus what resuming needs.
 *
 *     <dir>/model.json            model format: cell config, io { kind: 'char', vocab, unknown }, metrics, reproduce
 *     <dir>/weights.safetensors   the weights
 *     <dir>/trainer.json          trainer checkpoint: step, lr, seed, RNG position, optimiser spec, run config
 *     <dir>/trainer.safetensors   optimiser slots and the carried state (`carried.<key>`)
 *     <dir>/curve.json            the training curve (train and held-out bpc per step)
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors, rxrnnError, ErrorCodes, type Cell, type TrainerCheckpoint } from '@rxrnn/core';
import { encodeModel, decodeModel, type ModelMeta } from '@rxrnn/cells';
import { CharCodec, type CharIo } from './char-codec.js';
import type { CharRnnCheckpoint, CurvePoint } from './char-rnn.js';

/** Write a file atomically (write then rename), so a killed run never leaves half a checkpoint. */
function writeAtomic(path: string, data: string | Uint8Array): void {
  writeFileSync(path + '.tmp', data);
  renameSync(path + '.tmp', path);
}

export interface SaveCharRnnMeta {
  name?: string;
  description?: string;
  metrics?: Record<string, unknown>;
  reproduce?: string;
}

/** Save a checkpoint (model + trainer + curve) into `dir`. */
export function saveCharRnn(dir: string, ckpt: CharRnnCheckpoint, meta: SaveCharRnnMeta = {}): void {
  mkdirSync(dir, { recursive: true });
  const { json, weights } = encodeModel(ckpt.cell, {
    name: meta.name ?? 'char-rnn',
    description: meta.description ?? 'Character-level LSTM language model (embedding → LSTM → dense logits). Input: token id [B, 1]; output: logits [B, V].',
    io: ckpt.codec.io as unknown as Record<string, unknown>,
    metrics: meta.metrics,
    reproduce: meta.reproduce,
  });
  writeAtomic(join(dir, 'weights.safetensors'), weights);
  writeAtomic(join(dir, 'model.json'), json);
  const arrays: Record<string, { shape: number[]; data: Float32Array }> = { ...ckpt.trainer.arrays };
  if (ckpt.carried) for (const [k, v] of Object.entries(ckpt.carried)) arrays[`carried.${k}`] = v;
  writeAtomic(join(dir, 'trainer.safetensors'), writeSafetensors(arrays, { format: 'rxrnn.trainer' }));
  writeAtomic(join(dir, 'trainer.json'), JSON.stringify({ ...ckpt.trainer.json, config: ckpt.config }, null, 2) + '\n');
  writeAtomic(join(dir, 'curve.json'), JSON.stringify(ckpt.curve) + '\n');
}

/** Load a char model (cell owned by the caller) and its codec. */
export function loadCharModel(dir: string): { cell: Cell; codec: CharCodec; meta: ModelMeta } {
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(jsonPath)) throw rxrnnError(ErrorCodes.ARGUMENT, 'loadCharModel', 'dir', 'a model directory with model.json', JSON.stringify(dir));
  const { meta, cell } = decodeModel(readFileSync(jsonPath, 'utf8'), new Uint8Array(readFileSync(join(dir, 'weights.safetensors'))));
  if ((meta.io as { kind?: unknown } | undefined)?.kind !== 'char') {
    cell.dispose();
    throw rxrnnError(ErrorCodes.FORMAT, 'loadCharModel', 'model.json io', "{ kind: 'char', vocab, unknown }", JSON.stringify(meta.io ?? null));
  }
  return { cell, codec: new CharCodec(meta.io as unknown as CharIo), meta };
}

/** Load everything a resumed run needs from `dir`. */
export function loadCharRnnCheckpoint(dir: string): CharRnnCheckpoint {
  const { cell, codec } = loadCharModel(dir);
  try {
    const tj = JSON.parse(readFileSync(join(dir, 'trainer.json'), 'utf8')) as TrainerCheckpoint['json'] & { config: Record<string, unknown> };
    const all = readSafetensors(new Uint8Array(readFileSync(join(dir, 'trainer.safetensors'))));
    const arrays: TrainerCheckpoint['arrays'] = {};
    const carried: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [k, v] of Object.entries(all)) {
      const a = { shape: v.shape, data: Float32Array.from(v.data) };
      if (k.startsWith('carried.')) carried[k.slice(8)] = a;
      else arrays[k] = a;
    }
    const { config, ...json } = tj;
    const curve = JSON.parse(readFileSync(join(dir, 'curve.json'), 'utf8')) as CurvePoint[];
    return { cell, codec, trainer: { json, arrays }, carried: Object.keys(carried).length ? carried : null, curve, config };
  } catch (e) {
    cell.dispose();
    throw e;
  }
}
