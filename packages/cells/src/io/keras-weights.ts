/**
 * Keras / tfjs-layers recurrent layer weights → our parameters, as plain arrays.
 *
 * Keras computes in the same row-vector form as we do (`x @ kernel + h @ recurrent_kernel + bias`),
 * so kernels are taken as they are, except for the GRU's gate order:
 *
 * - `LSTM`: kernel [X, 4H], recurrent_kernel [H, 4H], bias [4H]; gate blocks i, f, c, o = our i, f, g, o.
 * - `GRU`: blocks z, r, h in Keras, r, z, n here: the first two column blocks are swapped.
 *   reset_after=True: bias [2, 3H] = (input bias, recurrent bias) → our `bias`, `recurrentBias`
 *   (h̃ = tanh(x K_h + b_h + r ⊙ (h R_h + b'_h)), PyTorch's form);
 *   reset_after=False: bias [3H] (h̃ = tanh(x K_h + (r ⊙ h) R_h + b_h), Cho et al.'s form).
 * - `SimpleRNN`: kernel [X, H], recurrent_kernel [H, H], bias [H].
 *
 * `use_bias=False` layers have no bias (zeros are used). No tensor is allocated here.
 */
import { rxrnnError, ErrorCodes, describe, type NamedArray, type NamedArrays } from '@rxrnn/core';
import { shapeText } from './named-tensors.js';

export type KerasType = 'LSTM' | 'GRU' | 'SimpleRNN';
export const KERAS_TYPES: readonly KerasType[] = ['LSTM', 'GRU', 'SimpleRNN'];
const GATES: Record<KerasType, number> = { LSTM: 4, GRU: 3, SimpleRNN: 1 };

/** The three weights of a Keras recurrent layer, by role. */
export interface KerasWeights {
  kernel?: NamedArray;
  recurrentKernel?: NamedArray;
  bias?: NamedArray;
  /** How each role was named in the source, for error messages. */
  names: { kernel: string; recurrentKernel: string; bias: string };
}

const ROLE: Record<string, keyof Omit<KerasWeights, 'names'>> = { kernel: 'kernel', recurrent_kernel: 'recurrentKernel', bias: 'bias' };

/**
 * Find kernel / recurrent_kernel / bias among named tensors by the last path segment of their
 * names (`lstm_LSTM1/kernel`, `model/lstm/lstm_cell/recurrent_kernel:0`, `bias`).
 */
export function findKerasWeights(fn: string, tensors: NamedArrays, prefix = ''): KerasWeights {
  const out: KerasWeights = { names: { kernel: `${prefix}…/kernel`, recurrentKernel: `${prefix}…/recurrent_kernel`, bias: `${prefix}…/bias` } };
  for (const [name, t] of Object.entries(tensors)) {
    if (!name.startsWith(prefix)) continue;
    const segment = name.slice(prefix.length).split('/').pop()!.replace(/:\d+$/, '');
    const role = ROLE[segment];
    if (!role) continue;
    if (out[role]) {
      throw rxrnnError(ErrorCodes.ARGUMENT, fn, `source["${name}"]`, `one tensor named …/${segment} (set options.prefix to pick one layer)`, `also "${out.names[role]}"`);
    }
    out[role] = t;
    out.names[role] = name;
  }
  return out;
}

export interface KerasPlanOptions {
  type: KerasType;
  /** Expected units (checked). */
  units?: number;
  /** Expected input size (checked). */
  inputSize?: number;
  /** GRU only. Undefined: inferred from the bias shape ([2, 3H] → true, [3H] → false), true without a bias (Keras' default). */
  resetAfter?: boolean;
  /** False: the layer has no bias. Undefined: whatever the source holds. */
  useBias?: boolean;
}

export interface KerasPlan {
  type: KerasType;
  inputSize: number;
  units: number;
  resetAfter: boolean;
  /** Our parameter names → arrays. */
  weights: Record<string, { shape: number[]; data: Float32Array }>;
}

/** Swap the first two column blocks (z, r → r, z) of a row-major [rows, 3H] matrix. */
function zrToRz(data: Float32Array, rows: number, H: number): Float32Array {
  const out = Float32Array.from(data);
  for (let r = 0; r < rows; r++) {
    const at = r * 3 * H;
    out.set(data.subarray(at, at + H), at + H); // z → second block
    out.set(data.subarray(at + H, at + 2 * H), at); // r → first block
  }
  return out;
}

/** Validate Keras weights and lay them out for our cells. Throws before any allocation. */
export function planKeras(fn: string, w: KerasWeights, o: KerasPlanOptions): KerasPlan {
  const type = o.type;
  if (!KERAS_TYPES.includes(type)) throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.type', `one of ${KERAS_TYPES.map((t) => `'${t}'`).join(', ')}`, describe(type));
  const G = GATES[type];
  const g = G > 1 ? `${G}·` : '';
  const need = (role: 'kernel' | 'recurrentKernel'): NamedArray => {
    const t = w[role];
    if (!t) throw rxrnnError(ErrorCodes.MISSING_WEIGHT, fn, `source["${w.names[role]}"]`, `a ${type} ${role === 'kernel' ? 'kernel' : 'recurrent_kernel'} tensor`, 'no such tensor');
    return t;
  };
  const rk = need('recurrentKernel');
  const H = rk.shape[0];
  if (rk.shape.length !== 2 || H < 1 || rk.shape[1] !== G * H) throw rxrnnError(ErrorCodes.SHAPE, fn, `source["${w.names.recurrentKernel}"]`, `shape [units, ${g}units]`, shapeText(rk.shape));
  if (o.units !== undefined && o.units !== H) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.units', `${H} (from recurrent_kernel ${shapeText(rk.shape)})`, describe(o.units));
  const k = need('kernel');
  const X = k.shape[0];
  if (k.shape.length !== 2 || X < 1 || k.shape[1] !== G * H) throw rxrnnError(ErrorCodes.SHAPE, fn, `source["${w.names.kernel}"]`, `shape [input_size, ${G * H}] (${g}units)`, shapeText(k.shape));
  if (o.inputSize !== undefined && o.inputSize !== X) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.inputSize', `${X} (from kernel ${shapeText(k.shape)})`, describe(o.inputSize));

  const b = w.bias;
  if (o.useBias === true && !b) throw rxrnnError(ErrorCodes.MISSING_WEIGHT, fn, `source["${w.names.bias}"]`, `a ${type} bias tensor (use_bias is true)`, 'no such tensor');
  if (o.useBias === false && b) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `source["${w.names.bias}"]`, 'no bias (use_bias is false)', `a bias of ${shapeText(b.shape)}`);
  let resetAfter = false;
  if (type === 'GRU') resetAfter = o.resetAfter ?? (b ? b.shape.length === 2 : true);
  const biasShape = type === 'GRU' && resetAfter ? [2, 3 * H] : [G * H];
  if (b && (b.shape.length !== biasShape.length || b.shape.some((d, i) => d !== biasShape[i]))) {
    const why = type === 'GRU' ? (resetAfter ? ' (reset_after=True: input and recurrent biases)' : ' (reset_after=False)') : '';
    throw rxrnnError(ErrorCodes.SHAPE, fn, `source["${w.names.bias}"]`, `${shapeText(biasShape)}${why}`, shapeText(b.shape));
  }

  const weights: KerasPlan['weights'] = {};
  if (type === 'GRU') {
    weights.kernel = { shape: [X, 3 * H], data: zrToRz(k.data, X, H) };
    weights.recurrentKernel = { shape: [H, 3 * H], data: zrToRz(rk.data, H, H) };
    const bb = b ? zrToRz(b.data, b.shape.length === 2 ? 2 : 1, H) : new Float32Array((resetAfter ? 2 : 1) * 3 * H);
    weights.bias = { shape: [3 * H], data: bb.slice(0, 3 * H) };
    if (resetAfter) weights.recurrentBias = { shape: [3 * H], data: bb.slice(3 * H, 6 * H) };
  } else {
    weights.kernel = { shape: [X, G * H], data: Float32Array.from(k.data) };
    weights.recurrentKernel = { shape: [H, G * H], data: Float32Array.from(rk.data) };
    weights.bias = { shape: [G * H], data: b ? Float32Array.from(b.data) : new Float32Array(G * H) };
  }
  return { type, inputSize: X, units: H, resetAfter, weights };
}
