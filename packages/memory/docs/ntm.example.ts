// A Neural Turing Machine as a stream: feed a copy-task sequence one step at a time and watch where
// its write and read heads point (the extras a client receives with each output).
import * as tf from '@tensorflow/tfjs';
import { from, lastValueFrom, toArray } from 'rxjs';
import { initBackend, createRng } from '@rxrnn/core';
import { ntmCell, ntm, copyBatch, copyInputSize } from '@rxrnn/memory';

await initBackend({ log: null });
const start = tf.memory().numTensors;

const cell = ntmCell({ inputSize: copyInputSize(), outputSize: 8, memorySize: 16, memoryWidth: 6, controllerSize: 12, seed: 1 });
const seq = copyBatch(createRng(1), 1, 4); // 4 random 8-bit vectors, the delimiter, 4 steps to recall them
const rows = Array.from({ length: seq.T }, (_, t) => Array.from(seq.inputs.subarray(t * seq.X, (t + 1) * seq.X)));

const steps = await lastValueFrom(from(rows).pipe(ntm(cell, { emit: 'step', extras: true }), toArray()));
steps.forEach(({ y, extras }, t) => {
  const focus = (w: tf.Tensor) => tf.tidy(() => tf.argMax(w.reshape([-1])).dataSync()[0]);
  console.log(`t=${t}  write head at row ${focus(extras!.writeWeights)}, read head at row ${focus(extras!.readWeights)}, memory ${extras!.memory.shape.join('×')}`);
  tf.dispose([y, ...Object.values(extras!)]); // emitted tensors belong to the receiver
});

cell.dispose();
if (tf.memory().numTensors !== start) throw new Error('tensors leaked');
