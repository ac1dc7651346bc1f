/**
 * The Neural Turing Machine step (Graves, Wayne & Danihelka 2014, §§2–3, Fig. 1), with an LSTM
 * controller (the `lstmStep` of @rxrnn/cells). With R read heads, W write heads, memory N × M:
 *
 *     u_t = [x_t; r^1_{t−1}; …; r^R_{t−1}]                                   controller input [B, X + R·M]
 *     h_t, c_t = LSTM(u_t, h_{t−1}, c_{t−1})                                  [B, H]
 *     ξ_t = clip(h_t K_ξ + b_ξ, ±clip)                                        every head's raw outputs [B, P]
 *     write heads (h = 1 … W):  w^h_t = address(M_{t−1}, k, β̂, ĝ, ŝ, γ̂; w^h_{t−1})   (§3.3, eqs. 5–9)
 *                               M_t = erase-then-add(M_{t−1}; w^h_t, σ(ê^h), tanh(a^h))   (eqs. 3–4)
 *     read heads  (h = 1 … R):  w^h_t = address(M_t, …; w^h_{t−1}),   r^h_t = Σ_i w^h_t(i) M_t(i)  (eq. 2)
 *     y_t = [h_t; r^1_t; …; r^R_t] K_y + b_y                                  [B, Y] (logits)
 *
 * The heads write first and read the memory just written (as in the DNC), so an output can depend on
 * this step's write. Keys and add vectors pass through tanh, as in Collier & Beel's (2018) stable
 * implementation, who also clip the controller's outputs to the heads (±20) — the 'controller outputs'
 * clipped here. Each head's slice of ξ_t is laid out [k (M) | β̂ | ĝ | ŝ (2S + 1) | γ̂], and a write head
 * adds [ê (M) | a (M)]; read heads come first.
 *
 * The learned initial reads and weightings: the state carries `fresh` [B, 1] (1 before the first step,
 * then 0), and the step takes r_{t−1} = fresh · r_0 + (1 − fresh) · r_{t−1} (likewise w_{t−1}), so the
 * gradient reaches r_0 and the initial weightings' logits through any trainer, which builds the initial
 * state outside its gradient scope. (1 · a + 0 · a = a exactly: the blend changes no value; when every
 * row's flag is 0 or every row's is 1, the step takes the state or the initial values directly.)
 *
 * State tensors are 2-D ([B, ·]: memory as [B, N·M], weightings [B, R·N] and [B, W·N], reads [B, R·M]),
 * so that every state tool (masking by [B, 1], snapshots, batching) handles them like any cell's. The
 * extras give them their natural shapes: `memory` [B, N, M], `readWeights` [B, R, N], `writeWeights`
 * [B, W, N], `reads` [B, R, M]. Pure: call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, getActivation, type StepResult } from '@rxrnn/core';
import { lstmStep } from '@rxrnn/cells';
import { address, type AddressingOutputs } from '../addressing/address.js';
import { addressFused } from '../addressing/address-fused.js';
import { readMemory } from '../addressing/read.js';
import { writeMemory, type WriteHead } from '../addressing/write.js';

/** The sizes a step needs. */
export interface NtmSizes {
  /** X. */
  inputSize: number;
  /** Y. */
  outputSize: number;
  /** N: rows of the memory. */
  memorySize: number;
  /** M: width of a row. */
  memoryWidth: number;
  /** R ≥ 1. */
  readHeads: number;
  /** W ≥ 1. */
  writeHeads: number;
  /** H: the LSTM controller's size. */
  controllerSize: number;
  /** S: shifts −S … +S. */
  shiftRange: number;
  /** The controller's outputs to the heads are clipped to ±clip. */
  clip: number;
  /** Address with the one-op {@link addressFused} (default) or the composition of the per-equation functions. */
  fusedAddressing?: boolean;
}

export interface NtmParams {
  /** The controller LSTM (gate order i, f, g, o): [X + R·M, 4H], [H, 4H], [4H]. */
  'controller.kernel': tf.Tensor2D;
  'controller.recurrentKernel': tf.Tensor2D;
  'controller.bias': tf.Tensor1D;
  /** Every head's raw outputs from h_t: [H, P], [P]. */
  'heads.kernel': tf.Tensor2D;
  'heads.bias': tf.Tensor1D;
  /** The output from [h_t; reads]: [H + R·M, Y], [Y]. */
  'output.kernel': tf.Tensor2D;
  'output.bias': tf.Tensor1D;
  /** Learned initial read vectors r_0 [R, M]. */
  'init.reads': tf.Tensor2D;
  /** Logits of the learned initial weightings: w_0 = softmax(·) per head, [R, N] and [W, N]. */
  'init.readWeights': tf.Tensor2D;
  'init.writeWeights': tf.Tensor2D;
}

export type NtmState = {
  h: tf.Tensor2D; // [B, H]
  c: tf.Tensor2D; // [B, H]
  memory: tf.Tensor2D; // [B, N·M]
  readWeights: tf.Tensor2D; // [B, R·N]
  writeWeights: tf.Tensor2D; // [B, W·N]
  reads: tf.Tensor2D; // [B, R·M]
  fresh: tf.Tensor2D; // [B, 1]: 1 before the first step
};

/** Width of a read head's raw outputs: k, β̂, ĝ, ŝ, γ̂. */
export const readHeadWidth = (z: Pick<NtmSizes, 'memoryWidth' | 'shiftRange'>): number => z.memoryWidth + 3 + 2 * z.shiftRange + 1;
/** Width of a write head's raw outputs: a read head's, then ê and a. */
export const writeHeadWidth = (z: Pick<NtmSizes, 'memoryWidth' | 'shiftRange'>): number => readHeadWidth(z) + 2 * z.memoryWidth;
/** P: the width of every head's outputs together. */
export const headsWidth = (z: NtmSizes): number => z.readHeads * readHeadWidth(z) + z.writeHeads * writeHeadWidth(z);

const sigmoid = getActivation('sigmoid');
const tanh = getActivation('tanh');

/** One head's addressing outputs from its five parts of ξ_t (k, β̂, ĝ, ŝ, γ̂). */
function addressingOutputs(parts: tf.Tensor2D[]): AddressingOutputs {
  const [k, betaHat, gHat, sHat, gammaHat] = parts;
  return { key: tf.tanh(k) as tf.Tensor2D, betaHat, gHat, sHat, gammaHat }; // [B, M], [B, 1], [B, 1], [B, 2S + 1], [B, 1]
}

/** The initial reads [B, R·M] and weightings [B, R·N], [B, W·N] from the learned parameters. */
export function ntmInitialValues(p: NtmParams, batch: number): { reads: tf.Tensor2D; readWeights: tf.Tensor2D; writeWeights: tf.Tensor2D } {
  const row = (t: tf.Tensor2D) => tf.tile(tf.reshape(t, [1, -1]), [batch, 1]) as tf.Tensor2D;
  return {
    reads: row(p['init.reads']), // [B, R·M]
    readWeights: row(tf.softmax(p['init.readWeights'])), // [B, R·N]
    writeWeights: row(tf.softmax(p['init.writeWeights'])), // [B, W·N]
  };
}

export function ntmStep(p: NtmParams, s: NtmState, x: tf.Tensor2D, z: NtmSizes, extras = false): StepResult<NtmState> {
  const { inputSize: X, memorySize: N, memoryWidth: M, readHeads: R, writeHeads: W, shiftRange: S } = z;
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== X) throw rxrnnError(ErrorCodes.SHAPE, 'ntmStep', 'x', `a tensor of shape [B, ${X}]`, describe(x));
  const B = x.shape[0];
  if (s.memory?.shape?.[0] !== B || s.memory.shape[1] !== N * M) throw rxrnnError(ErrorCodes.SHAPE, 'ntmStep', 'state.memory', `a tensor of shape [${B}, ${N * M}]`, describe(s.memory));

  // The previous reads and weightings; before the first step, the learned initial ones (see above).
  // The flag is read back (a [B, 1] read on the CPU/wasm backends costs nothing): when no row is fresh
  // (every step but the first) the blend and its gradient are skipped, when all are it is the identity.
  const fresh = s.fresh; // [B, 1]
  const flags = fresh.dataSync();
  const anyFresh = flags.some((v) => v !== 0);
  const allFresh = flags.every((v) => v === 1);
  let readsPrev = s.reads; // [B, R·M]
  let rwPrev = s.readWeights; // [B, R·N]
  let wwPrev = s.writeWeights; // [B, W·N]
  if (anyFresh) {
    const init = ntmInitialValues(p, B);
    const blend = (a: tf.Tensor2D, b: tf.Tensor2D) => (allFresh ? a : (tf.add(tf.mul(fresh, a), tf.mul(tf.sub(1, fresh), b)) as tf.Tensor2D));
    readsPrev = blend(init.reads, s.reads);
    rwPrev = blend(init.readWeights, s.readWeights);
    wwPrev = blend(init.writeWeights, s.writeWeights);
  }

  // Controller (an LSTM on [x; previous reads]).
  const u = tf.concat([x, readsPrev], 1) as tf.Tensor2D; // [B, X + R·M]
  const [h, ctrl] = lstmStep({ kernel: p['controller.kernel'], recurrentKernel: p['controller.recurrentKernel'], bias: p['controller.bias'] }, { h: s.h, c: s.c }, u, tanh, sigmoid);
  const xi = tf.clipByValue(tf.add(tf.matMul(h, p['heads.kernel']), p['heads.bias']), -z.clip, z.clip) as tf.Tensor2D; // [B, P]

  const addr = z.fusedAddressing === false ? address : addressFused;
  // ξ_t into every head's parts in one split (one op forward, one concat backward): per read head
  // [k | β̂ | ĝ | ŝ | γ̂], per write head the same and [ê | a].
  const sizes: number[] = [];
  for (let i = 0; i < R; i++) sizes.push(M, 1, 1, 2 * S + 1, 1);
  for (let i = 0; i < W; i++) sizes.push(M, 1, 1, 2 * S + 1, 1, M, M);
  const parts = tf.split(xi, sizes, 1) as tf.Tensor2D[];
  const perHead = (all: tf.Tensor2D, heads: number) => (heads === 1 ? [all] : (tf.split(all, heads, 1) as tf.Tensor2D[])); // heads × [B, N]
  const rwPrevs = perHead(rwPrev, R);
  const wwPrevs = perHead(wwPrev, W);

  // Write heads: address M_{t−1}, then erase and add (eqs. 3–4).
  const memPrev = tf.reshape(s.memory, [B, N, M]) as tf.Tensor3D; // [B, N, M]
  const writes: WriteHead[] = [];
  for (let i = 0; i < W; i++) {
    const at = 5 * R + 7 * i;
    const w = addr(memPrev, addressingOutputs(parts.slice(at, at + 5)), wwPrevs[i]); // [B, N]
    writes.push({ w, eraseHat: parts[at + 5], add: tf.tanh(parts[at + 6]) as tf.Tensor2D });
  }
  const memory = writeMemory(memPrev, writes); // [B, N, M]

  // Read heads: address M_t, read (eq. 2).
  const readW: tf.Tensor2D[] = [];
  const reads: tf.Tensor2D[] = [];
  for (let i = 0; i < R; i++) {
    const w = addr(memory, addressingOutputs(parts.slice(5 * i, 5 * i + 5)), rwPrevs[i]); // [B, N]
    readW.push(w);
    reads.push(readMemory(memory, w)); // [B, M]
  }
  const readsFlat = (R === 1 ? reads[0] : tf.concat(reads, 1)) as tf.Tensor2D; // [B, R·M]
  const y = tf.add(tf.matMul(tf.concat([h, readsFlat], 1), p['output.kernel']), p['output.bias']) as tf.Tensor2D; // [B, Y]

  const readWeights = (R === 1 ? readW[0] : tf.concat(readW, 1)) as tf.Tensor2D; // [B, R·N]
  const writeWeights = (W === 1 ? writes[0].w : tf.concat(writes.map((w) => w.w), 1)) as tf.Tensor2D; // [B, W·N]
  const next: NtmState = {
    h: ctrl.h,
    c: ctrl.c,
    memory: tf.reshape(memory, [B, N * M]) as tf.Tensor2D,
    readWeights,
    writeWeights,
    reads: readsFlat,
    fresh: anyFresh ? (tf.zerosLike(fresh) as tf.Tensor2D) : fresh,
  };
  const ex = extras
    ? {
        memory, // [B, N, M]
        readWeights: tf.reshape(readWeights, [B, R, N]), // [B, R, N]
        writeWeights: tf.reshape(writeWeights, [B, W, N]), // [B, W, N]
        reads: tf.reshape(readsFlat, [B, R, M]), // [B, R, M]
      }
    : undefined;
  return [y, next, ex];
}
