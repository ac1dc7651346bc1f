// Attention over a padded batch of encoder outputs: the encoder side once (precompute), then one
// attend per decoder step, with a mask, a coverage vector and a location-aware mechanism.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@rxrnn/core';
import { additiveAttention, locationAttention, initialCoverage, accumulateCoverage } from '@rxrnn/attention';

await initBackend({ log: null });
const start = tf.memory().numTensors;

const B = 2, S = 6, D = 8, Q = 4;
const keys = tf.randomNormal([B, S, D], 0, 1, 'float32', 1) as tf.Tensor3D; // encoder outputs h_j
const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]]); // the second source has 4 tokens

// Bahdanau's additive attention with See et al.'s coverage feature.
const att = additiveAttention({ querySize: Q, keySize: D, units: 10, coverage: true, seed: 1 });
const memory = att.precompute(keys); // U h_j + b, once per source
let coverage = initialCoverage(B, S);
for (let i = 0; i < 3; i++) {
  const s = tf.randomNormal([B, Q], 0, 1, 'float32', 10 + i) as tf.Tensor2D; // decoder state s_{i−1}
  const { context, alignment } = att.attend(s, memory, { mask, coverage }); // [B, D], [B, S]
  console.log(`step ${i}: α of source 2 =`, Array.from(alignment.dataSync().slice(S)).map((v) => v.toFixed(3)).join(' '));
  const next = accumulateCoverage(coverage, alignment);
  tf.dispose([s, context, alignment, coverage]);
  coverage = next;
}
memory.dispose();
att.dispose();

// Chorowski et al.'s location-aware attention: scores also see the previous alignment.
const loc = locationAttention({ querySize: Q, keySize: D, units: 10, filters: 4, kernelSize: 3, sharpening: 2, seed: 2 });
const locMemory = loc.precompute(keys);
const prev = tf.tidy(() => tf.oneHot([0, 0], S).toFloat()) as tf.Tensor2D; // start on the first frame
const s = tf.zeros([B, Q]) as tf.Tensor2D;
const { context, alignment } = loc.attend(s, locMemory, { mask, prevAlignment: prev });
console.log('location-aware α =', Array.from(alignment.dataSync().slice(0, S)).map((v) => v.toFixed(3)).join(' '), '| context', context.shape);
tf.dispose([prev, s, context, alignment, coverage, keys, mask]);
locMemory.dispose();
loc.dispose();
console.log('tensors left:', tf.memory().numTensors - start);
