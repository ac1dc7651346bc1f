/**
 * `fromKeras(source, { type })`: a trained Keras / TensorFlow.js (tfjs-layers) `LSTM`, `GRU` or
 * `SimpleRNN` layer as an rxrnn cell, streamed with `recurrent()` one time step per value.
 *
 * `source` is one of
 * - a live, built tfjs-layers layer (`tf.layers.lstm({...})` after `apply`/`build`): its weights and
 *   its config (class, activations, `resetAfter`, `useBias`) are read, so nothing else is needed;
 * - the bytes of a safetensors file, or a name → tensor / `{ shape, data }` map, holding the
 *   layer's `kernel`, `recurrent_kernel` and `bias` (found by the last segment of their names:
 *   `lstm_LSTM1/kernel`, `lstm/lstm_cell/kernel:0`…; `options.prefix` picks one layer of many);
 * - an array in `getWeights()` / `get_weights()` order: `[kernel, recurrent_kernel, bias?]`.
 *
 * Options may also carry `config`: the layer's config as Keras writes it (`layer.get_config()`, a
 * model.json entry `{ class_name, config }`) or as tfjs-layers does (`layer.getConfig()`); snake
 * and camel case are both read. Explicit options win over `config`.
 *
 * Activations: Keras names map to ours (`hard_sigmoid`/`hardSigmoid` is Keras 2's and tfjs'
 * clip(0.2x + 0.5, 0, 1)); a function is used as is. Defaults when neither options nor config say:
 * `activation` 'tanh' and `recurrentActivation` 'sigmoid' — Python Keras' defaults. **tfjs-layers
 * defaults LSTM/GRU to 'hardSigmoid'**: pass the layer itself, its config, or
 * `recurrentActivation: 'hardSigmoid'` for weights saved from tfjs. (Keras 3 redefined hard_sigmoid
 * as relu6(x + 3)/6: pass that as a function if your model uses it.)
 *
 * Shape contract: Keras layers read `[B, T, X]`; here each value is one step `[B, X]`, each
 * emission `[B, units]` = Keras' `output[:, t]` with `return_sequences=True`; Keras' returned
 * states are the final state (`h`, and `c` for LSTM). Keras' GRU gates z, r, h become our r, z, n.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { from } from 'rxjs';
 * import { recurrent, readRows } from '@rxrnn/core';
 * import { fromKeras } from '@rxrnn/cells';
 *
 * const layer = tf.layers.lstm({ units: 4, returnSequences: true });
 * layer.apply(tf.zeros([1, 1, 3])); // build it (or load a trained model)
 * const cell = fromKeras(layer);    // LSTM, recurrentActivation 'hardSigmoid' as tfjs defaults
 * from([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
 *   .pipe(recurrent(cell), readRows())
 *   .subscribe((y) => console.log(y[0])); // = layer.apply(x)[0][t]
 * ```
 *
 * Errors (RxrnnError; nothing is allocated when one is thrown): `E_UNKNOWN` (type, activation),
 * `E_MISSING_WEIGHT`, `E_SHAPE`, `E_SIZE`, `E_ARGUMENT`, `E_STATE` (an unbuilt layer).
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, getActivation, type Activation, type ActivationName, type Cell, type NamedArrays } from '@rxrnn/core';
import { rnnCell } from '../rnn/rnn-cell.js';
import { lstmCell } from '../lstm/lstm-cell.js';
import { gruCell } from '../gru/gru-cell.js';
import { readNamedWeights, readOneTensor, type ArrayTensor, type NamedWeightsSource } from './named-tensors.js';
import { findKerasWeights, planKeras, KERAS_TYPES, type KerasType } from './keras-weights.js';

export type { KerasType };

/** Keras activation names (Python and tfjs spellings) → ours. */
const KERAS_ACTIVATIONS: Readonly<Record<string, ActivationName>> = {
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  hard_sigmoid: 'hardSigmoid',
  hardSigmoid: 'hardSigmoid',
  relu: 'relu',
  linear: 'linear',
  softsign: 'softsign',
};

/** The parts of a tfjs-layers Layer that fromKeras reads. */
export interface TfjsLayerLike {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  readonly weights: readonly { readonly name: string; read(): tf.Tensor }[];
}

export type KerasSource = NamedWeightsSource | readonly (tf.Tensor | ArrayTensor)[] | TfjsLayerLike;

export interface FromKerasOptions {
  /** `'LSTM' | 'GRU' | 'SimpleRNN'`. Read from a live layer or `config.class_name` when omitted. */
  type?: KerasType;
  /** Keras layer config (Python `get_config()` / model.json entry, or tfjs `getConfig()`). */
  config?: Record<string, unknown>;
  /** GRU: `reset_after`. Default: the config, else inferred from the bias shape, else true. */
  resetAfter?: boolean;
  /** Keras name (`'tanh'`, `'hard_sigmoid'`, …) or a function. Default: the config, else 'tanh'. */
  activation?: Activation | string;
  /** Keras name or a function. Default: the config, else 'sigmoid' (tfjs-layers' own default is 'hardSigmoid'). */
  recurrentActivation?: Activation | string;
  /** `use_bias`. Default: the config, else whatever the source holds. */
  useBias?: boolean;
  /** Expected `units` (checked against the weights). */
  units?: number;
  /** Expected input size (checked against the weights). */
  inputSize?: number;
  /** Only consider tensors whose names start with this (a file holding several layers). */
  prefix?: string;
}

function isLayer(s: unknown): s is TfjsLayerLike {
  const l = s as Partial<TfjsLayerLike> | null;
  return !!l && typeof l === 'object' && typeof l.getConfig === 'function' && typeof l.getClassName === 'function' && Array.isArray(l.weights);
}

/** A config field under its snake or camel name. */
function field(config: Record<string, unknown>, snake: string, camel: string): unknown {
  return config[snake] !== undefined ? config[snake] : config[camel];
}

/** Resolve a Keras activation (name, Keras 3 `{ config: name }`, or function) for our cells. */
function kerasActivation(fn: string, arg: string, a: unknown): Activation {
  if (typeof a === 'function') return a as Activation;
  let name = a;
  if (a && typeof a === 'object' && typeof (a as { config?: unknown }).config === 'string') name = (a as { config: string }).config;
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(KERAS_ACTIVATIONS, name)) return KERAS_ACTIVATIONS[name];
  // Let getActivation accept our own names and produce the E_UNKNOWN error otherwise.
  getActivation(name as Activation, fn, arg);
  return name as Activation;
}

export function fromKeras(source: KerasSource, options: FromKerasOptions = {}): Cell {
  const fn = 'fromKeras';
  const o = options ?? {};
  // ---- the layer's config: a live layer's, or options.config (unwrapping { class_name, config }) ----
  let config: Record<string, unknown> = {};
  let className: unknown;
  let tensors: NamedArrays;
  if (isLayer(source)) {
    className = source.getClassName().replace(/Cell$/, '');
    if (source.weights.length === 0) throw rxrnnError(ErrorCodes.STATE, fn, 'source', 'a built layer (apply it once, or call build)', `an unbuilt ${className} layer`);
    config = source.getConfig();
    tensors = {};
    for (const w of source.weights) tensors[w.name] = readOneTensor(fn, `source.weights["${w.name}"]`, w.read());
  } else if (Array.isArray(source)) {
    if (source.length < 2 || source.length > 3) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'source', '[kernel, recurrent_kernel, bias?] (getWeights() order)', `an array of length ${source.length}`);
    const names = ['kernel', 'recurrent_kernel', 'bias'];
    tensors = {};
    source.forEach((t, i) => (tensors[names[i]] = readOneTensor(fn, `source[${i}]`, t)));
  } else {
    tensors = readNamedWeights(fn, source);
  }
  if (o.config !== undefined) {
    if (!o.config || typeof o.config !== 'object') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.config', 'a Keras layer config object', describe(o.config));
    const wrapped = o.config as { class_name?: unknown; className?: unknown; config?: unknown };
    if (wrapped.config && typeof wrapped.config === 'object') {
      className = wrapped.class_name ?? wrapped.className ?? className;
      config = { ...config, ...(wrapped.config as Record<string, unknown>) };
    } else {
      config = { ...config, ...o.config };
      className = (o.config as Record<string, unknown>).className ?? (o.config as Record<string, unknown>).class_name ?? className;
    }
  }
  const type = (o.type ?? className) as KerasType;
  if (!KERAS_TYPES.includes(type)) throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.type', `one of ${KERAS_TYPES.map((t) => `'${t}'`).join(', ')}`, describe(type));
  if (o.type && className !== undefined && String(className).replace(/Cell$/, '') !== o.type) {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.type', `'${String(className)}' (the layer's class)`, describe(o.type));
  }
  if (field(config, 'go_backwards', 'goBackwards') === true) {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'source', 'a layer with go_backwards=False (reverse the sequence, or use bidirectional())', 'go_backwards=True');
  }
  const activation = kerasActivation(fn, 'options.activation', o.activation ?? field(config, 'activation', 'activation') ?? 'tanh');
  const recurrentActivation = type === 'SimpleRNN' ? 'sigmoid' : kerasActivation(fn, 'options.recurrentActivation', o.recurrentActivation ?? field(config, 'recurrent_activation', 'recurrentActivation') ?? 'sigmoid');
  const useBias = o.useBias ?? (field(config, 'use_bias', 'useBias') as boolean | undefined);
  const resetAfter = o.resetAfter ?? (field(config, 'reset_after', 'resetAfter') as boolean | undefined);
  const units = o.units ?? (field(config, 'units', 'units') as number | undefined);

  const plan = planKeras(fn, findKerasWeights(fn, tensors, o.prefix ?? ''), { type, units, inputSize: o.inputSize, resetAfter, useBias });
  const base = { inputSize: plan.inputSize, hiddenSize: plan.units, activation, weights: plan.weights };
  if (type === 'LSTM') return lstmCell({ ...base, recurrentActivation }) as unknown as Cell;
  if (type === 'GRU') return gruCell({ ...base, recurrentActivation, resetAfter: plan.resetAfter }) as unknown as Cell;
  return rnnCell(base) as unknown as Cell;
}
