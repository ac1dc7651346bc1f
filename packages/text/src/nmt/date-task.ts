/**
 * Date normalisation as a character-level translation task: a human date ("25 Nov 2026",
 * "Wednesday 25 November 2026", "2026.11.25", "nov 25 26", …) → its ISO form "2026-11-25".
 *
 * Held-out splits, fixed by the task seed (not the training seed), so every run sees the same ones:
 *
 *     dates   2000-01-01 … 2099-12-31 (36,525 days), shuffled: 5 % test, 5 % validation, 90 % train
 *     formats allDateFormats(), shuffled:                       10 % test, 10 % validation, 80 % train
 *
 *     train       train dates × train formats (drawn afresh for every batch: `trainPair(rng)`)
 *     validation  validation dates × validation formats (used to choose anything)
 *     test        test dates × test formats (never seen in training, used once at the end)
 *     testSeenFormats  test dates × train formats (held-out dates only; reported beside it)
 *
 * Model-agnostic: strings and token ids only (no tensors).
 */
import { createRng, rxrnnError, ErrorCodes, describe, type Rng } from '@rxrnn/core';
import { allDateFormats, formatName, isoDate, renderDate, type DateFormat } from './date-formats.js';

/** One example: the source string, its ISO target, and the format's name. */
export interface DatePair {
  source: string;
  target: string;
  format: string;
}

export interface DateTaskOptions {
  /** Seed of the splits. Default 16 (issue 16). */
  taskSeed?: number;
  /** Size of the fixed validation set. Default 2000. */
  validationSize?: number;
  /** Size of the fixed test sets. Default 5000. */
  testSize?: number;
}

export interface DateTask {
  /** Source characters, in id order after the 1 reserved id (0 = padding). */
  readonly sourceChars: string;
  /** Target characters, in id order after the 3 reserved ids (0 = padding, 1 = BOS, 2 = EOS). */
  readonly targetChars: string;
  readonly sourceVocab: number;
  readonly targetVocab: number;
  readonly pad: 0;
  readonly bos: 1;
  readonly eos: 2;
  readonly formats: { train: DateFormat[]; validation: DateFormat[]; test: DateFormat[] };
  readonly days: { train: number; validation: number; test: number };
  /** A training pair: a train date in a train format, drawn with `rng`. */
  trainPair(rng: Rng): DatePair;
  readonly validation: readonly DatePair[];
  readonly test: readonly DatePair[];
  readonly testSeenFormats: readonly DatePair[];
  /** Characters → source ids (no BOS/EOS). Throws E_ARGUMENT on a character outside the alphabet. */
  encodeSource(s: string): number[];
  /** ISO string → target ids (no BOS/EOS). */
  encodeTarget(s: string): number[];
  /** Target ids → string, stopping at EOS, skipping padding/BOS. */
  decodeTarget(ids: ArrayLike<number>): string;
}

const SOURCE_CHARS = ' ,-./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TARGET_CHARS = '-0123456789';
const DAY0 = Date.UTC(2000, 0, 1);
const DAYS = Math.round((Date.UTC(2100, 0, 1) - DAY0) / 86_400_000); // 36,525

function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function pair(day: number, f: DateFormat): DatePair {
  const date = new Date(DAY0 + day * 86_400_000);
  return { source: renderDate(date, f), target: isoDate(date), format: formatName(f) };
}

/** Build the task (splits and fixed evaluation sets) from its seed. */
export function dateTask(options: DateTaskOptions = {}): DateTask {
  const fn = 'dateTask';
  const taskSeed = options.taskSeed ?? 16;
  const nVal = options.validationSize ?? 2000;
  const nTest = options.testSize ?? 5000;
  for (const [k, v] of [['options.validationSize', nVal], ['options.testSize', nTest]] as const) {
    if (!Number.isInteger(v) || v < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, k, 'a positive integer', describe(v));
  }
  const rng = createRng(taskSeed);
  const days = shuffled(Array.from({ length: DAYS }, (_, i) => i), rng);
  const nd = Math.round(DAYS * 0.05);
  const testDays = days.slice(0, nd);
  const valDays = days.slice(nd, 2 * nd);
  const trainDays = days.slice(2 * nd);
  const formats = shuffled(allDateFormats(), rng);
  const nf = Math.round(formats.length * 0.1);
  const testFormats = formats.slice(0, nf);
  const valFormats = formats.slice(nf, 2 * nf);
  const trainFormats = formats.slice(2 * nf);
  const fixed = (n: number, ds: number[], fs: DateFormat[], r: Rng) => Array.from({ length: n }, () => pair(ds[r.int(ds.length)], fs[r.int(fs.length)]));
  const evalRng = rng.fork();
  const validation = fixed(nVal, valDays, valFormats, evalRng);
  const test = fixed(nTest, testDays, testFormats, evalRng);
  const testSeenFormats = fixed(nTest, testDays, trainFormats, evalRng);

  const srcIds = new Map(Array.from(SOURCE_CHARS, (c, i) => [c, i + 1]));
  const tgtIds = new Map(Array.from(TARGET_CHARS, (c, i) => [c, i + 3]));
  const encode = (which: string, ids: Map<string, number>, s: string) =>
    Array.from(s, (c) => {
      const id = ids.get(c);
      if (id === undefined) throw rxrnnError(ErrorCodes.ARGUMENT, `dateTask.${which}`, 's', 'characters of the task alphabet', describe(c));
      return id;
    });
  return {
    sourceChars: SOURCE_CHARS,
    targetChars: TARGET_CHARS,
    sourceVocab: SOURCE_CHARS.length + 1,
    targetVocab: TARGET_CHARS.length + 3,
    pad: 0,
    bos: 1,
    eos: 2,
    formats: { train: trainFormats, validation: valFormats, test: testFormats },
    days: { train: trainDays.length, validation: valDays.length, test: testDays.length },
    trainPair: (r) => pair(trainDays[r.int(trainDays.length)], trainFormats[r.int(trainFormats.length)]),
    validation,
    test,
    testSeenFormats,
    encodeSource: (s) => encode('encodeSource', srcIds, s),
    encodeTarget: (s) => encode('encodeTarget', tgtIds, s),
    decodeTarget: (ids) => {
      let s = '';
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        if (id === 2) break;
        if (id >= 3 && id < TARGET_CHARS.length + 3) s += TARGET_CHARS[id - 3];
      }
      return s;
    },
  };
}
