/**
 * Train the attentional encoder–decoder of @rxrnn/attention on date normalisation (issue 16):
 * human dates in many formats → ISO "YYYY-MM-DD", character level (the task: `dateTask` in
 * @rxrnn/text). Evaluates greedy exact match on the validation split (held-out dates × held-out
 * formats) during training, keeps the parameters of the best validation score, and evaluates them
 * once at the end on the test split (other held-out dates × other held-out formats) and on the
 * held-out test dates in training formats. Writes a results JSON into tools/train/results/, the
 * curves and an alignment heatmap of one test example (SVG + PNG) into --out.
 *
 *     nice -n 10 env RXRNN_KERNEL_THREADS=1 npx tsx --conditions=@rxrnn/source tools/train/dates.ts --seed 1 --out tmp/dates
 *
 * Options: --seed N (default 1), --out DIR (default tmp/dates), --minutes M (training budget, default 29),
 * --steps N (at most, default 8000), --batch B (32), --eval-every N (250), --attention general|additive|concat|dot|location (general),
 * --lr (4e-3), --lr-schedule linear|halve (linear, the default: to 0 at --steps; halve: halved every 2000 updates), --label-smoothing (0.1), --sampling-max (0.25: scheduled sampling's final ε), --quick
 * (a tiny smoke run: 40 updates, small evaluation sets), --save DIR (write the best parameters as an `rxrnn.seq2seq/1`
 * model directory — model.json + weights.safetensors — that `npm start` serves as a translator).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import * as tf from '@tensorflow/tfjs';
import { initBackend, backendInfo, backendLine, createUpdater, createRng, type LrSchedule } from '@rxrnn/core';
import { seq2seqModel, seq2seqLoss, seq2seqGreedy, saveSeq2seq, samplingProbability, type SamplingSchedule, type Seq2SeqModel, type AttentionChoice } from '@rxrnn/attention';
import { dateTask, alignmentSvg, svgToPng, writeLineChart, type DatePair, type DateTask } from '@rxrnn/text';

const a = new Command('dates')
  .description('train the attentional encoder–decoder on date normalisation (validation during training, test once at the end)')
  .option('--seed <n>', 'seed of the run', '1')
  .option('--out <dir>', 'where the weights, curves and heatmap go', 'tmp/dates')
  .option('--minutes <m>', 'training budget in minutes', '29')
  .option('--steps <n>', 'updates at most', '8000')
  .option('--batch <n>', 'pairs per update', '32')
  .option('--eval-every <n>', 'validation every n updates', '250')
  .addOption(new Option('--attention <kind>', 'attention mechanism').choices(['general', 'additive', 'concat', 'dot', 'location']).default('general'))
  .option('--lr <x>', "Adam's peak learning rate", '4e-3')
  .addOption(new Option('--lr-schedule <kind>', 'linear: to 0 at --steps; halve: halved every 2000 updates').choices(['linear', 'halve']).default('linear'))
  .option('--label-smoothing <x>', 'label smoothing of the cross-entropy', '0.1')
  .option('--sampling-max <x>', "scheduled sampling's final ε", '0.25')
  .option('--quick', 'a tiny smoke run: 40 updates, small evaluation sets', false)
  .option('--save <dir>', 'write the best parameters as an rxrnn.seq2seq/1 model directory (served by npm start)')
  .parse()
  .opts<{ seed: string; out: string; minutes: string; steps: string; batch: string; evalEvery: string; attention: string; lr: string; lrSchedule: string; labelSmoothing: string; samplingMax: string; quick: boolean; save?: string }>();
const seed = Number(a.seed);
const cfg = {
  seed,
  minutes: Number(a.minutes),
  steps: a.quick ? 40 : Number(a.steps),
  batch: Number(a.batch),
  evalEvery: a.quick ? 20 : Number(a.evalEvery),
  lr: Number(a.lr),
  // 'halve': halved every 2000 updates; 'linear': straight to 0 at --steps (Bergsma et al. 2025)
  lrSchedule: (a.lrSchedule === 'linear' ? { kind: 'linear', total: Number(a.steps) } : { kind: 'exponential', every: 2000, gamma: 0.5 }) as LrSchedule,
  clipNorm: 5,
  labelSmoothing: Number(a.labelSmoothing),
  sampling: { kind: 'linear', steps: 3000, max: Number(a.samplingMax), delay: 1000 } as SamplingSchedule,
  model: { embeddingSize: 32, encoderSize: 32, decoderSize: 64, encoderLayers: 1, decoderLayers: 2, attention: a.attention as AttentionChoice },
};

await initBackend({ log: null });
const task = dateTask(a.quick ? { validationSize: 100, testSize: 100 } : {});
const model = seq2seqModel({ sourceVocab: task.sourceVocab, targetVocab: task.targetVocab, bos: task.bos, eos: task.eos, maxSourceLength: 48, maxTargetLength: 16, seed, ...cfg.model });
const updater = createUpdater({ params: model.params, optimizer: { kind: 'adam', lr: cfg.lr }, schedule: cfg.lrSchedule, clipNorm: cfg.clipNorm, seed });
const nParams = Object.values(model.params).reduce((n, v) => n + v.size, 0);
console.log(`${backendLine(backendInfo()!)}\ndates: ${nParams} parameters; formats train/val/test ${task.formats.train.length}/${task.formats.validation.length}/${task.formats.test.length}; days ${task.days.train}/${task.days.validation}/${task.days.test}`);

/** Exact match of greedy decodes, in chunks of 250. */
function exactMatch(m: Seq2SeqModel, t: DateTask, pairs: readonly DatePair[]): { accuracy: number; errors: { source: string; target: string; output: string }[] } {
  let right = 0;
  const errors: { source: string; target: string; output: string }[] = [];
  for (let i = 0; i < pairs.length; i += 250) {
    const chunk = pairs.slice(i, i + 250);
    const { tokens } = seq2seqGreedy(m, chunk.map((p) => t.encodeSource(p.source)), { maxLength: 12 });
    chunk.forEach((p, k) => {
      const out = t.decodeTarget(tokens[k]);
      if (out === p.target) right++;
      else if (errors.length < 50) errors.push({ source: p.source, target: p.target, output: out });
    });
  }
  return { accuracy: right / pairs.length, errors };
}

const curve: { step: number; seconds: number; loss: number; epsilon: number; validation?: number }[] = [];
let best = { accuracy: -1, step: 0, params: null as Record<string, tf.Tensor> | null };
const dataRng = createRng(seed * 7919 + 1);
const bar = new cliProgress.SingleBar(
  { format: 'dates |{bar}| {value}/{total} | loss {loss} | ε {eps} | val {val} | {ups} upd/s | ETA(budget) {left}s', noTTYOutput: true, notTTYSchedule: 30_000, hideCursor: true },
  cliProgress.Presets.shades_classic,
);
const t0 = Date.now();
const budget = cfg.minutes * 60_000;
bar.start(cfg.steps, 0, { loss: '-', eps: '0', val: '-', ups: '-', left: String(Math.round(budget / 1000)) });
let lossAvg = NaN;
let stoppedBy = 'steps';
while (updater.step < cfg.steps) {
  if (Date.now() - t0 > budget) {
    stoppedBy = 'time budget';
    break;
  }
  const pairs = Array.from({ length: cfg.batch }, () => task.trainPair(dataRng));
  const eps = samplingProbability(cfg.sampling, updater.step);
  const rng = updater.rng(2);
  const r = updater.minimize(() =>
    seq2seqLoss(model, pairs.map((p) => task.encodeSource(p.source)), pairs.map((p) => task.encodeTarget(p.target)), {
      samplingProbability: eps,
      rng,
      labelSmoothing: cfg.labelSmoothing,
      ctx: { training: true },
    }).loss,
  );
  lossAvg = Number.isNaN(lossAvg) ? r.loss : 0.98 * lossAvg + 0.02 * r.loss;
  const point: (typeof curve)[number] = { step: r.step, seconds: (Date.now() - t0) / 1000, loss: r.loss, epsilon: eps };
  if (r.step % cfg.evalEvery === 0) {
    const v = exactMatch(model, task, task.validation).accuracy;
    point.validation = v;
    if (v > best.accuracy) {
      tf.dispose(Object.values(best.params ?? {}));
      best = { accuracy: v, step: r.step, params: Object.fromEntries(Object.entries(model.params).map(([k, p]) => [k, tf.clone(p)])) };
    }
  }
  curve.push(point);
  await new Promise((resolve) => setImmediate(resolve)); // let the progress bar's timer run
  const lastVal = [...curve].reverse().find((c) => c.validation !== undefined)?.validation;
  bar.update(r.step, { loss: lossAvg.toFixed(4), eps: eps.toFixed(3), val: lastVal === undefined ? '-' : (100 * lastVal).toFixed(2) + '%', ups: (r.step / ((Date.now() - t0) / 1000)).toFixed(2), left: String(Math.max(0, Math.round((budget - (Date.now() - t0)) / 1000))) });
}
bar.stop();
const trainSeconds = (Date.now() - t0) / 1000;
// The final validation point, then the best parameters back (chosen on validation only).
const finalVal = exactMatch(model, task, task.validation).accuracy;
if (finalVal > best.accuracy) {
  tf.dispose(Object.values(best.params ?? {}));
  best = { accuracy: finalVal, step: updater.step, params: null };
}
if (best.params) for (const [k, p] of Object.entries(best.params)) model.params[k].assign(p);
tf.dispose(Object.values(best.params ?? {}));

const test = exactMatch(model, task, task.test);
const testSeen = exactMatch(model, task, task.testSeenFormats);
console.log(`validation (best, update ${best.step}): ${(100 * best.accuracy).toFixed(2)} %; test (held-out dates × held-out formats): ${(100 * test.accuracy).toFixed(2)} %; held-out dates × training formats: ${(100 * testSeen.accuracy).toFixed(2)} %`);

// Figures: curves and one test example's alignment.
mkdirSync(a.out!, { recursive: true });
await writeLineChart(join(a.out!, 'dates-curve'), [{ name: 'validation exact match (%)', points: curve.filter((c) => c.validation !== undefined).map((c) => ({ x: c.step, y: 100 * c.validation! })) }], {
  title: `date normalisation, seed ${seed}: validation (held-out dates × formats)`,
  xTitle: 'update',
  yTitle: 'exact match (%)',
});
await writeLineChart(join(a.out!, 'dates-loss'), [{ name: 'training loss (label-smoothed, nats/token)', points: curve.filter((_, i) => i % 10 === 0).map((c) => ({ x: c.step, y: c.loss })) }], { title: `date normalisation, seed ${seed}: training loss`, xTitle: 'update', yTitle: 'nats per token', logY: true });
const example = task.test.find((p) => p.format.startsWith('MDY.dth.full.title')) ?? task.test[0];
const g = seq2seqGreedy(model, [task.encodeSource(example.source)], { maxLength: 12, alignments: true });
const output = task.decodeTarget(g.tokens[0]);
const svg = await alignmentSvg({ source: [...example.source], output: [...output, '</s>'], weights: g.alignments![0], title: `"${example.source}" → "${output}"` });
writeFileSync(join(a.out!, 'dates-alignment.svg'), svg);
writeFileSync(join(a.out!, 'dates-alignment.png'), await svgToPng(svg, { zoom: 2 }));

const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, (c) => (c === 'T' ? '-' : c === ':' ? '' : c));
const results = {
  command: `nice -n 10 env RXRNN_KERNEL_THREADS=1 npx tsx --conditions=@rxrnn/source tools/train/dates.ts ${process.argv.slice(2).join(' ')}`,
  date: new Date().toISOString(),
  backend: backendLine(backendInfo()!),
  config: cfg,
  parameters: nParams,
  splits: { formats: { train: task.formats.train.length, validation: task.formats.validation.length, test: task.formats.test.length }, days: task.days, validation: task.validation.length, test: task.test.length, testSeenFormats: task.testSeenFormats.length },
  updates: updater.step,
  stoppedBy,
  trainSeconds,
  validation: { best: best.accuracy, bestStep: best.step, final: finalVal },
  test: { exactMatch: test.accuracy, errors: test.errors },
  testSeenFormats: { exactMatch: testSeen.accuracy, errors: testSeen.errors },
  alignmentExample: { source: example.source, target: example.target, output, format: example.format },
  curve: curve.filter((c) => c.validation !== undefined),
};
if (!a.quick) {
  mkdirSync('tools/train/results', { recursive: true });
  writeFileSync(`tools/train/results/dates-seed${seed}-${stamp}.json`, JSON.stringify(results, null, 1) + '\n');
}
writeFileSync(join(a.out!, 'results.json'), JSON.stringify(results, null, 1) + '\n');
console.log(`wrote ${a.out}/results.json${a.quick ? '' : ` and tools/train/results/dates-seed${seed}-${stamp}.json`}`);
if (a.save) {
  await saveSeq2seq(a.save, model, {
    name: 'dates',
    description: 'Date normalisation: a human date in many formats → ISO YYYY-MM-DD (character-level attentional encoder–decoder, trained by tools/train/dates.ts)',
    io: { kind: 'translate', chars: { source: task.sourceChars, sourceFirstId: 1, target: task.targetChars, targetFirstId: 3 }, maxSourceTokens: 48 },
    training: {
      command: results.command,
      seed,
      updates: updater.step,
      validation: results.validation.best,
      test: results.test.exactMatch,
      testSeenFormats: results.testSeenFormats.exactMatch,
      results: a.quick ? null : `tools/train/results/dates-seed${seed}-${stamp}.json`,
    },
  });
  console.log(`saved the model to ${a.save}`);
}
model.dispose();
updater.dispose();
