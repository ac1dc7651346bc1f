/**
 * "Composable library imports", proven: build the public packages, `npm pack` them, install the
 * tarballs into a scratch project outside the workspace (so nothing resolves to the sources),
 * import them as a user would and stream a sequence — the same numbers as in the workspace. The
 * native kernels' package compiles itself on install (node-gyp), as a user's install would.
 *
 * And the workspace itself after `npm ci`: its `prepare` script (which npm runs after installing)
 * builds every package's dist/, so a script run by plain `node` — no tsx, no `@rxrnn/source`
 * condition — imports @rxrnn/ws, @rxrnn/core and @rxrnn/cells. (Same file as the packing: both
 * write the packages' dist/, so they must not run at the same time.)
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { from } from 'rxjs';
import { readRows } from '@rxrnn/core';
import { lstmCell, lstm } from '@rxrnn/cells';
import { collect } from '@rxrnn/testing';
import { additiveAttention } from '@rxrnn/attention';
import { ntmCell, ntm } from '@rxrnn/memory';
import * as tf from '@tensorflow/tfjs';

const root = join(import.meta.dirname, '../..');
const PUBLIC = ['@rxrnn/core', '@rxrnn/kernels', '@rxrnn/kernels-native', '@rxrnn/cells', '@rxrnn/attention', '@rxrnn/memory'];
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

/** A tiny NTM, built the same way inside the packed install and here. */
const NTM = { inputSize: 3, outputSize: 2, memorySize: 8, memoryWidth: 4, controllerSize: 5, seed: 2 };

const script = `
const NTM = ${JSON.stringify(NTM)};
import { from, lastValueFrom, toArray } from 'rxjs';
import { initBackend, readRows } from '@rxrnn/core';
import { lstmCell, lstm, embeddingCell, denseCell, stackCells } from '@rxrnn/cells';
import { createParallelTrainer } from '@rxrnn/cells/parallel';
import { kernelsInfo } from '@rxrnn/kernels';
import { additiveAttention } from '@rxrnn/attention';
import { ntmCell, ntm } from '@rxrnn/memory';
import * as tf from '@tensorflow/tfjs';
const { name } = await initBackend({ log: null });
// two threads from the built package (the worker is dist/parallel/parallel-worker.js)
const model = stackCells([embeddingCell({ vocabSize: 5, embeddingSize: 3, seed: 1 }), lstmCell({ inputSize: 3, hiddenSize: 4, seed: 2 }), denseCell({ inputSize: 4, outputSize: 5, seed: 3 })]);
const trainer = createParallelTrainer({ cell: model, threads: 2, timeout: 60000 });
const ids = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1];
const step = trainer.trainBatch({ inputs: tf.tensor3d(ids.slice(0, 8), [4, 2, 1]), targets: tf.tensor2d(ids.slice(2, 10), [4, 2], 'int32') });
trainer.dispose();
const att = additiveAttention({ querySize: 3, keySize: 2, units: 4, seed: 5 });
const mem = att.precompute(tf.tensor3d([1, 0, 0, 1, 0.5, -0.5], [1, 3, 2]));
const alignment = Array.from(att.attend(tf.tensor2d([[0.1, -0.2, 0.3]]), mem).alignment.dataSync());
const memory = await lastValueFrom(from([[1, 0, 0], [0, 1, 0], [0, 0, 1]]).pipe(ntm(ntmCell(NTM)), readRows(), toArray()));
const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 7 });
const out = [];
from([[1, 0], [0, 1], [0.5, -0.5]]).pipe(lstm(cell), readRows()).subscribe({
  next: (y) => out.push(y),
  complete: () => console.log(JSON.stringify({ backend: name, fused: cell.fused === true, kernels: kernelsInfo()?.backend, out, alignment, memory, parallelLoss: step.loss })),
});
`;

describe('packed packages', () => {
  it('install from tarballs into a fresh project and stream a sequence', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'rxrnn-pack-'));
    try {
      const built = PUBLIC.filter((p) => p !== '@rxrnn/kernels-native'); // C sources, compiled when installed
      execFileSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'build', '-p', ...built, '--skip-nx-cache'], { cwd: root, stdio: 'pipe' });
      npm(['pack', '--pack-destination', scratch, ...PUBLIC.flatMap((p) => ['-w', p])], root);
      const tarballs = readdirSync(scratch).filter((f) => f.endsWith('.tgz'));
      expect(tarballs.length).toBe(PUBLIC.length);
      writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
      npm(['install', '--prefer-offline', '--no-save', '--omit=optional', ...tarballs.map((t) => `./${t}`)], scratch);
      writeFileSync(join(scratch, 'main.mjs'), script);
      const got = JSON.parse(execFileSync(process.execPath, ['main.mjs'], { cwd: scratch, encoding: 'utf8' }));
      expect(got.backend).toBe('wasm');
      expect(got.fused).toBe(true); // the kernels load from the installed @rxrnn/kernels
      // @rxrnn/kernels-native compiled itself with node-gyp when installed (x86-64 with g++)
      if (process.arch === 'x64' && process.env.RXRNN_NATIVE !== 'off') expect(got.kernels).toBe('native');
      expect(got.parallelLoss).toBeGreaterThan(1); // ≈ ln 5 for an untrained model: the worker answered
      expect(got.parallelLoss).toBeLessThan(2.5);
      const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 7 });
      const want = await collect(from([[1, 0], [0, 1], [0.5, -0.5]]).pipe(lstm(cell), readRows()));
      cell.dispose();
      expect(got.out).toEqual(want);
      const att = additiveAttention({ querySize: 3, keySize: 2, units: 4, seed: 5 });
      const alignment = tf.tidy(() => Array.from(att.attend(tf.tensor2d([[0.1, -0.2, 0.3]]), att.precompute(tf.tensor3d([1, 0, 0, 1, 0.5, -0.5], [1, 3, 2]))).alignment.dataSync()));
      att.dispose();
      expect(got.alignment).toEqual(alignment); // @rxrnn/attention from its tarball
      const ntmc = ntmCell(NTM);
      const memory = await collect(from([[1, 0, 0], [0, 1, 0], [0, 0, 1]]).pipe(ntm(ntmc), readRows()));
      ntmc.dispose();
      expect(got.memory).toEqual(memory); // @rxrnn/memory from its tarball
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('the workspace after npm ci', () => {
  it("plain node imports @rxrnn/ws, core and cells from the dist/ that the root's prepare script builds", async () => {
    const pj = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pj.scripts.prepare).toMatch(/^nx run-many -t build -p 'packages\/\*'/);
    npm(['run', 'prepare'], root); // what npm ci runs after installing (from Nx's cache when nothing changed)
    // A clean environment: no loaders or conditions inherited from the test runner.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_OPTIONS|VITEST|TSX)/.test(k)));
    const plainNode = (code: string) => execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, env, encoding: 'utf8' }).trim();
    for (const name of ['@rxrnn/ws', '@rxrnn/core', '@rxrnn/cells']) {
      const where = plainNode(`const m = await import('${name}'); console.log(Object.keys(m).length, import.meta.resolve('${name}'));`);
      expect(where).toMatch(new RegExp(`^\\d+ file://${root}/packages/${name.slice(7)}/dist/index\\.js$`));
      expect(Number(where.split(' ')[0])).toBeGreaterThan(5);
    }
    const ws = plainNode(`const { connect, createStreamServer } = await import('@rxrnn/ws'); console.log(typeof connect, typeof createStreamServer);`);
    expect(ws).toBe('function function');
    const out = plainNode(`
      import('@rxrnn/core').then(async ({ initBackend, readRows }) => {
        const { from } = await import('rxjs');
        const { lstmCell, lstm } = await import('@rxrnn/cells');
        await initBackend({ log: null });
        const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 7 });
        from([[1, 0], [0, 1], [0.5, -0.5]]).pipe(lstm(cell), readRows()).subscribe({ next: (y) => console.log(JSON.stringify(y)), complete: () => cell.dispose() });
      });`);
    const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 7 });
    const want = await collect(from([[1, 0], [0, 1], [0.5, -0.5]]).pipe(lstm(cell), readRows()));
    cell.dispose();
    expect(out.split('\n').map((l) => JSON.parse(l))).toEqual(want);
  }, 600_000); // a cold build of every package takes minutes on a busy 2-core machine
});
