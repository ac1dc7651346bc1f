/**
 * Corpus BLEU (Papineni, Roukos, Ward & Zhu 2002), computed exactly as NLTK's `corpus_bleu` with its
 * defaults (`weights = (0.25, 0.25, 0.25, 0.25)`, no smoothing, `auto_reweigh = False`), and BLEU by
 * source-length bucket (the curve of Bahdanau, Cho & Bengio 2015, Fig. 2).
 *
 * Tokens are strings compared exactly: tokenise references and hypotheses the same way first.
 *
 * ```ts
 * const refs = [[['the', 'cat', 'sat', 'on', 'the', 'mat']]];
 * const hyps = [['the', 'cat', 'sat', 'on', 'a', 'mat']];
 * corpusBleu(refs, hyps).bleu; // 0.537284965911771
 * ```
 *
 * The sums are micro-averaged over the corpus (§2.1–2.3): for each order n, the clipped n-gram matches
 * of every hypothesis over the n-grams it has; one brevity penalty from the total hypothesis length c
 * and the total of the reference lengths closest to each hypothesis r (eq. 1, ties to the shorter);
 * BLEU = BP · exp(Σ w_n log p_n) (eq. 2).
 *
 * NLTK's edge cases, kept so that the two agree:
 * - a hypothesis shorter than n adds 0 matches over 1 (not 0) n-grams to order n (`max(1, …)` in
 *   `modified_precision`);
 * - no unigram match in the whole corpus: BLEU is 0;
 * - otherwise an order with no match has its precision replaced by the smallest normal double
 *   (2.2250738585072014e-308, `SmoothingFunction.method0`), so BLEU is tiny (about 1e-77 with
 *   one such order), not 0;
 * - an empty hypothesis corpus (c = 0) has BP = 0.
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

/** One n-gram order's corpus sums: clipped matches over hypothesis n-grams (NLTK's numerator, denominator). */
export interface NgramPrecision {
  matches: number;
  total: number;
}

export interface CorpusBleu {
  /** BLEU in [0, 1] (multiply by 100 for the usual figure). */
  bleu: number;
  /** Per order n = 1 … N. */
  precisions: NgramPrecision[];
  /** exp(1 − r/c) when c ≤ r, else 1 (0 when c = 0). */
  brevityPenalty: number;
  /** c: the hypotheses' tokens. */
  hypothesisLength: number;
  /** r: for each hypothesis, the length of its closest reference (ties to the shorter), summed. */
  referenceLength: number;
}

export interface CorpusBleuOptions {
  /** Weights of the log precisions of orders 1 … N; default `[0.25, 0.25, 0.25, 0.25]` (BLEU-4). */
  weights?: readonly number[];
}

/** NLTK's `sys.float_info.min`: what `SmoothingFunction.method0` puts for a precision of zero. */
const FLOAT_MIN = 2.2250738585072014e-308;

const FN = 'corpusBleu';

function checkSentence(s: unknown, arg: string): asserts s is readonly string[] {
  if (!Array.isArray(s) || s.some((t) => typeof t !== 'string')) throw rxrnnError(ErrorCodes.ARGUMENT, FN, arg, 'an array of string tokens', describe(s));
}

function checkCorpus(references: unknown, hypotheses: unknown): void {
  if (!Array.isArray(hypotheses)) throw rxrnnError(ErrorCodes.ARGUMENT, FN, 'hypotheses', 'an array of token arrays', describe(hypotheses));
  if (!Array.isArray(references)) throw rxrnnError(ErrorCodes.ARGUMENT, FN, 'references', 'an array of arrays of token arrays', describe(references));
  if (references.length !== hypotheses.length) {
    throw rxrnnError(ErrorCodes.SIZE, FN, 'references', `one list of references per hypothesis (${hypotheses.length})`, `${references.length}`);
  }
  hypotheses.forEach((h, i) => checkSentence(h, `hypotheses[${i}]`));
  references.forEach((refs, i) => {
    if (!Array.isArray(refs) || refs.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, FN, `references[${i}]`, 'a non-empty array of reference token arrays', describe(refs));
    refs.forEach((r, j) => checkSentence(r, `references[${i}][${j}]`));
  });
}

/** Counts of the n-grams of `tokens` (keyed by the tokens joined with U+0000, which no token contains in practice). */
function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Clipped matches and the (NLTK: at least 1) n-gram total of one hypothesis against its references (§2.1). */
function modifiedPrecision(references: readonly (readonly string[])[], hypothesis: readonly string[], n: number): NgramPrecision {
  const counts = ngramCounts(hypothesis, n);
  const maxRef = new Map<string, number>();
  for (const ref of references) {
    const refCounts = ngramCounts(ref, n);
    for (const key of counts.keys()) maxRef.set(key, Math.max(maxRef.get(key) ?? 0, refCounts.get(key) ?? 0));
  }
  let matches = 0;
  let total = 0;
  for (const [key, count] of counts) {
    matches += Math.min(count, maxRef.get(key) ?? 0);
    total += count;
  }
  return { matches, total: Math.max(1, total) };
}

/** The reference length closest to `hypLength`, ties to the shorter (NLTK's `closest_ref_length`). */
function closestRefLength(references: readonly (readonly string[])[], hypLength: number): number {
  let best = references[0]!.length;
  for (const ref of references) {
    const d = Math.abs(ref.length - hypLength);
    const bestD = Math.abs(best - hypLength);
    if (d < bestD || (d === bestD && ref.length < best)) best = ref.length;
  }
  return best;
}

/**
 * Corpus BLEU of `hypotheses` against `references` (for each hypothesis, one or more reference token
 * arrays), as NLTK's `corpus_bleu` with default arguments. Throws `E_SIZE` when the counts differ and
 * `E_ARGUMENT` for anything that is not tokens.
 */
export function corpusBleu(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
  options: CorpusBleuOptions = {},
): CorpusBleu {
  const weights = options.weights ?? [0.25, 0.25, 0.25, 0.25];
  if (!Array.isArray(weights) || weights.length === 0 || weights.some((w) => typeof w !== 'number' || !Number.isFinite(w) || w < 0)) {
    throw rxrnnError(ErrorCodes.ARGUMENT, FN, 'options.weights', 'a non-empty array of finite weights ≥ 0', describe(weights));
  }
  checkCorpus(references, hypotheses);
  const order = weights.length;
  const precisions: NgramPrecision[] = Array.from({ length: order }, () => ({ matches: 0, total: 0 }));
  let hypothesisLength = 0;
  let referenceLength = 0;
  for (let s = 0; s < hypotheses.length; s++) {
    const hyp = hypotheses[s]!;
    const refs = references[s]!;
    for (let n = 1; n <= order; n++) {
      const p = modifiedPrecision(refs, hyp, n);
      precisions[n - 1]!.matches += p.matches;
      precisions[n - 1]!.total += p.total;
    }
    hypothesisLength += hyp.length;
    referenceLength += closestRefLength(refs, hyp.length);
  }
  // eq. 1: BP = 1 if c > r, else exp(1 − r/c)
  const brevityPenalty = hypothesisLength > referenceLength ? 1 : hypothesisLength === 0 ? 0 : Math.exp(1 - referenceLength / hypothesisLength);
  const result = { precisions, brevityPenalty, hypothesisLength, referenceLength };
  if (hypotheses.length === 0 || precisions[0]!.matches === 0) return { bleu: 0, ...result };
  // eq. 2: BLEU = BP · exp(Σ_n w_n log p_n), a zero p_n replaced by FLOAT_MIN (NLTK's method0)
  let logSum = 0;
  for (let n = 0; n < order; n++) {
    const p = precisions[n]!;
    const pn = p.matches === 0 ? FLOAT_MIN : p.matches / p.total;
    logSum += weights[n]! * Math.log(pn);
  }
  return { bleu: brevityPenalty * Math.exp(logSum), ...result };
}

/** One bucket of {@link bleuByLength}: sentences whose source length is in [from, to). */
export interface LengthBucket extends CorpusBleu {
  from: number;
  to: number;
  /** Sentences in the bucket. */
  sentences: number;
}

/** One evaluated sentence: its source length (in whatever unit the figure uses), references and hypothesis. */
export interface BleuSentence {
  sourceLength: number;
  references: readonly (readonly string[])[];
  hypothesis: readonly string[];
}

/**
 * Corpus BLEU within each source-length bucket [edges[i], edges[i+1]) — the BLEU-against-length curve
 * of Bahdanau et al. (2015, Fig. 2). `edges` ascend; sentences outside [edges[0], last edge) are left
 * out. Empty buckets are reported with `sentences: 0` and BLEU 0.
 *
 * ```ts
 * bleuByLength(sentences, [0, 10, 20, 30, 40, 50, 60, Infinity]).map((b) => [b.from, b.bleu]);
 * ```
 */
export function bleuByLength(sentences: readonly BleuSentence[], edges: readonly number[], options: CorpusBleuOptions = {}): LengthBucket[] {
  if (!Array.isArray(edges) || edges.length < 2 || edges.some((e, i) => typeof e !== 'number' || Number.isNaN(e) || (i > 0 && e <= edges[i - 1]!))) {
    throw rxrnnError(ErrorCodes.ARGUMENT, 'bleuByLength', 'edges', 'at least two ascending numbers', describe(edges));
  }
  if (!Array.isArray(sentences)) throw rxrnnError(ErrorCodes.ARGUMENT, 'bleuByLength', 'sentences', 'an array of { sourceLength, references, hypothesis }', describe(sentences));
  sentences.forEach((s, i) => {
    if (typeof s?.sourceLength !== 'number' || !Number.isFinite(s.sourceLength)) {
      throw rxrnnError(ErrorCodes.ARGUMENT, 'bleuByLength', `sentences[${i}].sourceLength`, 'a finite number', describe(s?.sourceLength));
    }
  });
  checkCorpus(
    sentences.map((s) => s.references),
    sentences.map((s) => s.hypothesis),
  );
  const buckets: LengthBucket[] = [];
  for (let b = 0; b + 1 < edges.length; b++) {
    const from = edges[b]!;
    const to = edges[b + 1]!;
    const inside = sentences.filter((s) => s.sourceLength >= from && s.sourceLength < to);
    const score = corpusBleu(
      inside.map((s) => s.references),
      inside.map((s) => s.hypothesis),
      options,
    );
    buckets.push({ from, to, sentences: inside.length, ...score });
  }
  return buckets;
}
