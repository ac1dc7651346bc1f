// Goldens: packages/cells/fixtures/keras/*. Generators: tools/goldens/keras_layers.ts (tfjs-layers LSTM,
// GRU reset_after=False, SimpleRNN) and tools/goldens/torch_rnn.py (gru_reset_after: Keras' reset_after=True
// GRU layout, values from torch.nn.GRU, which computes the same equations; tfjs-layers refuses reset_after=true).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { from } from 'rxjs';
import { recurrent, readSafetensors, RxrnnError, type Cell, type StepOutput, type NamedArrays } from '@rxrnn/core';
import { expectNoLeaks, expectClose, collect, loadGolden } from '@rxrnn/testing';
import { fromKeras, type FromKerasOptions } from './from-keras.js';

const dir = fileURLToPath(new URL('../../fixtures/keras/', import.meta.url));

interface KerasConfig {
  generator: string;
  className?: string;
  type?: string;
  T: number;
  B: number;
  weights: string;
  weight_names: string[];
  layer_config: Record<string, unknown>;
}

function load(name: string) {
  const g = loadGolden<KerasConfig>(dir + name);
  return { ...g, bytes: new Uint8Array(readFileSync(dir + g.config.weights)) };
}

/** Keras input [B, T, X] → T steps of [B][X]. */
function steps(input: { shape: number[]; data: Float32Array }): number[][][] {
  const [B, T, X] = input.shape;
  return Array.from({ length: T }, (_, t) => Array.from({ length: B }, (_, b) => Array.from(input.data.subarray((b * T + t) * X, (b * T + t + 1) * X))));
}
/** Keras output [B, T, H] at step t → [B·H]. */
function at(output: { shape: number[]; data: Float32Array }, t: number): number[] {
  const [B, T, H] = output.shape;
  const out: number[] = [];
  for (let b = 0; b < B; b++) out.push(...output.data.subarray((b * T + t) * H, (b * T + t + 1) * H));
  return out;
}

/** Stream the golden's input through the cell; compare every output and the final h (and c). */
async function reproduce(name: string, cell: Cell, tensors: NamedArrays): Promise<void> {
  const out = (await collect(from(steps(tensors.input)).pipe(recurrent(cell, { emit: 'step', state: true })))) as StepOutput[];
  const T = tensors.input.shape[1];
  expect(out.length).toBe(T);
  out.forEach((o, t) => expectClose(o.y, at(tensors.output, t), 1e-5, 0, `${name} output[:, ${t}]`));
  expectClose(out[T - 1].state!.h, tensors.h.data, 1e-5, 0, `${name} h`);
  if (tensors.c) expectClose(out[T - 1].state!.c, tensors.c.data, 1e-5, 0, `${name} c`);
  for (const o of out) tf.dispose([o.y, ...Object.values(o.state!)]);
}

const cases: [name: string, extra: FromKerasOptions][] = [
  ['lstm_hard_sigmoid', {}],
  ['lstm_sigmoid', {}],
  ['gru_reset_before', {}],
  ['gru_reset_before_sigmoid_nobias', {}],
  ['simple_rnn', {}],
  ['simple_rnn_relu', {}],
  ['gru_reset_after', {}],
];

describe('fromKeras: goldens step by step through recurrent()', () => {
  for (const [name] of cases) {
    it(`${name}: weights file + the layer's config`, async () => {
      const { config, tensors, bytes } = load(name);
      await expectNoLeaks(async () => {
        const cell = fromKeras(bytes, { type: (config.className ?? config.type) as never, config: config.layer_config });
        await reproduce(name, cell, tensors);
        cell.dispose();
      }, name);
    });
  }

  it('lstm_hard_sigmoid with explicit options instead of a config; getWeights()-order arrays (tools/goldens/keras_layers.ts)', async () => {
    const { tensors, bytes, config } = load('lstm_hard_sigmoid');
    const cell = fromKeras(bytes, { type: 'LSTM', recurrentActivation: 'hard_sigmoid' });
    await reproduce('explicit hard_sigmoid', cell, tensors);
    cell.dispose();
    const sd = readSafetensors(bytes);
    const ordered = config.weight_names.map((n) => sd[n]);
    const cell2 = fromKeras(ordered, { type: 'LSTM', recurrentActivation: 'hardSigmoid' });
    await reproduce('arrays', cell2, tensors);
    cell2.dispose();
    // The default for bare weights is Python Keras' 'sigmoid', which does not match a tfjs-trained layer:
    const wrong = fromKeras(bytes, { type: 'LSTM' });
    await expect(reproduce('default sigmoid', wrong, tensors)).rejects.toThrow(/expectClose/);
    wrong.dispose();
  });

  it('gru_reset_after: reset_after inferred from the [2, 3H] bias, from a Keras model.json entry (tools/goldens/torch_rnn.py)', async () => {
    const { tensors, bytes, config } = load('gru_reset_after');
    const cell = fromKeras(bytes, { config: { class_name: 'GRU', config: config.layer_config } });
    expect(cell.config).toMatchObject({ resetAfter: true, recurrentActivation: 'sigmoid' });
    await reproduce('model.json entry', cell, tensors);
    cell.dispose();
    const inferred = fromKeras(bytes, { type: 'GRU' });
    expect(inferred.params.recurrentBias.shape).toEqual([12]);
    await reproduce('inferred', inferred, tensors);
    inferred.dispose();
  });

  it('a live tfjs-layers layer: weights and config read from it (tools/goldens/keras_layers.ts fixtures)', async () => {
    for (const [name, make] of [
      ['lstm_hard_sigmoid', (c: Record<string, unknown>) => tf.layers.lstm(c as never)],
      ['gru_reset_before', (c: Record<string, unknown>) => tf.layers.gru(c as never)],
      ['simple_rnn_relu', (c: Record<string, unknown>) => tf.layers.simpleRNN(c as never)],
    ] as const) {
      const { tensors, bytes, config } = load(name);
      const sd = readSafetensors(bytes);
      // Rebuild the layer the way a user would have it: same class and config, weights set.
      const layer = make({ units: config.layer_config.units, activation: config.layer_config.activation, returnSequences: true });
      const built = layer.apply(tf.zeros([1, 1, 3])) as tf.Tensor;
      built.dispose();
      const ws = config.weight_names.map((n: string) => tf.tensor(sd[n].data, sd[n].shape));
      layer.setWeights(ws);
      tf.dispose(ws);
      await expectNoLeaks(async () => {
        const cell = fromKeras(layer as never);
        await reproduce(`live ${name}`, cell, tensors);
        cell.dispose();
      }, name);
      layer.dispose();
    }
  });
});

describe('fromKeras: errors (nothing left allocated)', () => {
  const { bytes } = load('gru_reset_before');
  const sd = readSafetensors(bytes);
  const expectError = async (work: () => unknown, code: string, pattern: RegExp) => {
    await expectNoLeaks(() => {
      let err: unknown;
      try {
        work();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RxrnnError);
      expect((err as RxrnnError).code).toBe(code);
      expect((err as Error).message).toMatch(pattern);
    }, pattern.source);
  };

  it('names the function, the argument, expected and received', async () => {
    await expectError(() => fromKeras(bytes, {}), 'E_UNKNOWN', /^fromKeras: options\.type: expected one of 'LSTM', 'GRU', 'SimpleRNN', received undefined/);
    await expectError(() => fromKeras(bytes, { type: 'LSTM' }), 'E_SHAPE', /^fromKeras: source\["gru_GRU1\/recurrent_kernel"\]: expected shape \[units, 4·units\], received shape \[4, 12\]/);
    await expectError(() => fromKeras(bytes, { type: 'GRU', resetAfter: true }), 'E_SHAPE', /source\["gru_GRU1\/bias"\]: expected shape \[2, 12\] \(reset_after=True: input and recurrent biases\), received shape \[12\]/);
    await expectError(() => fromKeras(bytes, { type: 'GRU', units: 5 }), 'E_SIZE', /options\.units: expected 4/);
    await expectError(() => fromKeras(bytes, { type: 'GRU', recurrentActivation: 'swish' }), 'E_UNKNOWN', /^fromKeras: options\.recurrentActivation: expected one of/);
    const noKernel = Object.fromEntries(Object.entries(sd).filter(([k]) => !k.endsWith('/kernel') || k.endsWith('recurrent_kernel')));
    await expectError(() => fromKeras(noKernel, { type: 'GRU' }), 'E_MISSING_WEIGHT', /^fromKeras: source\["…\/kernel"\]: expected a GRU kernel tensor, received no such tensor/);
    const two = { ...sd, ...Object.fromEntries(Object.entries(sd).map(([k, v]) => [k.replace('GRU1', 'GRU2'), v])) };
    await expectError(() => fromKeras(two, { type: 'GRU' }), 'E_ARGUMENT', /one tensor named …\/\w+ \(set options\.prefix to pick one layer\), received also "gru_GRU1\//);
    const one = fromKeras(two, { type: 'GRU', prefix: 'gru_GRU2/', resetAfter: false });
    one.dispose();
    await expectError(() => fromKeras(bytes, { type: 'GRU', useBias: false }), 'E_ARGUMENT', /no bias \(use_bias is false\)/);
    await expectError(() => fromKeras(bytes, { type: 'GRU', config: { go_backwards: true } }), 'E_ARGUMENT', /go_backwards/);
    await expectError(() => fromKeras(bytes, { type: 'LSTM', config: { class_name: 'GRU', config: {} } }), 'E_ARGUMENT', /options\.type: expected 'GRU' \(the layer's class\)/);
    const unbuilt = tf.layers.lstm({ units: 2 });
    await expectError(() => fromKeras(unbuilt as never), 'E_STATE', /^fromKeras: source: expected a built layer/);
  });
});
