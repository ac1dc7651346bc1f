/**
 * PyTorch's `nn.RNN` / `nn.LSTM` / `nn.GRU` state_dict → our parameters, as plain arrays.
 *
 * PyTorch computes, per layer k and direction (suffix `_reverse` for the backward one),
 *
 *     gates = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh          W_ih [G·H, X_k], W_hh [G·H, P or H]
 *
 * with gate blocks i, f, g, o (LSTM), r, z, n (GRU; b_hh inside the reset product), one block (RNN);
 * an LSTM with `proj_size` P projects h_t = (o ⊙ tanh c_t) W_hrᵀ, W_hr [P, H]. Our cells use the
 * row-vector form `x @ kernel`, so: kernel = W_ihᵀ [X_k, G·H], recurrentKernel = W_hhᵀ, LSTM/RNN
 * bias = b_ih + b_hh, GRU bias = b_ih and recurrentBias = b_hh, projection = W_hrᵀ [H, P].
 * Layer k > 0 reads the previous layer's output: P or H wide, twice that when bidirectional.
 *
 * Everything here is validation and array shuffling on Float32Arrays; no tensor is allocated.
 */
import { rxrnnError, ErrorCodes, describe, type NamedArray, type NamedArrays } from '@rxrnn/core';
import { shapeText, transpose } from './named-tensors.js';

export type TorchMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
export const TORCH_MODES: readonly TorchMode[] = ['RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU'];

/** Gate blocks per mode. */
const GATES: Record<TorchMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

export interface TorchLayout {
  mode: TorchMode;
  numLayers: number;
  bidirectional: boolean;
  /** Projection size P (LSTM only), 0 for none. */
  projSize: number;
  inputSize: number;
  hiddenSize: number;
  /** Whether the state_dict has bias tensors (`bias=False` modules have none). */
  bias: boolean;
}

/** One direction of one layer: what to pass to the cell factory. */
export interface TorchCellPlan {
  /** `'rnn' | 'lstm' | 'gru'`. */
  kind: 'rnn' | 'lstm' | 'gru';
  inputSize: number;
  hiddenSize: number;
  projSize?: number;
  activation?: 'tanh' | 'relu';
  /** Our parameter names → arrays. */
  weights: Record<string, { shape: number[]; data: Float32Array }>;
}

export interface TorchPlan {
  layout: TorchLayout;
  /** `layers[k][0]` forward, `layers[k][1]` backward (when bidirectional). */
  layers: TorchCellPlan[][];
}

export interface TorchLayoutOptions {
  mode: TorchMode;
  numLayers?: number;
  bidirectional?: boolean;
  /** Expected projection size; inferred from `weight_hr_l0` when omitted. 0 means none. */
  projSize?: number;
  /** Expected input size (checked against the weights). */
  inputSize?: number;
  /** Expected hidden size (checked against the weights). */
  hiddenSize?: number;
  /** Read only the tensors whose names start with this (e.g. `'rnn.'` for a whole model's state_dict) and strip it. */
  prefix?: string;
}

const PARAM_NAME = /^(weight|bias)_(ih|hh|hr)_l(\d+)(_reverse)?$/;

/** Validate a state_dict against the options and lay its weights out for our cells. Throws before any allocation. */
export function planTorch(fn: string, all: NamedArrays, options: TorchLayoutOptions): TorchPlan {
  const o = options ?? ({} as TorchLayoutOptions);
  const mode = o.mode;
  if (!TORCH_MODES.includes(mode)) throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.mode', `one of ${TORCH_MODES.map((m) => `'${m}'`).join(', ')}`, describe(mode));
  const numLayers = o.numLayers ?? 1;
  if (!Number.isInteger(numLayers) || numLayers < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.numLayers', 'a positive integer', describe(numLayers));
  const bidirectional = o.bidirectional ?? false;
  if (typeof bidirectional !== 'boolean') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.bidirectional', 'a boolean', describe(bidirectional));
  if (o.projSize !== undefined && (!Number.isInteger(o.projSize) || o.projSize < 0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.projSize', 'a non-negative integer', describe(o.projSize));
  if (o.projSize && mode !== 'LSTM') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.projSize', `0 (projections exist for LSTM only; mode is '${mode}')`, describe(o.projSize));
  const prefix = o.prefix ?? '';
  if (typeof prefix !== 'string') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.prefix', 'a string', describe(prefix));

  const tensors: NamedArrays = {};
  for (const [name, t] of Object.entries(all)) if (name.startsWith(prefix)) tensors[name.slice(prefix.length)] = t;
  const argOf = (name: string) => `source["${prefix}${name}"]`;
  const get = (name: string, why = ''): NamedArray => {
    const t = tensors[name];
    if (t) return t;
    const near = Object.keys(all).filter((k) => k.endsWith(name) && k !== prefix + name);
    const hint = near.length ? ` (found ${near.map((k) => `"${k}"`).join(', ')}: set options.prefix)` : '';
    throw rxrnnError(ErrorCodes.MISSING_WEIGHT, fn, argOf(name), `a tensor named "${prefix}${name}"${why}`, `no such tensor${hint}`);
  };
  const G = GATES[mode];
  const dirs = bidirectional ? ['', '_reverse'] : [''];

  // Sizes from layer 0: weight_ih_l0 is [G·H, X].
  const ih0 = get('weight_ih_l0');
  if (ih0.shape.length !== 2 || ih0.shape[0] % G !== 0 || ih0.shape[0] === 0 || ih0.shape[1] === 0) {
    throw rxrnnError(ErrorCodes.SHAPE, fn, argOf('weight_ih_l0'), `shape [${G === 1 ? '' : `${G}·`}hidden_size, input_size]`, shapeText(ih0.shape));
  }
  const H = ih0.shape[0] / G;
  const X = ih0.shape[1];
  if (o.inputSize !== undefined && o.inputSize !== X) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.inputSize', `${X} (from weight_ih_l0 ${shapeText(ih0.shape)})`, describe(o.inputSize));
  if (o.hiddenSize !== undefined && o.hiddenSize !== H) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.hiddenSize', `${H} (from weight_ih_l0 ${shapeText(ih0.shape)})`, describe(o.hiddenSize));
  const hr0 = tensors.weight_hr_l0;
  let P = 0;
  if (hr0) {
    if (mode !== 'LSTM') throw rxrnnError(ErrorCodes.ARGUMENT, fn, argOf('weight_hr_l0'), `no projection weights for mode '${mode}'`, 'a weight_hr_l0 tensor');
    if (hr0.shape.length !== 2 || hr0.shape[1] !== H || hr0.shape[0] < 1) throw rxrnnError(ErrorCodes.SHAPE, fn, argOf('weight_hr_l0'), `shape [proj_size, ${H}]`, shapeText(hr0.shape));
    P = hr0.shape[0];
    if (o.projSize !== undefined && o.projSize !== P) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.projSize', `${P} (from weight_hr_l0 ${shapeText(hr0.shape)})`, describe(o.projSize));
  } else if (o.projSize) {
    get('weight_hr_l0', ` (options.projSize is ${o.projSize})`);
  }
  const hasBias = tensors.bias_ih_l0 !== undefined || tensors.bias_hh_l0 !== undefined;
  const R = P || H; // width of h
  const D = dirs.length;

  // Nothing unexpected: a state_dict with more layers/directions than asked for is a mistake.
  const expected = new Set<string>();
  for (let k = 0; k < numLayers; k++) {
    for (const d of dirs) {
      expected.add(`weight_ih_l${k}${d}`).add(`weight_hh_l${k}${d}`);
      if (hasBias) expected.add(`bias_ih_l${k}${d}`).add(`bias_hh_l${k}${d}`);
      if (P) expected.add(`weight_hr_l${k}${d}`);
    }
  }
  for (const name of Object.keys(tensors)) {
    if (PARAM_NAME.test(name) && !expected.has(name)) {
      const what = `${numLayers}-layer ${bidirectional ? 'bidirectional ' : ''}${mode}${hasBias ? '' : ' without bias'}${P ? ` with proj_size ${P}` : ''}`;
      throw rxrnnError(ErrorCodes.ARGUMENT, fn, argOf(name), `only the weights of a ${what} (check options.numLayers, options.bidirectional, the bias)`, 'an unexpected tensor');
    }
  }

  const check = (name: string, shape: number[], what: string): Float32Array => {
    const t = get(name);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw rxrnnError(ErrorCodes.SHAPE, fn, argOf(name), `${shapeText(shape)} (${what})`, shapeText(t.shape));
    return t.data;
  };
  const layers: TorchCellPlan[][] = [];
  for (let k = 0; k < numLayers; k++) {
    const Xk = k === 0 ? X : R * D;
    const row: TorchCellPlan[] = [];
    for (const d of dirs) {
      const sfx = `_l${k}${d}`;
      const wih = check(`weight_ih${sfx}`, [G * H, Xk], k === 0 ? `${G > 1 ? `${G}·` : ''}hidden_size × input_size` : `${G > 1 ? `${G}·` : ''}hidden_size × ${D > 1 ? '2·' : ''}${P ? 'proj_size' : 'hidden_size'}`);
      const whh = check(`weight_hh${sfx}`, [G * H, R], `${G > 1 ? `${G}·` : ''}hidden_size × ${P ? 'proj_size' : 'hidden_size'}`);
      const bih = hasBias ? check(`bias_ih${sfx}`, [G * H], `${G > 1 ? `${G}·` : ''}hidden_size`) : new Float32Array(G * H);
      const bhh = hasBias ? check(`bias_hh${sfx}`, [G * H], `${G > 1 ? `${G}·` : ''}hidden_size`) : new Float32Array(G * H);
      const weights: TorchCellPlan['weights'] = {
        kernel: { shape: [Xk, G * H], data: transpose(wih, G * H, Xk) }, // W_ihᵀ
        recurrentKernel: { shape: [R, G * H], data: transpose(whh, G * H, R) }, // W_hhᵀ
      };
      if (mode === 'GRU') {
        weights.bias = { shape: [G * H], data: Float32Array.from(bih) };
        weights.recurrentBias = { shape: [G * H], data: Float32Array.from(bhh) };
      } else {
        const b = new Float32Array(G * H);
        for (let j = 0; j < b.length; j++) b[j] = bih[j] + bhh[j];
        weights.bias = { shape: [G * H], data: b };
      }
      if (P) weights.projection = { shape: [H, P], data: transpose(check(`weight_hr${sfx}`, [P, H], 'proj_size × hidden_size'), P, H) }; // W_hrᵀ
      const kind = mode === 'LSTM' ? 'lstm' : mode === 'GRU' ? 'gru' : 'rnn';
      row.push({ kind, inputSize: Xk, hiddenSize: H, ...(P ? { projSize: P } : {}), ...(kind === 'rnn' ? { activation: mode === 'RNN_RELU' ? 'relu' : 'tanh' } : {}), weights });
    }
    layers.push(row);
  }
  return { layout: { mode, numLayers, bidirectional, projSize: P, inputSize: X, hiddenSize: H, bias: hasBias }, layers };
}
