/**
 * Test harness shared by the mechanism tests: the PyTorch goldens of tools/goldens/attention.py
 * (fixtures/attention/<case>.safetensors + .json), finite-difference gradient checks w.r.t. the
 * parameters, the query and the keys, padding invariance under masks, and leak checks.
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { createRng, type ParamInit } from '@rxrnn/core';
import { loadGolden, expectClose, expectNoLeaks, gradCheck, type Golden } from '@rxrnn/testing';
import { additiveAttention, concatAttention } from '../src/additive.js';
import { dotAttention, generalAttention } from '../src/luong.js';
import { locationAttention } from '../src/location.js';
import type { Attention, AttendOptions } from '../src/types.js';

export interface AttentionMeta {
  case: string;
  factory: 'additiveAttention' | 'concatAttention' | 'dotAttention' | 'generalAttention' | 'locationAttention';
  options: Record<string, unknown>;
  weights: string[];
  inputs: string[];
}

const DIR = fileURLToPath(new URL('../fixtures/attention/', import.meta.url));

const FACTORIES = { additiveAttention, concatAttention, dotAttention, generalAttention, locationAttention } as Record<
  AttentionMeta['factory'],
  (options: never) => Attention
>;

/** Build a mechanism by factory name from options (and stored weights). */
export function build(factory: AttentionMeta['factory'], options: Record<string, unknown>): Attention {
  return FACTORIES[factory](options as never);
}

function tensorOf(g: Golden<AttentionMeta>, name: string): tf.Tensor {
  const t = g.tensors[name];
  return tf.tensor(Float32Array.from(t.data), t.shape);
}

/**
 * Run the stored case: build the mechanism from the stored weights, precompute, score and attend,
 * and compare scores, alignment and context with PyTorch within `atol`. Leaves no tensors behind.
 */
export async function expectGoldenParity(name: string, atol = 1e-5): Promise<void> {
  const g = loadGolden<AttentionMeta>(`${DIR}${name}`);
  const weights: Record<string, ParamInit> = {};
  for (const w of g.config.weights) {
    const t = g.tensors[`weights.${w}`];
    weights[w] = { shape: t.shape, data: Float32Array.from(t.data) };
  }
  await expectNoLeaks(() => {
    const att = build(g.config.factory, { ...g.config.options, weights });
    const query = tensorOf(g, 'query') as tf.Tensor2D;
    const keys = tensorOf(g, 'keys') as tf.Tensor3D;
    const options: AttendOptions = { mask: tensorOf(g, 'mask') as tf.Tensor2D };
    if (g.config.inputs.includes('prev')) options.prevAlignment = tensorOf(g, 'prev') as tf.Tensor2D;
    if (g.config.inputs.includes('coverage')) options.coverage = tensorOf(g, 'coverage') as tf.Tensor2D;
    const memory = att.precompute(keys);
    const scores = att.score(query, memory, options);
    const { context, alignment } = att.attend(query, memory, options);
    expectClose(scores, g.tensors.scores.data, atol, 0, `${name} scores`);
    expectClose(alignment, g.tensors.alignment.data, atol, 0, `${name} alignment`);
    expectClose(context, g.tensors.context.data, atol, 0, `${name} context`);
    tf.dispose([scores, context, alignment, query, keys, options.mask, options.prevAlignment, options.coverage]);
    memory.dispose();
    att.dispose();
  }, name);
}

function randomTensor(rng: () => number, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale), shape);
}

/** A previous alignment [B, S]: positive rows summing to 1 over the first `lengths[b]` positions. */
export function alignmentRows(rng: () => number, lengths: number[], S: number): tf.Tensor2D {
  const data = new Float32Array(lengths.length * S);
  lengths.forEach((n, b) => {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += data[b * S + j] = 0.1 + rng();
    for (let j = 0; j < n; j++) data[b * S + j] /= sum;
  });
  return tf.tensor2d(data, [lengths.length, S]);
}

/** A 0/1 mask [B, S] for sources of the given lengths. */
export function lengthMask(lengths: number[], S: number): tf.Tensor2D {
  return tf.tensor2d(lengths.flatMap((n) => Array.from({ length: S }, (_, j) => (j < n ? 1 : 0))), [lengths.length, S]);
}

/**
 * Finite-difference check of the gradients of a fixed random projection of (context, alignment)
 * w.r.t. every parameter, the query and the keys (and α_{i−1} / coverage when the mechanism takes them).
 * The batch has a padded row, so the masked path is checked too.
 */
export function expectGradients(att: Attention, extra: { prev?: boolean; coverage?: boolean } = {}): void {
  const rng = createRng(7).next;
  const B = 2;
  const S = 4;
  const lengths = [4, 2];
  const query = tf.variable(randomTensor(rng, [B, att.querySize]));
  const keys = tf.variable(randomTensor(rng, [B, S, att.keySize]));
  const mask = lengthMask(lengths, S);
  const vars: Record<string, tf.Variable> = { ...att.params, query, keys };
  if (extra.prev) vars.prev = tf.variable(alignmentRows(rng, lengths, S));
  if (extra.coverage) vars.coverage = tf.variable(randomTensor(rng, [B, S]).abs());
  const wc = randomTensor(rng, [B, att.keySize]);
  const wa = randomTensor(rng, [B, S]);
  const loss = () =>
    tf.tidy(() => {
      const memory = att.precompute(keys as tf.Tensor3D);
      const { context, alignment } = att.attend(query as tf.Tensor2D, memory, {
        mask,
        prevAlignment: vars.prev as tf.Tensor2D | undefined,
        coverage: vars.coverage as tf.Tensor2D | undefined,
      });
      memory.dispose();
      return context.mul(wc).sum().add(alignment.mul(wa).sum()) as tf.Scalar;
    });
  const report = gradCheck(loss, vars);
  expect(report.checked).toBeGreaterThan(20);
  tf.dispose([query, keys, mask, wc, wa, vars.prev, vars.coverage]);
}

/**
 * A padded batch gives the unpadded results: a source of length 3 padded to 5 with random keys and a
 * mask equals the same source alone, and its padded positions get exactly zero weight. A fully
 * masked row gives α = 0 and c = 0, not NaN.
 */
export async function expectPaddingInvariance(att: Attention, extra: { prev?: boolean; coverage?: boolean } = {}): Promise<void> {
  const rng = createRng(11).next;
  const n = 3;
  const S = 5;
  await expectNoLeaks(() => {
    tf.tidy(() => {
      const query = randomTensor(rng, [2, att.querySize]) as tf.Tensor2D;
      const real = randomTensor(rng, [1, n, att.keySize]) as tf.Tensor3D;
      const padding = randomTensor(rng, [1, S - n, att.keySize], 5) as tf.Tensor3D; // large garbage: a leak through the mask shows
      const prev = alignmentRows(rng, [n], n);
      const cov = randomTensor(rng, [1, n]).abs() as tf.Tensor2D;
      const padRow = (t: tf.Tensor2D) => t.pad([[0, 0], [0, S - n]]) as tf.Tensor2D;
      const opts = (p: tf.Tensor2D, c: tf.Tensor2D): AttendOptions => ({ ...(extra.prev ? { prevAlignment: p } : {}), ...(extra.coverage ? { coverage: c } : {}) });

      // unpadded: batch 1, S = 3, no mask
      const alone = att.attend(query.slice([0, 0], [1, -1]), att.precompute(real), opts(prev, cov));
      // padded: batch 2, S = 5; row 0 the real source + garbage, row 1 fully masked
      const keys = tf.concat([tf.concat([real, padding], 1), randomTensor(rng, [1, S, att.keySize])], 0) as tf.Tensor3D;
      const mask = lengthMask([n, 0], S);
      const both = (t: tf.Tensor2D) => tf.concat([padRow(t), tf.zeros([1, S])], 0) as tf.Tensor2D;
      const padded = att.attend(query, att.precompute(keys), { mask, ...opts(both(prev), both(cov)) });

      const a = padded.alignment.arraySync();
      expectClose(padded.context.slice([0, 0], [1, -1]), alone.context, 1e-6, 0, 'context of the padded row');
      expectClose(a[0].slice(0, n), alone.alignment.arraySync()[0], 1e-6, 0, 'alignment of the padded row');
      expect(a[0].slice(n)).toEqual([0, 0]); // exactly zero weight on padding
      expect(a[1]).toEqual([0, 0, 0, 0, 0]); // a fully masked row: zeros, no NaN
      expect(padded.context.arraySync()[1].every((v) => v === 0)).toBe(true);
    });
  }, `${att.kind} padding`);
}

/** Building, attending and disposing leaves `numTensors` where it was. */
export async function expectAttentionNoLeaks(make: () => Attention, extra: { prev?: boolean; coverage?: boolean } = {}): Promise<void> {
  await expectNoLeaks(() => {
    const att = make();
    const rng = createRng(3).next;
    const query = randomTensor(rng, [2, att.querySize]) as tf.Tensor2D;
    const keys = randomTensor(rng, [2, 4, att.keySize]) as tf.Tensor3D;
    const mask = lengthMask([4, 3], 4);
    const prevAlignment = extra.prev ? alignmentRows(rng, [4, 3], 4) : undefined;
    const coverage = extra.coverage ? tf.zeros([2, 4]) as tf.Tensor2D : undefined;
    const memory = att.precompute(keys);
    for (let step = 0; step < 3; step++) {
      const { context, alignment, selection } = att.attend(query, memory, { mask, prevAlignment, coverage });
      const e = att.score(query, memory, { mask, prevAlignment, coverage });
      tf.dispose([context, alignment, selection, e]); // selection: MoChA's α_i (the caller's, like the rest)
    }
    memory.dispose();
    att.dispose();
    tf.dispose([query, keys, mask, prevAlignment, coverage]);
  }, `${make.name} leaks`);
}
