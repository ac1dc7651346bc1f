/**
 * rxrnn vs PyTorch, side by side in one invocation.
 *
 * Each row is measured for rxrnn (the plain tfjs cells of @rxrnn/cells, the fused WebAssembly
 * kernels of @rxrnn/kernels and, when built, its native AVX2+FMA kernels with as many threads as
 * PyTorch gets) and for PyTorch (tools/bench/torch_bench.py on Debian's /usr/bin/python3,
 * spawned once, same thread count), interleaved round by round so that load from other processes
 * hits both sides alike. Times are medians of per-call wall times over all rounds. The ratio is
 * PyTorch time / rxrnn time: ≥ 1 means rxrnn is faster.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend, createTrainer, setExpKernel, type Cell, type State } from '@rxrnn/core';
import { lstmCell, gruCell, rnnCell, embeddingCell, denseCell, stackCells, fuseCell, lstmSequence, type LstmSequenceParams, type LstmState } from '@rxrnn/cells';
import { additiveAttention, attentionDecoder, attentionDecoderSession, beamSearchSync, disposeDecoderState, type DecoderState } from '@rxrnn/attention';
import { createParallelTrainer } from '@rxrnn/cells/parallel';
import { kernels, kernelExp, kernelsInfo, kernelsWasmFile, type KernelsConfig } from '@rxrnn/kernels';

export interface BenchOptions {
  /** Tiny shapes and few iterations: a smoke run of a few seconds. */
  quick?: boolean;
  /** Threads for PyTorch and for rxrnn's parallel trainer row (the other rxrnn rows run on one). Default 1. */
  threads?: number;
  /** Only rows whose name contains this. */
  filter?: string;
  /** Skip the plain-tfjs training row (≈5 s per step at full size). */
  skipTfjsTraining?: boolean;
  /** Progress lines. Default: stderr. */
  log?: (line: string) => void;
  /** Python interpreter. Default `/usr/bin/python3` (Debian's, which has torch). */
  python?: string;
}

export interface BenchRow {
  /** Row label, e.g. `step lstm B=32 H=X=512`. */
  name: string;
  /** `tfjs` (plain cells / tfjs ops), `wasm` / `native` (@rxrnn/kernels), `trainer` (the library's own training path). */
  impl: 'tfjs' | 'wasm' | 'native' | 'trainer';
  label: string;
  /** Median seconds per call. */
  rxrnn: number;
  torch: number;
  /** torch / rxrnn: ≥ 1 means rxrnn is faster. */
  ratio: number;
  /** Work per call for a throughput column (`steps·batch` or `tokens`), when meaningful. */
  per?: { count: number; unit: string };
  calls: { rxrnn: number; torch: number };
}

export interface BenchResult {
  rows: BenchRow[];
  table: string;
  info: Record<string, string>;
}

/** A JSON-lines conversation with torch_bench.py. */
class TorchWorker {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly waiting: ((line: string) => void)[] = [];
  private exited: Error | null = null;

  constructor(python: string, threads: number) {
    const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
    this.proc = spawn(python, [script], { env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) } });
    this.proc.stderr.on('data', (d) => process.stderr.write(`[torch] ${d}`));
    this.lines = createInterface({ input: this.proc.stdout });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
    this.proc.on('exit', (code) => {
      this.exited = new Error(`torch_bench.py exited with code ${code}`);
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: this.exited.message }));
    });
    this.proc.on('error', (e) => {
      this.exited = e;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: e.message }));
    });
  }

  async request<T>(msg: object): Promise<T> {
    if (this.exited) throw this.exited;
    const reply = new Promise<string>((resolve) => this.waiting.push(resolve));
    this.proc.stdin.write(JSON.stringify(msg) + '\n');
    const out = JSON.parse(await reply) as T & { error?: string };
    if (out.error) throw new Error(`torch_bench.py: ${out.error}`);
    return out;
  }

  close(): void {
    this.proc.stdin.end();
    this.proc.kill();
  }
}

type TorchRow = Record<string, string | number>;

type Impl = 'tfjs' | 'wasm' | 'native' | 'trainer';
type FusedImpl = 'wasm' | 'native';

/** The kernels a contender runs on: none (plain tfjs), the WebAssembly ones or the native ones. */
const kernelsOf = (impl: 'tfjs' | FusedImpl): KernelsConfig => (impl === 'tfjs' ? { enabled: false } : { native: impl === 'native' });
const nativeThreads = (): number => kernels({ native: true })?.threads ?? 1;
const fusedLabel = (impl: FusedImpl): string =>
  impl === 'native' ? `fused native (AVX2+FMA, ${nativeThreads()} thread${nativeThreads() > 1 ? 's' : ''})` : `fused WASM${kernelsWasmFile() === 'kernels-relaxed.wasm' ? ' (relaxed SIMD)' : ''}`;

interface Contender {
  impl: Impl;
  /** What exactly runs, for the table. */
  label: string;
  /** One call (synchronous work; tfjs wasm is synchronous). */
  run: () => void;
  dispose: () => void;
}

interface RowSpec {
  name: string;
  torch: TorchRow;
  per?: { count: number; unit: string };
  contenders: () => Contender[];
  /** Rounds of interleaved timing (default 3). Rows of ~0.1–0.7 s per call get more, so their medians
   * rest on more than a handful of calls on a machine that varies 20–40 % from minute to minute. */
  rounds?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeCalls(fn: () => void, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    out.push((performance.now() - t0) / 1000);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// rxrnn contenders

const makeCell: Record<string, (X: number, H: number) => Cell> = {
  // plain tfjs cells (the cells fuse themselves by default; the fused rows wrap these with fuseCell)
  rnn: (X, H) => rnnCell({ inputSize: X, hiddenSize: H, seed: 1, fused: false }),
  lstm: (X, H) => lstmCell({ inputSize: X, hiddenSize: H, seed: 1, init: 'uniform', fused: false }),
  gru: (X, H) => gruCell({ inputSize: X, hiddenSize: H, seed: 1, init: 'uniform', fused: false }),
};

function stepContender(impl: 'tfjs' | FusedImpl, kind: string, B: number, X: number, H: number): Contender {
  const base = makeCell[kind](X, H);
  const cell = impl === 'tfjs' ? base : fuseCell(base, kernelsOf(impl));
  if (impl !== 'tfjs' && !(cell as ReturnType<typeof fuseCell>).fused) throw new Error(`bench: ${kind} did not fuse: ${(cell as ReturnType<typeof fuseCell>).reason}`);
  const x = tf.randomNormal([B, X]) as tf.Tensor2D;
  let s: State = cell.initialState(B);
  return {
    impl,
    label: impl === 'tfjs' ? 'tfjs cell step (@rxrnn/cells)' : `${fusedLabel(impl)} step (fuseCell)`,
    run: () => {
      const next = tf.tidy(() => cell.step(s, x)[1]);
      tf.dispose(Object.values(s));
      s = next;
    },
    dispose: () => {
      tf.dispose([x, ...Object.values(s)]);
      cell.dispose();
    },
  };
}

function seqContender(impl: 'tfjs' | FusedImpl, T: number, B: number, X: number, H: number): Contender {
  const cell = makeCell.lstm(X, H);
  const x = tf.randomNormal([T, B, X]) as tf.Tensor3D;
  const options = { kernels: kernelsOf(impl) };
  return {
    impl,
    label: impl === 'tfjs' ? 'tfjs ops unrolled (lstmSequence, kernels off: the cell step)' : `${fusedLabel(impl)} (lstmSequence)`,
    run: () => {
      const r = lstmSequence(cell.params as unknown as LstmSequenceParams, x, undefined, undefined, options);
      tf.dispose([r.ys, r.hT, r.cT]);
    },
    dispose: () => {
      x.dispose();
      cell.dispose();
    },
  };
}

/** Char-LSTM language model: embedding → LSTM → dense → softmax cross-entropy, one Adam step per call. */
function trainContender(impl: 'tfjs' | FusedImpl, V: number, E: number, H: number, T: number, B: number): Contender {
  const cell = makeCell.lstm(E, H);
  const emb = tf.variable(tf.randomNormal([V, E], 0, 1, 'float32', 1));
  const k = 1 / Math.sqrt(H);
  const W = tf.variable(tf.randomUniform([H, V], -k, k, 'float32', 2));
  const b = tf.variable(tf.zeros([V]));
  // one-hot inputs: the embedding is a matMul (tfjs-wasm has no gradient kernel for gather)
  const xs = tf.oneHot(tf.reshape(tf.randomUniform([T, B], 0, V, 'int32', 3), [T * B]) as tf.Tensor1D, V).toFloat(); // [T·B, V]
  const targets = tf.oneHot(tf.reshape(tf.randomUniform([T, B], 0, V, 'int32', 4), [T * B]) as tf.Tensor1D, V);
  const opt = tf.train.adam(2e-3);
  const vars = [emb, W, b, ...Object.values(cell.params)];
  const options = { kernels: kernelsOf(impl) };
  return {
    impl,
    label: impl === 'tfjs' ? 'tfjs ops unrolled + tfjs autodiff/Adam' : `${fusedLabel(impl)} fwd+bwd (lstmSequence) + tfjs dense/Adam`,
    run: () => {
      const loss = opt.minimize(() => {
        const e = tf.reshape(tf.matMul(xs, emb), [T, B, E]) as tf.Tensor3D; // [T, B, E]
        const { ys } = lstmSequence(cell.params as unknown as LstmSequenceParams, e, undefined, undefined, options); // [T, B, H]
        const logits = tf.add(tf.matMul(tf.reshape(ys, [T * B, H]), W), b); // [T·B, V]
        return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
      }, true, vars);
      loss?.dataSync();
      loss?.dispose();
    },
    dispose: () => {
      tf.dispose([emb, W, b, xs, targets]);
      opt.dispose();
      cell.dispose();
    },
  };
}

/**
 * The same char-LSTM trained the way a user of the library does: one Cell (embedding → LSTM → dense,
 * the cells' automatic fused path) and `createTrainer`, or `createParallelTrainer` on `threads`.
 * `wasm`: the same `createTrainer` with the native kernels switched off (a browser's path).
 */
function libraryTrainContender(threads: number, parallel: boolean, V: number, E: number, H: number, T: number, B: number, wasm = false): Contender {
  const fused: KernelsConfig = { native: !wasm };
  const cell = stackCells([
    embeddingCell({ vocabSize: V, embeddingSize: E, seed: 1 }),
    lstmCell({ inputSize: E, hiddenSize: H, seed: 2, init: 'uniform', fused }),
    denseCell({ inputSize: H, outputSize: V, seed: 3, fused }),
  ]);
  const trainer = parallel ? createParallelTrainer({ cell, threads, optimizer: { kind: 'adam', lr: 2e-3 } }) : createTrainer({ cell, optimizer: { kind: 'adam', lr: 2e-3 } });
  const k = kernelsInfo(fused);
  const exp = kernelExp(fused); // the loss's exp on the same kernels
  const kind = k ? `${k.backend === 'native' ? 'native' : 'WASM'} kernels` : 'no kernels';
  const inputs = tf.randomUniform([T, B, 1], 0, V, 'int32', 3).toFloat() as tf.Tensor3D;
  const targets = tf.randomUniform([T, B], 0, V, 'int32', 4);
  return {
    impl: 'trainer',
    label: parallel
      ? `createParallelTrainer, ${threads} worker threads (cells' automatic path: ${kind}, 1 thread each)`
      : `createTrainer (cells' automatic path: ${kind}, ${k?.threads ?? 1} thread${(k?.threads ?? 1) > 1 ? 's' : ''})`,
    run: () => {
      setExpKernel(exp);
      trainer.trainBatch({ inputs, targets });
    },
    dispose: () => {
      tf.dispose([inputs, targets]);
      trainer.dispose();
      cell.dispose();
    },
  };
}

/**
 * The attentional decoder of `attentionDecoder` (@rxrnn/attention) at H = X = D = A: an LSTM cell with
 * Luong's input feeding ([x; h̃] → H), additive (Bahdanau) attention over S encoder states, Luong's
 * attentional layer h̃ = tanh(W_c [c; h]); random weights (seeded). `impl` picks the paths of both the
 * cell and the attention: tfjs ops, or the fused kernels (WebAssembly or native).
 */
function attentionModel(impl: 'tfjs' | FusedImpl, H: number) {
  const fused = impl === 'tfjs' ? false : kernelsOf(impl);
  const cell = lstmCell({ inputSize: 2 * H, hiddenSize: H, seed: 1, init: 'uniform', fused });
  const att = additiveAttention({ querySize: H, keySize: H, units: H, seed: 2, fused });
  if (impl !== 'tfjs' && !att.fused) throw new Error('bench: the additive attention did not fuse');
  const dec = attentionDecoder(cell, att, { inputSize: H, seed: 3 });
  return { cell, att, dec, dispose: () => [dec, att, cell].forEach((m) => m.dispose()) };
}

const attentionLabel = (impl: 'tfjs' | FusedImpl, what: string): string =>
  impl === 'tfjs' ? `tfjs ops (${what}, fused: false)` : `${fusedLabel(impl)}: LSTM step + attendAdditive (${what})`;

/** One `attentionDecoder` step (inference), B rows over S source positions: x [B, H] → h̃ [B, H] and the next state. */
function attentionStepContender(impl: 'tfjs' | FusedImpl, B: number, S: number, H: number): Contender {
  const m = attentionModel(impl, H);
  const keys = tf.randomNormal([B, S, H], 0, 0.5, 'float32', 4) as tf.Tensor3D;
  const memory = m.att.precompute(keys);
  const x = tf.randomNormal([B, H], 0, 1, 'float32', 5) as tf.Tensor2D;
  let state = m.dec.initialState(B, S) as DecoderState<LstmState>;
  return {
    impl,
    label: attentionLabel(impl, 'attentionDecoder.step'),
    run: () => {
      const next = tf.tidy(() => m.dec.step(state, x, memory).state as unknown as tf.TensorContainer) as unknown as DecoderState<LstmState>;
      disposeDecoderState(state);
      state = next;
    },
    dispose: () => {
      disposeDecoderState(state);
      tf.dispose([keys, x]);
      memory.dispose();
      m.dispose();
    },
  };
}

/**
 * Beam search (`beamSearchSync`, beam K) on one stream with the decoder above, an embedding [V, H] and an
 * output layer [H, V] + bias; `eos` can never win (its bias is −1e9), so every call runs `L` steps and
 * commits L tokens: time per call / L is the latency per committed token.
 */
function beamContender(impl: 'tfjs' | FusedImpl, K: number, L: number, S: number, H: number, V: number): Contender {
  const m = attentionModel(impl, H);
  const keys = tf.randomNormal([1, S, H], 0, 0.5, 'float32', 4) as tf.Tensor3D;
  const embedding = tf.randomNormal([V, H], 0, 1, 'float32', 6) as tf.Tensor2D;
  const output = tf.randomNormal([H, V], 0, 1 / Math.sqrt(H), 'float32', 7) as tf.Tensor2D;
  const bias = tf.tensor1d(Float32Array.from({ length: V }, (_, i) => (i === 1 ? -1e9 : 0)));
  const session = attentionDecoderSession(m.dec, { keys, embedding, output, outputBias: bias, bos: 0, eos: 1 });
  return {
    impl,
    label: attentionLabel(impl, `beamSearchSync, attentionDecoderSession, beam ${K}`),
    run: () => {
      const r = beamSearchSync(session, { beamWidth: K, maxLength: L });
      if (r.best.tokens.length !== L) throw new Error(`bench: beam search committed ${r.best.tokens.length} tokens, expected ${L}`);
    },
    dispose: () => {
      session.dispose();
      tf.dispose([keys, embedding, output, bias]);
      m.dispose();
    },
  };
}

// ---------------------------------------------------------------------------------------------

function rowSpecs(quick: boolean, skipTfjsTraining: boolean, threads: number): RowSpec[] {
  const rows: RowSpec[] = [];
  const fused: FusedImpl[] = kernelsInfo({ native: true })?.backend === 'native' ? ['wasm', 'native'] : ['wasm'];
  const Hs = quick ? [16] : [128, 512];
  const Bs = quick ? [1, 4] : [1, 32];
  for (const kind of ['rnn', 'lstm', 'gru']) {
    for (const H of Hs) {
      for (const B of Bs) {
        rows.push({
          name: `step ${kind} B=${B} H=X=${H}`,
          torch: { kind: 'step', cell: kind, B, X: H, H },
          contenders: () => [stepContender('tfjs', kind, B, H, H), ...fused.map((f) => stepContender(f, kind, B, H, H))],
        });
      }
    }
  }
  const [T, B, X, H] = quick ? [5, 2, 8, 16] : [100, 32, 128, 256];
  rows.push({
    name: `sequence lstm forward T=${T} B=${B} X=${X} H=${H}`,
    torch: { kind: 'seq', cell: 'lstm', T, B, X, H },
    per: { count: T * B, unit: 'steps·batch/s' },
    rounds: quick ? 1 : 6,
    contenders: () => [seqContender('tfjs', T, B, X, H), ...fused.map((f) => seqContender(f, T, B, X, H))],
  });
  const tr = quick ? { V: 11, E: 8, H: 16, T: 5, B: 2 } : { V: 65, E: 64, H: 256, T: 100, B: 32 };
  rows.push({
    name: `train char-lstm+Adam V=${tr.V} E=${tr.E} H=${tr.H} T=${tr.T} B=${tr.B}`,
    torch: { kind: 'train', ...tr },
    per: { count: tr.T * tr.B, unit: 'tokens/s' },
    rounds: quick ? 1 : 10,
    contenders: () => [
      ...(skipTfjsTraining ? [] : [trainContender('tfjs', tr.V, tr.E, tr.H, tr.T, tr.B)]),
      ...fused.map((f) => trainContender(f, tr.V, tr.E, tr.H, tr.T, tr.B)),
      ...(fused.includes('native') ? [libraryTrainContender(threads, false, tr.V, tr.E, tr.H, tr.T, tr.B, true)] : []),
      libraryTrainContender(threads, false, tr.V, tr.E, tr.H, tr.T, tr.B),
      ...(threads > 1 ? [libraryTrainContender(threads, true, tr.V, tr.E, tr.H, tr.T, tr.B)] : []),
    ],
  });
  const at = quick ? { S: 5, H: 16, Bs: [1, 4], V: 20, L: 4 } : { S: 50, H: 256, Bs: [1, 32], V: 1000, L: 20 };
  for (const B of at.Bs) {
    rows.push({
      name: `attention decoder step (LSTM + additive + attentional layer) B=${B} S=${at.S} H=${at.H}`,
      torch: { kind: 'attention-step', B, S: at.S, H: at.H },
      contenders: () => [attentionStepContender('tfjs', B, at.S, at.H), ...fused.map((f) => attentionStepContender(f, B, at.S, at.H))],
    });
  }
  rows.push({
    name: `beam search K=5, ${at.L} tokens per call, S=${at.S} H=${at.H} V=${at.V}`,
    torch: { kind: 'beam', K: 5, L: at.L, S: at.S, H: at.H, V: at.V },
    per: { count: at.L, unit: 'committed tokens/s' },
    contenders: () => [beamContender('tfjs', 5, at.L, at.S, at.H, at.V), ...fused.map((f) => beamContender(f, 5, at.L, at.S, at.H, at.V))],
  });
  return rows;
}

/** Run the benchmark rows; returns the rows and a markdown table. */
export async function runBench(options: BenchOptions = {}): Promise<BenchResult> {
  const quick = options.quick ?? false;
  const threads = options.threads ?? 1;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const backend = await initBackend({ log: null });
  kernels({ native: true })?.setThreads(threads); // the native kernels get as many threads as PyTorch,
  kernels({ native: true })?.setStepThreads(threads); // batch-1 steps included (a server's default runs those on one)
  const torch = new TorchWorker(options.python ?? '/usr/bin/python3', threads);
  const budget = quick ? 0.01 : 0.4; // seconds per side per round
  const rounds = quick ? 1 : 3;
  const results: BenchRow[] = [];
  const info: Record<string, string> = {};
  try {
    const hello = await torch.request<{ torch: string; threads: number }>({ op: 'hello', threads });
    Object.assign(info, {
      date: new Date().toISOString(),
      node: process.version,
      tfjs: `${tf.version.tfjs} (${backend.name} backend, 1 thread)`,
      torch: `${hello.torch} (${hello.threads} thread${hello.threads > 1 ? 's' : ''})`,
      cpu: cpuModel(),
      kernels: (() => {
        const k = kernelsInfo({ native: true });
        const w = kernelsWasmFile();
        return k?.backend === 'native' ? `native ${k.isa}, ${k.threads} thread${k.threads > 1 ? 's' : ''} per call; WebAssembly SIMD rows (${w}) beside them` : `WebAssembly SIMD only, ${w} (native: ${k?.nativeUnavailable ?? 'unavailable'})`;
      })(),
      'load average at start': os.loadavg().map((l) => l.toFixed(2)).join(' '),
    });
    for (const spec of rowSpecs(quick, options.skipTfjsTraining ?? false, threads)) {
      if (options.filter && !spec.name.includes(options.filter)) continue;
      const contenders = spec.contenders();
      try {
        // warm up and size the calls so each side gets ~budget seconds per round
        const n = new Map<Contender | 'torch', number>();
        const size = (t: number) => Math.max(quick ? 1 : 2, Math.min(quick ? 20 : 2000, Math.round(budget / Math.max(t, 1e-7))));
        for (const c of contenders) {
          c.run();
          n.set(c, size(median(timeCalls(c.run, quick ? 1 : 2))));
        }
        await torch.request({ op: 'run', row: spec.torch, iters: 1 });
        const tt = await torch.request<{ times: number[] }>({ op: 'run', row: spec.torch, iters: quick ? 1 : 2 });
        n.set('torch', size(median(tt.times)));
        const times = new Map<Contender | 'torch', number[]>([...n.keys()].map((k) => [k, [] as number[]]));
        for (let r = 0; r < (spec.rounds ?? rounds); r++) {
          for (const c of contenders) times.get(c)!.push(...timeCalls(c.run, n.get(c)!));
          const t = await torch.request<{ times: number[] }>({ op: 'run', row: spec.torch, iters: n.get('torch')! });
          times.get('torch')!.push(...t.times);
        }
        const torchMed = median(times.get('torch')!);
        for (const c of contenders) {
          const med = median(times.get(c)!);
          const row: BenchRow = { name: spec.name, impl: c.impl, label: c.label, rxrnn: med, torch: torchMed, ratio: torchMed / med, per: spec.per, calls: { rxrnn: times.get(c)!.length, torch: times.get('torch')!.length } };
          results.push(row);
          log(`${row.name} [${row.impl}]: rxrnn ${fmtTime(row.rxrnn)}, PyTorch ${fmtTime(row.torch)}, ratio ${row.ratio.toFixed(2)}`);
        }
      } finally {
        for (const c of contenders) c.dispose();
      }
    }
    info['load average at end'] = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  } finally {
    torch.close();
  }
  return { rows: results, table: toMarkdown(results), info };
}

function cpuModel(): string {
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return `${m ? m[1] : os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}`;
  } catch {
    return `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}`;
  }
}

export function fmtTime(s: number): string {
  if (s < 1e-3) return `${(s * 1e6).toFixed(1)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(2)} ms`;
  return `${s.toFixed(2)} s`;
}

function fmtRate(count: number, s: number): string {
  const r = count / s;
  return r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toFixed(1);
}

/** The rows as a markdown table. */
export function toMarkdown(rows: BenchRow[]): string {
  const head = '| row | rxrnn impl | rxrnn | PyTorch | ratio (PyTorch / rxrnn; ≥ 1: rxrnn faster) | throughput rxrnn / PyTorch | calls timed (rxrnn / PyTorch) |\n|---|---|---|---|---|---|---|';
  const lines = rows.map((r) => {
    const thr = r.per ? `${fmtRate(r.per.count, r.rxrnn)} / ${fmtRate(r.per.count, r.torch)} ${r.per.unit}` : '';
    return `| ${r.name} | ${r.label} | ${fmtTime(r.rxrnn)} | ${fmtTime(r.torch)} | **${r.ratio.toFixed(2)}** | ${thr} | ${r.calls.rxrnn} / ${r.calls.torch} |`;
  });
  return [head, ...lines].join('\n');
}
