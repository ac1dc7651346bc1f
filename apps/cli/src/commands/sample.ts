/** `rxrnn sample --model <dir>`: stream generated text from a char model to stdout. */
import type { Command } from 'commander';
import { initBackend } from '@rxrnn/core';
import { loadCharModel, sampleText } from '@rxrnn/text';
import { int, num } from '../arguments.js';

async function sampleCommand(o: { model: string; prime: string; temperature: number; length: number; seed: number }): Promise<void> {
  await initBackend({ log: null });
  const { cell, codec } = loadCharModel(o.model);
  process.stdout.write(o.prime);
  await new Promise<void>((resolve, reject) => {
    sampleText(cell, codec, { prime: o.prime, temperature: o.temperature, length: o.length, seed: o.seed }).subscribe({
      next: (c) => process.stdout.write(c),
      error: reject,
      complete: resolve,
    });
  }).finally(() => cell.dispose());
  process.stdout.write('\n');
}

/** Add `sample` to `program`. */
export function registerSample(program: Command): Command {
  return program
    .command('sample')
    .description('stream generated text from a char model')
    .requiredOption('--model <dir>', 'model directory')
    .option('--prime <text>', 'text to start from', 'Call me')
    .option('--temperature <t>', 'sampling temperature (0 = greedy)', num('--temperature'), 0.8)
    .option('--length <n>', 'characters to generate', int('--length'), 300)
    .option('--seed <n>', 'seed', (v) => num('--seed')(v), 0)
    .action((o) => sampleCommand(o));
}
