// Snapshots are validated field by field against the model before anything is allocated: a forged
// batch of 4e6 or 1.7e7 costs nothing (it once allocated the state first and overwrote the wasm heap).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectNoLeaks } from '@rxrnn/testing';
import { from } from 'rxjs';
import { defineCell, restoreState, readSnapshot, stateTemplate, snapshotState, recurrent, readRows, createBatcher, FLOAT32_MAX, RxrnnError, type Cell } from './index.js';

/** A two-entry state (h [B, 3], m [B, 2, 2]) so shapes of rank 2 and 3 are both checked. */
function twoEntryCell(): Cell {
  return defineCell({
    kind: 'two',
    inputSize: 3,
    outputSize: 3,
    config: {},
    params: { w: { shape: [3], data: Float32Array.of(0.5, -0.25, 2) } },
    initialState: (_p, b) => ({ h: tf.zeros([b, 3]), m: tf.zeros([b, 2, 2]) }),
    step: (p, s, x) => {
      const h = tf.add(tf.mul(s.h, p.w), x) as tf.Tensor2D;
      return [h, { h, m: tf.add(s.m, 1) }];
    },
  });
}

const snap = (batch = 1, over: Record<string, unknown> = {}) => ({
  format: 'rxrnn.state',
  version: 1,
  kind: 'two',
  batch,
  tensors: { h: { shape: [batch, 3], data: new Array(batch * 3).fill(0.5) }, m: { shape: [batch, 2, 2], data: new Array(batch * 4).fill(-1) } },
  ...over,
});

function error(f: () => unknown): RxrnnError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RxrnnError);
    return e as RxrnnError;
  }
  throw new Error('expected an error');
}

/** The wasm heap's size in bytes (it only grows), or null on other backends. */
const heapBytes = () => (tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length : null);

describe('snapshot validation', () => {
  it('reads a cell state template once, from a batch of one', async () => {
    const cell = twoEntryCell();
    await expectNoLeaks(() => {
      expect(stateTemplate(cell)).toEqual({ h: [3], m: [2, 2] });
      expect(stateTemplate(cell)).toBe(stateTemplate(cell));
    });
    cell.dispose();
  });

  it('round-trips a state through JSON (batch 2)', async () => {
    const cell = twoEntryCell();
    await expectNoLeaks(() => {
      const st = { h: tf.tensor2d([[1, 2, 3], [4, 5, 6]]), m: tf.fill([2, 2, 2], FLOAT32_MAX) };
      const s = JSON.parse(JSON.stringify(snapshotState('two', st, 2)));
      const back = restoreState('t', s, 'two', cell, { batch: 2 });
      expect(back.h.arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
      expect(back.m.dataSync().every((v) => v === FLOAT32_MAX)).toBe(true);
      for (const t of [...Object.values(st), ...Object.values(back)]) t.dispose();
    });
    cell.dispose();
  });

  it('rejects every malformed field with its code, allocating nothing', async () => {
    const cell = twoEntryCell();
    const t = stateTemplate(cell);
    const cases: [unknown, string, RegExp][] = [
      [null, 'E_FORMAT', /snapshot: expected an rxrnn.state snapshot/],
      [{ ...snap(), format: 'x' }, 'E_FORMAT', /snapshot:/],
      [{ ...snap(), version: 2 }, 'E_FORMAT', /snapshot:/],
      [{ ...snap(), tensors: [] }, 'E_FORMAT', /snapshot:/],
      [{ ...snap(), kind: 'lstm' }, 'E_FORMAT', /snapshot.kind: expected "two", received "lstm"/],
      [{ ...snap(), kind: 'k'.repeat(100_000) }, 'E_FORMAT', /received "k{40}…"$/],
      [{ ...snap(), batch: 0 }, 'E_FORMAT', /snapshot.batch: expected a positive integer/],
      [{ ...snap(), batch: 1.5 }, 'E_FORMAT', /snapshot.batch/],
      [{ ...snap(), batch: 2 ** 60 }, 'E_FORMAT', /snapshot.batch/],
      [{ ...snap(), batch: '1' }, 'E_FORMAT', /snapshot.batch/],
      [snap(2), 'E_SHAPE', /snapshot.batch: expected 1 \(the batch it is restored into\), received 2/],
      [{ ...snap(), batch: 4_000_000 }, 'E_SHAPE', /snapshot.batch: expected 1/],
      [{ ...snap(), tensors: {} }, 'E_FORMAT', /snapshot.tensors: expected entries h,m, received entries $/],
      [{ ...snap(), tensors: { ...snap().tensors, x: snap().tensors.h } }, 'E_FORMAT', /received entries "h", "m", "x"/],
      [{ ...snap(), tensors: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`n${i}`, {}])) }, 'E_FORMAT', /and 12 more/],
      [{ ...snap(), tensors: { h: snap().tensors.h, m: { shape: [1, 4], data: [0, 0, 0, 0] } } }, 'E_SHAPE', /snapshot.tensors.m.shape: expected \[1, 2, 2\], received \[1, 4\]/],
      [{ ...snap(), tensors: { h: snap().tensors.h, m: { shape: [1, 2, 2], data: [0, 0, 0] } } }, 'E_FORMAT', /shape \[1, 2, 2\] with 3 values/],
      [{ ...snap(), tensors: { h: snap().tensors.h, m: { shape: [1, 2, -2], data: [] } } }, 'E_FORMAT', /snapshot.tensors.m/],
      [{ ...snap(), tensors: { h: snap().tensors.h, m: { shape: [1, 2, 2], data: 'abcd' } } }, 'E_FORMAT', /snapshot.tensors.m/],
      [{ ...snap(), tensors: { h: snap().tensors.h, m: null } }, 'E_FORMAT', /snapshot.tensors.m/],
      [{ ...snap(), tensors: { h: { shape: [1, 3], data: [0, '1', 0] }, m: snap().tensors.m } }, 'E_DTYPE', /snapshot.tensors.h.data: expected numbers, received the string "1" at index 1/],
      [{ ...snap(), tensors: { h: { shape: [1, 3], data: [0, 0, NaN] }, m: snap().tensors.m } }, 'E_NONFINITE', /NaN at index 2/],
      [{ ...snap(), tensors: { h: { shape: [1, 3], data: [0, 1e308, 0] }, m: snap().tensors.m } }, 'E_NONFINITE', /1e\+308 at index 1 \(beyond float32's range/],
      [{ ...snap(), tensors: { h: { shape: [1, 3], data: [-3.5e38, 0, 0] }, m: snap().tensors.m } }, 'E_NONFINITE', /-3.5e\+38 at index 0/],
    ];
    const heap = heapBytes();
    await expectNoLeaks(() => {
      for (const [s, code, msg] of cases) {
        for (const f of [() => readSnapshot('restore', s, 'two', t, { batch: 1 }), () => restoreState('restore', s, 'two', cell, { batch: 1 })]) {
          const e = error(f);
          expect.soft(e.code, JSON.stringify(s).slice(0, 200)).toBe(code);
          expect.soft(e.message, JSON.stringify(s).slice(0, 200)).toMatch(msg);
        }
      }
    });
    expect(heapBytes()).toBe(heap);
    cell.dispose();
  });

  it('accepts every finite float32, however it is written (3.4028235e38 rounds to the largest)', async () => {
    const cell = twoEntryCell();
    await expectNoLeaks(() => {
      const s = snap(1, { tensors: { h: { shape: [1, 3], data: [3.4028235e38, -FLOAT32_MAX, 1e-45] }, m: snap().tensors.m } });
      const { tensors } = readSnapshot('restore', s, 'two', stateTemplate(cell), { batch: 1 });
      expect(Array.from(tensors.h.data)).toEqual([FLOAT32_MAX, -FLOAT32_MAX, Math.fround(1e-45)]);
    });
    cell.dispose();
  });

  it('a forged batch (4e6, 1.7e7) is refused before any allocation, however large the batch', async () => {
    const cell = twoEntryCell();
    const heap = heapBytes();
    const rss = process.memoryUsage().rss;
    await expectNoLeaks(() => {
      for (const batch of [4_000_000, 17_000_000, 2 ** 52]) {
        const forged = { format: 'rxrnn.state', version: 1, kind: 'two', batch, tensors: {} };
        const t0 = performance.now();
        // A server's stream (batch 1), and a caller accepting any batch: the data must match the batch.
        expect(error(() => restoreState('restore', forged, 'two', cell, { batch: 1 })).code).toBe('E_SHAPE');
        expect(error(() => restoreState('restore', forged, 'two', cell)).code).toBe('E_FORMAT');
        expect(error(() => restoreState('restore', { ...forged, tensors: { h: { shape: [batch, 3], data: [] }, m: { shape: [batch, 2, 2], data: [] } } }, 'two', cell)).code).toBe('E_FORMAT');
        expect(performance.now() - t0).toBeLessThan(50);
      }
    });
    expect(heapBytes()).toBe(heap);
    expect(process.memoryUsage().rss - rss).toBeLessThan(50e6);
    cell.dispose();
  });

  it('names like __proto__ stay plain entries (no template: structure and values only)', async () => {
    await expectNoLeaks(() => {
      const s = JSON.parse('{"format":"rxrnn.state","version":1,"kind":"any","batch":1,"tensors":{"__proto__":{"shape":[1,2],"data":[1,2]}}}');
      const st = restoreState('restore', s, 'any');
      expect(Object.keys(st)).toEqual(['__proto__']);
      expect(Object.getPrototypeOf(st)).toBe(Object.prototype);
      for (const t of Object.values(st)) t.dispose();
      expect(error(() => restoreState('restore', { ...s, tensors: { h: { shape: [2, 2], data: [1, 2, 3, 4] } } }, 'any')).code).toBe('E_SHAPE');
    });
  });

  it('recurrent: an initial state of another batch than the input is refused before it is built; control.restore validates first', async () => {
    const cell = twoEntryCell();
    await expectNoLeaks(async () => {
      const forged = { ...snap(), batch: 17_000_000 };
      const err = await new Promise<RxrnnError>((r) => from([[1, 2, 3]]).pipe(recurrent(cell, { initialState: forged as never }), readRows()).subscribe({ error: r }));
      expect(err.code).toBe('E_SIZE');
      expect(err.message).toMatch(/a batch of 17000000 \(the initial state's\), received a batch of 1/);
      const bad = await new Promise<RxrnnError>((r) => from([[1, 2, 3]]).pipe(recurrent(cell, { initialState: { ...snap(), tensors: { h: { shape: [1, 3], data: [1e39, 0, 0] }, m: snap().tensors.m } } as never }), readRows()).subscribe({ error: r }));
      expect(bad.code).toBe('E_NONFINITE');
    });
    cell.dispose();
  });

  it('batcher.join and restore refuse the forged snapshots of issue 14 without allocating', async () => {
    const cell = twoEntryCell();
    const heap = heapBytes();
    await expectNoLeaks(() => {
      const b = createBatcher(cell);
      for (const batch of [4_000_000, 17_000_000]) {
        const forged = { format: 'rxrnn.state', version: 1, kind: 'two', batch, tensors: {} };
        expect(error(() => b.join(forged as never)).code).toBe('E_SHAPE');
        const s = b.join();
        expect(error(() => b.restore(s, forged)).code).toBe('E_SHAPE');
        b.leave(s);
      }
      expect(b.stats.sessions).toBe(0);
      b.dispose();
    });
    expect(heapBytes()).toBe(heap);
    cell.dispose();
  });
});
