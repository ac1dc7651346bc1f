/**
 * The figures of the English → Spanish comparison from two results files of tools/train/translate.ts
 * (the attention model and the plain encoder–decoder): validation BLEU against CPU minutes for both,
 * and test BLEU by source length (Bahdanau et al. 2015, Fig. 2), SVG + PNG. Prints the markdown table
 * of the length buckets.
 *
 *     npx tsx --conditions=@rxrnn/source tools/train/translate-figures.ts \
 *       --attention tools/train/results/translate-attention-seed1-….json --plain tools/train/results/translate-plain-seed1-….json
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { lineChartSpec, vegaLiteToSvg, svgToPng, writeLineChart } from '@rxrnn/text';

const a = new Command('translate-figures')
  .description('figures of the attention vs plain English → Spanish runs')
  .requiredOption('--attention <file>', 'results JSON of the attention run')
  .requiredOption('--plain <file>', 'results JSON of the plain run')
  .option('--out <dir>', 'where the figures go', 'docs/figures/translation')
  .parse()
  .opts<{ attention: string; plain: string; out: string }>();

interface Bucket {
  from: number;
  to: number | null;
  sentences: number;
  bleu: number;
}
interface Results {
  config: { arch: string; seed: number };
  parameters: number;
  curve: { step: number; cpuSeconds: number; validationBleu: number }[];
  greedy: { validation: { bleu: number }; test: { bleu: number }; testByLength: Bucket[] };
}
const runs = [a.attention, a.plain].map((f) => JSON.parse(readFileSync(f, 'utf8')) as Results);
const label = (r: Results) => `${r.config.arch === 'attention' ? 'attention' : 'plain encoder–decoder'} (${(r.parameters / 1e6).toFixed(2)} M parameters)`;
mkdirSync(a.out, { recursive: true });
await writeLineChart(
  join(a.out, 'translate-curves'),
  runs.map((r) => ({ name: label(r), points: r.curve.map((c) => ({ x: c.cpuSeconds / 60, y: 100 * c.validationBleu })) })),
  { title: `English → Spanish, seed ${runs[0].config.seed}: validation BLEU (greedy, fixed subset) during training`, xTitle: 'CPU minutes (one thread)', yTitle: 'BLEU', zeroY: true },
);
// JSON turns the last edge (Infinity) into null.
const mid = (b: Bucket) => (b.to === null ? b.from + 5 : (b.from + b.to) / 2);
const spec = lineChartSpec(
  runs.map((r) => ({ name: label(r), points: r.greedy.testByLength.filter((b) => b.sentences > 0).map((b) => ({ x: mid(b), y: 100 * b.bleu })) })),
  { title: 'English → Spanish, held-out test books: BLEU by English sentence length (greedy)', xTitle: 'English words in the source verse (bucket centre; last bucket: 60 and more)', yTitle: 'BLEU', zeroY: true },
);
spec.mark = { type: 'line', point: true, strokeWidth: 1.5 };
const svg = await vegaLiteToSvg(spec);
writeFileSync(join(a.out, 'translate-by-length.svg'), svg);
writeFileSync(join(a.out, 'translate-by-length.png'), await svgToPng(svg, { zoom: 2 }));

const buckets = runs[0].greedy.testByLength;
console.log(`| English words | verses | ${runs.map((r) => r.config.arch).join(' | ')} |\n|---|---:|${runs.map(() => '---:').join('|')}|`);
buckets.forEach((b, i) => console.log(`| ${b.to === null ? `${b.from}+` : `${b.from}–${b.to - 1}`} | ${b.sentences} | ${runs.map((r) => (100 * r.greedy.testByLength[i].bleu).toFixed(2)).join(' | ')} |`));
console.log(`| all | ${buckets.reduce((n, b) => n + b.sentences, 0)} | ${runs.map((r) => (100 * r.greedy.test.bleu).toFixed(2)).join(' | ')} |`);
console.log(`wrote ${a.out}/translate-curves.{svg,png}, ${a.out}/translate-by-length.{svg,png}`);
