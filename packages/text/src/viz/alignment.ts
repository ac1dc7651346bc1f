/**
 * An attention alignment as a heatmap (Bahdanau et al. 2014, Fig. 3): one row per output token, one
 * column per source token, the weight α_ij as grey level. The spec is @rxrnn/attention's
 * `alignmentHeatmapSpec`; this renders it through the one plotting path of render.ts (`vegaLiteToSvg`,
 * then `svgToPng` for a PNG), with characters labelled for reading (␣ for a space).
 *
 * ```ts
 * const svg = await alignmentSvg({ source: [...'25 Nov 2026'], output: [...'2026-11-25', '</s>'], weights });
 * ```
 */
import { alignmentHeatmapSpec } from '@rxrnn/attention';
import { vegaLiteToSvg } from './render.js';

export interface Alignment {
  /** Source tokens (columns). */
  source: readonly string[];
  /** Output tokens (rows). */
  output: readonly string[];
  /** α [output.length][source.length], rows summing to 1. */
  weights: readonly (readonly number[])[];
  title?: string;
}

const label = (c: string) => (c === ' ' ? '␣' : c);

/** The heatmap as SVG text (typed errors from `alignmentHeatmapSpec` when the sizes disagree). */
export function alignmentSvg(a: Alignment): Promise<string> {
  const spec = alignmentHeatmapSpec(a?.weights as number[][], { source: a?.source?.map(label), target: a?.output?.map(label), title: a?.title });
  return vegaLiteToSvg(spec);
}
