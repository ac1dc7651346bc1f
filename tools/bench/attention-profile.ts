/**
 * Where the time of one attention decoder step goes (`attentionDecoderStep`: LSTM cell with input
 * feeding, attention, Luong's attentional layer tanh(W_c [c; h]), the coverage sum), on its parts
 * timed alone: the cell step, `attend`, the output layer; for the additive (Bahdanau) and general
 * (Luong) scores, B = 1 and 32, S = 50, H = X = D = A = 256 (random weights), on three paths: all tfjs
 * ops, the fused cell with tfjs attention, and everything fused (cell and attention on the kernels).
 * Inference (no tape); the kernels on one thread unless RXRNN_KERNEL_THREADS says otherwise.
 *
 *     npx tsx --conditions=@rxrnn/source tools/bench/attention-profile.ts [--steps 300] [--batch 1,32]
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@rxrnn/core';
import { lstmCell, type LstmState } from '@rxrnn/cells';
import { additiveAttention, generalAttention, attentionDecoder, disposeDecoderState, type Attention, type DecoderState } from '@rxrnn/attention';
import { kernelsInfo } from '@rxrnn/kernels';

const o = new Command()
  .option('--steps <n>', 'timed calls per part', '300')
  .option('--batch <list>', 'batch sizes', '1,32')
  .option('--source <n>', 'source length S', '50')
  .option('--hidden <n>', 'H = X = D = A', '256')
  .parse()
  .opts<{ steps: string; batch: string; source: string; hidden: string }>();
const [n, S, H] = [o.steps, o.source, o.hidden].map(Number);
const X = H, D = H;

await initBackend({ log: null });
const k = kernelsInfo();

function median(f: () => void): number {
  for (let i = 0; i < 20; i++) f();
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1] * 1000; // µs
}

console.log(`attention decoder step, S=${S} H=X=D=A=${H}; kernels: ${k ? `${k.backend} ${k.isa}, ${k.threads} thread(s)` : 'none'}; median µs of ${n} calls per part`);
console.log('| score | B | path | cell step | attend | output layer | whole step |');
console.log('|---|---|---|---|---|---|---|');
for (const B of o.batch.split(',').map(Number)) {
  for (const kind of ['additive', 'general'] as const) {
    for (const [path, cellFused, attFused] of [['tfjs ops', false, false], ['fused cell, tfjs attention', true, false], ['fused cell + fused attend', true, true]] as const) {
      const cell = lstmCell({ inputSize: X + H, hiddenSize: H, seed: 1, fused: cellFused });
      const att: Attention = kind === 'additive' ? additiveAttention({ querySize: H, keySize: D, units: H, seed: 2, fused: attFused }) : generalAttention({ querySize: H, keySize: D, seed: 2, fused: attFused });
      const dec = attentionDecoder(cell, att, { inputSize: X, seed: 3 });
      const keys = tf.randomNormal([B, S, D], 0, 0.5, 'float32', 4) as tf.Tensor3D;
      const memory = att.precompute(keys);
      const x = tf.randomNormal([B, X], 0, 1, 'float32', 5) as tf.Tensor2D;
      let state: DecoderState<LstmState> = dec.initialState(B, S);
      const fed = tf.concat([x, state.attentional], 1) as tf.Tensor2D;
      const h = tf.randomNormal([B, H], 0, 0.5, 'float32', 6).tanh() as tf.Tensor2D;
      const c = tf.randomNormal([B, D], 0, 0.5, 'float32', 7) as tf.Tensor2D;
      const cellStep = median(() => tf.dispose(tf.tidy(() => Object.values(cell.step(state.cell, fed)[1]))));
      const attend = median(() => {
        const r = att.attend(h, memory, { prevAlignment: state.alignment, coverage: state.coverage });
        tf.dispose([r.context, r.alignment]);
      });
      const output = median(() => tf.tidy(() => void tf.concat([c, h], 1).matMul(dec.params.output_kernel).tanh()));
      const whole = median(() => {
        const next = tf.tidy(() => dec.step(state, x, memory).state as unknown as tf.TensorContainer) as unknown as DecoderState<LstmState>;
        disposeDecoderState(state);
        state = next;
      });
      console.log(`| ${kind} | ${B} | ${path} | ${cellStep.toFixed(1)} | ${attend.toFixed(1)} | ${output.toFixed(1)} | ${whole.toFixed(1)} |`);
      disposeDecoderState(state);
      tf.dispose([keys, x, fed, h, c]);
      memory.dispose();
      dec.dispose();
      att.dispose();
      cell.dispose();
    }
  }
}
