/**
 * An attention alignment as a heatmap (Bahdanau et al. 2014, Fig. 3): one row per output token, one
 * column per source token, the weight α_ij as grey level — a vega-lite spec rendered through the one
 * plotting path of render.ts (`vegaLiteToSvg`, `svgToPng`).
 *
 * ```ts
 * const svg = await alignmentSvg({ source: [...'25 Nov 2026'], output: [...'2026-11-25', '</s>'], weights });
 * ```
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
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

/** The vega-lite spec of the heatmap. */
export function alignmentSpec(a: Alignment): Record<string, unknown> {
  const ok = a && Array.isArray(a.weights) && a.weights.length === a.output?.length && a.weights.every((r) => Array.isArray(r) && r.length === a.source?.length);
  if (!ok) throw rxrnnError(ErrorCodes.SHAPE, 'alignmentSpec', 'alignment.weights', 'an [output.length][source.length] array', describe(a?.weights));
  // Positions keep repeated characters apart; labels show the characters (␣ for a space).
  const label = (c: string) => (c === ' ' ? '␣' : c);
  const values = a.weights.flatMap((row, i) => row.map((w, j) => ({ i, j, weight: w })));
  const axis = (tokens: readonly string[]) => ({ labelExpr: `[${tokens.map((t) => JSON.stringify(label(t))).join(',')}][datum.value]`, labelAngle: 0, labelFontSize: 13, title: null, ticks: false });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(a.title ? { title: a.title } : {}),
    width: 22 * a.source.length,
    height: 22 * a.output.length,
    background: 'white',
    data: { values },
    mark: 'rect',
    encoding: {
      x: { field: 'j', type: 'ordinal', axis: { ...axis(a.source), orient: 'top' } },
      y: { field: 'i', type: 'ordinal', axis: axis(a.output) },
      color: { field: 'weight', type: 'quantitative', scale: { scheme: 'greys', domain: [0, 1] }, title: 'α' },
    },
    config: { font: 'DejaVu Sans', view: { stroke: null } },
  };
}

/** The heatmap as SVG text. */
export function alignmentSvg(a: Alignment): Promise<string> {
  return vegaLiteToSvg(alignmentSpec(a));
}
