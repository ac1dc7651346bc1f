// The patches initBackend installs in tfjs: the wasm backend's row gather (axis 0) against a plain JS
// reference and against the backend's own kernel for the cases it hands over; unsortedSegmentSum
// through the gradient of gather; on request the explicit-transpose gradient of matMul. The backend
// line it logs.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectClose } from '@rxrnn/testing';
import { initBackend, backendInfo, backendLine } from './index.js';

describe('backend patches, installed by initBackend', () => {
  it('run on the wasm backend, and initBackend names them', async () => {
    await initBackend({ log: null });
    expect(tf.getBackend()).toBe('wasm');
    expect(backendInfo()?.patches).toEqual(['wasm:malloc-guard', 'wasm:UnsortedSegmentSum', 'wasm:GatherV2']);
  });

  it('gather along axis 0 copies rows (2-D and 3-D tables, 1-D and 2-D indices, int32 tables)', () => {
    const cases: [number[], number[], number[], tf.DataType][] = [
      [[5, 3], [7], [4, 0, 0, 2, 1, 3, 4], 'float32'],
      [[4, 2, 3], [2, 3], [3, 1, 0, 2, 2, 1], 'float32'],
      [[6], [4], [5, 0, 5, 1], 'float32'],
      [[3, 2], [2, 2], [2, 0, 1, 1], 'int32'],
    ];
    for (const [shape, idShape, ids, dtype] of cases) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = Array.from({ length: size }, (_, i) => (dtype === 'int32' ? i * 3 - 7 : Math.sin(i) * 2));
      const x = tf.tensor(data, shape, dtype);
      const y = tf.gather(x, tf.tensor(ids, idShape, 'int32'));
      const inner = size / shape[0];
      const want = ids.flatMap((s) => Array.from(data.slice(s * inner, (s + 1) * inner), Math.fround));
      expect(y.shape).toEqual([...idShape, ...shape.slice(1)]);
      expect(y.dtype).toBe(dtype);
      expectClose(y.dataSync() as Float32Array, want, 0, 0, `gather ${JSON.stringify(shape)}`);
      tf.dispose([x, y]);
    }
  });

  it('other axes and batch dimensions still give the right answer (the backend kernel)', () => {
    const x = tf.tensor3d(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    const y1 = tf.gather(x, [2, 0], 1); // axis 1
    expect(Array.from(y1.dataSync())).toEqual([8, 9, 10, 11, 0, 1, 2, 3, 20, 21, 22, 23, 12, 13, 14, 15]);
    const y2 = tf.gather(x, [3, 1], -1); // last axis
    expect(Array.from(y2.dataSync())).toEqual([3, 1, 7, 5, 11, 9, 15, 13, 19, 17, 23, 21]);
    tf.dispose([x, y1, y2]);
  });

  it('an index out of range is an error, not garbage', () => {
    const x = tf.zeros([3, 2]);
    expect(() => tf.gather(x, [1, 3]).dataSync()).toThrow(/index value 3 is not in \[0, 2\]/);
    x.dispose();
  });

  it('the gradient of gather sums rows back into the table (unsortedSegmentSum)', () => {
    const table = tf.randomNormal([5, 3], 0, 1, 'float32', 1);
    const ids = tf.tensor1d([4, 1, 4, 0, 4], 'int32');
    const w = tf.randomNormal([5, 3], 0, 1, 'float32', 2);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), w)))(table);
    const wv = w.arraySync() as number[][];
    const want = [0, 1, 2, 3, 4].map((row) => [0, 1, 2].map((j) => [4, 1, 4, 0, 4].reduce((acc, s, i) => acc + (s === row ? wv[i][j] : 0), 0)));
    expectClose(g.dataSync() as Float32Array, want.flat(), 1e-6, 1e-6, 'd table');
    tf.dispose([table, ids, w, g]);
  });

  it('on request, the gradient of matMul with explicit transposes: the same gradients, no warning', async () => {
    const a = tf.randomNormal([4, 3], 0, 1, 'float32', 1);
    const b = tf.randomNormal([3, 5], 0, 1, 'float32', 2);
    const w = tf.randomNormal([4, 5], 0, 1, 'float32', 3);
    const forms: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];
    const grads = () => forms.map(([ta, tb]) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(ta ? tf.transpose(x) : x, tb ? tf.transpose(y) : y, ta, tb), w)))([a, b]));
    const before = grads();
    const warn = console.warn;
    const warned: unknown[] = [];
    console.warn = (...m: unknown[]) => void warned.push(m);
    try {
      const info = await initBackend({ log: null, explicitTransposeGradients: true });
      expect(info.patches).toContain('grad:BatchMatMul');
    } finally {
      console.warn = warn;
    }
    expect(warned).toEqual([]);
    const after = grads();
    before.forEach((g, i) => g.forEach((t, j) => expectClose(after[i][j], t, 1e-5, 1e-5, `d${'ab'[j]} ${forms[i]}`)));
    tf.dispose([a, b, w, ...before.flat(), ...after.flat()]);
  });

  it('logs one friendly line: the backend, what it is, and why the ones before it are not used', () => {
    const missing = "Cannot find package '@tensorflow/tfjs-node' imported from /x/backend.ts";
    expect(backendLine({ name: 'wasm', skipped: [] })).toBe('rxrnn: tfjs backend wasm (WebAssembly)');
    expect(backendLine({ name: 'wasm', skipped: [{ name: 'tensorflow', reason: missing }] })).toBe('rxrnn: tfjs backend wasm (WebAssembly; the optional @tensorflow/tfjs-node is not installed)');
    expect(backendLine({ name: 'cpu', skipped: [{ name: 'tensorflow', reason: 'libtensorflow.so: cannot open shared object file' }] })).toBe(
      'rxrnn: tfjs backend cpu (plain JavaScript; @tensorflow/tfjs-node did not load: libtensorflow.so: cannot open shared object file)',
    );
  });

  it("silences tfjs's Node.js banner of the cpu backend (the choice is reported by initBackend)", () => {
    const cpu = tf.findBackend('cpu') as unknown as { firstUse: boolean };
    expect(cpu.firstUse).toBe(false);
  });
});
