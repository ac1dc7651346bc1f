/**
 * Write the bundled vector demo model, `models/demo-lstm/` (model.json + weights.safetensors):
 * an LSTM (4 → 32) with a dense read-out (32 → 4), fixed seeded weights, io `{ kind: 'vector' }`.
 * Untrained on purpose: it exists so the server and the demo page have a model to host whatever
 * else is in models/. Deterministic: running it again writes the same bytes.
 *
 *     npx tsx --conditions=@rxrnn/source tools/models/make-demo.ts [outDir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@rxrnn/core';
import { lstmCell, denseCell, stackCells, encodeModel } from '@rxrnn/cells';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = process.argv[2] ?? join(root, 'models', 'demo-lstm');

await initBackend({ log: null });
const cell = stackCells([lstmCell({ inputSize: 4, hiddenSize: 32, seed: 20241125 }), denseCell({ inputSize: 32, outputSize: 4, activation: 'tanh', seed: 7 })]);
const { json, weights } = encodeModel(cell, {
  name: 'demo-lstm',
  description: 'Demo vector model: LSTM(4→32) + dense tanh read-out (32→4), fixed seeded weights (untrained). Input [4] per step, output [4]; extras are the LSTM gates (0.i, 0.f, 0.g, 0.o) and cell state (0.c).',
  io: { kind: 'vector' },
  reproduce: 'npx tsx --conditions=@rxrnn/source tools/models/make-demo.ts',
});
cell.dispose();
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'model.json'), json);
writeFileSync(join(out, 'weights.safetensors'), weights);
console.log(`wrote ${out}/model.json and weights.safetensors (${weights.byteLength} bytes)`);
