/**
 * Char-rnn (Karpathy 2015): a character language model embedding → LSTM × L → dense logits, trained
 * by truncated BPTT with the state carried along B parallel streams of the corpus, and measured in
 * bits per character on held-out text:  bpc = (1/N) Σ_t −log₂ p(c_{t+1} | c_≤t).
 *
 * The model is one Cell (`stackCells`) taking token ids `[B, 1]` and giving logits `[B, V]`: the
 * contract the streaming server relies on.
 */
import * as tf from '@tensorflow/tfjs';
import { createTrainer, unrollLoss, softmaxCrossEntropy, rngAt, createRng, rxrnnError, ErrorCodes, describe, type Cell, type State, type Trainer, type TrainStep, type LrSchedule, type OptimizerSpec, type TrainerCheckpoint } from '@rxrnn/core';
import { stackCells, embeddingCell, lstmCell, gruCell, rnnCell, denseCell } from '@rxrnn/cells';
import { createParallelTrainer } from '@rxrnn/cells/parallel';
import { CharCodec } from './char-codec.js';
import { CHAR_RNN_RECIPE, recipeSchedule } from './char-rnn-recipe.js';
import { splitCorpus, streamChunks } from './char-data.js';

export interface CharRnnModelOptions {
  vocabSize: number;
  /** E. Default: the recipe's (64, {@link CHAR_RNN_RECIPE}). */
  embeddingSize?: number;
  /** H. Default: the recipe's (448). */
  hiddenSize?: number;
  /** Recurrent layers. Default: the recipe's (1). */
  layers?: number;
  /** Recurrent cell family. Default: the recipe's (`'lstm'`). */
  cell?: 'lstm' | 'gru' | 'rnn';
  /** Dropout between layers (training only). Default: the recipe's (0.1). */
  dropout?: number;
  /**
   * Initialisation, as PyTorch's nn.Embedding/nn.LSTM/nn.Linear (`'torch'`, default: embeddings
   * N(0, 1), LSTM and dense U(±1/√H), forget bias 1) or the cells' own defaults (`'cells'`:
   * embeddings U(±0.1), Glorot/orthogonal). With `'cells'` the inputs reach the LSTM ~10× weaker
   * than the recurrent signal; our Moby Dick runs learned more slowly and, trained with carried
   * state, predicted badly from a zero state.
   */
  init?: 'torch' | 'cells';
  seed?: number;
}

/** Build an untrained char model: embedding → cell × layers → dense logits. */
export function charRnnModel(o: CharRnnModelOptions): Cell {
  const E = o.embeddingSize ?? CHAR_RNN_RECIPE.embeddingSize;
  const H = o.hiddenSize ?? CHAR_RNN_RECIPE.hiddenSize;
  const L = o.layers ?? CHAR_RNN_RECIPE.layers;
  const seed = o.seed ?? CHAR_RNN_RECIPE.seed;
  const kind = o.cell ?? CHAR_RNN_RECIPE.cell;
  if (!['lstm', 'gru', 'rnn'].includes(kind)) throw rxrnnError(ErrorCodes.UNKNOWN, 'charRnnModel', 'options.cell', "'lstm', 'gru' or 'rnn'", describe(kind));
  const torch = (o.init ?? 'torch') === 'torch';
  const rng = createRng(seed + 1000);
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const uniform = (n: number, k: number) => Float32Array.from({ length: n }, () => rng.uniform(-k, k));
  const V = o.vocabSize;
  const cells: Cell[] = [embeddingCell({ vocabSize: V, embeddingSize: E, seed, weights: torch ? { embeddings: { shape: [V, E], data: normal(V * E) } } : undefined })];
  for (let l = 0; l < L; l++) {
    const opts = { inputSize: l === 0 ? E : H, hiddenSize: H, seed: seed + 1 + l, ...(torch && kind !== 'rnn' ? { init: 'uniform' as const } : {}) };
    cells.push(kind === 'lstm' ? lstmCell(opts) : kind === 'gru' ? gruCell(opts) : rnnCell(opts));
  }
  const kd = 1 / Math.sqrt(H);
  cells.push(denseCell({ inputSize: H, outputSize: V, seed: seed + 100, weights: torch ? { kernel: { shape: [H, V], data: uniform(H * V, kd) }, bias: { shape: [V], data: uniform(V, kd) } } : undefined }));
  return stackCells(cells, { dropout: o.dropout ?? CHAR_RNN_RECIPE.dropout });
}

export interface EvalBpcOptions {
  /** Parallel streams. Default 16. */
  batch?: number;
  /** Chunk length. Default 100. */
  seq?: number;
}

/**
 * Held-out bits per character of `cell` on `ids`: the ids are cut into `batch` contiguous streams
 * read in chunks with the state carried, so every character but the first of each stream is
 * predicted from all the text before it in its stream.
 */
export function evalBpc(cell: Cell, ids: Int32Array, options: EvalBpcOptions = {}): number {
  const B = options.batch ?? 16;
  const T = options.seq ?? 100;
  const segment = Math.floor(ids.length / B);
  if (segment < 2) throw rxrnnError(ErrorCodes.SIZE, 'evalBpc', 'ids', `at least ${2 * B} ids`, `${ids.length}`);
  let state: State = cell.initialState(B);
  let nats = 0;
  let count = 0;
  try {
    for (let start = 0; start < segment - 1; start += T) {
      const len = Math.min(T, segment - 1 - start);
      const x = new Float32Array(len * B);
      const y = new Int32Array(len * B);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < len; t++) {
          x[t * B + b] = ids[b * segment + start + t];
          y[t * B + b] = ids[b * segment + start + t + 1];
        }
      }
      const prev = state;
      const [sum, next] = tf.tidy(() => {
        const r = unrollLoss(cell, prev, { inputs: tf.tensor3d(x, [len, B, 1]), targets: tf.tensor2d(y, [len, B], 'int32') }, softmaxCrossEntropy);
        const kept: Record<string, tf.Tensor> = {};
        for (const [k, t] of Object.entries(r.final)) kept[k] = tf.keep(t.clone());
        return [r.sum.dataSync()[0], kept] as [number, State];
      });
      tf.dispose(Object.values(prev));
      state = next;
      nats += sum;
      count += len * B;
    }
  } finally {
    tf.dispose(Object.values(state));
  }
  return nats / count / Math.LN2;
}

/** One point of the training curve. */
export interface CurvePoint {
  step: number;
  /** Training loss of the chunk, in bits per character. */
  bpc: number;
  /** Held-out bpc, at evaluation steps. */
  valBpc?: number;
  /** Seconds of training so far (across resumes). */
  seconds: number;
  tokens: number;
}

/**
 * Options of {@link trainCharRnn}. Every hyper-parameter defaults to the shipped model's recipe,
 * {@link CHAR_RNN_RECIPE}: H 448, E 64, 1 layer, dropout 0.1, 7,000 updates of B 16 × T 100, Adam at
 * 0.01 decayed linearly to 0, clip 5, seed 1, 1 thread, the last 5 % held out.
 */
export interface TrainCharRnnOptions {
  /** Corpus, e.g. `loadMobyDick()` (pass it in; this module does no I/O). */
  text: string;
  hiddenSize?: number;
  embeddingSize?: number;
  layers?: number;
  cell?: 'lstm' | 'gru' | 'rnn';
  dropout?: number;
  /**
   * Threads to train on (data parallel: the batch's streams split across this thread and
   * `threads − 1` workers; see createParallelTrainer).
   */
  threads?: number;
  /** Updates. */
  steps?: number;
  /** T, the BPTT length. */
  seq?: number;
  /** B. */
  batch?: number;
  /** Adam's peak learning rate. */
  lr?: number;
  /** Default: the recipe's, linear decay to 0 over `steps` ({@link recipeSchedule}). */
  schedule?: LrSchedule;
  optimizer?: OptimizerSpec;
  /** Gradient global-norm clip. */
  clipNorm?: number;
  seed?: number;
  validationFraction?: number;
  /** Evaluate held-out bpc every this many updates (and at the end). Default 200. */
  evalEvery?: number;
  /** Checkpoint every this many updates (needs `onCheckpoint`). Default 200. */
  checkpointEvery?: number;
  /**
   * A model to train instead of building one: any cell taking token ids `[B, 1]` and giving
   * `[B, V]` logits for the corpus' vocabulary (`CharCodec.fromText(text).size`), e.g. a stack
   * with any recurrent family from the registry (variant studies). Owned by the caller.
   */
  model?: Cell;
  /** Resume from a checkpoint (see {@link CharRnnCheckpoint}). */
  resume?: CharRnnCheckpoint;
  /** After each update. */
  onStep?: (r: TrainStep & { bpc: number; tokensPerSecond: number }) => void;
  /** At each evaluation. */
  onEval?: (step: number, valBpc: number) => void;
  /** At each checkpoint (and at the end): save it. */
  onCheckpoint?: (ckpt: CharRnnCheckpoint) => Promise<void> | void;
}

/** Everything a resumed run needs: the model, the trainer's state, the carried state, the curve. */
export interface CharRnnCheckpoint {
  cell: Cell;
  codec: CharCodec;
  trainer: TrainerCheckpoint;
  /** The state carried into the next chunk (arrays by state key). */
  carried: Record<string, { shape: number[]; data: Float32Array }> | null;
  curve: CurvePoint[];
  /** Hyper-parameters of the run. */
  config: Record<string, unknown>;
}

export interface TrainCharRnnResult {
  cell: Cell;
  codec: CharCodec;
  curve: CurvePoint[];
  valBpc: number;
  seconds: number;
}

/**
 * One turn of the event loop. setImmediate where there is one (Node): setTimeout(0) is clamped to 1 ms,
 * and the loop visits its timers phase either way.
 */
const yieldToEventLoop = (): Promise<void> =>
  new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** Train a char-rnn on `text` (see the module comment). The returned cell belongs to the caller. */
export async function trainCharRnn(o: TrainCharRnnOptions): Promise<TrainCharRnnResult> {
  const R = CHAR_RNN_RECIPE;
  const steps = o.steps ?? R.steps;
  const T = o.seq ?? R.seq;
  const B = o.batch ?? R.batch;
  const lr = o.lr ?? R.lr;
  const seed = o.seed ?? R.seed;
  const evalEvery = o.evalEvery ?? 200;
  const ckptEvery = o.checkpointEvery ?? 200;
  const config = {
    hiddenSize: o.hiddenSize ?? R.hiddenSize, embeddingSize: o.embeddingSize ?? R.embeddingSize, layers: o.layers ?? R.layers, cell: o.cell ?? R.cell, dropout: o.dropout ?? R.dropout,
    steps, seq: T, batch: B, lr, seed, threads: o.threads ?? R.threads, clipNorm: o.clipNorm ?? R.clipNorm, validationFraction: o.validationFraction ?? R.validationFraction,
    schedule: o.schedule ?? null,
  };
  const schedule: LrSchedule = o.schedule ?? recipeSchedule(steps);
  const split = splitCorpus(o.text, config.validationFraction, o.resume?.codec);
  const codec = split.codec;
  if (o.model && (o.model.inputSize !== 1 || o.model.outputSize !== codec.size)) {
    throw rxrnnError(ErrorCodes.SIZE, 'trainCharRnn', 'options.model', `a cell with input [B, 1] and ${codec.size} logits`, `input ${o.model.inputSize}, output ${o.model.outputSize}`);
  }
  const cell = o.resume?.cell ?? o.model ?? charRnnModel({ vocabSize: codec.size, embeddingSize: config.embeddingSize, hiddenSize: config.hiddenSize, layers: config.layers, cell: config.cell as 'lstm', dropout: config.dropout, seed });
  const makeTrainer = (config.threads > 1 ? (opts: Parameters<typeof createParallelTrainer>[0]) => createParallelTrainer({ ...opts, threads: config.threads }) : createTrainer) as typeof createTrainer;
  const trainer: Trainer = makeTrainer({
    cell,
    optimizer: o.optimizer ?? { kind: 'adam', lr },
    schedule,
    clipNorm: config.clipNorm,
    seed,
  });
  const data = streamChunks(split.train, B, T);
  const curve: CurvePoint[] = o.resume ? o.resume.curve.slice() : [];
  let carried: State | null = null;
  let secondsBefore = curve.length ? curve[curve.length - 1].seconds : 0;
  let tokens = curve.length ? curve[curve.length - 1].tokens : 0;
  try {
    if (o.resume) {
      await trainer.restore(o.resume.trainer);
      if (o.resume.carried) carried = Object.fromEntries(Object.entries(o.resume.carried).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
    }
    const checkpoint = async (): Promise<CharRnnCheckpoint> => ({
      cell,
      codec,
      trainer: await trainer.checkpoint({ kind: 'char-rnn' }),
      carried: carried ? Object.fromEntries(Object.entries(carried).map(([k, t]) => [k, { shape: t.shape.slice(), data: Float32Array.from(t.dataSync()) }])) : null,
      curve: curve.slice(),
      config,
    });
    let t0 = performance.now();
    let valBpc = NaN;
    while (trainer.step < steps) {
      const s = trainer.step;
      const epoch = Math.floor(s / data.perEpoch);
      const i = s % data.perEpoch;
      if (i === 0 && carried) {
        tf.dispose(Object.values(carried));
        carried = null;
      }
      const offset = epoch === 0 ? 0 : rngAt(seed, epoch, 7).int(T);
      const batch = data.chunk(i, offset);
      const stepStart = performance.now();
      let r: TrainStep & { final?: State };
      try {
        r = trainer.trainBatch(batch, { initialState: carried ?? undefined, keepFinal: true });
      } finally {
        tf.dispose([batch.inputs, batch.targets]);
      }
      if (carried) tf.dispose(Object.values(carried));
      carried = r.final ?? null;
      tokens += r.tokens;
      const now = performance.now();
      const point: CurvePoint = { step: r.step, bpc: r.loss / Math.LN2, seconds: secondsBefore + (now - t0) / 1000, tokens };
      curve.push(point);
      o.onStep?.({ ...r, bpc: point.bpc, tokensPerSecond: r.tokens / ((now - stepStart) / 1000) });
      // Let timers run (progress bars, signals): the loop is otherwise synchronous.
      await yieldToEventLoop();
      if (r.step % evalEvery === 0 || r.step === steps) {
        const e0 = performance.now();
        valBpc = evalBpc(cell, split.validation, { batch: 16, seq: T });
        point.valBpc = valBpc;
        o.onEval?.(r.step, valBpc);
        t0 += performance.now() - e0; // evaluation time is not training time
      }
      if (o.onCheckpoint && (r.step % ckptEvery === 0 || r.step === steps)) {
        const c0 = performance.now();
        await o.onCheckpoint(await checkpoint());
        t0 += performance.now() - c0;
      }
    }
    if (Number.isNaN(valBpc)) valBpc = evalBpc(cell, split.validation, { batch: 16, seq: T });
    const seconds = curve.length ? curve[curve.length - 1].seconds : 0;
    secondsBefore = seconds;
    return { cell, codec, curve, valBpc, seconds };
  } catch (e) {
    if (!o.resume && !o.model) cell.dispose();
    throw e;
  } finally {
    if (carried) tf.dispose(Object.values(carried));
    trainer.dispose();
  }
}
