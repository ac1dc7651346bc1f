/**
 * `rxrnn study variants`: the LSTM variant study of Greff et al. (2017) and Jozefowicz et al.
 * (2015) at small scale — every architecture of the zoo (vanilla peephole LSTM, NIG, NFG, NOG, NIAF,
 * NOAF, NP, CIFG, FGR, LSTM with forget bias 0 and 1, GRU, MUT1–3, T-LSTM, T-GRU, vanilla RNN)
 * trained with the same budget for several seeds on a character LM and the adding problem; writes
 * `<out>/<name>.json` (every run), `<name>.md` (tables, mean ± std, comparison with the papers) and
 * `<name>.png`/`.svg` (dot-and-whisker plot). Results are rewritten after every run, marked partial
 * until the study ends, so a study cut short still leaves honest tables.
 *
 * `--from a.json b.json` makes the report from saved results instead of training (e.g. the two
 * tasks run as two processes).
 *
 * ```ts
 * import { Command } from 'commander';
 * import { registerStudy } from '@rxrnn/experiments';
 * const program = new Command('rxrnn');
 * registerStudy(program);
 * await program.parseAsync(); // rxrnn study variants --quick --variants V GRU --out /tmp/study
 * ```
 */
import { readFileSync, existsSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { initBackend, backendInfo, setExpKernel } from '@rxrnn/core';
import { kernelExp } from '@rxrnn/kernels';
import { runVariantStudy, STUDY_TASKS, type StudyTask, type VariantStudyOptions } from './variant-study.js';
import { STUDY_VARIANTS } from './variant-zoo.js';
import {
  studyDocument,
  mergeStudyDocuments,
  checkStudyDocument,
  writeStudyFiles,
} from './study-report.js';

export interface StudyVariantsCliOptions {
  quick?: boolean;
  seeds?: number;
  firstSeed?: number;
  steps?: number;
  hidden?: number;
  batch?: number;
  charLength?: number;
  taskLength?: number;
  tasks?: string[];
  variants?: string[];
  lrChar?: number;
  lrAdding?: number;
  lrOrder?: number;
  clip?: number;
  out: string;
  name: string;
  notes?: string;
  from?: string[];
  progress?: boolean;
  plot?: boolean;
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const positive = (v: string): number => {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
};

/** Add `study variants` to `program`. `options.command` names the invocation in the report (default `rxrnn <argv>`). */
export function registerStudy(program: Command, options: { command?: string } = {}): Command {
  const study = program.command('study').description('Architecture studies (small-scale replications)');
  study
    .command('variants')
    .description('LSTM variant study (Greff et al. 2017; Jozefowicz et al. 2015): same budget, several seeds, char LM + adding problem')
    .option('--quick', 'tiny sizes for a smoke test (H 8, 3 updates, 1 seed)')
    .option('--seeds <n>', 'seeds per variant and task (default 3; quick 1)', positiveInt)
    .option('--first-seed <n>', 'first seed (default 1): split a study over processes by seed, then merge with --from', positiveInt)
    .option('--steps <n>', 'Adam updates per run (default 300; quick 3)', positiveInt)
    .option('--hidden <n>', 'hidden size H of every core (default 32)', positiveInt)
    .option('--batch <n>', 'batch size (default 32)', positiveInt)
    .option('--char-length <n>', 'characters per training window (default 32)', positiveInt)
    .option('--task-length <n>', 'sequence length of the adding / temporal-order task (default 30)', positiveInt)
    .option('--tasks <task...>', `tasks among ${STUDY_TASKS.join(', ')} (default char adding)`)
    .option('--variants <id...>', `variant ids (default all: ${STUDY_VARIANTS.map((v) => v.id).join(' ')})`)
    .option('--lr-char <x>', 'Adam learning rate, char task (default 5e-3)', positive)
    .option('--lr-adding <x>', 'Adam learning rate, adding problem (default 5e-3)', positive)
    .option('--lr-order <x>', 'Adam learning rate, temporal order (default 5e-3)', positive)
    .option('--clip <x>', 'gradient global-norm clip (default 1)', positive)
    .option('--out <dir>', 'output directory', 'docs/study')
    .option('--name <name>', 'base name of the output files', 'variants')
    .option('--notes <file>', 'hand-written notes (markdown) to include in the report')
    .option('--from <json...>', 'make the report from saved results files (merged) instead of training')
    .option('--no-progress', 'no progress bar (one line per finished run instead)')
    .option('--no-plot', 'skip the PNG/SVG plot')
    .action(async (o: StudyVariantsCliOptions) => {
      const files = await runStudyVariants(o, options.command ?? commandLine());
      process.stderr.write(`rxrnn study variants: wrote ${files.join(', ')}\n`);
    });
  return program;
}

/** The invoking command line, for the report. */
function commandLine(): string {
  const args = process.argv.slice(2).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`));
  return `rxrnn ${args.join(' ')}`;
}

/** Options → the runner's options. */
export function studyOptions(o: StudyVariantsCliOptions): VariantStudyOptions {
  const lr: Partial<Record<StudyTask, number>> = {};
  if (o.lrChar !== undefined) lr.char = o.lrChar;
  if (o.lrAdding !== undefined) lr.adding = o.lrAdding;
  if (o.lrOrder !== undefined) lr.order = o.lrOrder;
  return {
    quick: o.quick,
    seeds: o.seeds,
    firstSeed: o.firstSeed,
    steps: o.steps,
    hidden: o.hidden,
    batch: o.batch,
    charLength: o.charLength,
    taskLength: o.taskLength,
    tasks: o.tasks as StudyTask[] | undefined,
    variants: o.variants,
    lr,
    clipNorm: o.clip,
  };
}

/** The command's work, callable from tests and from `tools/study/variants.ts`: returns the files written. */
export async function runStudyVariants(o: StudyVariantsCliOptions, command: string): Promise<string[]> {
  const notes = o.notes && existsSync(o.notes) ? readFileSync(o.notes, 'utf8') : undefined;
  if (o.notes && notes === undefined) throw new InvalidArgumentError(`--notes: no file ${o.notes}`);
  const write = { name: o.name, notes, plot: o.plot ?? true };
  if (o.from?.length) {
    const docs = o.from.map((f) => checkStudyDocument(JSON.parse(readFileSync(f, 'utf8')), f));
    return writeStudyFiles(mergeStudyDocuments(docs), o.out, { ...write, reportCommand: command });
  }
  await initBackend({ log: null });
  setExpKernel(kernelExp()); // the loss's exp on the kernels
  const backend = backendInfo()?.name ?? 'unknown';
  const started = new Date().toISOString();
  const showBar = o.progress ?? true;
  const bar = new cliProgress.SingleBar(
    {
      format: 'study variants |{bar}| {percentage}% | run {run}/{runs} {task} {variant} seed {seed} | last {last} | ETA {eta_formatted}',
      etaBuffer: 200,
      notTTYSchedule: 30_000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let barStarted = false;
  let last = '–';
  const result = await runVariantStudy(studyOptions(o), async (p) => {
    const runs = p.total / p.steps;
    const payload = { run: Math.min(runs, Math.floor((p.done - 1) / p.steps) + 1), runs, task: p.task, variant: p.variant, seed: p.seed, last };
    if (showBar) {
      if (!barStarted) {
        bar.start(p.total, p.done, payload);
        barStarted = true;
      }
      bar.update(p.done, payload);
    }
    if (p.run) {
      last = `${p.run.variant} ${p.run.metric.toFixed(3)}`;
      if (!showBar) process.stderr.write(`[${new Date().toISOString()}] ${p.run.task} ${p.run.variant} seed ${p.run.seed}: ${p.run.metric.toFixed(4)} (${p.run.seconds.toFixed(1)} s)\n`);
      // Rewrite the results after every run, marked partial, so a study cut short leaves real tables (no plot until the end).
      await writeStudyFiles(studyDocument(p.result, { command, started, backend }), o.out, { ...write, plot: false });
    }
  });
  if (barStarted) bar.stop();
  return writeStudyFiles(studyDocument(result, { command, started, finished: new Date().toISOString(), backend }), o.out, write);
}
