/**
 * Alignment heatmaps (source × output) of beam-search decodes, through the repository's plotting path:
 * `alignmentHeatmapSpec` (@rxrnn/attention, a pure vega-lite spec) → `vegaLiteToSvg` → `svgToPng`
 * (@rxrnn/text). Written to docs/figures/attention/alignment-<mechanism>.{svg,png}.
 *
 * The decoders here have RANDOM weights (seeded): the figures show what the plots look like and how
 * each mechanism's alignments are shaped (soft and spread for additive attention; one frame per
 * output, never moving backwards, for hard monotonic attention; a chunk ending at the stop frame for
 * MoChA), not what a trained model attends to.
 *
 *     npx tsx --conditions=@rxrnn/source tools/viz/alignment-heatmap.ts [--out docs/figures/attention] [--seed 4] [--offset 0]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { lastValueFrom, of, toArray } from 'rxjs';
import { initBackend } from '@rxrnn/core';
import { gruCell } from '@rxrnn/cells';
import { additiveAttention, monotonicAttention, mochaAttention, attentionDecoder, attentionDecoderSession, beamSearch, alignmentHeatmapSpec, type Attention, type FinalEvent } from '@rxrnn/attention';
import { vegaLiteToSvg, svgToPng } from '@rxrnn/text';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'docs/figures/attention' }, seed: { type: 'string', default: '4' }, offset: { type: 'string', default: '0' } } });
await initBackend({ log: null });
const seed = Number(args.seed);
const offset = Number(args.offset);
const S = 9, V = 8, H = 8, D = 6, X = 4;
const WORDS = ['the', 'small', 'cat', 'sat', 'on', 'a', 'warm', 'mat', '</s>'];
const VOCAB = ['<s>', '</s>', 'le', 'petit', 'chat', 'assis', 'sur', 'tapis'];

/** A random-weight attentional decoder (GRU + the given mechanism) on a random source, decoded by beam search. */
async function decode(attention: Attention): Promise<FinalEvent> {
  const cell = gruCell({ inputSize: X + H, hiddenSize: H, seed });
  const dec = attentionDecoder(cell, attention, { inputSize: X, seed: seed + 1 });
  const keys = tf.randomNormal([1, S, D], 0, 1.5, 'float32', seed + 2) as tf.Tensor3D;
  const embedding = tf.randomNormal([V, X], 0, 1, 'float32', seed + 3) as tf.Tensor2D;
  const output = tf.randomNormal([H, V], 0, 2, 'float32', seed + 4) as tf.Tensor2D;
  // bias against </s> early on, so the outputs are long enough to show an alignment
  const outputBias = tf.tensor1d(Array.from({ length: V }, (_, v) => (v === 1 ? -2 : 0)));
  const session = attentionDecoderSession(dec, { keys, embedding, output, outputBias, bos: 0, eos: 1 });
  const events = await lastValueFrom(of(session).pipe(beamSearch({ beamWidth: 4, maxLength: 12, lengthPenalty: 0.6 }), toArray()));
  tf.dispose([keys, embedding, output, outputBias]);
  dec.dispose();
  cell.dispose();
  return events.at(-1) as FinalEvent;
}

const mechanisms: [string, () => Attention][] = [
  ['additive', () => additiveAttention({ querySize: H, keySize: D, units: 8, seed: seed + 10 })],
  ['monotonic', () => monotonicAttention({ querySize: H, keySize: D, units: 8, seed: seed + 11, initialOffset: offset })],
  ['mocha', () => mochaAttention({ querySize: H, keySize: D, units: 8, chunkSize: 3, seed: seed + 12, initialOffset: offset })],
];

mkdirSync(args.out!, { recursive: true });
for (const [name, make] of mechanisms) {
  const attention = make();
  const final = await decode(attention);
  attention.dispose();
  const target = [...final.best.tokens.map((t) => VOCAB[t]), ...(final.best.finish === 'eos' ? ['</s>'] : [])];
  const spec = alignmentHeatmapSpec(final.best.alignments, { source: WORDS, target, title: `${name} attention, random weights (seed ${seed}), beam 4` });
  const svg = await vegaLiteToSvg(spec);
  writeFileSync(join(args.out!, `alignment-${name}.svg`), svg);
  writeFileSync(join(args.out!, `alignment-${name}.png`), await svgToPng(svg, { zoom: 2 }));
  console.log(`${name}: ${target.join(' ')} (score ${final.best.score.toFixed(3)}, ${final.steps} steps) → ${join(args.out!, `alignment-${name}.{svg,png}`)}`);
}
console.log('tensors left:', tf.memory().numTensors);
