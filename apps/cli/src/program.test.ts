import { describe, it, expect, vi } from 'vitest';
import { mkdtempSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pngSize, CHAR_RNN_RECIPE } from '@rxrnn/text';
import { buildProgram } from './program.js';
import { reproduceCommand, type TrainCliOptions } from './commands/train.js';

describe('the rxrnn program', () => {
  it('has every command, one per file in commands/', () => {
    const program = buildProgram();
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(['train', 'sample', 'eval', 'plot', 'viz', 'translate', 'study']);
    expect(program.commands.find((c) => c.name() === 'train')!.commands.map((c) => c.name())).toEqual(['char-rnn']);
    expect(program.commands.find((c) => c.name() === 'study')!.commands.map((c) => c.name())).toEqual(['variants']);
  });

  it("train char-rnn's defaults are CHAR_RNN_RECIPE, and reproduce the shipped model (its model.json and README)", () => {
    const charRnn = buildProgram().commands.find((c) => c.name() === 'train')!.commands[0];
    const defaults = Object.fromEntries(charRnn.options.map((o) => [o.attributeName(), o.defaultValue])) as unknown as TrainCliOptions;
    const R = CHAR_RNN_RECIPE;
    expect(defaults).toMatchObject({ hidden: R.hiddenSize, embedding: R.embeddingSize, layers: R.layers, dropout: R.dropout, steps: R.steps, seq: R.seq, batch: R.batch, lr: R.lr, schedule: R.schedule, seed: R.seed, threads: R.threads, out: 'models/char-rnn' });
    expect(R).toMatchObject({ hiddenSize: 448, embeddingSize: 64, dropout: 0.1, steps: 7000, seq: 100, batch: 16, lr: 0.01, schedule: 'linear', lrMin: 0 });
    const shipped = join(import.meta.dirname, '../../../models/char-rnn');
    const reproduce = reproduceCommand(defaults);
    expect(JSON.parse(readFileSync(join(shipped, 'model.json'), 'utf8')).reproduce).toBe(reproduce);
    expect(readFileSync(join(shipped, 'README.md'), 'utf8')).toContain(reproduce);
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
