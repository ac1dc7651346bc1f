/** `rxrnn eval --model <dir>`: held-out bits per character of a char model on Moby Dick. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { initBackend, setExpKernel } from '@rxrnn/core';
import { kernelExp } from '@rxrnn/kernels';
import { loadMobyDick, loadCharModel, evalBpc, splitCorpus } from '@rxrnn/text';
import { int } from '../arguments.js';

async function evalCommand(o: { model: string; batch: number; seq: number }): Promise<void> {
  await initBackend({ log: null });
  setExpKernel(kernelExp()); // the loss's exp on the kernels
  const { cell, codec, meta } = loadCharModel(o.model);
  try {
    const trainerJson = join(o.model, 'trainer.json');
    const fraction = existsSync(trainerJson) ? ((JSON.parse(readFileSync(trainerJson, 'utf8')).config?.validationFraction as number) ?? 0.05) : 0.05;
    const { validation } = splitCorpus(loadMobyDick(), fraction, codec);
    const t0 = performance.now();
    const bpc = evalBpc(cell, validation, { batch: o.batch, seq: o.seq });
    process.stdout.write(`${meta.name}: held-out bpc ${bpc.toFixed(4)} on ${validation.length} characters (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  } finally {
    cell.dispose();
  }
}

/** Add `eval` to `program`. */
export function registerEval(program: Command): Command {
  return program
    .command('eval')
    .description('held-out bits per character of a char model on Moby Dick')
    .requiredOption('--model <dir>', 'model directory')
    .option('--batch <n>', 'parallel streams', int('--batch'), 16)
    .option('--seq <n>', 'chunk length', int('--seq'), 100)
    .action((o) => evalCommand(o));
}
