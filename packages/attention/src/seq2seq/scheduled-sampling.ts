/**
 * Scheduled sampling (Bengio, Vinyals, Jaitly & Shazeer 2015): at each decoder step of training, the
 * previous token fed to the decoder is the model's own previous prediction with probability ε_i,
 * and the truth otherwise (§2.4 in the paper's terms: the truth with probability 1 − ε_i). ε_i rises
 * from 0 over the updates i on one of the paper's decays of the truth's probability (§2.4, Fig. 2),
 * here written as the probability of feeding the prediction, capped at `max`:
 *
 *     linear          ε_i = min(max, i / steps · max)       (the paper's ε_i = max(ε, k − c i))
 *     exponential     ε_i = max · (1 − k^i)                  (k < 1)
 *     inverseSigmoid  ε_i = max · (1 − k / (k + exp(i / k)))  (k ≥ 1)
 *
 * with a `delay` of updates at ε = 0 (pure teacher forcing) first. Pure; no tensors.
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

export type SamplingSchedule =
  | { kind: 'constant'; value: number }
  | { kind: 'linear'; steps: number; max: number; delay?: number }
  | { kind: 'exponential'; k: number; max: number; delay?: number }
  | { kind: 'inverseSigmoid'; k: number; max: number; delay?: number };

/** Check a schedule (E_ARGUMENT / E_UNKNOWN). */
export function checkSamplingSchedule(fn: string, s: unknown): SamplingSchedule {
  const sc = s as SamplingSchedule;
  const prob = (v: unknown, arg: string) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, arg, 'a probability in [0, 1]', describe(v));
  };
  if (!sc || typeof sc !== 'object') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.sampling', 'a sampling schedule', describe(s));
  if (sc.kind === 'constant') prob(sc.value, 'options.sampling.value');
  else if (sc.kind === 'linear' || sc.kind === 'exponential' || sc.kind === 'inverseSigmoid') {
    prob(sc.max, 'options.sampling.max');
    const k = sc.kind === 'linear' ? sc.steps : sc.k;
    const ok = sc.kind === 'linear' ? k > 0 : sc.kind === 'exponential' ? k > 0 && k < 1 : k >= 1;
    if (typeof k !== 'number' || !ok) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.sampling.${sc.kind === 'linear' ? 'steps' : 'k'}`, sc.kind === 'linear' ? 'a positive number' : sc.kind === 'exponential' ? 'a number in (0, 1)' : 'a number ≥ 1', describe(k));
    if (sc.delay !== undefined && !(Number.isInteger(sc.delay) && sc.delay >= 0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.sampling.delay', 'a non-negative integer', describe(sc.delay));
  } else throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.sampling.kind', "'constant', 'linear', 'exponential' or 'inverseSigmoid'", describe((sc as { kind?: unknown }).kind));
  return sc;
}

/** ε at update `step` (see the module comment). */
export function samplingProbability(s: SamplingSchedule, step: number): number {
  if (s.kind === 'constant') return s.value;
  const i = Math.max(0, step - (s.delay ?? 0));
  if (step < (s.delay ?? 0)) return 0;
  switch (s.kind) {
    case 'linear':
      return Math.min(s.max, (i / s.steps) * s.max);
    case 'exponential':
      return s.max * (1 - Math.pow(s.k, i));
    default:
      return s.max * (1 - s.k / (s.k + Math.exp(i / s.k)));
  }
}
