/**
 * Training throughput of the char-rnn trainer (tokens/s per update) for a few sizes.
 *
 *     npx tsx --conditions=@rxrnn/source tools/train/train-speed.ts '[[128,32,50],[256,32,50]]'   # [H, B, T] list
 *     FAST=1 npx tsx ...   # with initBackend({ explicitTransposeGradients: true })
 *
 * Six updates per size; the first (warm-up) is not printed. Compare settings in one session, and
 * distrust ratios under 1.3× on a shared machine (docs/perf-notes.md).
 */
import { initBackend, setExpKernel } from '@rxrnn/core';
import { kernelExp } from '@rxrnn/kernels';
import { loadMobyDick, trainCharRnn } from '@rxrnn/text';

await initBackend({ log: null, explicitTransposeGradients: !!process.env.FAST });
setExpKernel(kernelExp()); // the loss's exp on the kernels
const text = loadMobyDick();
for (const [H, B, T] of JSON.parse(process.argv[2] ?? '[[128,32,50]]') as number[][]) {
  const rates: number[] = [];
  const r = await trainCharRnn({ text, hiddenSize: H, embeddingSize: 32, dropout: 0, batch: B, seq: T, steps: 6, evalEvery: 1e9, onStep: (s) => rates.push(s.tokensPerSecond) });
  console.log(`H=${H} B=${B} T=${T} fast=${process.env.FAST ? 1 : 0}: tokens/s ${rates.slice(1).map((t) => t.toFixed(0)).join(' ')}`);
  r.cell.dispose();
}
