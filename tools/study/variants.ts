/**
 * The LSTM variant study as a script — the same runner as `rxrnn study variants` (see
 * packages/experiments/src/study/study-command.ts for the options):
 *
 *     npx tsx --conditions=@rxrnn/source tools/study/variants.ts [--quick] [--seeds N] [--steps N] [--out docs/study]
 *
 * Long: run it in the background (`nice -n 10 nohup … > study.log 2>&1 &`).
 */
import { Command } from 'commander';
import { registerStudy } from '@rxrnn/experiments';

const args = process.argv.slice(2);
const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
const program = new Command('rxrnn').exitOverride();
registerStudy(program, { command: ['npx tsx --conditions=@rxrnn/source tools/study/variants.ts', ...args.map(quote)].join(' ') });
await program.parseAsync(['study', 'variants', ...args], { from: 'user' });
