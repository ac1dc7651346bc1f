/**
 * `npm run bench [-- --quick] [-- --threads 2] [-- --filter lstm] [-- --wasm-relaxed-simd] [-- --save]`
 *
 * Runs every row beside PyTorch in one invocation, interleaved (see harness.ts), and prints a
 * markdown table of median times and ratios (PyTorch time / rxrnn time; ≥ 1 means rxrnn is faster).
 * `--save` also writes tools/bench/results/<YYYY-MM-DD>.md with the command and machine details.
 */
import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { runBench } from './harness.js';

const program = new Command()
  .name('bench')
  .description('rxrnn vs PyTorch, side by side')
  .option('--quick', 'tiny shapes, few iterations (a smoke run of seconds)', false)
  .option('--threads <n>', 'PyTorch threads, and the threads of the rxrnn parallel-trainer row (other rxrnn rows use one)', '1')
  .option('--filter <text>', 'only rows whose name contains this')
  .option('--skip-tfjs-training', 'skip the plain-tfjs training row (~5 s per step at full size)', false)
  .option('--wasm-relaxed-simd', 'run the WebAssembly rows on kernels-relaxed.wasm (fused multiply-adds), as browsers and Node ≥ 22 do; Node 20 needs a V8 flag for it, which this sets', false)
  .option('--save', 'write tools/bench/results/<date>.md', false)
  .option('--note <text>', 'a note for the results file')
  .parse();

const opts = program.opts<{ quick: boolean; threads: string; filter?: string; skipTfjsTraining: boolean; wasmRelaxedSimd: boolean; save: boolean; note?: string }>();
// Before the kernels load (on the first fused cell): the runtime picks kernels-relaxed.wasm when the engine validates it.
if (opts.wasmRelaxedSimd) setFlagsFromString('--experimental-wasm-relaxed-simd');
const result = await runBench({ quick: opts.quick, threads: Number(opts.threads), filter: opts.filter, skipTfjsTraining: opts.skipTfjsTraining });
const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const command = `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).map(quote).join(' ') : ''}`;
const md = [
  `# rxrnn vs PyTorch: ${result.info.date?.slice(0, 10) ?? ''}`,
  '',
  `Command: \`${command}\``,
  '',
  ...Object.entries(result.info).map(([k, v]) => `- ${k}: ${v}`),
  '',
  'Median wall time per call; rxrnn and PyTorch measured in the same invocation, interleaved round by round.',
  'Ratio = PyTorch time / rxrnn time (≥ 1: rxrnn is faster).',
  ...(opts.note ? ['', opts.note] : []),
  '',
  result.table,
  '',
].join('\n');
process.stdout.write(md);
if (opts.save) {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${(result.info.date ?? new Date().toISOString()).slice(0, 10)}.md`;
  writeFileSync(file, md);
  process.stderr.write(`wrote ${file}\n`);
}
