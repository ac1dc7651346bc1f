/**
 * Assert that a piece of work leaves `tf.memory().numTensors` where it found it.
 */
import * as tf from '@tensorflow/tfjs';

/** Run `work` (sync or async) and throw if it leaves tensors behind. Returns what `work` returned. */
export async function expectNoLeaks<T>(work: () => T | Promise<T>, label = 'work'): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await work();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`expectNoLeaks(${label}): numTensors went from ${before} to ${after} (${after - before > 0 ? '+' : ''}${after - before})`);
  return out;
}
