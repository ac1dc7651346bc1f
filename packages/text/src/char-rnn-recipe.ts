/**
 * The recipe of the shipped char-rnn (models/char-rnn: held-out 1.991 bits per character on the last
 * 5 % of Moby Dick): embedding E = 64 → one LSTM layer H = 448 → dense logits, dropout 0.1, 7,000 Adam
 * updates of B = 16 streams × T = 100 characters, learning rate 0.01 decayed linearly to 0, gradient
 * global norm clipped to 5, seed 1, one trainer thread (its kernel calls use every core).
 *
 * The one place these numbers live: `charRnnModel` and `trainCharRnn` default to them, `rxrnn train
 * char-rnn` takes its defaults from them, and the docs quote them. Core's `createTrainer` keeps
 * generic defaults of its own (Adam at 2e-3, constant rate, no clipping): it trains any cell.
 *
 * ```ts
 * const shipped = await trainCharRnn({ text: loadMobyDick() });                   // the recipe: ~20–25 min on 2 cores
 * const smaller = await trainCharRnn({ text: loadMobyDick(), hiddenSize: 128, steps: 500 }); // the rest of it
 * console.log(CHAR_RNN_RECIPE.hiddenSize, recipeSchedule(500)); // 448 { kind: 'linear', total: 500, min: 0 }
 * ```
 */
import type { LrSchedule } from '@rxrnn/core';

export interface CharRnnRecipe {
  /** E. */
  embeddingSize: number;
  /** H. */
  hiddenSize: number;
  layers: number;
  cell: 'lstm' | 'gru' | 'rnn';
  /** On the input of every recurrent layer and of the output layer, in training. */
  dropout: number;
  /** Adam updates. */
  steps: number;
  /** T, the BPTT length. */
  seq: number;
  /** B, parallel streams. */
  batch: number;
  /** Adam's peak learning rate. */
  lr: number;
  /** How the rate decays over `steps`. */
  schedule: 'linear' | 'cosine';
  /** The rate at the last update. */
  lrMin: number;
  /** Gradient global-norm clip. */
  clipNorm: number;
  seed: number;
  /** Data-parallel trainer threads (1: one trainer, whose kernel calls use every core). */
  threads: number;
  /** Held-out tail of the corpus. */
  validationFraction: number;
}

export const CHAR_RNN_RECIPE: Readonly<CharRnnRecipe> = Object.freeze({
  embeddingSize: 64,
  hiddenSize: 448,
  layers: 1,
  cell: 'lstm',
  dropout: 0.1,
  steps: 7000,
  seq: 100,
  batch: 16,
  lr: 0.01,
  schedule: 'linear',
  lrMin: 0,
  clipNorm: 5,
  seed: 1,
  threads: 1,
  validationFraction: 0.05,
});

/** The recipe's schedule (linear decay from the peak rate to `lrMin`) over `steps` updates. */
export function recipeSchedule(steps: number = CHAR_RNN_RECIPE.steps): LrSchedule {
  return { kind: CHAR_RNN_RECIPE.schedule, total: steps, min: CHAR_RNN_RECIPE.lrMin };
}
