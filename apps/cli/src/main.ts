#!/usr/bin/env node
/**
 * The rxrnn command line.
 *
 *     rxrnn train char-rnn [--hidden 256 --layers 1 --steps 1000 --seq 64 --batch 32 --lr 3e-3 --seed 1 --out models/char-rnn]
 *     rxrnn sample --model models/char-rnn --prime "Call me" --temperature 0.8 --length 300
 *     rxrnn eval --model models/char-rnn
 *     rxrnn plot --model models/char-rnn
 */
import type { Command } from 'commander';
import { buildProgram } from './program.js';

const program: Command = buildProgram();
program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`rxrnn: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
