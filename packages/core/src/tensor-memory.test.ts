import { describe, it, expect, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { tensorValues, tensorFrom } from './tensor-memory.js';

const startBackend = tf.getBackend();
afterAll(async () => {
  await tf.setBackend(startBackend);
});

describe.each(['wasm', 'cpu'])('tensor memory on the %s backend', (backend) => {
  it('tensorValues reads float32 and int32 tensors as dataSync does', async () => {
    await tf.setBackend(backend);
    const f = tf.tensor2d([1.5, -2, 3.25, 4, 5, -6], [2, 3]);
    const i = tf.tensor1d([7, -8, 9], 'int32');
    expect(Array.from(tensorValues(f))).toEqual([1.5, -2, 3.25, 4, 5, -6]);
    const iv = tensorValues(i);
    expect(iv).toBeInstanceOf(Int32Array);
    expect(Array.from(iv)).toEqual([7, -8, 9]);
    tf.dispose([f, i]);
  });

  it('tensorFrom makes a tracked tensor from the values written in place, and no leak', async () => {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const t = tensorFrom([2, 2], (dst) => {
      expect(dst.length).toBe(4);
      expect(Array.from(dst)).toEqual([0, 0, 0, 0]); // zeros before the fill
      dst.set([1, 2, 3], 1);
    });
    expect(t.shape).toEqual([2, 2]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync())).toEqual([0, 1, 2, 3]);
    const y = tf.tidy(() => tf.add(t, 1)); // usable by ops like any tensor
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([t, y]);
    expect(tf.memory().numTensors).toBe(before);
    const bytes = tf.memory().numBytes;
    const dataIds = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    expect(() =>
      tensorFrom([5], () => {
        throw new Error('fill failed');
      }),
    ).toThrow(/fill failed/); // the error passes through, and the memory made for it is freed
    expect(tf.memory().numBytes).toBe(bytes);
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(dataIds);
    const whole = tensorFrom([3], (dst) => dst.set([7, 8, 9]), true); // fill writes every entry: no zeroing first
    expect(Array.from(whole.dataSync())).toEqual([7, 8, 9]);
    whole.dispose();
    const empty = tensorFrom([0, 3], () => {});
    expect(empty.shape).toEqual([0, 3]);
    empty.dispose();
  });
});

describe('tensor memory on the wasm backend', () => {
  it('tensorValues is a view of the heap, not a copy (dataSync is)', async () => {
    await tf.setBackend('wasm');
    const t = tf.tensor1d([1, 2, 3]);
    const a = tensorValues(t);
    const b = tensorValues(t);
    expect(a.buffer).toBe(b.buffer); // both views of the one heap
    expect(a.buffer.byteLength).toBeGreaterThan(t.size * 4);
    expect(t.dataSync().buffer).not.toBe(a.buffer);
    t.dispose();
  });

  it('tensorFrom writes straight into the heap', async () => {
    await tf.setBackend('wasm');
    let heap: ArrayBufferLike | null = null;
    const t = tensorFrom([3], (dst) => {
      heap = dst.buffer;
      dst.set([4, 5, 6]);
    });
    expect(tensorValues(t).buffer).toBe(heap);
    expect(Array.from(t.dataSync())).toEqual([4, 5, 6]);
    t.dispose();
  });
});
