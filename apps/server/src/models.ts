/** Load every model of a directory: `<dir>/<name>/model.json` + `<dir>/<name>/weights.safetensors`. */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { rxrnnError, ErrorCodes } from '@rxrnn/core';
import { decodeModel } from '@rxrnn/cells';
import type { HostedModel } from '@rxrnn/ws';
import { withAdapters } from './adapters.js';

/**
 * Each model's io is its kind's adapter (see adapters.ts). `fused` (default true): the recurrent layers (LSTM, GRU, RNN) step on the fused kernels (native or WebAssembly)
 * of @rxrnn/kernels, as the cells of @rxrnn/cells do by default; false builds them on plain tfjs ops.
 */
export function loadModels(dir: string, options: { fused?: boolean } = {}): HostedModel[] {
  const fused = options.fused ?? true;
  if (!existsSync(dir)) throw rxrnnError(ErrorCodes.ARGUMENT, 'loadModels', 'dir', 'an existing models directory', dir);
  const out: HostedModel[] = [];
  try {
    for (const name of readdirSync(dir).sort()) {
      const json = join(dir, name, 'model.json');
      const weights = join(dir, name, 'weights.safetensors');
      if (!existsSync(json) || !existsSync(weights)) continue;
      const decoded = decodeModel(readFileSync(json, 'utf8'), new Uint8Array(readFileSync(weights)), { fused: fused ? { enabled: true } : false });
      const { meta, cell } = decoded;
      out.push(...withAdapters([{ name: meta.name ?? name, cell, io: meta.io ?? { kind: 'vector' }, description: meta.description }]));
    }
  } catch (e) {
    for (const m of out) m.cell.dispose();
    throw e;
  }
  if (out.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, 'loadModels', 'dir', 'a directory with at least one <name>/model.json + weights.safetensors', dir);
  return out;
}
