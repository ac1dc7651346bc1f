/**
 * The copy task of Graves, Wayne & Danihelka (2014, §4.1): train a Neural Turing Machine (or, with
 * `--model lstm`, an LSTM of about the same number of parameters) on random 8-bit vectors of lengths
 * 1–20, evaluate on fixed validation sequences during training and on held-out lengths (10 … 120)
 * at the end, and draw the heads' weightings over one test sequence (the paper's Fig. 6).
 *
 *     npx tsx --conditions=@rxrnn/source tools/train/ntm-copy.ts --seed 1 --out tmp/ntm-copy
 *     npx tsx --conditions=@rxrnn/source tools/train/ntm-copy.ts --model lstm --seed 1 --out tmp/lstm-copy
 *
 * Options: --minutes (wall-clock training budget, default 30), --updates (cap), --batch (16),
 * --lr (Adam, 1e-3), --clip (global norm, 10), --eval-every (updates, 100), --max-length (20),
 * --test-lengths (10,20,30,40,60,80,100,120), --test-batch (32), --hidden (the LSTM's size; default:
 * the NTM's parameter count). Writes the weights, curve and figures to --out, and the results to
 * tools/train/results/ntm-copy-<model>[-<tag>]-seed<seed>.json (`--tag` names a variant run). `--load <dir>` takes the weights a run wrote
 * there, skips training and writes only the test scores and the figures (no results file).
 * `--resume <dir>` continues a run from the weights, optimiser state and curve it saved there (the
 * next batches of the same data stream), for another --minutes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { from, lastValueFrom, toArray } from 'rxjs';
import { initBackend, backendInfo, createTrainer, createRng, readSafetensors, writeSafetensors, type Cell, type TrainerCheckpoint } from '@rxrnn/core';
import { lstmCell, denseCell, stackCells } from '@rxrnn/cells';
import { ntmCell, ntm, copyTask, copyBatch, copyInputSize, bitCrossEntropy, scoreBits, poolScores, type BitScore, type BitTaskBatch } from '@rxrnn/memory';
import { vegaLiteToSvg, svgToPng, writeLineChart } from '@rxrnn/text';

const a = new Command('ntm-copy')
  .description('train an NTM (or a same-size LSTM) on the copy task; evaluate on held-out lengths')
  .addOption(new Option('--model <kind>', 'the model').choices(['ntm', 'lstm']).default('ntm'))
  .option('--seed <n>', 'seed of the run', '1')
  .option('--out <dir>', 'where the weights, curve and figures go', 'tmp/ntm-copy')
  .option('--minutes <m>', 'wall-clock training budget', '30')
  .option('--updates <n>', 'updates at most', '1000000')
  .option('--batch <n>', 'sequences per update', '16')
  .option('--lr <x>', "Adam's learning rate", '1e-3')
  .option('--clip <x>', 'global-norm gradient clip', '10')
  .option('--eval-every <n>', 'validation every n updates', '100')
  .option('--max-length <n>', 'longest training sequence', '20')
  .option('--test-lengths <list>', 'held-out lengths evaluated at the end', '10,20,30,40,60,80,100,120')
  .option('--test-batch <n>', 'sequences per held-out length', '32')
  .option('--hidden <n>', "the LSTM's size (default: the NTM's parameter count)")
  .option('--load <dir>', 'evaluate the weights a run wrote there, no training')
  .option('--resume <dir>', 'continue the run saved there')
  .option('--tag <name>', 'names a variant run in the results file')
  .parse()
  .opts<{ model: string; seed: string; out: string; minutes: string; updates: string; batch: string; lr: string; clip: string; evalEvery: string; maxLength: string; testLengths: string; testBatch: string; hidden?: string; load?: string; resume?: string; tag?: string }>();
const model = a.model as 'ntm' | 'lstm';
if (model !== 'ntm' && model !== 'lstm') throw new Error(`--model: ntm or lstm, not ${a.model}`);
const seed = Number(a.seed);
const minutes = Number(a.minutes);
const maxUpdates = a.load ? 0 : Number(a.updates);
const batch = Number(a.batch);
const lr = Number(a.lr);
const clipNorm = Number(a.clip);
const evalEvery = Number(a.evalEvery);
const maxLength = Number(a.maxLength);
const testLengths = a.testLengths.split(',').map(Number);
const testBatch = Number(a.testBatch);
const out = a.out;
mkdirSync(out, { recursive: true });

await initBackend({ log: null });
const BITS = 8;
const X = copyInputSize(BITS);
const NTM = { inputSize: X, outputSize: BITS, memorySize: 128, memoryWidth: 20, controllerSize: 100, readHeads: 1, writeHeads: 1, shiftRange: 1 };
const count = (c: Cell) => Object.values(c.params).reduce((s, v) => s + v.size, 0);
const ntmParams = (() => {
  const c = ntmCell({ ...NTM, seed });
  const n = count(c);
  c.dispose();
  return n;
})();
// The LSTM's size: the largest H whose LSTM + output layer has at most the NTM's parameter count.
const lstmParamsOf = (H: number) => 4 * H * (X + H + 1) + (H + 1) * BITS;
let hidden = a.hidden ? Number(a.hidden) : 1;
if (!a.hidden) while (lstmParamsOf(hidden + 1) <= ntmParams) hidden++;
const cell: Cell =
  model === 'ntm'
    ? ntmCell({ ...NTM, seed })
    : stackCells([lstmCell({ inputSize: X, hiddenSize: hidden, seed }), denseCell({ inputSize: hidden, outputSize: BITS, seed: seed + 1 })]);
const params = count(cell);
const from_ = a.load ?? a.resume;
if (from_) {
  const file = a.resume && existsSync(join(from_, 'model-final.safetensors')) ? 'model-final.safetensors' : 'model.safetensors';
  const saved = readSafetensors(new Uint8Array(readFileSync(join(from_, file))));
  for (const [k, v] of Object.entries(cell.params)) v.assign(tf.tensor(Float32Array.from(saved[k].data), saved[k].shape));
}
const config = model === 'ntm' ? { ...NTM, controller: 'lstm' } : { lstm: { inputSize: X, hiddenSize: hidden }, output: { inputSize: hidden, outputSize: BITS } };

// Data: training batches from (seed, update); validation and test sets from generators of their own.
const train = copyTask(seed, { batch, minLength: 1, maxLength });
const setOf = (streamSeed: number, lengths: number[], n: number): BitTaskBatch[] => {
  const rng = createRng(streamSeed);
  return lengths.map((L) => copyBatch(rng, n, L, { bits: BITS }));
};
const validLengths = [5, 10, 15, 20].filter((L) => L <= maxLength);
const valid = setOf(0x7a11d000 + seed, validLengths, 16);
const test = setOf(0x7e570000 + seed, testLengths, testBatch);
const score = (sets: BitTaskBatch[]): BitScore => poolScores(sets.map((b) => scoreBits(cell, b)));

const trainer = createTrainer({ cell, loss: bitCrossEntropy, optimizer: { kind: 'adam', lr }, clipNorm, seed });
interface CurvePoint {
  update: number;
  sequences: number;
  minutes: number;
  trainBitsPerSequence: number;
  validBitsPerSequence: number;
  validBitErrorsPerSequence: number;
  validPerfect: number;
}
const curve: CurvePoint[] = [];
const segments: { updates: number; minutes: number }[] = [];
let offset = 0; // updates before this run that the trainer does not count (a resume without optimiser state)
if (a.resume) {
  if (existsSync(join(a.resume, 'trainer.json'))) {
    const json = JSON.parse(readFileSync(join(a.resume, 'trainer.json'), 'utf8')) as TrainerCheckpoint['json'];
    const arrays = readSafetensors(new Uint8Array(readFileSync(join(a.resume, 'trainer.safetensors'))));
    await trainer.restore({ json, arrays });
    const extra = json.extra as { curve: CurvePoint[]; segments: { updates: number; minutes: number }[] };
    curve.push(...extra.curve);
    segments.push(...extra.segments);
  } else {
    // A run saved before trainer checkpoints were written: its results file has the curve; Adam restarts.
    const prev = JSON.parse(readFileSync(`tools/train/results/ntm-copy-${model}-seed${seed}.json`, 'utf8')) as { curve: CurvePoint[]; training: { updates: number; minutes: number } };
    curve.push(...prev.curve);
    segments.push({ updates: prev.training.updates, minutes: prev.training.minutes });
    offset = prev.training.updates;
    console.log(`resuming after ${offset} updates without optimiser state (Adam's moments start again)`);
  }
}
const minutesBefore = segments.reduce((m, g) => m + g.minutes, 0);
const bar = new cliProgress.SingleBar(
  {
    format: `copy ${model} |{bar}| {value}/{total} s | update {update} | train {train} bits/seq | valid {valid} bits/seq, {errors} bit errors/seq`,
    noTTYOutput: true,
    notTTYSchedule: 30_000,
  },
  cliProgress.Presets.shades_classic,
);
const budget = Math.round(minutes * 60);
bar.start(budget, 0, { update: 0, train: '–', valid: '–', errors: '–' });
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
// The weights with the lowest validation cost so far (NTM training can diverge after it has learned).
const snapshotParams = () => Object.fromEntries(Object.entries(cell.params).map(([k, v]) => [k, Float32Array.from(v.dataSync())]));
let best: { update: number; valid: BitScore; params: Record<string, Float32Array> } | null = null;
let update = offset + trainer.step;
const updatesBefore = update;
let sumBits = 0;
let nBits = 0;
let stopped = 'budget';
while (elapsed() < budget && update < maxUpdates) {
  const b = train(update);
  const inputs = tf.tensor3d(b.inputs, [b.T, b.B, b.X]);
  const targets = tf.tensor3d(b.targets, [b.T, b.B, b.K]);
  const r = trainer.trainBatch({ inputs, targets }, { lossFrom: b.lossFrom });
  tf.dispose([inputs, targets]);
  update = offset + r.step;
  if (!Number.isFinite(r.loss)) {
    stopped = `non-finite loss at update ${update}`;
    break;
  }
  sumBits += (r.loss * b.length) / Math.LN2; // mean nats per scored step × L steps → bits per sequence
  nBits++;
  if (update % evalEvery === 0) {
    const v = score(valid);
    if (!best || v.bitsPerSequence < best.valid.bitsPerSequence) best = { update, valid: v, params: snapshotParams() };
    curve.push({ update, sequences: update * batch, minutes: minutesBefore + elapsed() / 60, trainBitsPerSequence: sumBits / nBits, validBitsPerSequence: v.bitsPerSequence, validBitErrorsPerSequence: v.bitErrorsPerSequence, validPerfect: v.perfect });
    bar.update(Math.min(budget, Math.round(elapsed())), { update, train: (sumBits / nBits).toFixed(2), valid: v.bitsPerSequence.toFixed(2), errors: v.bitErrorsPerSequence.toFixed(2) });
    if (!process.stdout.isTTY) console.log(JSON.stringify(curve[curve.length - 1]));
    sumBits = 0;
    nBits = 0;
  } else bar.update(Math.min(budget, Math.round(elapsed())), { update });
  await new Promise((resolve) => setImmediate(resolve)); // let the progress bar draw
}
bar.stop();
if (stopped === 'budget' && update >= maxUpdates) stopped = 'updates';
if (!a.load) segments.push({ updates: update - updatesBefore, minutes: elapsed() / 60 });
const trainMinutes = minutesBefore + elapsed() / 60;
console.log(`trained ${update} updates (${update * batch} sequences) in ${trainMinutes.toFixed(1)} min (${segments.length} run${segments.length === 1 ? '' : 's'}); stopped: ${stopped}`);

// Held-out lengths: the final weights, then (if they differ) the ones with the lowest validation cost,
// which the figures and the headline use.
const testAll = () => testLengths.map((L, i) => ({ length: L, ...scoreBits(cell, test[i]) }));
const report = (label: string, rs: ReturnType<typeof testAll>) => {
  console.log(label);
  for (const r of rs) console.log(`  length ${String(r.length).padStart(3)}: ${r.bitsPerSequence.toFixed(2)} bits/seq, ${r.bitErrorsPerSequence.toFixed(2)} bit errors/seq (of ${r.length * BITS}), ${(100 * r.perfect).toFixed(0)} % perfect`);
};
const finalValid = score(valid);
const finalTest = testAll();
report(`final weights (update ${update}): validation ${finalValid.bitsPerSequence.toFixed(2)} bits/seq`, finalTest);
const finalParams = snapshotParams();
let selected = { update, by: 'final weights', validation: finalValid, test: finalTest };
if (best && best.update !== update && !a.load) {
  for (const [k, v] of Object.entries(cell.params)) v.assign(tf.tensor(best.params[k], v.shape));
  const t = testAll();
  report(`lowest validation cost (update ${best.update}): validation ${best.valid.bitsPerSequence.toFixed(2)} bits/seq`, t);
  selected = { update: best.update, by: 'lowest validation cost per sequence', validation: best.valid, test: t };
}
const testResults = selected.test;

// Weights: model.safetensors the selected ones, model-final.safetensors the last (what --resume continues).
if (!a.load) {
  const write = (file: string, params: Record<string, Float32Array>) => {
    const arrays: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [k, v] of Object.entries(cell.params)) arrays[k] = { shape: v.shape.slice(), data: params[k] };
    writeFileSync(join(out, file), writeSafetensors(arrays, { model, seed: String(seed) }));
  };
  write('model.safetensors', snapshotParams());
  write('model-final.safetensors', finalParams);
  writeFileSync(join(out, 'config.json'), JSON.stringify({ model, config }, null, 2) + '\n');
  const ckpt = await trainer.checkpoint({ curve, segments });
  writeFileSync(join(out, 'trainer.json'), JSON.stringify(ckpt.json) + '\n');
  writeFileSync(join(out, 'trainer.safetensors'), writeSafetensors(ckpt.arrays));
}

// Figures: the learning curve, and (NTM) the weightings over a test sequence.
const figures: string[] = [];
const series = (k: keyof CurvePoint, name: string) => ({ name, points: curve.map((p) => ({ x: p.sequences, y: p[k] })) });
if (!a.load) {
const c1 = await writeLineChart(join(out, `copy-${model}-curve`), [series('trainBitsPerSequence', 'training (lengths 1–20)'), series('validBitsPerSequence', `validation (lengths ${validLengths.join(', ')})`)], {
  title: `copy task, ${model === 'ntm' ? 'NTM' : `LSTM ${hidden}`} (${params} parameters), seed ${seed}`,
  xTitle: 'training sequences',
  yTitle: 'cost per sequence (bits, log scale)',
  logY: true,
});
const c2 = await writeLineChart(join(out, `copy-${model}-errors`), [series('validBitErrorsPerSequence', `validation (lengths ${validLengths.join(', ')})`)], {
  title: `copy task, ${model === 'ntm' ? 'NTM' : `LSTM ${hidden}`}: wrong bits per validation sequence`,
  xTitle: 'training sequences',
  yTitle: 'bit errors per sequence',
  zeroY: true,
});
figures.push(c1.svg, c1.png, c2.svg, c2.png);
}

if (model === 'ntm') {
  for (const L of [20, 40]) {
    const seq = copyBatch(createRng(0x91c7 + seed + L), 1, L, { bits: BITS });
    const rows = Array.from({ length: seq.T }, (_, t) => Array.from(seq.inputs.subarray(t * X, (t + 1) * X)));
    // Through the streaming operator, as a client would watch it: extras carry the weightings.
    const steps = await lastValueFrom(from(rows).pipe(ntm(cell as ReturnType<typeof ntmCell>, { emit: 'step', extras: true }), toArray()));
    const cells: { panel: string; t: number; row: number; v: number }[] = [];
    steps.forEach((s, t) => {
      const y = tf.tidy(() => tf.sigmoid(s.y).dataSync());
      const rw = s.extras!.readWeights.dataSync();
      const ww = s.extras!.writeWeights.dataSync();
      rows[t].forEach((v, j) => cells.push({ panel: 'inputs', t, row: j, v }));
      if (t >= seq.lossFrom) y.forEach((v, j) => cells.push({ panel: 'outputs', t, row: j, v }));
      ww.forEach((v, i) => cells.push({ panel: 'write weighting', t, row: i, v }));
      rw.forEach((v, i) => cells.push({ panel: 'read weighting', t, row: i, v }));
      tf.dispose([s.y, ...Object.values(s.extras!)]);
    });
    // Only the memory rows the heads visited (weight > 0.01 at some step), as one circular window
    // (the heads may wrap around row N − 1 → 0), with a margin of 2 rows.
    const N = NTM.memorySize;
    const used: number[] = [...new Set(cells.filter((c) => c.panel.endsWith('weighting') && c.v > 0.01).map((c) => c.row))].sort((p, q) => p - q);
    let start = 0;
    let gap = used.length ? -1 : 1;
    used.forEach((r, i) => {
      const next = i + 1 < used.length ? used[i + 1] : used[0] + N;
      if (next - r > gap) {
        gap = next - r;
        start = (next % N) as number;
      }
    });
    const span = Math.min(N, N - gap + 1 + 4);
    start = (start - 2 + N) % N;
    const offset = (row: number) => (row - start + N) % N;
    for (const c of cells) if (c.panel.endsWith('weighting')) c.row = offset(c.row);
    const end = (start + span - 1) % N;
    const rowPx = span > 80 ? 2 : 4;
    const panel = (name: string, rowsTitle: string, filter: (c: (typeof cells)[number]) => boolean, rows: number, px: number) => ({
      title: name,
      width: 8 * seq.T,
      height: rows * px,
      // Weights under 0.005 are left out (drawn white, as 0 is): a weighting is a few rows, the SVG stays small.
      data: { values: cells.filter((c) => c.panel === name && filter(c) && !(c.panel.endsWith('weighting') && c.v < 0.005)) },
      mark: { type: 'rect' },
      view: { fill: 'white', stroke: '#999' },
      encoding: {
        x: { field: 't', type: 'ordinal', title: 'time step', scale: { domain: Array.from({ length: seq.T }, (_, t) => t) }, axis: { values: Array.from({ length: seq.T }, (_, t) => t).filter((t) => t % 5 === 0) } },
        y: { field: 'row', type: 'ordinal', title: rowsTitle, scale: { domain: Array.from({ length: rows }, (_, i) => i) }, axis: { values: [] } },
        color: { field: 'v', type: 'quantitative', scale: { range: ['#ffffff', '#000000'], domain: [0, 1] }, legend: null },
      },
    });
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `NTM on a copy sequence of length ${L} (trained on 1–${maxLength}; seed ${seed})`,
      background: 'white',
      vconcat: [
        panel('inputs', 'channel', () => true, X, 6),
        panel('outputs', 'σ(y)', () => true, BITS, 6),
        panel('write weighting', `memory rows ${start}…${end}`, (c) => c.row < span, span, rowPx),
        panel('read weighting', `memory rows ${start}…${end}`, (c) => c.row < span, span, rowPx),
      ],
      config: { font: 'DejaVu Sans', view: { stroke: '#ddd' } },
    };
    const svg = await vegaLiteToSvg(spec);
    const base = join(out, `copy-ntm-weightings-${L}`);
    writeFileSync(`${base}.svg`, svg);
    writeFileSync(`${base}.png`, await svgToPng(svg, { zoom: 2 }));
    figures.push(`${base}.svg`, `${base}.png`);
  }
}

const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
})();
const results = {
  task: 'copy (Graves et al. 2014, §4.1): random 8-bit vectors, delimiter channel, target after the delimiter',
  command: `npx tsx --conditions=@rxrnn/source tools/train/ntm-copy.ts ${process.argv.slice(2).join(' ')}`,
  commit,
  date: new Date().toISOString(),
  backend: backendInfo()?.name ?? null,
  kernelThreads: process.env.RXRNN_KERNEL_THREADS ?? null,
  model,
  config,
  parameters: params,
  ntmParameters: ntmParams,
  seed,
  training: { lengths: [1, maxLength], batch, optimizer: { kind: 'adam', lr }, clipNorm, loss: 'summed binary cross entropy of the bits after the delimiter', updates: update, sequences: update * batch, minutes: trainMinutes, segments, stopped },
  validation: { lengths: validLengths, sequencesPerLength: 16, final: finalValid },
  selected: { update: selected.update, by: selected.by, validation: selected.validation },
  test: { sequencesPerLength: testBatch, weights: `update ${selected.update} (${selected.by})`, results: testResults },
  finalTest: { update, results: finalTest },
  curve,
  figures,
};
if (!a.load) {
  mkdirSync('tools/train/results', { recursive: true });
  const resultsFile = `tools/train/results/ntm-copy-${model}${a.tag ? `-${a.tag}` : ''}-seed${seed}.json`;
  writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  console.log(`wrote ${resultsFile}, ${out}/model.safetensors and ${figures.length} figures`);
} else console.log(`wrote ${figures.join(', ')}`);
trainer.dispose();
cell.dispose();
