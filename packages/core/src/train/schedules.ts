/**
 * Learning-rate schedules: the rate for update number `step` (0-based), as plain JSON so that a
 * checkpoint can store the schedule and a resumed run computes the same rates.
 *
 *     constant:     lr
 *     step:         lr · gamma^⌊step / every⌋
 *     exponential:  lr · gamma^(step / every)
 *     cosine:       min + ½ (lr − min)(1 + cos(π · min(step, total) / total))
 *     linear:       lr + (min − lr) · min(step, total) / total   (decay to `min`, default 0:
 *                   "straight to zero", Bergsma et al. 2025)
 *   each optionally with a linear warm-up over the first `warmup` updates.
 */
import { rxrnnError, ErrorCodes, describe } from '../errors.js';

export type LrSchedule =
  | { kind: 'constant'; warmup?: number }
  | { kind: 'step'; every: number; gamma: number; warmup?: number }
  | { kind: 'exponential'; every: number; gamma: number; warmup?: number }
  | { kind: 'cosine'; total: number; min?: number; warmup?: number }
  | { kind: 'linear'; total: number; min?: number; warmup?: number };

/** The learning rate at update `step` for base rate `lr` under `schedule` (default constant). */
export function learningRateAt(lr: number, step: number, schedule: LrSchedule = { kind: 'constant' }): number {
  let rate: number;
  switch (schedule.kind) {
    case 'constant':
      rate = lr;
      break;
    case 'step':
      rate = lr * Math.pow(schedule.gamma, Math.floor(step / schedule.every));
      break;
    case 'exponential':
      rate = lr * Math.pow(schedule.gamma, step / schedule.every);
      break;
    case 'cosine': {
      const min = schedule.min ?? 0;
      const t = Math.min(step, schedule.total) / schedule.total;
      rate = min + 0.5 * (lr - min) * (1 + Math.cos(Math.PI * t));
      break;
    }
    case 'linear': {
      const min = schedule.min ?? 0;
      rate = lr + ((min - lr) * Math.min(step, schedule.total)) / schedule.total;
      break;
    }
    default:
      throw rxrnnError(ErrorCodes.UNKNOWN, 'learningRateAt', 'schedule.kind', "'constant', 'step', 'exponential', 'cosine' or 'linear'", describe((schedule as { kind?: unknown }).kind));
  }
  const warm = schedule.warmup ?? 0;
  return warm > 0 && step < warm ? (rate * (step + 1)) / warm : rate;
}

/** Throw unless `schedule` is a valid schedule. */
export function checkSchedule(fn: string, schedule: LrSchedule | undefined): void {
  if (schedule === undefined) return;
  const pos = (arg: string, v: unknown) => {
    if (typeof v !== 'number' || !(v > 0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.schedule.${arg}`, 'a positive number', describe(v));
  };
  if (schedule.kind === 'step' || schedule.kind === 'exponential') {
    pos('every', schedule.every);
    pos('gamma', schedule.gamma);
  } else if (schedule.kind === 'cosine' || schedule.kind === 'linear') pos('total', schedule.total);
  else if (schedule.kind !== 'constant') learningRateAt(1, 0, schedule);
}
