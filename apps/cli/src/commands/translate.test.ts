import { describe, it, expect, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildProgram } from '../program.js';

const DATES = join(import.meta.dirname, '../../../../models/dates');

async function run(args: string[]): Promise<string> {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    await buildProgram().exitOverride().parseAsync(['translate', '--model', DATES, ...args], { from: 'user' });
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  return out;
}

describe('rxrnn translate (the shipped dates model)', () => {
  it('translates --text greedily and with a beam, prints the alignment peaks, writes the heatmap SVG', async () => {
    expect(await run(['--text', 'Wednesday 25 November 2026'])).toBe('2026-11-25\n');
    expect(await run(['--text', '3/7/2001', '--beam', '4'])).toMatch(/^2001-0[37]-0[37]\n$/);
    const aligned = await run(['--text', '25 Nov 2026', '--align']);
    expect(aligned.split('\n')[0]).toBe('2026-11-25');
    expect(aligned).toMatch(/"2" ← "\d" @\d+/);
    const dir = mkdtempSync(join(tmpdir(), 'rxrnn-translate-'));
    try {
      await run(['--text', '25 Nov 2026', '--align', join(dir, 'a.svg')]);
      expect(readFileSync(join(dir, 'a.svg'), 'utf8')).toMatch(/^<svg/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad input and options: typed errors', async () => {
    await expect(run(['--text', '25 ☃ 2026'])).rejects.toMatchObject({ code: 'E_ARGUMENT', received: expect.stringContaining('"☃"') });
    await expect(run(['--text', '1'.repeat(49)])).rejects.toMatchObject({ code: 'E_SIZE' });
    await expect(run(['--text', '1 May 2001', '--beam', '1000'])).rejects.toMatchObject({ code: 'E_SIZE', arg: 'options.beam' });
  });
});
