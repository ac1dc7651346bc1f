import { describe, it, expect, vi } from 'vitest';
import { mkdtempSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pngSize } from '@rxrnn/text';
import { buildProgram } from './program.js';

describe('the rxrnn program', () => {
  it('has every command, one per file in commands/', () => {
    const program = buildProgram();
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(['train', 'sample', 'eval', 'plot', 'viz', 'study']);
    expect(program.commands.find((c) => c.name() === 'train')!.commands.map((c) => c.name())).toEqual(['char-rnn']);
    expect(program.commands.find((c) => c.name() === 'study')!.commands.map((c) => c.name())).toEqual(['variants']);
  });

  it('plot redraws a model directory\'s loss curve from its curve.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxrnn-plot-'));
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      copyFileSync(join(import.meta.dirname, '../../../models/char-rnn/curve.json'), join(dir, 'curve.json'));
      await buildProgram().exitOverride().parseAsync(['plot', '--model', dir], { from: 'user' });
      expect(readFileSync(join(dir, 'loss-curve.svg'), 'utf8')).toContain('char-rnn on Moby Dick');
      expect(pngSize(new Uint8Array(readFileSync(join(dir, 'loss-curve.png')))).width).toBeGreaterThan(1000); // 2× zoom
    } finally {
      write.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
