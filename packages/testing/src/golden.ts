/**
 * Load a golden fixture: a safetensors file of named float32 tensors plus a JSON sidecar of
 * configuration, written by a generator in tools/goldens.
 */
import { readFileSync } from 'node:fs';
import { readSafetensors, type NamedArrays } from '@rxrnn/core';

export interface Golden<C = Record<string, unknown>> {
  config: C;
  tensors: NamedArrays;
}

/** Read `<base>.safetensors` and `<base>.json`. */
export function loadGolden<C = Record<string, unknown>>(base: string): Golden<C> {
  const tensors = readSafetensors(new Uint8Array(readFileSync(`${base}.safetensors`)));
  const config = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as C;
  return { config, tensors };
}
