/**
 * Reference fixtures for fromKeras (packages/cells/src/io/from-keras.test.ts), computed by
 * tfjs-layers (the Keras API of TensorFlow.js, @tensorflow/tfjs 4.22) on its cpu backend.
 *
 * Run:  npx tsx --conditions=@rxrnn/source tools/goldens/keras_layers.ts   (or tools/goldens/run.sh)
 *
 * For each case it builds a tfjs-layers LSTM / GRU / SimpleRNN with seeded initialisers, runs it on
 * a seeded input [B, T, X] with returnSequences and returnState, and writes, in
 * packages/cells/fixtures/keras/:
 *
 *   <case>.weights.safetensors   the layer's weights under their tfjs names (…/kernel, …/recurrent_kernel, …/bias)
 *   <case>.safetensors           input [B, T, X], output [B, T, H], h [B, H], c [B, H] (LSTM)
 *   <case>.json                  the layer's class name and getConfig() (so fromKeras can map it faithfully)
 *
 * tfjs-layers' LSTM and GRU default to recurrentActivation 'hardSigmoid' (Python Keras ≥ 2.3 uses
 * 'sigmoid'); both are covered. tfjs-layers refuses GRU reset_after=true, so that case comes from
 * tools/goldens/torch_rnn.py instead.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { writeSafetensors } from '@rxrnn/core';

const out = fileURLToPath(new URL('../../packages/cells/fixtures/keras/', import.meta.url));
const B = 2;
const T = 6;
const X = 3;

type LayerArgs = Record<string, unknown>;
const init = (seed: number) => tf.initializers.randomUniform({ minval: -0.6, maxval: 0.6, seed });

function run(name: string, make: (args: LayerArgs) => tf.layers.Layer, args: LayerArgs, seed: number): void {
  const layer = make({
    ...args,
    returnSequences: true,
    returnState: true,
    kernelInitializer: init(seed),
    recurrentInitializer: init(seed + 100),
    biasInitializer: init(seed + 200),
  });
  const x = tf.randomNormal([B, T, X], 0, 1.5, 'float32', seed + 300);
  const [y, ...states] = layer.apply(x) as tf.Tensor[];
  const weights: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const w of layer.weights) {
    const v = w.read();
    weights[w.name] = { shape: v.shape.slice(), data: v.dataSync() as Float32Array };
  }
  const io: Record<string, { shape: number[]; data: Float32Array }> = {
    input: { shape: x.shape, data: x.dataSync() as Float32Array },
    output: { shape: y.shape, data: y.dataSync() as Float32Array },
    h: { shape: states[0].shape, data: states[0].dataSync() as Float32Array },
  };
  if (states[1]) io.c = { shape: states[1].shape, data: states[1].dataSync() as Float32Array };
  writeFileSync(`${out}${name}.weights.safetensors`, writeSafetensors(weights));
  writeFileSync(`${out}${name}.safetensors`, writeSafetensors(io));
  const config = {
    generator: 'tools/goldens/keras_layers.ts',
    reference: `tfjs-layers ${(tf.version as Record<string, string>)['tfjs-layers']} (${tf.getBackend()} backend)`,
    className: layer.getClassName(),
    seed,
    input_size: X,
    T,
    B,
    weights: `${name}.weights.safetensors`,
    weight_names: layer.weights.map((w) => w.name),
    layer_config: layer.getConfig(),
  };
  writeFileSync(`${out}${name}.json`, JSON.stringify(config, null, 2) + '\n');
  console.log(`keras/${name}: ${config.className} output [${y.shape.join(', ')}], weights ${config.weight_names.join(', ')}`);
  tf.dispose([x, y, ...states]);
  layer.dispose();
}

mkdirSync(out, { recursive: true });
await tf.setBackend('cpu');
run('lstm_hard_sigmoid', (a) => tf.layers.lstm(a as never), { units: 4 }, 1); // tfjs default recurrentActivation
run('lstm_sigmoid', (a) => tf.layers.lstm(a as never), { units: 5, recurrentActivation: 'sigmoid' }, 2);
run('gru_reset_before', (a) => tf.layers.gru(a as never), { units: 4 }, 3); // reset_after=false (tfjs' only form), hardSigmoid
run('gru_reset_before_sigmoid_nobias', (a) => tf.layers.gru(a as never), { units: 3, recurrentActivation: 'sigmoid', useBias: false }, 4);
run('simple_rnn', (a) => tf.layers.simpleRNN(a as never), { units: 4 }, 5);
run('simple_rnn_relu', (a) => tf.layers.simpleRNN(a as never), { units: 3, activation: 'relu' }, 6);
