/**
 * `seq2seqModel`: an attentional encoder–decoder on any rxrnn cell (Bahdanau et al. 2014; Luong,
 * Pham & Manning 2015; the layout of GNMT, Wu et al. 2016):
 *
 *     keys [B, S, D] = encodeSource(x)            embedding → bidirectional layer → layers 2…L_enc (encoder.ts)
 *     s_0 = zeros, h̃_0 = 0, α_0 uniform over the real positions
 *     per target step t:
 *       e_t   = E_tgt[y_{t−1}]                                        [B, E]
 *       h_t   = stack(s_{t−1}, [e_t; h̃_{t−1}])                         [B, H]   Luong input feeding (§3.3)
 *               layer 1: cell(E + H̃ → H); layer l ≥ 2: cell(H → H), + its input from layer `residualFrom` + 1 on
 *       c_t, α_t = attend(h_t, keys, mask)                            [B, D], [B, S]
 *       h̃_t  = tanh(W_c [c_t; h_t])                                   [B, H̃]   (Luong eq. 5)
 *       logits_t = h̃_t W_o + b_o                                      [B, V_tgt]
 *
 * Residual connections: between layers from the third on (`residualFrom: 2`, 0-based, as GNMT §3.2,
 * in both encoder and decoder; the bidirectional layer counts as the encoder's first); `residualFrom: 1`
 * puts them between all layers above the first. Attention is on top of the decoder stack (Luong's
 * stacked form), not on its bottom layer as in GNMT.
 *
 * Parameters (`model.params`): `source_embedding.embeddings`, `encoder.forward.*`, `encoder.backward.*`,
 * `encoder.upper.layers.<l>.*`, `target_embedding.embeddings`, `decoder.cell.layers.<l>.*`,
 * `decoder.attention.*`, `decoder.output_kernel` (W_c^T), `projection.kernel`, `projection.bias`.
 */
import * as tf from '@tensorflow/tfjs';
import { checkSize, rxrnnError, ErrorCodes, describe, type Cell, type State, type StepContext } from '@rxrnn/core';
import { embeddingCell, denseCell, lstmCell, residualCell, stackCells } from '@rxrnn/cells';
import { attentionDecoder, type AttentionDecoder, type DecoderState } from '../decoder-step.js';
import { additiveAttention, concatAttention } from '../additive.js';
import { dotAttention, generalAttention } from '../luong.js';
import { locationAttention } from '../location.js';
import { finalStateAttention, finalStateSummary } from './final-state.js';
import type { Attention, Memory } from '../types.js';
import { encodeSource, type EncoderCells } from './encoder.js';
import { sourceBatch, type SourceBatch, type TokenIds } from './batch.js';

/** Builds one recurrent cell of the model (default: `lstmCell`). */
export type CellFactory = (o: { inputSize: number; hiddenSize: number; seed: number }) => Cell;

/**
 * A mechanism by name, or a factory of any {@link Attention}. `'none'`: the plain encoder–decoder of
 * Cho et al. 2014 / Sutskever et al. 2014, no attention: the fixed summary c = [→h_n; ←h_1] stands for
 * c_t at every step (`finalStateAttention`) and the decoder starts from the encoder's final state,
 * h⁽ˡ⁾_0 = tanh(W_b⁽ˡ⁾ c + b_b⁽ˡ⁾) for every layer l (Cho et al.'s h'_0 = tanh(V' c); parameters `bridge.kernel`
 * [D, L_dec·H], `bridge.bias`); the cell must keep its output in state key `h` (LSTM, GRU, RNN).
 */
export type AttentionChoice = 'additive' | 'concat' | 'dot' | 'general' | 'location' | 'none' | ((o: { querySize: number; keySize: number; seed: number }) => Attention);

export interface Seq2SeqOptions {
  sourceVocab: number;
  targetVocab: number;
  /** Target ids of the start and end symbols. */
  bos: number;
  eos: number;
  /** Embedding size E (both sides). */
  embeddingSize: number;
  /** Encoder hidden size per direction H_enc (so D = 2 H_enc). */
  encoderSize: number;
  /** Decoder hidden size H (= H̃, the attentional size). */
  decoderSize: number;
  /** Encoder layers, the bidirectional one included. Default 1. */
  encoderLayers?: number;
  /** Decoder layers. Default 1. */
  decoderLayers?: number;
  /** 0-based index of the first layer with a residual connection. Default 2 (GNMT: from the third layer). */
  residualFrom?: number;
  /** Default `'additive'` (units = H). */
  attention?: AttentionChoice;
  /** Default `lstmCell` (fused kernels on). */
  cell?: CellFactory;
  /** Longest accepted source. Default 256. */
  maxSourceLength?: number;
  /** Longest decode (target tokens + EOS). Default 256. */
  maxTargetLength?: number;
  seed?: number;
}

/** The encoded source: attention memory and mask, owned by the caller (`disposeEncoded`). */
export interface Encoded {
  keys: tf.Tensor3D;
  memory: Memory;
  mask: tf.Tensor2D;
  lengths: readonly number[];
}

export interface Seq2SeqStepResult {
  /** Unnormalised scores over the target vocabulary [B, V]. */
  logits: tf.Tensor2D;
  /** α_t [B, S]. */
  alignment: tf.Tensor2D;
  state: DecoderState;
}

export interface Seq2SeqModel {
  readonly config: Readonly<Required<Omit<Seq2SeqOptions, 'attention' | 'cell' | 'seed'>> & { attention: string; seed: number }>;
  readonly sourceVocab: number;
  readonly targetVocab: number;
  readonly bos: number;
  readonly eos: number;
  readonly maxSourceLength: number;
  readonly maxTargetLength: number;
  readonly params: Readonly<Record<string, tf.Variable>>;
  readonly decoder: AttentionDecoder;
  /** Check and pad sources (E_SHAPE / E_ARGUMENT / E_SIZE before any allocation). */
  sourceBatch(sources: readonly TokenIds[]): SourceBatch;
  /** Encode a batch: keys, the attention's precomputed memory, the mask. Differentiable. */
  encode(batch: SourceBatch, ctx?: StepContext): Encoded;
  /** The decoder's first state for an encoded batch. */
  initialState(enc: Encoded): DecoderState;
  /** One decoder step on target ids [B] (int32). Pure; run inside a tidy or gradient scope. */
  step(state: DecoderState, tokens: tf.Tensor1D, enc: Encoded, ctx?: StepContext): Seq2SeqStepResult;
  dispose(): void;
  readonly isDisposed: boolean;
}

const ATTENTION_NAMES: readonly string[] = ['additive', 'concat', 'dot', 'general', 'location', 'none'];

function makeAttention(choice: AttentionChoice, querySize: number, keySize: number, seed: number): Attention {
  if (typeof choice === 'function') return choice({ querySize, keySize, seed });
  switch (choice) {
    case 'additive':
      return additiveAttention({ querySize, keySize, units: querySize, seed });
    case 'concat':
      return concatAttention({ querySize, keySize, units: querySize, seed });
    case 'dot':
      return dotAttention({ querySize, keySize });
    case 'general':
      return generalAttention({ querySize, keySize, seed });
    case 'location':
      return locationAttention({ querySize, keySize, units: querySize, filters: 8, kernelSize: 5, seed });
    case 'none':
      return finalStateAttention({ querySize, keySize });
    default:
      throw rxrnnError(ErrorCodes.UNKNOWN, 'seq2seqModel', 'options.attention', "'additive', 'concat', 'dot', 'general', 'location', 'none' or a factory", describe(choice));
  }
}

/** Build the encoder–decoder (see the module comment). */
export function seq2seqModel(options: Seq2SeqOptions): Seq2SeqModel {
  const fn = 'seq2seqModel';
  const o = options ?? ({} as Seq2SeqOptions);
  for (const k of ['sourceVocab', 'targetVocab', 'embeddingSize', 'encoderSize', 'decoderSize'] as const) checkSize(fn, `options.${k}`, o[k]);
  const Le = o.encoderLayers ?? 1;
  const Ld = o.decoderLayers ?? 1;
  const residualFrom = o.residualFrom ?? 2;
  const maxSourceLength = o.maxSourceLength ?? 256;
  const maxTargetLength = o.maxTargetLength ?? 256;
  for (const [k, v] of [['encoderLayers', Le], ['decoderLayers', Ld], ['residualFrom', residualFrom], ['maxSourceLength', maxSourceLength], ['maxTargetLength', maxTargetLength]] as const) checkSize(fn, `options.${k}`, v);
  for (const k of ['bos', 'eos'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 0 || o[k] >= o.targetVocab) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.${k}`, `a target id in [0, ${o.targetVocab})`, describe(o[k]));
  }
  const attentionChoice = o.attention ?? 'additive';
  if (typeof attentionChoice !== 'function' && !ATTENTION_NAMES.includes(attentionChoice)) {
    throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.attention', `one of ${ATTENTION_NAMES.map((n) => `'${n}'`).join(', ')} or a factory`, describe(attentionChoice)); // before any allocation
  }
  const make: CellFactory = o.cell ?? ((c) => lstmCell(c));
  const seed = o.seed ?? 0;
  const { sourceVocab: Vs, targetVocab: Vt, embeddingSize: E, encoderSize: He, decoderSize: H } = o;
  const D = 2 * He;
  let k = 0;
  const nextSeed = () => seed * 1000 + ++k;

  const owned: { dispose(): void }[] = [];
  const own = <T extends { dispose(): void }>(x: T): T => (owned.push(x), x);
  try {
    const enc: EncoderCells = {
      embedding: own(embeddingCell({ vocabSize: Vs, embeddingSize: E, seed: nextSeed() })),
      forward: own(make({ inputSize: E, hiddenSize: He, seed: nextSeed() })),
      backward: own(make({ inputSize: E, hiddenSize: He, seed: nextSeed() })),
      upper:
        Le > 1
          ? own(stackCells(Array.from({ length: Le - 1 }, (_, i) => {
              const c = make({ inputSize: D, hiddenSize: D, seed: nextSeed() });
              return i + 1 >= residualFrom ? residualCell(c) : c; // layer i + 1 (the bidirectional one is 0)
            })))
          : null,
    };
    const targetEmbedding = own(embeddingCell({ vocabSize: Vt, embeddingSize: E, seed: nextSeed() }));
    const decCell = own(stackCells(Array.from({ length: Ld }, (_, l) => {
      const c = make({ inputSize: l === 0 ? E + H : H, hiddenSize: H, seed: nextSeed() });
      return l >= residualFrom ? residualCell(c) : c;
    })));
    const attention = own(makeAttention(attentionChoice, H, D, nextSeed()));
    const decoder = own(attentionDecoder(decCell, attention, { inputSize: E, attentionalSize: H, seed: nextSeed() }));
    const projection = own(denseCell({ inputSize: H, outputSize: Vt, seed: nextSeed() }));
    const bridge = attentionChoice === 'none' ? own(denseCell({ inputSize: D, outputSize: Ld * H, seed: nextSeed() })) : null; // W_b [D, L·H]

    const params: Record<string, tf.Variable> = {};
    const add = (prefix: string, ps: Readonly<Record<string, tf.Variable>>) => {
      for (const [name, v] of Object.entries(ps)) params[`${prefix}.${name}`] = v;
    };
    add('source_embedding', enc.embedding.params);
    add('encoder.forward', enc.forward.params);
    add('encoder.backward', enc.backward.params);
    if (enc.upper) add('encoder.upper', enc.upper.params);
    add('target_embedding', targetEmbedding.params);
    add('decoder.cell', decCell.params);
    add('decoder.attention', attention.params);
    add('decoder', decoder.params);
    add('projection', projection.params);
    if (bridge) add('bridge', bridge.params);

    let disposed = false;
    const live = (where: string) => {
      if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, `seq2seq.${where}`, 'model', 'a live model', 'a disposed model');
    };
    const attentionName = typeof attentionChoice === 'function' ? attention.kind : attentionChoice;
    return {
      config: { sourceVocab: Vs, targetVocab: Vt, bos: o.bos, eos: o.eos, embeddingSize: E, encoderSize: He, decoderSize: H, encoderLayers: Le, decoderLayers: Ld, residualFrom, maxSourceLength, maxTargetLength, attention: attentionName, seed },
      sourceVocab: Vs,
      targetVocab: Vt,
      bos: o.bos,
      eos: o.eos,
      maxSourceLength,
      maxTargetLength,
      params,
      decoder,
      sourceBatch: (sources) => {
        live('sourceBatch');
        return sourceBatch('seq2seq.sourceBatch', sources, Vs, maxSourceLength);
      },
      encode(batch, ctx = {}) {
        live('encode');
        const keys = tf.tidy(() => encodeSource(enc, batch, ctx)); // [B, S, D]
        return { keys, memory: attention.precompute(keys), mask: batch.mask, lengths: batch.lengths };
      },
      initialState(e) {
        live('initialState');
        const s = decoder.initialState(e.lengths.length, e.keys.shape[1], e.mask);
        if (!bridge) return s;
        // The plain model: h⁽ˡ⁾_0 = tanh(W_b⁽ˡ⁾ c + b_b⁽ˡ⁾), c = [→h_n; ←h_1] (Cho et al. 2014, §2.2)
        const cell: Record<string, tf.Tensor> = { ...(s.cell as Record<string, tf.Tensor>) };
        const missing = Array.from({ length: Ld }, (_, l) => `${l}.h`).find((key) => !(cell[key] instanceof tf.Tensor) || cell[key].shape[1] !== H);
        if (missing) {
          tf.dispose([...Object.values(cell), s.attentional, s.alignment, s.coverage]);
          throw rxrnnError(ErrorCodes.ARGUMENT, 'seq2seq.initialState', 'options.cell', `a cell whose state keeps its output [B, ${H}] in 'h' (attention 'none' starts it from the encoder)`, `no state '${missing}'`);
        }
        const h0 = tf.tidy(() => tf.tanh(bridge.step({}, finalStateSummary(e.keys, e.mask), {})[0])); // [B, L·H]
        for (let l = 0; l < Ld; l++) {
          const old = cell[`${l}.h`];
          cell[`${l}.h`] = tf.tidy(() => h0.slice([0, l * H], [-1, H])); // [B, H]
          old.dispose();
        }
        h0.dispose();
        return { ...s, cell } as DecoderState;
      },
      step(state, tokens, e, ctx = {}) {
        live('step');
        const B = e.lengths.length;
        if (!(tokens instanceof tf.Tensor) || tokens.rank !== 1 || tokens.shape[0] !== B) throw rxrnnError(ErrorCodes.SHAPE, 'seq2seq.step', 'tokens', `ids of shape [${B}]`, describe(tokens));
        const [x] = targetEmbedding.step({}, tf.reshape(tokens, [B, 1]) as tf.Tensor2D, ctx); // [B, E]
        const r = decoder.step(state as DecoderState<State>, x, e.memory, e.mask, ctx); // h̃_t [B, H]
        const [logits] = projection.step({}, r.output, ctx); // [B, V]
        return { logits, alignment: r.alignment, state: r.state };
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        for (const x of owned.reverse()) x.dispose();
      },
      get isDisposed() {
        return disposed;
      },
    };
  } catch (e) {
    for (const x of owned) x.dispose();
    throw e;
  }
}

/** Free what `encode` allocated (keys, memory) and the batch's tensors. */
export function disposeEncoded(e: Encoded, batch?: SourceBatch): void {
  e.memory.dispose();
  e.keys.dispose();
  if (batch) tf.dispose([batch.ids, batch.mask]);
}
