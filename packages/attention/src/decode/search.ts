/**
 * Greedy and beam search over a {@link DecodeSession}, as pure generators of decoding events (no RxJS:
 * `greedyDecode` and `beamSearch` wrap them as operators).
 *
 * Scoring (Wu et al. 2016, "Google's neural machine translation system", §7):
 *
 *   s(Y, X) = log P(Y|X) / lp(Y) + cp(X; Y)
 *   lp(Y)   = (5 + |Y|)^α / (5 + 1)^α                       length normalisation (α = `lengthPenalty`, 0: none)
 *   cp(X;Y) = β Σ_j log(min(Σ_i α_ij, 1))                   coverage penalty (β = `coveragePenalty`, 0: none)
 *
 * |Y| counts the generated tokens including the end-of-sentence token; α_ij is the alignment of target
 * step i over source position j (the session's `alignment`); Σ_i α_ij is floored at 1e−10 so a source
 * word never attended costs β·log(1e−10) instead of −∞.
 *
 * Beam search: from `bos`, every step expands the K live hypotheses by every token; the candidates are
 * ranked by s(·) of the extended prefix (the same scoring as the final one, so with a beam of
 * V^(L−1) or more nothing a complete search would choose is ever pruned) and the best `beamWidth` are
 * kept. A kept candidate that ends in `eos`, or reaches `maxLength` tokens, is finished (it leaves the
 * beam); the others are the next step's live hypotheses, less those that cannot beat the `nBest`-th best
 * finished one any more (any completion scores at most log P / lp(maxLength), since log-probs only fall, lp only
 * grows and cp ≤ 0: an exact bound). Search ends when `beamWidth` hypotheses have finished or none is
 * live. The result is the best finished hypothesis (and the n best).
 *
 * Streaming: after every step the longest common prefix of the live hypotheses and the best finished
 * one (the only finished one that can still win) is committed: its new tokens are yielded at once, each
 * with its alignment row. At the end the rest of the best hypothesis follows, then the final event,
 * so the tokens yielded always concatenate to the best hypothesis.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import type { DecodeSession } from './types.js';

/** The widest beam accepted: K × V candidates are scored in JavaScript at every step. */
export const MAX_BEAM_WIDTH = 1024;
/** The floor of Σ_i α_ij inside the coverage penalty's log. */
export const COVERAGE_FLOOR = 1e-10;

export interface SearchOptions {
  /** The most tokens generated per hypothesis, `eos` included (≥ 1). */
  maxLength: number;
  /** GNMT's α of the length normalisation lp(Y) = (5 + |Y|)^α / 6^α. Default 0 (raw log-probability). */
  lengthPenalty?: number;
  /** GNMT's β of the coverage penalty β Σ_j log(min(Σ_i α_ij, 1)). Default 0. Needs the session's alignments. */
  coveragePenalty?: number;
}

export interface BeamSearchOptions extends SearchOptions {
  /** K, the number of live hypotheses (1 … MAX_BEAM_WIDTH). */
  beamWidth: number;
  /** How many of the best finished hypotheses the final event lists (1 … beamWidth). Default 1. */
  nBest?: number;
}

/** A finished hypothesis. */
export interface Hypothesis {
  /** The generated tokens, without `bos` and without the final `eos`. */
  tokens: number[];
  /** s(Y, X) above. */
  score: number;
  /** log P(Y|X), `eos` included. */
  logProb: number;
  /** |Y|: generated tokens including `eos`. */
  length: number;
  /** Whether it ended with `eos` or was cut at `maxLength`. */
  finish: 'eos' | 'max-length';
  /** The alignment row α_i [S] of every generated token (`eos` included), when the session gives them. */
  alignments: Float32Array[];
}

/** A committed token: every hypothesis that can still win starts with it. */
export interface TokenEvent {
  kind: 'token';
  /** The index of the source (session) in the stream, from 0. */
  source: number;
  /** Its position in the output, from 0. */
  position: number;
  token: number;
  /** Extras: the attention weights α_i [S] with which the token was produced (empty without session alignments). */
  extras: { alignment: Float32Array };
}

/** The end of one source's decoding. */
export interface FinalEvent {
  kind: 'final';
  source: number;
  best: Hypothesis;
  /** The `nBest` best finished hypotheses, best first (just `best` for greedy decoding). */
  nBest: Hypothesis[];
  /** Decoder steps taken. */
  steps: number;
}

export type DecodeEvent = TokenEvent | FinalEvent;

/** lp(Y) = (5 + |Y|)^α / 6^α. */
export function lengthNormaliser(length: number, alpha: number): number {
  return alpha === 0 ? 1 : Math.pow((5 + length) / 6, alpha);
}

/** cp = β Σ_j log(max(min(c_j, 1), floor)) over the accumulated attention c_j = Σ_i α_ij. */
export function coverageScore(coverage: ArrayLike<number>, beta: number): number {
  if (beta === 0) return 0;
  let s = 0;
  for (let j = 0; j < coverage.length; j++) s += Math.log(Math.max(Math.min(coverage[j], 1), COVERAGE_FLOOR));
  return beta * s;
}

/** Check search options before anything is allocated. */
export function checkSearchOptions(fn: string, options: SearchOptions | undefined): void {
  const o = options ?? ({} as SearchOptions);
  if (!Number.isInteger(o.maxLength) || o.maxLength < 1) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.maxLength', 'an integer ≥ 1', describe(o.maxLength));
  for (const name of ['lengthPenalty', 'coveragePenalty'] as const) {
    const v = o[name];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.${name}`, 'a finite number ≥ 0', describe(v));
  }
}

/** Check beam options (and the search options) before anything is allocated. */
export function checkBeamOptions(fn: string, options: BeamSearchOptions | undefined): void {
  const o = options ?? ({} as BeamSearchOptions);
  const K = o.beamWidth;
  if (!Number.isInteger(K) || K < 1 || K > MAX_BEAM_WIDTH) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.beamWidth', `an integer in 1 … ${MAX_BEAM_WIDTH}`, describe(K));
  const n = o.nBest ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > K) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.nBest', `an integer in 1 … beamWidth (${K})`, describe(n));
  checkSearchOptions(fn, o);
}

/** Check a session's sizes before its first step. */
export function checkSession(fn: string, session: DecodeSession<unknown>): void {
  if (!session || typeof session.step !== 'function' || typeof session.initialState !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'session', 'a DecodeSession', describe(session));
  const { vocabSize: V, bos, eos, sourceLength } = session;
  if (!Number.isInteger(sourceLength) || sourceLength < 1) throw rxrnnError(ErrorCodes.SIZE, fn, 'session.sourceLength', 'a non-empty source (≥ 1 position)', describe(sourceLength));
  if (!Number.isInteger(V) || V < 2) throw rxrnnError(ErrorCodes.SIZE, fn, 'session.vocabSize', 'an integer ≥ 2', describe(V));
  for (const [name, t] of [['bos', bos], ['eos', eos]] as const) {
    if (!Number.isInteger(t) || t < 0 || t >= V) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `session.${name}`, `a token id in 0 … ${V - 1}`, describe(t));
  }
}

/** A live hypothesis (JavaScript side; the tensors live in the session's state, row by row). */
interface Live {
  tokens: number[];
  logProb: number;
  coverage: Float64Array;
  alignments: Float32Array[];
}

interface StepRead {
  logProbs: Float32Array; // [K·V]
  alignment: Float32Array | null; // [K·S]
}

/** Run one decoder step and read its results back; the step's tensors are freed, its state returned. */
function runStep<S>(fn: string, session: DecodeSession<S>, state: S, tokens: Int32Array, needAlignment: boolean): [StepRead, S] {
  const K = tokens.length;
  const { vocabSize: V, sourceLength: Sl } = session;
  const out = session.step(state, tokens);
  try {
    if (!(out.logProbs instanceof tf.Tensor) || out.logProbs.shape[0] !== K || out.logProbs.shape[1] !== V) {
      throw rxrnnError(ErrorCodes.SHAPE, `${fn}: session.step`, 'logProbs', `shape [${K}, ${V}]`, describe(out.logProbs));
    }
    if (out.alignment !== undefined && (!(out.alignment instanceof tf.Tensor) || out.alignment.shape[0] !== K || out.alignment.shape[1] !== Sl)) {
      throw rxrnnError(ErrorCodes.SHAPE, `${fn}: session.step`, 'alignment', `shape [${K}, ${Sl}]`, describe(out.alignment));
    }
    if (needAlignment && out.alignment === undefined) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.coveragePenalty', '0 for a session without alignments', 'a coverage penalty');
    return [{ logProbs: out.logProbs.dataSync() as Float32Array, alignment: out.alignment ? (out.alignment.dataSync() as Float32Array) : null }, out.state];
  } catch (e) {
    session.disposeState(out.state);
    throw e;
  } finally {
    tf.dispose([out.logProbs, out.alignment]);
  }
}

/** The indices of the k largest values of row r (of width n) in `a`, best first (ties: lower index first). */
export function topK(a: ArrayLike<number>, r: number, n: number, k: number): number[] {
  const base = r * n;
  const better = (x: number, y: number) => a[base + x] > a[base + y] || (a[base + x] === a[base + y] && x < y);
  if (k * 8 >= n) {
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((x, y) => (better(x, y) ? -1 : better(y, x) ? 1 : 0));
    return idx.slice(0, k);
  }
  // one pass keeping the best k in order: O(n) for the usual large vocabulary and small beam
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    if (best.length === k && !better(i, best[k - 1])) continue;
    let p = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(i);
    while (p > 0 && better(i, best[p - 1])) {
      best[p] = best[p - 1];
      p--;
    }
    best[p] = i;
  }
  return best;
}

/** The length of the common prefix of token lists. */
function commonPrefix(lists: number[][]): number {
  if (lists.length === 0) return 0;
  let n = Math.min(...lists.map((l) => l.length));
  for (const l of lists) {
    let i = 0;
    while (i < n && l[i] === lists[0][i]) i++;
    n = i;
  }
  return n;
}

function finish(h: Live, finishKind: Hypothesis['finish'], alpha: number, beta: number): Hypothesis {
  const length = h.tokens.length;
  const tokens = finishKind === 'eos' ? h.tokens.slice(0, -1) : h.tokens.slice();
  return { tokens, logProb: h.logProb, length, finish: finishKind, alignments: h.alignments, score: h.logProb / lengthNormaliser(length, alpha) + coverageScore(h.coverage, beta) };
}

/**
 * Beam search as a generator of {@link DecodeEvent}s (see the module doc). It owns the states it
 * creates (freed on return, error, or `.return()`), not the session.
 */
export function* beamSearchEvents<S>(session: DecodeSession<S>, options: BeamSearchOptions, source = 0, fn = 'beamSearch'): Generator<DecodeEvent, FinalEvent, void> {
  checkBeamOptions(fn, options);
  checkSession(fn, session as DecodeSession<unknown>);
  const { beamWidth: W, maxLength: L } = options;
  const alpha = options.lengthPenalty ?? 0;
  const beta = options.coveragePenalty ?? 0;
  const nBest = options.nBest ?? 1;
  const { vocabSize: V, sourceLength: Sl, bos, eos } = session;

  let live: Live[] = [{ tokens: [], logProb: 0, coverage: new Float64Array(Sl), alignments: [] }];
  const finished: Hypothesis[] = [];
  let committed = 0;
  let steps = 0;
  let state: S | null = session.initialState(1);
  const emitUpTo = function* (tokens: number[], alignments: Float32Array[], n: number): Generator<TokenEvent> {
    for (; committed < n; committed++) yield { kind: 'token', source, position: committed, token: tokens[committed], extras: { alignment: alignments[committed] ?? new Float32Array(0) } };
  };
  try {
    while (live.length > 0 && finished.length < W) {
      const tokens = Int32Array.from(live, (h) => (h.tokens.length ? h.tokens[h.tokens.length - 1] : bos));
      const [read, stepped]: [StepRead, S] = runStep(fn, session, state as S, tokens, beta !== 0);
      session.disposeState(state as S);
      state = stepped;
      steps++;
      const t = live[0].tokens.length + 1; // every candidate's |Y|
      const lp = lengthNormaliser(t, alpha);
      // candidates: within a row the ranking is by log-prob (lp and cp are the row's), so a row's best W suffice
      const cands: { row: number; token: number; logProb: number; score: number; coverage: Float64Array }[] = [];
      live.forEach((h, k) => {
        const coverage = Float64Array.from(h.coverage);
        if (read.alignment) for (let j = 0; j < Sl; j++) coverage[j] += read.alignment[k * Sl + j];
        const cp = coverageScore(coverage, beta);
        for (const v of topK(read.logProbs, k, V, W)) {
          const logProb = h.logProb + read.logProbs[k * V + v];
          cands.push({ row: k, token: v, logProb, score: logProb / lp + cp, coverage });
        }
      });
      cands.sort((a, b) => b.score - a.score || a.row - b.row || a.token - b.token);
      const nextLive: Live[] = [];
      const rows: number[] = [];
      for (const c of cands.slice(0, W)) {
        const h = live[c.row];
        const alignments = read.alignment ? [...h.alignments, read.alignment.slice(c.row * Sl, (c.row + 1) * Sl)] : h.alignments;
        const hyp: Live = { tokens: [...h.tokens, c.token], logProb: c.logProb, coverage: c.coverage, alignments };
        if (c.token === eos) finished.push(finish(hyp, 'eos', alpha, beta));
        else if (t >= L) finished.push(finish(hyp, 'max-length', alpha, beta));
        else {
          nextLive.push(hyp);
          rows.push(c.row);
        }
      }
      // a live hypothesis none of whose completions can beat the n-th best finished one is dropped: its score is at
      // most logProb / lp(maxLength) (log-probs only fall, lp only grows) plus cp ≤ 0. Exact: never drops the best.
      finished.sort((a, b) => b.score - a.score);
      if (finished.length >= nBest) {
        const bound = lengthNormaliser(L, alpha);
        const bar = finished[nBest - 1].score; // the n-th best finished: what a hypothesis must beat to be listed
        for (let i = nextLive.length - 1; i >= 0; i--) {
          if (nextLive[i].logProb / bound < bar) {
            nextLive.splice(i, 1);
            rows.splice(i, 1);
          }
        }
      }
      live = nextLive;
      if (live.length === 0) break;
      const identity = rows.length === tokens.length && rows.every((r, i) => r === i);
      if (!identity) {
        const selected = session.select(state as S, Int32Array.from(rows));
        session.disposeState(state as S);
        state = selected;
      }
      // commit the prefix every hypothesis that can still win shares (the live ones and the best finished)
      const contenders = live.map((h) => h.tokens);
      if (finished.length) contenders.push(finished[0].finish === 'eos' ? [...finished[0].tokens, eos] : finished[0].tokens);
      yield* emitUpTo(live[0].tokens, live[0].alignments, commonPrefix(contenders)); // (live hypotheses never hold eos)
    }
    finished.sort((a, b) => b.score - a.score);
    const best = finished[0];
    yield* emitUpTo(best.tokens, best.alignments, best.tokens.length);
    const final: FinalEvent = { kind: 'final', source, best, nBest: finished.slice(0, nBest), steps };
    yield final;
    return final;
  } finally {
    if (state !== null) session.disposeState(state);
  }
}

/**
 * Greedy decoding as a generator: the most probable token at every step, until `eos` or `maxLength`.
 * Every token is committed as soon as it is chosen. Equal to beam search with `beamWidth: 1` when the
 * coverage penalty is 0 (the test checks it).
 */
export function* greedyEvents<S>(session: DecodeSession<S>, options: SearchOptions, source = 0, fn = 'greedyDecode'): Generator<DecodeEvent, FinalEvent, void> {
  checkSearchOptions(fn, options);
  checkSession(fn, session as DecodeSession<unknown>);
  const L = options.maxLength;
  const alpha = options.lengthPenalty ?? 0;
  const beta = options.coveragePenalty ?? 0;
  const { vocabSize: V, sourceLength: Sl, bos, eos } = session;
  const h: Live = { tokens: [], logProb: 0, coverage: new Float64Array(Sl), alignments: [] };
  let state: S | null = session.initialState(1);
  let steps = 0;
  try {
    let token = bos;
    for (;;) {
      const [read, stepped]: [StepRead, S] = runStep(fn, session, state as S, Int32Array.of(token), beta !== 0);
      session.disposeState(state as S);
      state = stepped;
      steps++;
      token = topK(read.logProbs, 0, V, 1)[0]; // argmax
      h.tokens.push(token);
      h.logProb += read.logProbs[token];
      if (read.alignment) {
        h.alignments.push(read.alignment.slice(0, Sl));
        for (let j = 0; j < Sl; j++) h.coverage[j] += read.alignment[j];
      }
      if (token === eos || h.tokens.length >= L) break;
      yield { kind: 'token', source, position: h.tokens.length - 1, token, extras: { alignment: h.alignments[h.tokens.length - 1] ?? new Float32Array(0) } };
    }
    const best = finish(h, token === eos ? 'eos' : 'max-length', alpha, beta);
    if (best.finish === 'max-length') yield { kind: 'token', source, position: best.tokens.length - 1, token, extras: { alignment: h.alignments[best.tokens.length - 1] ?? new Float32Array(0) } };
    const final: FinalEvent = { kind: 'final', source, best, nBest: [best], steps };
    yield final;
    return final;
  } finally {
    if (state !== null) session.disposeState(state);
  }
}

/** Run a search generator to its end and return the final event (the pure, non-streaming form). */
export function runSearch(events: Generator<DecodeEvent, FinalEvent, void>): FinalEvent {
  for (;;) {
    const r = events.next();
    if (r.done) return r.value;
  }
}

/** Beam search to the end: the best hypothesis, its score and the n best. */
export function beamSearchSync<S>(session: DecodeSession<S>, options: BeamSearchOptions): FinalEvent {
  return runSearch(beamSearchEvents(session, options));
}

/** Greedy decoding to the end. */
export function greedySearchSync<S>(session: DecodeSession<S>, options: SearchOptions): FinalEvent {
  return runSearch(greedyEvents(session, options));
}
