// Beam search as an RxJS operator over a DecodeSession: a random-weight attentional decoder (GRU cell,
// MoChA attention) on a random source of 6 frames. Tokens stream out as soon as every hypothesis that can
// still win agrees on them, each with its alignment row; the final event has the best and the n best.
import * as tf from '@tensorflow/tfjs';
import { of } from 'rxjs';
import { initBackend } from '@rxrnn/core';
import { gruCell } from '@rxrnn/cells';
import { mochaAttention, attentionDecoder, attentionDecoderSession, beamSearch } from '@rxrnn/attention';

await initBackend({ log: null });
const start = tf.memory().numTensors;
const S = 6, V = 6, H = 8, D = 5, X = 4;

const cell = gruCell({ inputSize: X + H, hiddenSize: H, seed: 1 });
const attention = mochaAttention({ querySize: H, keySize: D, units: 6, chunkSize: 2, seed: 2, initialOffset: 0 });
const dec = attentionDecoder(cell, attention, { inputSize: X, seed: 3 });
const keys = tf.randomNormal([1, S, D], 0, 1.5, 'float32', 4) as tf.Tensor3D; // the encoded source
const embedding = tf.randomNormal([V, X], 0, 1, 'float32', 5) as tf.Tensor2D;
const output = tf.randomNormal([H, V], 0, 2, 'float32', 6) as tf.Tensor2D;

const session = attentionDecoderSession(dec, { keys, embedding, output, bos: 0, eos: 1 }); // the memory precomputed once

of(session)
  .pipe(beamSearch({ beamWidth: 3, maxLength: 8, lengthPenalty: 0.6, coveragePenalty: 0.2, nBest: 2 }))
  .subscribe((e) => {
    if (e.kind === 'token') console.log(`token ${e.position}: ${e.token}  α = ${Array.from(e.extras.alignment, (a) => a.toFixed(2)).join(' ')}`);
    else console.log(`best [${e.best.tokens.join(' ')}] score ${e.best.score.toFixed(3)} (${e.best.finish}); n-best scores ${e.nBest.map((h) => h.score.toFixed(3)).join(', ')}; ${e.steps} steps`);
  });

tf.dispose([keys, embedding, output]); // (beamSearch disposed the session)
dec.dispose();
attention.dispose();
cell.dispose();
console.log('tensors left:', tf.memory().numTensors - start);
