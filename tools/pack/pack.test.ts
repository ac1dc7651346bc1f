/**
 * "Composable library imports", proven: build the public packages, `npm pack` them, install the
 * tarballs into a scratch project outside the workspace (so nothing resolves to the sources),
 * import them as a user would and stream a sequence — the same numbers as in the workspace.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { from } from 'rxjs';
import { toArray } from '@rxrnn/core';
import { lstmCell, lstm } from '@rxrnn/cells';
import { collect } from '@rxrnn/testing';

const root = join(import.meta.dirname, '../..');
const PUBLIC = ['@rxrnn/core', '@rxrnn/kernels', '@rxrnn/cells'];
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

const script = `
import { from } from 'rxjs';
import { initBackend, toArray } from '@rxrnn/core';
import { lstmCell, lstm } from '@rxrnn/cells';
const { name } = await initBackend({ log: null });
const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 7 });
const out = [];
from([[1, 0], [0, 1], [0.5, -0.5]]).pipe(lstm(cell), toArray()).subscribe({
  next: (y) => out.push(y),
  complete: () => console.log(JSON.stringify({ backend: name, fused: cell.fused === true, out })),
});
`;

describe('packed packages', () => {
  it('install from tarballs into a fresh project and stream a sequence', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'rxrnn-pack-'));
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'build', '-p', ...PUBLIC, '--skip-nx-cache'], { cwd: root, stdio: 'pipe' });
      npm(['pack', '--pack-destination', scratch, ...PUBLIC.flatMap((p) => ['-w', p])], root);
      const tarballs = readdirSync(scratch).filter((f) => f.endsWith('.tgz'));
      expect(tarballs.length).toBe(PUBLIC.length);
      writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
      npm(['install', '--prefer-offline', '--no-save', '--omit=optional', ...tarballs.map((t) => `./${t}`)], scratch);
      writeFileSync(join(scratch, 'main.mjs'), script);
      const got = JSON.parse(execFileSync(process.execPath, ['main.mjs'], { cwd: scratch, encoding: 'utf8' }));
      expect(got.backend).toBe('wasm');
      expect(got.fused).toBe(true); // the WebAssembly kernels load from the installed @rxrnn/kernels
      const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 7 });
      const want = await collect(from([[1, 0], [0, 1], [0.5, -0.5]]).pipe(lstm(cell), toArray()));
      cell.dispose();
      expect(got.out).toEqual(want);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 300_000);
});
