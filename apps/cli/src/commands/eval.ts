/**
 * `rxrnn eval --model <dir> [--split validation|test]`: bits per character of a char model on a part of
 * Moby Dick's held-out tail — `validation` (its first half, for choosing runs; the default) or `test`
 * (its second half, reported once for a chosen model).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { initBackend, setExpKernel } from '@rxrnn/core';
import { kernelExp } from '@rxrnn/kernels';
import { loadMobyDick, loadCharModel, evalBpc, splitCorpus } from '@rxrnn/text';
import { int } from '../arguments.js';

type Split = 'validation' | 'test' | 'held-out';

async function evalCommand(o: { model: string; batch: number; seq: number; split: Split }): Promise<void> {
  await initBackend({ log: null });
  setExpKernel(kernelExp()); // the loss's exp on the kernels
  const { cell, codec, meta } = loadCharModel(o.model);
  try {
    const trainerJson = join(o.model, 'trainer.json');
    const fraction = existsSync(trainerJson) ? ((JSON.parse(readFileSync(trainerJson, 'utf8')).config?.validationFraction as number) ?? 0.05) : 0.05;
    const split = splitCorpus(loadMobyDick(), fraction, codec);
    const ids = o.split === 'held-out' ? split.heldOut : split[o.split];
    const t0 = performance.now();
    const bpc = evalBpc(cell, ids, { batch: o.batch, seq: o.seq });
    process.stdout.write(`${meta.name}: ${o.split} bpc ${bpc.toFixed(4)} on ${ids.length} characters (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  } finally {
    cell.dispose();
  }
}

/** Add `eval` to `program`. */
export function registerEval(program: Command): Command {
  return program
    .command('eval')
    .description('bits per character of a char model on Moby Dick\'s held-out tail: its validation half (choosing runs) or its test half (reported once)')
    .requiredOption('--model <dir>', 'model directory')
    .option('--batch <n>', 'parallel streams', int('--batch'), 16)
    .option('--seq <n>', 'chunk length', int('--seq'), 100)
    .addOption(new Option('--split <part>', 'which part of the held-out tail').choices(['validation', 'test', 'held-out']).default('validation'))
    .action((o) => evalCommand(o));
}
