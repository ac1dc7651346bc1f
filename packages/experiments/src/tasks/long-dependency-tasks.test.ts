import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectNoLeaks } from '@rxrnn/testing';
import { addingProblemArrays, addingProblemBatch, temporalOrderArrays, temporalOrderBatch, TEMPORAL_ORDER_CLASSES } from './long-dependency-tasks.js';

describe('adding problem', () => {
  it('marks exactly two steps, one in each half, and the target is the sum of their values', () => {
    const T = 17;
    const B = 9;
    const a = addingProblemArrays({ length: T, batch: B, seed: 3 });
    expect(a.X).toBe(2);
    for (let b = 0; b < B; b++) {
      const marked: number[] = [];
      let sum = 0;
      for (let t = 0; t < T; t++) {
        const v = a.inputs[(t * B + b) * 2];
        const m = a.inputs[(t * B + b) * 2 + 1];
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThan(1);
        expect(m === 0 || m === 1).toBe(true);
        if (m === 1) {
          marked.push(t);
          sum += v;
        }
      }
      expect(marked).toEqual(a.positions[b]);
      expect(marked.length).toBe(2);
      expect(marked[0]).toBeLessThan(Math.floor(T / 2));
      expect(marked[1]).toBeGreaterThanOrEqual(Math.floor(T / 2));
      for (let t = 0; t < T; t++) expect(a.targets[t * B + b]).toBeCloseTo(sum, 6);
    }
  });

  it('is reproducible from its seed and differs between seeds', () => {
    const a = addingProblemArrays({ length: 12, batch: 5, seed: 42 });
    const b = addingProblemArrays({ length: 12, batch: 5, seed: 42 });
    const c = addingProblemArrays({ length: 12, batch: 5, seed: 43 });
    expect(Array.from(b.inputs)).toEqual(Array.from(a.inputs));
    expect(Array.from(b.targets)).toEqual(Array.from(a.targets));
    expect(Array.from(c.inputs)).not.toEqual(Array.from(a.inputs));
  });

  it('gives [T, B, 2] inputs and [T, B, 1] targets equal to the arrays, and allocates only those', async () => {
    await expectNoLeaks(() => {
      const before = tf.memory().numTensors;
      const t = addingProblemBatch({ length: 6, batch: 3, seed: 1 });
      expect(tf.memory().numTensors - before).toBe(2);
      expect(t.inputs.shape).toEqual([6, 3, 2]);
      expect(t.targets.shape).toEqual([6, 3, 1]);
      const a = addingProblemArrays({ length: 6, batch: 3, seed: 1 });
      expect(Array.from(t.inputs.dataSync())).toEqual(Array.from(a.inputs));
      expect(Array.from(t.targets.dataSync())).toEqual(Array.from(a.targets));
      t.inputs.dispose();
      t.targets.dispose();
    });
  });

  it('rejects bad options with clear errors', () => {
    expect(() => addingProblemArrays({ length: 1, batch: 2 })).toThrow(/addingProblem.*options\.length/);
    expect(() => addingProblemArrays({ length: 5, batch: 0 })).toThrow(/addingProblem.*options\.batch/);
    expect(() => addingProblemArrays({ length: 5, batch: 2, seed: NaN })).toThrow(/options\.seed/);
  });
});

describe('temporal order', () => {
  it('places X/Y at the two relevant steps, distractors elsewhere, and the class encodes their order', () => {
    const T = 40;
    const B = 16;
    const a = temporalOrderArrays({ length: T, batch: B, seed: 7 });
    const seen = new Set<number>();
    for (let b = 0; b < B; b++) {
      const syms: number[] = [];
      for (let t = 0; t < T; t++) {
        const row = Array.from(a.inputs.subarray((t * B + b) * 6, (t * B + b + 1) * 6));
        expect(row.reduce((x, y) => x + y, 0)).toBe(1);
        syms.push(row.indexOf(1));
      }
      const [p1, p2] = a.positions[b];
      expect(p1).toBeGreaterThanOrEqual(4);
      expect(p1).toBeLessThan(8);
      expect(p2).toBeGreaterThanOrEqual(20);
      expect(p2).toBeLessThan(24);
      syms.forEach((s, t) => (t === p1 || t === p2 ? expect(s).toBeLessThan(2) : expect(s).toBeGreaterThanOrEqual(2)));
      const cls = a.targets[(T - 1) * B + b];
      expect(TEMPORAL_ORDER_CLASSES[cls]).toBe(`${'XY'[syms[p1]]}${'XY'[syms[p2]]}`);
      seen.add(cls);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('is reproducible and gives int32 class targets', () => {
    const a = temporalOrderBatch({ length: 10, batch: 4, seed: 5 });
    const b = temporalOrderBatch({ length: 10, batch: 4, seed: 5 });
    expect(a.inputs.shape).toEqual([10, 4, 6]);
    expect(a.targets.dtype).toBe('int32');
    expect(Array.from(a.inputs.dataSync())).toEqual(Array.from(b.inputs.dataSync()));
    expect(Array.from(a.targets.dataSync())).toEqual(Array.from(b.targets.dataSync()));
    [a, b].forEach((x) => (x.inputs.dispose(), x.targets.dispose()));
    expect(() => temporalOrderArrays({ length: 9, batch: 1 })).toThrow(/temporalOrder.*options\.length/);
  });
});
