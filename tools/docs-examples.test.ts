/**
 * Docs with runnable examples: every script in docs/examples and every `<package>/docs/<name>.example.ts`
 * runs to completion, and the README's example is the same code as docs/examples/readme.ts.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

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
});
