/**
 * Search for interpretable cells (Karpathy, Johnson & Fei-Fei 2016, §4.2): rank every unit of
 * every layer by the Pearson correlation of its activation over the text (tanh(c_t) by default)
 * with a per-character feature of the text (inside quotes, position in line, a user predicate…):
 *
 *     r(u) = Σ_t (a_tu − ā_u)(f_t − f̄) / √(Σ_t (a_tu − ā_u)² · Σ_t (f_t − f̄)²)
 *
 * Units are ranked by |r| (a cell may track a feature with either sign). A constant unit or
 * feature has r = 0. Pure JS over an {@link ActivationTrace}.
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import type { ActivationTrace } from './activation-trace.js';
import type { TextFeature } from './features.js';

export interface CellScore {
  layer: number;
  unit: number;
  /** The series scored, e.g. `'tanhC'`. */
  series: string;
  /** Pearson correlation with the feature, in [−1, 1]. */
  r: number;
}

export interface RankOptions {
  /** The series to score. Default `'tanhC'`. */
  series?: string;
  /** Only these layers (stack indices). Default all that have the series. */
  layers?: readonly number[];
}

/** Every unit scored against `feature` (one value per traced character), best |r| first. */
export function rankCells(trace: ActivationTrace, feature: ArrayLike<number>, options: RankOptions = {}): CellScore[] {
  const fn = 'rankCells';
  const name = options.series ?? 'tanhC';
  const T = trace?.steps;
  if (!trace || !Array.isArray(trace.layers)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'trace', 'an ActivationTrace', describe(trace));
  if (!feature || feature.length !== T) throw rxrnnError(ErrorCodes.SIZE, fn, 'feature', `${T} values (one per traced character)`, describe(feature));
  let fMean = 0;
  for (let t = 0; t < T; t++) fMean += feature[t];
  fMean /= T;
  const fc = new Float64Array(T);
  let fVar = 0;
  for (let t = 0; t < T; t++) {
    fc[t] = feature[t] - fMean;
    fVar += fc[t] * fc[t];
  }
  const scores: CellScore[] = [];
  const layers = trace.layers.filter((l) => l.series[name] && (!options.layers || options.layers.includes(l.layer)));
  if (layers.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.series', `a series of the trace (${[...new Set(trace.layers.flatMap((l) => Object.keys(l.series)))].join(', ')})`, describe(name));
  for (const l of layers) {
    const s = l.series[name];
    const H = l.size;
    const mean = new Float64Array(H);
    for (let t = 0; t < T; t++) for (let u = 0; u < H; u++) mean[u] += s[t * H + u];
    for (let u = 0; u < H; u++) mean[u] /= T;
    const cov = new Float64Array(H);
    const v = new Float64Array(H);
    for (let t = 0; t < T; t++) {
      const row = t * H;
      const f = fc[t];
      for (let u = 0; u < H; u++) {
        const a = s[row + u] - mean[u];
        cov[u] += a * f;
        v[u] += a * a;
      }
    }
    for (let u = 0; u < H; u++) {
      const d = Math.sqrt(v[u] * fVar);
      scores.push({ layer: l.layer, unit: u, series: name, r: d > 1e-12 ? cov[u] / d : 0 });
    }
  }
  return scores.sort((a, b) => Math.abs(b.r) - Math.abs(a.r) || a.layer - b.layer || a.unit - b.unit);
}

export interface FeatureSearch {
  feature: TextFeature;
  /** The feature's values over the traced characters. */
  values: Float32Array;
  /** True when the feature does not vary over the text (every r is 0; the ranking means nothing). */
  constant: boolean;
  /** The best `topK` units, best |r| first. */
  top: CellScore[];
}

/** For each feature, the `topK` units whose activation correlates best with it. */
export function searchCells(trace: ActivationTrace, features: readonly TextFeature[], options: RankOptions & { topK?: number } = {}): FeatureSearch[] {
  const topK = options.topK ?? 5;
  if (!Number.isInteger(topK) || topK < 1) throw rxrnnError(ErrorCodes.ARGUMENT, 'searchCells', 'options.topK', 'a positive integer', describe(topK));
  if (!Array.isArray(features)) throw rxrnnError(ErrorCodes.ARGUMENT, 'searchCells', 'features', 'an array of TextFeature', describe(features));
  return features.map((feature, k) => {
    if (!feature || typeof feature.values !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, 'searchCells', `features[${k}]`, 'a TextFeature ({ name, values(chars) })', describe(feature));
    const values = feature.values(trace.chars);
    const constant = values.every((v: number) => v === values[0]);
    return { feature, values, constant, top: rankCells(trace, values, options).slice(0, topK) };
  });
}
