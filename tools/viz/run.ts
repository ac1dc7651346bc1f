/**
 * Figures for docs/visualisation.md: the visualisations of Karpathy, Johnson & Fei-Fei (2016) for
 * the char model in models/char-rnn, over held-out Moby Dick (the last 5 %, which char-rnn training
 * never sees), written to docs/figures/viz/.
 *
 * If models/char-rnn does not exist yet, a TINY stand-in model is trained here first (2-layer LSTM,
 * H = 64, a few hundred updates on the training 95 % of Moby Dick) and the report says so.
 *
 *     npx tsx --conditions=@rxrnn/source tools/viz/run.ts [--model models/char-rnn] [--out docs/figures/viz]
 *                                                         [--chars 60000] [--heatmap-chars 900] [--tiny-steps 300] [--force-tiny]
 *                                                         [--tiny-dir /tmp/rxrnn-viz-tiny]
 *
 * `--tiny-dir` keeps the stand-in model between runs (saved there after training, loaded if present).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, backendInfo, setExpKernel } from '@rxrnn/core';
import { kernelExp } from '@rxrnn/kernels';
import { encodeModel } from '@rxrnn/cells';
import { loadMobyDick, loadCharModel, trainCharRnn, traceActivations, vizReport, defaultFeatures, predicateFeature, type CharModel } from '@rxrnn/text';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/char-rnn' },
    out: { type: 'string', default: 'docs/figures/viz' },
    chars: { type: 'string', default: '60000' },
    'heatmap-chars': { type: 'string', default: '900' },
    'tiny-steps': { type: 'string', default: '300' },
    'force-tiny': { type: 'boolean', default: false },
    'tiny-dir': { type: 'string' },
  },
});
await initBackend({ log: null });
setExpKernel(kernelExp()); // the loss's exp on the kernels (training the stand-in model)
const t0 = Date.now();
const corpus = loadMobyDick();
// The held-out text of char-rnn training (splitCorpus: the last 5 %), from its first paragraph break.
const heldStart = Math.floor(corpus.length * 0.95);
const heldOut = corpus.slice(corpus.indexOf('\n\n', heldStart) + 2);
const nChars = Number(args.chars);

let model: CharModel;
let note: string;
let source: Record<string, unknown>;
if (!args['force-tiny'] && existsSync(join(args.model!, 'model.json'))) {
  const m = loadCharModel(args.model!);
  model = { cell: m.cell, codec: m.codec, name: m.meta.name };
  // A model still being trained is saved at checkpoints: say which one this is.
  const metrics = (m.meta.metrics ?? {}) as { steps?: number; heldOutBpc?: number; validationBpc?: number };
  const planned = Number(/--steps (\d+)/.exec(m.meta.reproduce ?? '')?.[1] ?? NaN);
  const stage = metrics.steps !== undefined && planned > metrics.steps ? `an intermediate checkpoint (update ${metrics.steps} of the ${planned} planned; training was still running)` : `update ${metrics.steps ?? '?'}`;
  note =
    `Model: ${args.model}, ${stage}, ${metrics.validationBpc !== undefined ? `validation ${metrics.validationBpc.toFixed(3)}` : `held-out ${metrics.heldOutBpc?.toFixed(3) ?? '?'}`} bpc; cell ${JSON.stringify(m.meta.cell)}. ` +
    `Text: held-out Moby Dick (last 5 %, never trained on).`;
  source = { kind: 'trained', dir: args.model, name: m.meta.name, config: m.meta.cell, metrics: m.meta.metrics ?? null };
} else {
  const tinyDir = args['tiny-dir'];
  let info: { steps: number; valBpc: number; seconds: number; config: Record<string, unknown> };
  if (tinyDir && existsSync(join(tinyDir, 'model.json'))) {
    const m = loadCharModel(tinyDir);
    model = { cell: m.cell, codec: m.codec, name: m.meta.name };
    info = m.meta.metrics as typeof info;
    console.log(`models/char-rnn not found: using the tiny stand-in saved in ${tinyDir}`);
  } else {
    const steps = Number(args['tiny-steps']);
    const cfg = { hiddenSize: 64, embeddingSize: 16, layers: 2, dropout: 0, seq: 64, batch: 32, steps, lr: 4e-3, schedule: { kind: 'cosine' as const, total: steps, min: 4e-3 / 10 }, seed: 1, evalEvery: steps };
    console.log(`models/char-rnn not found: training a tiny stand-in (${JSON.stringify(cfg)})`);
    const r = await trainCharRnn({ text: corpus, ...cfg, onStep: (s) => (s.step % 50 === 0 ? console.log(`  step ${s.step}: ${s.bpc.toFixed(3)} bpc, ${s.tokensPerSecond.toFixed(0)} tokens/s`) : undefined) });
    model = { cell: r.cell, codec: r.codec, name: 'tiny stand-in char-LSTM (trained by tools/viz/run.ts)' };
    info = { steps, valBpc: r.valBpc, seconds: r.seconds, config: cfg };
    if (tinyDir) {
      mkdirSync(tinyDir, { recursive: true });
      const { json, weights } = encodeModel(r.cell, { name: model.name!, description: 'tiny stand-in for models/char-rnn (tools/viz/run.ts)', io: r.codec.io as unknown as Record<string, unknown>, metrics: info });
      writeFileSync(join(tinyDir, 'model.json'), json);
      writeFileSync(join(tinyDir, 'weights.safetensors'), weights);
    }
  }
  note =
    `NOT the project's char-rnn model: models/char-rnn did not exist when these figures were made, so tools/viz/run.ts trained a tiny ` +
    `stand-in (2-layer LSTM, H = 64, E = 16, ${info.steps} Adam updates of 32×64 characters on the first 95 % of Moby Dick, ${info.seconds.toFixed(0)} s; ` +
    `held-out ${info.valBpc.toFixed(3)} bpc). Re-run the script once models/char-rnn exists. Text: held-out Moby Dick (last 5 %).`;
  source = { kind: 'tiny-stand-in', ...info };
}
console.log(note);

// Trace speed, measured alone on 2,000 characters after a warm-up (one read-back per 64 steps).
await traceActivations(model, heldOut.slice(0, 200)); // warm-up
const tt = Date.now();
const probe = await traceActivations(model, heldOut.slice(0, 2000));
const traceCharsPerSecond = probe.steps / ((Date.now() - tt) / 1000);
console.log(`trace: ${traceCharsPerSecond.toFixed(0)} characters/s (backend ${backendInfo()?.name})`);

const vowel = predicateFeature('vowel', (c) => 'aeiouAEIOU'.includes(c), 'a vowel (user predicate)');
const out = args.out!;
if (existsSync(join(out, 'heatmaps'))) rmSync(join(out, 'heatmaps'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const tr = Date.now();
const res = await vizReport({ model, text: heldOut, outDir: out, maxChars: nChars, heatmapChars: Number(args['heatmap-chars']), topK: 3, features: [...defaultFeatures(), vowel], note });
const reportSeconds = (Date.now() - tr) / 1000;
model.cell.dispose();
writeFileSync(join(out, 'run.json'), JSON.stringify({ source, backend: backendInfo()?.name, traceCharsPerSecond: Math.round(traceCharsPerSecond), reportSeconds, totalSeconds: (Date.now() - t0) / 1000, steps: res.steps, searches: res.searches, saturation: res.saturation }, null, 1) + '\n');
console.log(`wrote ${res.files.length + 1} files to ${out} in ${reportSeconds.toFixed(1)} s`);
for (const s of res.searches) console.log(`  ${s.feature}: ${s.top.map((c) => `L${c.layer}/${c.unit} r=${c.r.toFixed(3)}`).join(', ')}`);
for (const g of res.saturation) console.log(`  layer ${g.layer} ${g.gate}: left ${g.meanLeft.toFixed(3)} right ${g.meanRight.toFixed(3)}`);
