import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from } from 'rxjs';
import { recurrent, toFloat32, createRng } from '@rxrnn/core';
import { expectNoLeaks, collect, expectClose } from '@rxrnn/testing';
import { loadConfig, loadModels, isCellModel, disposeServed } from './index.js';
import type { HostedModel } from '@rxrnn/ws';

const models = join(import.meta.dirname, '../../../models');

describe('fused models', () => {
  it('serves the bundled models on the fused kernels, with the plain tfjs outputs (--no-fused)', async () => {
    const allFused = loadModels(models);
    const allPlain = loadModels(models, { fused: false });
    const fused = allFused.filter(isCellModel); // session models (translators) have no cell to fuse
    const plain = allPlain.filter(isCellModel);
    const layers = (m: HostedModel) => ((m.cell.config as { layers?: unknown[] }).layers ?? [m.cell.config]).length;
    for (const [i, m] of fused.entries()) {
      const p = plain[i];
      expect(p.name).toBe(m.name);
      const recurrentKinds = ((m.cell.config as { layers?: { kind: string }[] }).layers ?? []).filter((l) => ['lstm', 'gru', 'rnn'].includes(l.kind)).length;
      expect(recurrentKinds).toBeGreaterThan(0);
      expect(layers(m)).toBe(layers(p));
      const rng = createRng(3);
      const xs = m.io?.kind === 'char' ? Array.from({ length: 12 }, () => [rng.int(20)]) : Array.from({ length: 12 }, () => Array.from({ length: m.cell.inputSize }, () => rng.uniform(-1, 1)));
      const want = await collect(from(xs).pipe(recurrent(p.cell), toFloat32()));
      const got = await expectNoLeaks(() => collect(from(xs).pipe(recurrent(m.cell), toFloat32())));
      got.forEach((g, t) => expectClose(g, want[t], 1e-5, 1e-5, `${m.name} step ${t}`));
      // the fused stack also runs a whole chunk (what training uses), the plain one does not fuse
      expect(typeof m.cell.sequence).toBe('function');
    }
    [...allFused, ...allPlain].forEach(disposeServed);
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
