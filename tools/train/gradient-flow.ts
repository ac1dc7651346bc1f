/**
 * Figure: ‖∂L/∂h_{T−k}‖ against the distance k for a vanilla RNN, an LSTM and a GRU at
 * initialisation on a long-dependency task (see gradient-flow-probe.ts and docs/training.md).
 *
 *     npx tsx --conditions=@rxrnn/source tools/train/gradient-flow.ts
 *
 * Writes docs/figures/gradient-flow.svg, .png and .json. Takes a few seconds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { initBackend } from '@rxrnn/core';
import { writeLineChart } from '@rxrnn/text';
import { runGradientFlowProbe } from './gradient-flow-probe.js';

await initBackend({ log: null });
const T = 100;
const r = runGradientFlowProbe({ T, hidden: 64, batch: 16, seed: 1 });
mkdirSync('docs/figures', { recursive: true });
const label = { rnn: 'vanilla RNN (tanh)', lstm: 'LSTM (forget bias 1)', gru: 'GRU' } as const;
const series = (Object.keys(r) as (keyof typeof r)[]).map((k) => ({ name: label[k], points: r[k].slice(1).map((y, i) => ({ x: i + 1, y })) }));
const out = await writeLineChart('docs/figures/gradient-flow', series, {
  title: `‖∂L/∂h_{T−k}‖ at initialisation (T = ${T}, H = 64, B = 16)`,
  xTitle: 'distance k (steps back from the loss)',
  yTitle: 'gradient norm (log scale)',
  logY: true,
});
writeFileSync('docs/figures/gradient-flow.json', JSON.stringify({ T, hidden: 64, batch: 16, seed: 1, norms: r }) + '\n');
for (const k of Object.keys(r) as (keyof typeof r)[]) {
  const n = r[k];
  console.log(`${label[k].padEnd(22)} k=1 ${n[1].toExponential(2)}  k=10 ${n[10].toExponential(2)}  k=50 ${n[50].toExponential(2)}  k=100 ${n[100].toExponential(2)}`);
}
console.log(`wrote ${out.svg}, ${out.png}`);
