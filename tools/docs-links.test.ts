/**
 * Cited files must exist: every relative link and image in the repository's markdown (README, docs/,
 * package and app READMEs, models' READMEs, results files) points at a file or folder that is in the
 * repository, and a `#section` points at a heading of the linked page.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';

const root = join(import.meta.dirname, '..');

function markdownFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    if (['node_modules', 'dist', '.git', '.nx', 'tmp', 'artifacts'].includes(f)) continue;
    const p = join(dir, f);
    if (statSync(p).isDirectory()) markdownFiles(p, out);
    else if (f.endsWith('.md')) out.push(p);
  }
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');

const anchors = (file: string) => new Set([...readFileSync(file, 'utf8').matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1])));

describe('links in the docs', () => {
  it('every relative link and image points at a file in the repository (and an existing heading)', () => {
    const problems: string[] = [];
    for (const file of markdownFiles(root)) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue; // http:, https:, mailto:
        const [path, anchor] = target.split('#');
        const abs = path ? join(dirname(file), decodeURIComponent(path)) : file;
        const where = `${relative(root, file)} → ${target}`;
        if (!existsSync(abs)) problems.push(`${where}: no such file`);
        else if (anchor && abs.endsWith('.md') && !anchors(abs).has(anchor)) problems.push(`${where}: no such heading`);
      }
    }
    expect(problems).toEqual([]);
  });
});
