/**
 * Docs with runnable examples: every script in docs/examples runs to completion, and the README's
 * example is the same code as docs/examples/readme.ts.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
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

  for (const file of readdirSync(join(root, 'docs/examples')).filter((f) => f.endsWith('.ts'))) {
    it(`docs/examples/${file} runs`, () => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@rxrnn/source', join(root, 'docs/examples', file)], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, RXRNN_BACKEND: 'wasm' },
      });
      expect(out.length).toBeGreaterThan(0);
    });
  }
});
