/** The `rxrnn` program: every command, one per file in commands/ (the variant study's from @rxrnn/experiments). */
import { Command } from 'commander';
import { registerStudy } from '@rxrnn/experiments';
import { registerTrain } from './commands/train.js';
import { registerSample } from './commands/sample.js';
import { registerEval } from './commands/eval.js';
import { registerPlot } from './commands/plot.js';
import { registerViz } from './commands/viz.js';
import { registerTranslate } from './commands/translate.js';

export function buildProgram(): Command {
  const program = new Command('rxrnn').description('rxrnn: recurrent neural networks as reactive streams').showHelpAfterError();
  registerTrain(program);
  registerSample(program);
  registerEval(program);
  registerPlot(program);
  registerViz(program);
  registerTranslate(program);
  registerStudy(program);
  return program;
}
