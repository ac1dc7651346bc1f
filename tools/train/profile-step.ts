/**
 * Where the time of one char-rnn training update goes, by tfjs kernel (wasm backend).
 *
 *     npx tsx --conditions=@rxrnn/source tools/train/profile-step.ts [H] [B] [T] [fast=1]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, createTrainer, setExpKernel } from '@rxrnn/core';
import { kernelExp } from '@rxrnn/kernels';
import { charRnnModel, loadMobyDick, splitCorpus, streamChunks } from '@rxrnn/text';

const [H, B, T, fast] = [192, 32, 50, 1].map((d, i) => Number(process.argv[2 + i] ?? d));
await initBackend({ log: null, explicitTransposeGradients: !!fast });
setExpKernel(kernelExp()); // the loss's exp on the kernels
const { codec, train } = splitCorpus(loadMobyDick());
const cell = charRnnModel({ vocabSize: codec.size, hiddenSize: H, embeddingSize: 32, seed: 1 });
const trainer = createTrainer({ cell, optimizer: { kind: 'adam', lr: 3e-3 }, clipNorm: 5 });
const data = streamChunks(train, B, T);
const batch = data.chunk(0);
trainer.trainBatch(batch); // warm-up
const t0 = performance.now();
const prof = await tf.profile(() => {
  trainer.trainBatch(batch);
});
const wall = performance.now() - t0;
const by = new Map<string, { ms: number; n: number }>();
for (const k of prof.kernels) {
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
  const e = by.get(key) ?? { ms: 0, n: 0 };
  e.ms += (k.kernelTimeMs as number) ?? 0;
  e.n++;
  by.set(key, e);
}
const total = [...by.values()].reduce((s, e) => s + e.ms, 0);
console.log(`H=${H} B=${B} T=${T} fast=${fast}: wall ${wall.toFixed(0)} ms (profiled), kernels ${total.toFixed(0)} ms, ${prof.kernels.length} kernel calls`);
for (const [k, e] of [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(`${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(5)}×  ${k}`);
tf.dispose([batch.inputs, batch.targets]);
trainer.dispose();
cell.dispose();
