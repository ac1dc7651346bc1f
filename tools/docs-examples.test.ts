/**
 * Docs with runnable examples: every script in docs/examples and every `<package>/docs/<name>.example.ts`
 * runs to completion, the README's example is the same code as docs/examples/readme.ts, and the README's
 * client snippet streams from the server `npm start` runs (apps/server, on port 0) and exits.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, existsSync, mkdirSync, mkdtempSync, cpSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync, spawn } from 'node:child_process';

const root = join(import.meta.dirname, '..');
const code = (s: string) =>
  s
    .split('\n')
    .map((l) => l.replace(/\s*\/\/.*$/, '').trimEnd())
    .filter((l) => l && !l.startsWith('//'))
    .join('\n');

describe('docs examples', () => {
  it("the README's example is docs/examples/readme.ts", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = readme.match(/```ts\n([\s\S]*?)```/)![1];
    expect(code(block)).toBe(code(readFileSync(join(root, 'docs/examples/readme.ts'), 'utf8')));
  });

  const examples = [
    ...readdirSync(join(root, 'docs/examples')).filter((f) => f.endsWith('.ts')).map((f) => `docs/examples/${f}`),
    ...readdirSync(join(root, 'packages')).flatMap((p) => {
      const dir = join(root, 'packages', p, 'docs');
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.example.ts')).map((f) => `packages/${p}/docs/${f}`) : [];
    }),
  ];
  for (const file of examples) {
    it(`${file} runs`, () => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@rxrnn/source', join(root, file)], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, RXRNN_BACKEND: 'wasm' },
      });
      expect(out.length).toBeGreaterThan(0);
    });
  }

  it("the README's client snippet streams from the server and exits (it closes its connection)", async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("from '@rxrnn/ws'"))!;
    expect(block).toContain("connect('ws://127.0.0.1:8080/ws')");
    const models = mkdtempSync(join(tmpdir(), 'rxrnn-readme-models-'));
    cpSync(join(root, 'models/demo-lstm'), join(models, 'demo-lstm'), { recursive: true });
    const server = spawn(process.execPath, ['--import', 'tsx', '--conditions=@rxrnn/source', join(root, 'apps/server/src/main.ts'), '--port', '0', '--models', models, '--no-web'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, RXRNN_BACKEND: 'wasm' },
    });
    const dir = join(root, 'tmp');
    mkdirSync(dir, { recursive: true });
    const script = join(dir, `readme-client-${process.pid}.ts`); // inside the repository, so @rxrnn/ws resolves
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout!.on('data', (d) => {
          out += d;
          const m = /WebSocket\s+(ws:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        server.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
      });
      writeFileSync(script, block.replace('ws://127.0.0.1:8080/ws', url));
      // Exits by itself, or is killed after 60 s (and the test fails).
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@rxrnn/source', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      const ys = JSON.parse(out.replace(/'/g, '"')) as number[][];
      expect(ys.length).toBe(2); // one output per step
      for (const y of ys) expect(y.length).toBe(4);
    } finally {
      server.kill();
      rmSync(script, { force: true });
      rmSync(models, { recursive: true, force: true });
    }
  });
});
