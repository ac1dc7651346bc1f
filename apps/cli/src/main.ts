#!/usr/bin/env node
/**
 * The rxrnn command line.
 *
 *     rxrnn train char-rnn --out models/char-rnn     # defaults: the shipped model's recipe (CHAR_RNN_RECIPE in @rxrnn/text)
 *     rxrnn train char-rnn --hidden 256 --steps 1000 --out /tmp/quick   # the recipe, smaller and shorter
 *     rxrnn sample --model models/char-rnn --prime "Call me" --temperature 0.8 --length 300
 *     rxrnn eval --model models/char-rnn
 *     rxrnn plot --model models/char-rnn
 *     rxrnn viz --model models/char-rnn --text chapter.txt --out viz/
 *     rxrnn study variants --quick --out /tmp/study
 */
import type { Command } from 'commander';
import { buildProgram } from './program.js';

const program: Command = buildProgram();
program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`rxrnn: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
