/**
 * Numeric comparison with a useful failure message: the worst element, its index and both values.
 */
import * as tf from '@tensorflow/tfjs';

export type Numeric = tf.Tensor | ArrayLike<number> | number[][] | number[][][];

function flat(v: Numeric): Float64Array {
  if (v instanceof tf.Tensor) return Float64Array.from(v.dataSync());
  if (Array.isArray(v)) return Float64Array.from((v as unknown[]).flat(3) as number[]);
  return Float64Array.from(v as ArrayLike<number>);
}

/** Max |a − b| over all elements. Throws if the sizes differ. */
export function maxAbsDiff(actual: Numeric, expected: Numeric): number {
  const a = flat(actual);
  const b = flat(expected);
  if (a.length !== b.length) throw new Error(`maxAbsDiff: sizes differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Throw unless every |a − b| ≤ atol + rtol·|b|. */
export function expectClose(actual: Numeric, expected: Numeric, atol = 1e-5, rtol = 0, label = 'value'): void {
  const a = flat(actual);
  const b = flat(expected);
  if (a.length !== b.length) throw new Error(`expectClose(${label}): sizes differ: ${a.length} vs ${b.length}`);
  let worstI = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i]));
    if (!(excess <= 0) && (worstI < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worstI = i;
      worstExcess = excess;
    }
  }
  if (worstI >= 0) {
    throw new Error(`expectClose(${label}): element ${worstI} is ${a[worstI]}, expected ${b[worstI]} (|diff| ${Math.abs(a[worstI] - b[worstI]).toExponential(3)} > atol ${atol} + rtol ${rtol})`);
  }
}
