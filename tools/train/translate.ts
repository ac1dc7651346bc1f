/**
 * Train English → Spanish on the Bible pair (issue 16): the attentional encoder–decoder of
 * @rxrnn/attention (`--arch attention`) or the plain encoder–decoder of the same size without attention
 * (`--arch plain`: `seq2seqModel({ attention: 'none' })`, the decoder starts from the encoder's final
 * state and reads the same fixed summary at every step, Cho et al. 2014). The data: tools/data/bible.ts.
 *
 *     npx tsx --conditions=@rxrnn/source tools/data/bible.ts --out tmp/data/bible --vocab 4000
 *     RXRNN_KERNEL_THREADS=1 npx tsx --conditions=@rxrnn/source tools/train/translate.ts --arch attention --seed 1 --minutes 60
 *
 * The budget (--minutes) is the process's CPU time (user + system, `process.cpuUsage`), so that two runs
 * sharing a machine get the same amount of computation; wall time is recorded beside it. Training pairs
 * longer than --max-len subword tokens on either side are left out of training (counted in the results);
 * evaluation uses every pair. Batches are drawn from length buckets (pairs sorted by source length
 * within pools of 64 batches, then the batches shuffled). Every --eval-every updates: greedy corpus BLEU
 * on a fixed subset of the validation books (--eval-size pairs); the parameters of the best validation
 * point are kept. At the end: greedy (and with --beam K, beam) corpus BLEU on all of validation and test,
 * BLEU by source length (English words) on test; results JSON into tools/train/results/, the curve and
 * by-length figures into --figures, the model into <out>/model/ (model.json, weights.safetensors,
 * subwords.json). Resumable: a checkpoint goes into <out>/checkpoint/ every --checkpoint-minutes, and a
 * run started with the same --out continues from it.
 *
 * BLEU is on words: both the decoded hypothesis and the reference text are split into letter/digit runs
 * and single punctuation marks (`wordTokens`), then `corpusBleu` (NLTK's corpus_bleu).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import * as tf from '@tensorflow/tfjs';
import { initBackend, backendInfo, backendLine, createUpdater, createRng, readSafetensors, writeSafetensors, type TrainerCheckpoint } from '@rxrnn/core';
import { seq2seqModel, seq2seqLoss, seq2seqGreedy, beamSearchSync, seq2seqSession, type Seq2SeqModel, type Seq2SeqOptions } from '@rxrnn/attention';
import { cpuBudget, processCpuSeconds } from './cpu-budget.js';
import { epochBatches as bucketedBatches, wordTokens } from './translate-batches.js';
import { Subwords, corpusBleu, bleuByLength, writeLineChart, type BleuSentence } from '@rxrnn/text';

const a = new Command('translate')
  .description('train English → Spanish on the Bible pair: attention or plain encoder–decoder, a CPU-time budget, validation BLEU, test once at the end')
  .addOption(new Option('--arch <arch>', 'attention: Luong general attention; plain: no attention (decoder from the encoder final state)').choices(['attention', 'plain']).default('attention'))
  .option('--seed <n>', 'seed of the run', '1')
  .option('--data <dir>', 'output of tools/data/bible.ts', 'tmp/data/bible')
  .option('--out <dir>', 'checkpoint, model and run files (default tmp/translate-<arch>-seed<n>)')
  .option('--figures <dir>', 'where the curve and by-length figures go', 'docs/figures/translation')
  .option('--minutes <m>', 'training budget in minutes of process CPU time (user + system)', '60')
  .option('--steps <n>', 'updates at most', '1000000')
  .option('--batch <n>', 'pairs per update', '64')
  .option('--embedding <n>', 'embedding size (both sides)', '96')
  .option('--encoder <n>', 'encoder hidden size per direction', '96')
  .option('--decoder <n>', 'decoder hidden size', '192')
  .option('--encoder-layers <n>', 'encoder layers (the bidirectional one included)', '1')
  .option('--decoder-layers <n>', 'decoder layers', '1')
  .option('--max-len <n>', 'training pairs longer than this (subword tokens, either side) are left out of training', '64')
  .option('--lr <x>', "Adam's learning rate", '2e-3')
  .option('--label-smoothing <x>', 'label smoothing of the cross-entropy', '0.1')
  .option('--eval-every <n>', 'validation BLEU every n updates', '100')
  .option('--eval-size <n>', 'validation pairs in the fixed subset scored during training', '200')
  .option('--beam <k>', 'also score beam search of this width at the end (0: greedy only)', '0')
  .option('--checkpoint-minutes <m>', 'checkpoint every m minutes of CPU time', '10')
  .option('--profile <n>', 'only time n updates per batch shape (no evaluation, no files) and print tokens/s', '0')
  .option('--quick', 'a tiny smoke run: 30 updates, 40 evaluation pairs, nothing written into tools/ or docs/', false)
  .parse()
  .opts<{
    arch: 'attention' | 'plain';
    seed: string;
    data: string;
    out?: string;
    figures: string;
    minutes: string;
    steps: string;
    batch: string;
    embedding: string;
    encoder: string;
    decoder: string;
    encoderLayers: string;
    decoderLayers: string;
    maxLen: string;
    lr: string;
    labelSmoothing: string;
    evalEvery: string;
    evalSize: string;
    beam: string;
    checkpointMinutes: string;
    profile: string;
    quick: boolean;
  }>();

const seed = Number(a.seed);
const out = a.out ?? `tmp/translate-${a.arch}-seed${seed}`;
const cfg = {
  arch: a.arch,
  seed,
  minutes: Number(a.minutes),
  steps: a.quick ? 30 : Number(a.steps),
  batch: Number(a.batch),
  maxLen: Number(a.maxLen),
  lr: Number(a.lr),
  clipNorm: 5,
  labelSmoothing: Number(a.labelSmoothing),
  evalEvery: a.quick ? 15 : Number(a.evalEvery),
  evalSize: a.quick ? 40 : Number(a.evalSize),
  beam: Number(a.beam),
  checkpointMinutes: Number(a.checkpointMinutes),
  model: {
    embeddingSize: Number(a.embedding),
    encoderSize: Number(a.encoder),
    decoderSize: Number(a.decoder),
    encoderLayers: Number(a.encoderLayers),
    decoderLayers: Number(a.decoderLayers),
    attention: a.arch === 'attention' ? ('general' as const) : ('none' as const),
  },
};
for (const [k, v] of Object.entries({ ...cfg, ...cfg.model })) {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`tools/train/translate.ts: --${k}: expected a number`);
}

const cpuSeconds = processCpuSeconds;

// ---- data ----------------------------------------------------------------------------------------
interface Pair {
  book: string;
  chapter: number;
  verse: number;
  en: string;
  es: string;
}
const readPairs = (split: string): Pair[] =>
  readFileSync(join(a.data, `${split}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Pair);
if (!existsSync(join(a.data, 'bpe.json'))) {
  console.error(`tools/train/translate.ts: no ${join(a.data, 'bpe.json')}; make the data with: npx tsx --conditions=@rxrnn/source tools/data/bible.ts --out ${a.data}`);
  process.exit(1);
}
await initBackend({ log: null, explicitTransposeGradients: true }); // the matmul gradients without transposed products (10× faster on wasm: see core's backend-patches)
const subwords = await Subwords.load(join(a.data, 'bpe.json'));
const V = subwords.vocabSize;
const id = (t: string) => subwords.tokenId(t)!;
const [PAD, BOS, EOS] = [id('<pad>'), id('<s>'), id('</s>')];
const splits = { train: readPairs('train'), validation: readPairs('validation'), test: readPairs('test') };
if (a.quick) splits.train = splits.train.slice(0, 2000);
interface Encoded {
  pair: Pair;
  src: number[];
  tgt: number[];
}
async function encodeAll(pairs: Pair[]): Promise<Encoded[]> {
  const src = await subwords.encodeBatch(pairs.map((p) => p.en));
  const tgt = await subwords.encodeBatch(pairs.map((p) => p.es));
  return pairs.map((pair, i) => ({ pair, src: src[i], tgt: tgt[i] }));
}
const all = { train: await encodeAll(splits.train), validation: await encodeAll(splits.validation), test: await encodeAll(splits.test) };
if (a.quick) {
  all.validation = all.validation.slice(0, 60);
  all.test = all.test.slice(0, 60);
}
const train = all.train.filter((e) => e.src.length > 0 && e.tgt.length > 0 && e.src.length <= cfg.maxLen && e.tgt.length <= cfg.maxLen);
const kept = new Set(train);
const cut = {
  pairs: all.train.length - train.length,
  sourceTokens: all.train.filter((e) => !kept.has(e)).reduce((n, e) => n + e.src.length, 0),
  targetTokens: all.train.filter((e) => !kept.has(e)).reduce((n, e) => n + e.tgt.length, 0),
  of: { pairs: all.train.length, sourceTokens: all.train.reduce((n, e) => n + e.src.length, 0), targetTokens: all.train.reduce((n, e) => n + e.tgt.length, 0) },
};
const longest = Math.max(...[...all.validation, ...all.test, ...train].map((e) => Math.max(e.src.length, e.tgt.length)));
const options: Seq2SeqOptions = { sourceVocab: V, targetVocab: V, bos: BOS, eos: EOS, maxSourceLength: Math.max(256, longest + 1), maxTargetLength: Math.max(256, 2 * longest + 2), seed, ...cfg.model };
const model = seq2seqModel(options);
const updater = createUpdater({ params: model.params, optimizer: { kind: 'adam', lr: cfg.lr }, clipNorm: cfg.clipNorm, seed });
const nParams = Object.values(model.params).reduce((n, v) => n + v.size, 0);
console.log(
  `${backendLine(backendInfo()!)}\ntranslate ${cfg.arch}: ${nParams} parameters, vocabulary ${V}; train ${train.length} pairs (${cut.pairs} longer than ${cfg.maxLen} tokens left out), validation ${all.validation.length}, test ${all.test.length}`,
);

/** Batches for one epoch (translate-batches.ts): shuffled, pooled by 64 batches, sorted by source length in each pool, batches shuffled. */
const epochBatches = (epoch: number): Encoded[][] => bucketedBatches(train, cfg.batch, seed, epoch, (e) => [e.src.length, e.tgt.length]);

/** Greedy (or beam) translations of `items`, in length-sorted chunks. */
async function translateAll(m: Seq2SeqModel, items: readonly Encoded[], beam = 0): Promise<string[]> {
  const order = items.map((_, i) => i).sort((x, y) => items[x].src.length - items[y].src.length);
  const outs: string[] = new Array(items.length);
  if (beam > 0) {
    for (const i of order) {
      const session = seq2seqSession(m, items[i].src);
      try {
        const final = beamSearchSync(session, { beamWidth: beam, maxLength: Math.min(m.maxTargetLength - 1, 2 * items[i].src.length + 10) });
        outs[i] = await subwords.decode(final.best.tokens);
      } finally {
        session.dispose();
      }
    }
    return outs;
  }
  for (let c = 0; c < order.length; c += 64) {
    const idx = order.slice(c, c + 64);
    const maxLength = Math.min(m.maxTargetLength - 1, 2 * Math.max(...idx.map((i) => items[i].src.length)) + 10);
    const { tokens } = seq2seqGreedy(m, idx.map((i) => items[i].src), { maxLength });
    for (let k = 0; k < idx.length; k++) outs[idx[k]] = await subwords.decode(tokens[k].filter((t) => t !== PAD));
  }
  return outs;
}

function bleuOf(items: readonly Encoded[], hyps: readonly string[]) {
  return corpusBleu(
    items.map((e) => [wordTokens(e.pair.es)]),
    hyps.map(wordTokens),
  );
}

// ---- profile -------------------------------------------------------------------------------------
const profileN = Number(a.profile);
if (profileN > 0) {
  const batches = epochBatches(0);
  const c0 = cpuSeconds();
  const w0 = Date.now();
  let src = 0;
  let tgt = 0;
  for (let i = 0; i < profileN; i++) {
    const b = batches[i % batches.length];
    updater.minimize(() => seq2seqLoss(model, b.map((e) => e.src), b.map((e) => e.tgt), { labelSmoothing: cfg.labelSmoothing, ctx: { training: true } }).loss);
    src += b.reduce((n, e) => n + e.src.length, 0);
    tgt += b.reduce((n, e) => n + e.tgt.length + 1, 0);
  }
  const cpu = cpuSeconds() - c0;
  const wall = (Date.now() - w0) / 1000;
  console.log(
    JSON.stringify({ arch: cfg.arch, model: cfg.model, batch: cfg.batch, parameters: nParams, updates: profileN, cpuSeconds: +cpu.toFixed(2), wallSeconds: +wall.toFixed(2), targetTokensPerCpuSecond: +(tgt / cpu).toFixed(1), sourceTokensPerCpuSecond: +(src / cpu).toFixed(1), updatesPerCpuSecond: +(profileN / cpu).toFixed(3), epochCpuMinutes: +((all.train.reduce((n, e) => n + e.tgt.length + 1, 0) / (tgt / cpu)) / 60).toFixed(1) }),
  );
  process.exit(0);
}

// ---- training ------------------------------------------------------------------------------------
const evalSubset = (() => {
  const rng = createRng(16);
  const idx = all.validation.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, cfg.evalSize).sort((x, y) => x - y).map((i) => all.validation[i]);
})();

type CurvePoint = { step: number; cpuSeconds: number; wallSeconds: number; epoch: number; loss: number; validationBleu?: number };
const ckptDir = join(out, 'checkpoint');
mkdirSync(out, { recursive: true });
let curve: CurvePoint[] = [];
let best = { bleu: -1, step: 0, params: null as Record<string, tf.Tensor> | null };
let epoch = 0;
let index = 0; // next batch of the epoch
let cpuBefore = 0; // CPU and wall seconds of earlier sessions of this run
let wallBefore = 0;
let sessions = 1;

const toArrays = (ps: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(ps).map(([k, v]) => [k, { shape: v.shape, data: v.dataSync() as Float32Array }]));
async function saveCheckpoint(cpu: number, wall: number) {
  mkdirSync(ckptDir, { recursive: true });
  const ck = await updater.checkpoint();
  writeFileSync(join(ckptDir, 'optimizer.safetensors'), writeSafetensors(ck.arrays));
  writeFileSync(join(ckptDir, 'params.safetensors'), writeSafetensors(toArrays(model.params)));
  if (best.params) writeFileSync(join(ckptDir, 'best.safetensors'), writeSafetensors(toArrays(best.params)));
  writeFileSync(join(ckptDir, 'state.json'), JSON.stringify({ updater: ck.json, epoch, index, cpuSeconds: cpu, wallSeconds: wall, best: { bleu: best.bleu, step: best.step }, curve, sessions, config: cfg }) + '\n');
}
if (existsSync(join(ckptDir, 'state.json'))) {
  const st = JSON.parse(readFileSync(join(ckptDir, 'state.json'), 'utf8'));
  if (JSON.stringify(st.config.model) !== JSON.stringify(cfg.model) || st.config.arch !== cfg.arch || st.config.seed !== cfg.seed) throw new Error(`tools/train/translate.ts: ${ckptDir} is a checkpoint of another configuration`);
  const arrays = readSafetensors(readFileSync(join(ckptDir, 'optimizer.safetensors')));
  await updater.restore({ json: st.updater, arrays } as TrainerCheckpoint);
  for (const [k, v] of Object.entries(readSafetensors(readFileSync(join(ckptDir, 'params.safetensors'))))) model.params[k].assign(tf.tensor(v.data, v.shape));
  if (existsSync(join(ckptDir, 'best.safetensors'))) best.params = Object.fromEntries(Object.entries(readSafetensors(readFileSync(join(ckptDir, 'best.safetensors')))).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
  best = { ...best, bleu: st.best.bleu, step: st.best.step };
  ({ epoch, index, curve } = st);
  cpuBefore = st.cpuSeconds;
  wallBefore = st.wallSeconds;
  sessions = st.sessions + 1;
  console.log(`resumed from ${ckptDir}: update ${updater.step}, ${(cpuBefore / 60).toFixed(1)} CPU minutes used`);
}

const budget = cfg.minutes * 60;
const clock = cpuBudget(budget, { cpuSeconds: cpuBefore, wallSeconds: wallBefore });
const c0 = cpuSeconds();
const cpuUsed = clock.cpuSeconds;
const wallUsed = clock.wallSeconds;
let batches = epochBatches(epoch);
let lossAvg = NaN;
let stoppedBy = 'steps';
let lastCkpt = cpuUsed();
let tokensSeen = 0;
const bar = new cliProgress.SingleBar(
  { format: `${cfg.arch} |{bar}| {cpu}/{budget} CPU s | upd {step} | ep {epoch} | loss {loss} | val BLEU {val} | {tps} tok/s`, noTTYOutput: true, notTTYSchedule: 60_000, hideCursor: true },
  cliProgress.Presets.shades_classic,
);
bar.start(Math.round(budget), Math.round(cpuUsed()), { budget: Math.round(budget), cpu: Math.round(cpuUsed()), step: updater.step, epoch, loss: '-', val: '-', tps: '-' });
while (updater.step < cfg.steps) {
  if (clock.spent()) {
    stoppedBy = 'CPU-time budget';
    break;
  }
  if (index >= batches.length) {
    epoch++;
    index = 0;
    batches = epochBatches(epoch);
  }
  const b = batches[index++];
  const r = updater.minimize(() => seq2seqLoss(model, b.map((e) => e.src), b.map((e) => e.tgt), { labelSmoothing: cfg.labelSmoothing, ctx: { training: true } }).loss);
  tokensSeen += b.reduce((n, e) => n + e.tgt.length + 1, 0);
  lossAvg = Number.isNaN(lossAvg) ? r.loss : 0.98 * lossAvg + 0.02 * r.loss;
  const point: CurvePoint = { step: r.step, cpuSeconds: cpuUsed(), wallSeconds: wallUsed(), epoch: epoch + index / batches.length, loss: r.loss };
  if (r.step % cfg.evalEvery === 0) {
    const v = bleuOf(evalSubset, await translateAll(model, evalSubset)).bleu;
    point.validationBleu = v;
    if (v > best.bleu) {
      tf.dispose(Object.values(best.params ?? {}));
      best = { bleu: v, step: r.step, params: Object.fromEntries(Object.entries(model.params).map(([k, p]) => [k, tf.clone(p)])) };
    }
  }
  if (r.step % 10 === 0 || point.validationBleu !== undefined) curve.push(point);
  if (cpuUsed() - lastCkpt >= cfg.checkpointMinutes * 60) {
    await saveCheckpoint(cpuUsed(), wallUsed());
    lastCkpt = cpuUsed();
  }
  await new Promise((resolve) => setImmediate(resolve));
  const lastVal = [...curve].reverse().find((c) => c.validationBleu !== undefined)?.validationBleu;
  bar.update(Math.min(Math.round(budget), Math.round(cpuUsed())), { cpu: Math.round(cpuUsed()), step: r.step, epoch: point.epoch.toFixed(2), loss: lossAvg.toFixed(3), val: lastVal === undefined ? '-' : (100 * lastVal).toFixed(2), tps: (tokensSeen / (cpuSeconds() - c0)).toFixed(0) });
}
bar.stop();
const trainCpu = cpuUsed();
const trainWall = wallUsed();
await saveCheckpoint(trainCpu, trainWall);
// The final validation point, then the best parameters back (chosen on validation only).
const finalVal = bleuOf(evalSubset, await translateAll(model, evalSubset)).bleu;
curve.push({ step: updater.step, cpuSeconds: trainCpu, wallSeconds: trainWall, epoch: epoch + index / batches.length, loss: lossAvg, validationBleu: finalVal });
if (finalVal > best.bleu) {
  tf.dispose(Object.values(best.params ?? {}));
  best = { bleu: finalVal, step: updater.step, params: null };
}
if (best.params) for (const [k, p] of Object.entries(best.params)) model.params[k].assign(p);
tf.dispose(Object.values(best.params ?? {}));
console.log(`training: ${updater.step} updates, ${(trainCpu / 60).toFixed(1)} CPU minutes, ${(trainWall / 60).toFixed(1)} wall minutes (${stoppedBy}); best validation-subset BLEU ${(100 * best.bleu).toFixed(2)} at update ${best.step}`);

// ---- evaluation ----------------------------------------------------------------------------------
const e0 = cpuSeconds();
const valHyp = await translateAll(model, all.validation);
const testHyp = await translateAll(model, all.test);
const greedy = { validation: bleuOf(all.validation, valHyp), test: bleuOf(all.test, testHyp) };
const evalGreedyCpu = cpuSeconds() - e0;
const edges = [0, 10, 20, 30, 40, 50, 60, Infinity];
const byLength = (hyps: readonly string[]) =>
  bleuByLength(
    all.test.map((e, i): BleuSentence => ({ sourceLength: e.pair.en.split(/\s+/).filter(Boolean).length, references: [wordTokens(e.pair.es)], hypothesis: wordTokens(hyps[i]) })),
    edges,
  ).map((bk) => ({ from: bk.from, to: bk.to, sentences: bk.sentences, bleu: bk.bleu }));
const greedyByLength = byLength(testHyp);
let beam: { width: number; validation: number; test: number; testByLength: ReturnType<typeof byLength>; cpuSeconds: number } | null = null;
if (cfg.beam > 0) {
  const b0 = cpuSeconds();
  const bv = await translateAll(model, all.validation, cfg.beam);
  const bt = await translateAll(model, all.test, cfg.beam);
  beam = { width: cfg.beam, validation: bleuOf(all.validation, bv).bleu, test: bleuOf(all.test, bt).bleu, testByLength: byLength(bt), cpuSeconds: cpuSeconds() - b0 };
}
console.log(
  `greedy BLEU: validation ${(100 * greedy.validation.bleu).toFixed(2)}, test ${(100 * greedy.test.bleu).toFixed(2)}${beam ? `; beam ${beam.width}: validation ${(100 * beam.validation).toFixed(2)}, test ${(100 * beam.test).toFixed(2)}` : ''}\n` +
    `test BLEU by English length (words): ${greedyByLength.map((bk) => `[${bk.from}, ${bk.to}) ${(100 * bk.bleu).toFixed(1)} (${bk.sentences})`).join('; ')}`,
);

// ---- files ---------------------------------------------------------------------------------------
const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, (c) => (c === 'T' ? '-' : c === ':' ? '' : c));
const resultsFile = `tools/train/results/translate-${cfg.arch}-seed${seed}-${stamp}.json`;
const command = `RXRNN_KERNEL_THREADS=1 npx tsx --conditions=@rxrnn/source tools/train/translate.ts ${process.argv.slice(2).join(' ')}`;
const examples = [0, 1, 2, 3, 4, 100, 500, 1000].filter((i) => i < all.test.length).map((i) => ({ ref: `${all.test[i].pair.book} ${all.test[i].pair.chapter}:${all.test[i].pair.verse}`, en: all.test[i].pair.en, es: all.test[i].pair.es, output: testHyp[i] }));
const results = {
  command,
  date: new Date().toISOString(),
  backend: backendLine(backendInfo()!),
  kernelThreads: process.env.RXRNN_KERNEL_THREADS ?? null,
  config: cfg,
  modelOptions: options,
  parameters: nParams,
  data: { vocabulary: V, pairs: { train: all.train.length, validation: all.validation.length, test: all.test.length }, trainingCut: cut, bleuTokens: 'letter/digit runs and single punctuation marks of the decoded text and of the reference' },
  updates: updater.step,
  epochs: epoch + index / batches.length,
  stoppedBy,
  sessions,
  trainCpuSeconds: trainCpu,
  trainWallSeconds: trainWall,
  validationSubset: { pairs: evalSubset.length, best: best.bleu, bestStep: best.step, final: finalVal },
  greedy: {
    validation: greedy.validation,
    test: greedy.test,
    testByLength: greedyByLength,
    cpuSeconds: evalGreedyCpu,
  },
  beam,
  examples,
  curve: curve.filter((c) => c.validationBleu !== undefined),
  loss: curve.filter((_, i) => i % 5 === 0).map((c) => ({ step: c.step, cpuSeconds: +c.cpuSeconds.toFixed(1), loss: +c.loss.toFixed(4) })),
};
writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1) + '\n');
if (!a.quick) {
  mkdirSync('tools/train/results', { recursive: true });
  writeFileSync(resultsFile, JSON.stringify(results, null, 1) + '\n');
  mkdirSync(a.figures, { recursive: true });
  await writeLineChart(join(a.figures, `translate-${cfg.arch}-seed${seed}-curve`), [{ name: `validation BLEU (${evalSubset.length} pairs, greedy)`, points: results.curve.map((c) => ({ x: c.cpuSeconds / 60, y: 100 * c.validationBleu! })) }], {
    title: `English → Spanish, ${cfg.arch}, seed ${seed}: validation BLEU`,
    xTitle: 'CPU minutes',
    yTitle: 'BLEU',
    zeroY: true,
  });
}

// The model for shipping: model.json, weights.safetensors, subwords.json.
const modelDir = join(out, 'model');
mkdirSync(modelDir, { recursive: true });
const { seed: _s, ...shipOptions } = options;
writeFileSync(
  join(modelDir, 'model.json'),
  JSON.stringify(
    {
      format: 'rxrnn.seq2seq/1',
      name: cfg.arch === 'attention' ? 'translate-en-es' : 'translate-en-es-plain',
      description: `English → Spanish (World English Bible → Reina-Valera 1909), ${cfg.arch === 'attention' ? "bidirectional LSTM encoder, LSTM decoder with Luong's general attention and input feeding" : 'bidirectional LSTM encoder, LSTM decoder without attention (started from the encoder final state)'}, joint BPE of ${V} subwords; greedy test BLEU ${(100 * greedy.test.bleu).toFixed(2)} on held-out books`,
      options: { ...shipOptions, seed },
      io: { kind: 'translate', subwords: 'subwords.json', maxSourceTokens: options.maxSourceLength },
      training: { command, seed, results: a.quick ? null : resultsFile },
    },
    null,
    1,
  ) + '\n',
);
writeFileSync(join(modelDir, 'weights.safetensors'), writeSafetensors(toArrays(model.params)));
subwords.save(join(modelDir, 'subwords.json'));
console.log(`wrote ${out}/results.json, ${modelDir}/${a.quick ? '' : ` and ${resultsFile}`}`);
model.dispose();
updater.dispose();
