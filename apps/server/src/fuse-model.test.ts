import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from } from 'rxjs';
import { recurrent, toFloat32, createRng } from '@rxrnn/core';
import { decodeModel, stackCells, embeddingCell, lstmCell, gruCell, denseCell } from '@rxrnn/cells';
import { expectNoLeaks, collect, expectClose } from '@rxrnn/testing';
import { fuseModel, loadConfig } from './index.js';

const models = join(import.meta.dirname, '../../../models');

describe('fuseModel', () => {
  it('serves the bundled demo model fused, with the tfjs outputs', async () => {
    const load = () => decodeModel(readFileSync(join(models, 'demo-lstm/model.json'), 'utf8'), new Uint8Array(readFileSync(join(models, 'demo-lstm/weights.safetensors')))).cell;
    const plain = load();
    const rng = createRng(3);
    const xs = Array.from({ length: 12 }, () => Array.from({ length: plain.inputSize }, () => rng.uniform(-1, 1)));
    const want = await collect(from(xs).pipe(recurrent(plain), toFloat32()));
    const { cell, fusedLayers } = fuseModel(load());
    expect(fusedLayers).toBeGreaterThan(0);
    const got = await expectNoLeaks(() => collect(from(xs).pipe(recurrent(cell), toFloat32())));
    got.forEach((g, t) => expectClose(g, want[t], 1e-5, 1e-5, `step ${t}`));
    plain.dispose();
    cell.dispose();
  });

  it('fuses the recurrent layers of a stack and keeps the others', async () => {
    const mk = () =>
      stackCells([
        embeddingCell({ vocabSize: 9, embeddingSize: 4, seed: 1 }),
        lstmCell({ inputSize: 4, hiddenSize: 6, seed: 2 }),
        gruCell({ inputSize: 6, hiddenSize: 5, seed: 3 }),
        denseCell({ inputSize: 5, outputSize: 9, seed: 4 }),
      ]);
    const plain = mk();
    const { cell, fusedLayers, layers } = fuseModel(mk());
    expect([fusedLayers, layers]).toEqual([2, 4]);
    const ids = [[1], [8], [3], [0], [5]];
    const want = await collect(from(ids).pipe(recurrent(plain), toFloat32()));
    const got = await collect(from(ids).pipe(recurrent(cell), toFloat32()));
    got.forEach((g, t) => expectClose(g, want[t], 1e-5, 1e-5, `step ${t}`));
    plain.dispose();
    cell.dispose();
  });

  it('is the default, and --no-fused turns it off', () => {
    expect(loadConfig([]).fused).toBe(true);
    expect(loadConfig(['--no-fused']).fused).toBe(false);
  });

  it('a config file can turn it (and the page) off without the flags undoing it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxrnn-cfg-'));
    const file = join(dir, 'server.json');
    writeFileSync(file, JSON.stringify({ fused: false, web: false }));
    const cfg = loadConfig(['--config', file], {});
    expect([cfg.fused, cfg.web]).toEqual([false, false]);
    expect(loadConfig(['--config', file, '--max-batch', '8'], {}).fused).toBe(false);
  });
});
